#pragma once
// One HTTP/2 connection of a server (RFC 9113), as one coroutine beside the HTTP/1.1 loop
// (shared/http/connection.hpp) and with the same handler: the web server, the shop and the CA
// answer HTTP/2 without knowing it. The session (server_session.hpp) turns bytes into requests
// and responses into frames; this loop moves the bytes, runs one handler coroutine per
// stream, and owns the connection's time: the header timeout while a request is arriving, the
// send timeout while a response makes no progress (a client that never opens its flow-control
// window), the idle timeout between requests. A stop or a reload sends GOAWAY; streams already
// begun are answered first.
//
// All reads and writes happen here, in one coroutine: the TLS stream is not safe for a read
// and a write at once. The loop waits for whichever comes first, the socket turning readable
// or a handler finishing (a wake-up), and writes whatever the session has to send in between.

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <variant>

#include "shared/awaitable.hpp"
#include "shared/http/connection.hpp"
#include "shared/http2/server_session.hpp"

namespace miniweb::http2 {

namespace detail {

// The handler's view of its stream: an early hint becomes an HTTP/2 informational HEADERS.
class StreamExchange final : public http::Exchange {
 public:
  StreamExchange(http::ServerConnection& connection, ServerSession& session, std::int32_t stream_id,
                 const std::function<void()>& wake)
      : Exchange(connection), session_(session), stream_id_(stream_id), wake_(wake) {}

  asio::awaitable<bool> send_interim(const http::Response& interim) override {
    session_.send_interim(stream_id_, interim);
    wake_();
    co_return session_.stream_alive(stream_id_);
  }
  // HTTP/2 has no bytes past a request for a handler to take over.
  std::string& unread() override { return nothing_; }

 private:
  ServerSession& session_;
  std::int32_t stream_id_;
  const std::function<void()>& wake_;
  std::string nothing_;
};

using http::detail::has_buffered_input;

// What the connection is doing, for its deadline.
enum class Phase { Idle, Receiving, Answering, Sending };

}  // namespace detail

// Serves HTTP/2 on `stream` (TLS after ALPN chose h2, or plain TCP whose client began with the
// connection preface) until the connection ends, then closes it.
template <class Stream>
asio::awaitable<void> serve_http2(Stream& stream, http::ServerConnection& connection,
                                  const http::ConnectionSettings& settings,
                                  http::ConnectionHandler& handler) {
  using namespace std::chrono_literals;
  const http::ConnectionLimits& limits = settings.limits;
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket& socket = connection.socket();

  // A handler that finished, a stop or a reload wakes the loop from its wait.
  asio::steady_timer wake_timer(executor, asio::steady_timer::time_point::max());
  bool woken = false;
  const std::function<void()> wake = [&] {
    woken = true;
    wake_timer.cancel();
  };
  connection.on_notice = &wake;

  ServerSession session(limits, FloodLimits{},
                        [&](const http::Request& request, int status, std::uint64_t bytes) {
                          handler.responded(request, status, bytes, connection);
                        });
  std::size_t handlers_running = 0;

  // One handler coroutine per stream; the request lives in the session until it is answered.
  auto answer = [&](std::int32_t stream_id, http::Request* request) -> asio::awaitable<void> {
    detail::StreamExchange exchange(connection, session, stream_id, wake);
    http::Reply reply = co_await handler.respond(*request, exchange);
    if (reply.then == http::Reply::Then::Abandoned || reply.then == http::Reply::Then::TakenOver) {
      session.reset(stream_id, NGHTTP2_INTERNAL_ERROR);
    } else {
      auto body = reply.shared_body
                      ? std::move(reply.shared_body)
                      : std::make_shared<const std::string>(std::move(reply.response.body));
      session.respond(stream_id, reply.response, std::move(body), handler.server_fields());
      if (reply.then == http::Reply::Then::Close) session.go_away_gracefully();
    }
  };
  // Requests arrived and not yet handed to a handler: they wait while the bodies already
  // answered hold more than kBodyBudget bytes not yet sent (a client that reads slowly, or
  // never opens its window, holds that much of the server's memory and no more), or while as
  // many handlers are at work as the client may have streams (streams it reset keep theirs).
  std::deque<ArrivedRequest> waiting;
  constexpr std::uint64_t kBodyBudget = 16 << 20;
  auto dispatch = [&] {
    for (const RefusedRequest& refused : session.take_refused()) {
      const http::Response response = handler.refuse(
          refused.status, refused.why, session.request(refused.stream_id), connection);
      session.respond(refused.stream_id, response,
                      std::make_shared<const std::string>(response.body), handler.server_fields());
    }
    for (const ArrivedRequest& arrived : session.take_arrived()) waiting.push_back(arrived);
    // Reset by the client meanwhile (rapid reset sends the reset in the same read): dropped.
    std::erase_if(waiting, [&](const ArrivedRequest& arrived) {
      if (session.stream_alive(arrived.stream_id)) return false;
      session.reset(arrived.stream_id, NGHTTP2_CANCEL);
      return true;
    });
    while (!waiting.empty() && session.body_bytes_queued() < kBodyBudget &&
           handlers_running < limits.http2.max_concurrent_streams) {
      const ArrivedRequest arrived = waiting.front();
      waiting.pop_front();
      ++handlers_running;
      asio::co_spawn(executor, answer(arrived.stream_id, arrived.request),
                     [&, id = arrived.stream_id](std::exception_ptr failed) {
                       if (failed) session.reset(id, NGHTTP2_INTERNAL_ERROR);
                       --handlers_running;
                       wake();
                     });
    }
    if (session.requests_arrived() >= limits.max_requests) session.go_away_gracefully();
  };

  // Everything the session has to send; false when the connection failed. It is taken in
  // pieces of kOutputPiece bytes, each written before the next is made, so that a piece and the
  // TLS records encrypted from it are still in the CPU's cache when they are copied on (8
  // connections of 32 streams of 100 KiB: 49 us of CPU a response against 62 with 256 KiB
  // pieces, whose unsent bytes also let one connection at a time fall to half the others'
  // rate, its streams' p99 twice the rest). Once a flush has written something, the loop lets
  // the other connections' ready work run before its own goes on: a client that keeps its
  // connection fed would otherwise be served first again and again (the same clients with
  // 1 KiB responses: p99 1.46 ms against 2.3).
  constexpr std::size_t kOutputPiece = 64 * 1024;
  std::string out;
  auto flush = [&]() -> asio::awaitable<bool> {
    for (bool wrote = false;; wrote = true) {
      out.clear();
      session.take_output(out, kOutputPiece);
      if (out.empty()) {
        if (wrote) co_await asio::post(executor, asio::use_awaitable);
        co_return true;
      }
      std::error_code ec;
      for (std::size_t written = 0; !ec && written < out.size();) {
        std::size_t n = 0;
        std::tie(ec, n) = co_await stream.async_write_some(asio::buffer(out) + written, use_tuple);
        written += n;
      }
      session.report_ended();  // the access log, once the responses are out
      if (ec) co_return false;
    }
  };

  // The deadline follows the phase: armed when a phase begins, and again on each bit of
  // progress while sending (so that a stalled window, not a long response, times out).
  detail::Phase armed_phase = detail::Phase::Idle;
  std::uint64_t armed_progress = 0;
  bool first_arm = true;
  auto arm_for_phase = [&] {
    const std::size_t unfinished = session.answering_streams();
    detail::Phase phase = detail::Phase::Idle;
    if (session.receiving_streams() > 0) {
      phase = detail::Phase::Receiving;
    } else if (unfinished > handlers_running) {
      phase = detail::Phase::Sending;  // responses submitted, not all sent
    } else if (handlers_running > 0) {
      phase = detail::Phase::Answering;
    }
    const bool progressed =
        phase == detail::Phase::Sending && session.data_bytes_sent() != armed_progress;
    if (!first_arm && phase == armed_phase && !progressed) return;
    first_arm = false;
    armed_phase = phase;
    armed_progress = session.data_bytes_sent();
    switch (phase) {
      case detail::Phase::Idle:
        connection.arm(limits.keepalive_timeout);
        break;
      case detail::Phase::Receiving:
        connection.arm(limits.header_timeout);
        break;
      case detail::Phase::Sending:
        connection.arm(limits.send_timeout);
        break;
      case detail::Phase::Answering:
        connection.arm(24h);  // the handler's own timeouts apply (an upstream's, say)
        break;
    }
    // A stop may close an idle connection at once, as over HTTP/1.1.
    connection.idle = phase == detail::Phase::Idle;
  };

  // Idle past the keep-alive timeout, or a request or a response stuck: GOAWAY, and a second
  // to send it.
  auto say_goodbye_timed_out = [&]() -> asio::awaitable<void> {
    if (armed_phase != detail::Phase::Idle)
      session.go_away(NGHTTP2_NO_ERROR, "HTTP/2: client timed out");
    else
      session.go_away_gracefully();
    connection.arm(1s);
    co_await flush();
  };

  std::array<std::uint8_t, 16384> input;
  bool said_goodbye = false;
  bool open = true;
  for (;;) {
    if (!said_goodbye && (connection.stopping() || connection.draining())) {
      said_goodbye = true;
      session.go_away_gracefully();
    }
    if (!co_await flush()) {
      open = false;
      break;
    }
    if (!waiting.empty()) {  // bodies went out: room for the requests that wait
      dispatch();
      if (!co_await flush()) {
        open = false;
        break;
      }
    }
    if (!session.wants_read() && !session.wants_write() && handlers_running == 0) break;
    arm_for_phase();

    if (!detail::has_buffered_input(stream)) {
      if (woken) {
        woken = false;
        continue;
      }
      if (!session.wants_read()) {  // GOAWAY sent: only the handlers' answers are to come
        wake_timer.expires_at(asio::steady_timer::time_point::max());
        co_await wake_timer.async_wait(use_tuple);
        continue;
      }
      using asio::experimental::awaitable_operators::operator||;
      wake_timer.expires_at(asio::steady_timer::time_point::max());
      auto which = co_await (socket.async_wait(asio::ip::tcp::socket::wait_read, use_tuple) ||
                             wake_timer.async_wait(use_tuple));
      if (which.index() == 1) continue;  // woken
      if (auto [ec] = std::get<0>(which); !ec && !http::detail::arrived(stream, socket)) {
        continue;  // a stale report: wait again, for the client or a wake-up
      } else if (ec) {
        if (connection.expired()) {
          co_await say_goodbye_timed_out();
          break;
        }
        if (connection.stopping() || connection.draining()) continue;  // GOAWAY next round
        open = false;
        break;
      }
    }
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(input), use_tuple);
    if (ec) {
      // The deadline cancels what is pending when it comes, once: a later wait would not see
      // it (and a socket at its end would wake that wait at once, for ever).
      if (connection.expired()) {
        co_await say_goodbye_timed_out();
        break;
      }
      open = false;
      break;
    }
    const bool more = session.receive(std::span<const std::uint8_t>(input.data(), n));
    dispatch();
    if (!more) {
      connection.arm(1s);
      co_await flush();  // the GOAWAY
      break;
    }
  }

  connection.on_notice = nullptr;
  if (!session.trouble().empty()) handler.connection_failed(session.trouble(), connection);
  // GOAWAY is sent; the client may still be sending frames it wrote before reading it.
  connection.linger = open;
  co_await http::close_connection(stream, connection);
  // The handlers still at work answer into a session no one reads; it outlives them.
  while (handlers_running > 0) {
    wake_timer.expires_at(asio::steady_timer::time_point::max());
    co_await wake_timer.async_wait(use_tuple);
  }
  session.finish_all();  // the access log's lines of the streams cut off
}

}  // namespace miniweb::http2
