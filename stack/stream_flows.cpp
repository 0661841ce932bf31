#include "stack/stream_flows.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <csignal>

#include "stack/stream_frame.hpp"

namespace miniweb::stack {
namespace {

using Clock = std::chrono::steady_clock;
using asio::ip::tcp;
using asio::ip::udp;

asio::ip::address_v4 v4(Address address) {
  return asio::ip::address_v4(address);
}

// One run: the plan, the sockets, what each side saw, and the timer that ends it.
struct Stream {
  Stream(asio::io_context& io, StreamSockets& sockets, const StreamEnds& ends,
         const StreamPlan& plan)
      : sockets(sockets), ends(ends), plan(plan), end_timer(io) {}

  std::int64_t now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  }
  Clock::time_point at(std::int64_t us) const { return start + std::chrono::microseconds(us); }

  StreamSockets& sockets;
  const StreamEnds& ends;
  const StreamPlan& plan;
  Clock::time_point start;
  asio::steady_timer end_timer;
  std::chrono::milliseconds tcp_patience{0};
  bool ending = false;
  FlowsOutcome outcome;
};

asio::awaitable<void> send_udp(Stream& stream) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const udp::endpoint to(v4(stream.ends.receiver), stream.ends.udp_port);
  for (std::uint32_t n = 0; n < stream.plan.frames && !stream.ending; ++n) {
    timer.expires_at(stream.at(stream.plan.send_us(n)));
    co_await timer.async_wait(use_tuple);
    if (stream.ending) break;
    const auto frame =
        make_frame(n, static_cast<std::uint64_t>(stream.now_us()), stream.plan.frame_bytes);
    auto [error, sent] =
        co_await stream.sockets.udp_sender.async_send_to(asio::buffer(frame), to, use_tuple);
    if (error) {
      stream.outcome.interrupted =
          "sending frame " + std::to_string(n) + " over UDP: " + error.message();
      break;
    }
    ++stream.outcome.udp_sent;
  }
}

asio::awaitable<void> send_tcp(Stream& stream) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (std::uint32_t n = 0; n < stream.plan.frames && !stream.ending; ++n) {
    timer.expires_at(stream.at(stream.plan.send_us(n)));
    co_await timer.async_wait(use_tuple);
    if (stream.ending) break;
    const auto frame =
        make_frame(n, static_cast<std::uint64_t>(stream.now_us()), stream.plan.frame_bytes);
    // A live source does not wait: if TCP's send buffer were full, this frame would be late.
    auto [error, sent] =
        co_await asio::async_write(stream.sockets.tcp_sender, asio::buffer(frame), use_tuple);
    if (error) {
      stream.outcome.interrupted =
          "sending frame " + std::to_string(n) + " over TCP: " + error.message();
      break;
    }
    ++stream.outcome.tcp_sent;
  }
}

asio::awaitable<void> receive_udp(Stream& stream) {
  std::vector<std::uint8_t> buffer(65536);
  for (;;) {
    auto [error, got] =
        co_await stream.sockets.udp_receiver.async_receive(asio::buffer(buffer), use_tuple);
    if (error) co_return;
    const std::int64_t at = stream.now_us();
    auto frame = parse_frame(std::span(buffer.data(), got));
    if (!frame)
      ++stream.outcome.udp_rejected;
    else
      stream.outcome.udp.push_back(Arrival{frame->sequence, at});
  }
}

asio::awaitable<void> receive_tcp(Stream& stream) {
  std::vector<std::uint8_t> buffer(kMaxFrameSize);
  auto& socket = stream.sockets.tcp_receiver;
  for (;;) {
    auto [error, got] =
        co_await asio::async_read(socket, asio::buffer(buffer, kFrameHeaderSize), use_tuple);
    if (error) co_return;
    auto header = parse_frame_header(std::span(buffer.data(), got));
    if (!header) {
      stream.outcome.interrupted = "the TCP stream went wrong: " + header.error().message;
      stream.end_timer.cancel();
      co_return;
    }
    auto [rest_error, rest] = co_await asio::async_read(
        socket, asio::buffer(buffer.data() + got, header->length - got), use_tuple);
    if (rest_error) co_return;
    const std::int64_t at = stream.now_us();
    auto frame = parse_frame(std::span(buffer.data(), header->length));
    if (!frame) {
      stream.outcome.interrupted = "the TCP stream went wrong: " + frame.error().message;
      stream.end_timer.cancel();
      co_return;
    }
    stream.outcome.tcp.push_back(Arrival{frame->sequence, at});
  }
}

std::optional<TcpInfoFigures> tcp_info_of(tcp::socket& socket) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) != 0)
    return std::nullopt;
  return TcpInfoFigures{info.tcpi_total_retrans, info.tcpi_rtt};
}

// Waits until the last UDP frame's deadline has passed, then until TCP has brought every
// frame or its patience has run out; then closes everything, which ends the other coroutines.
asio::awaitable<void> end_stream(Stream& stream, asio::signal_set& signals) {
  const StreamPlan& plan = stream.plan;
  const std::int64_t last_due =
      plan.due_us(plan.frames == 0 ? 0 : plan.frames - 1) + plan.deadline_us + 200000;
  stream.end_timer.expires_at(stream.at(last_due));
  co_await stream.end_timer.async_wait(use_tuple);
  const auto give_up = Clock::now() + stream.tcp_patience;
  while (stream.outcome.interrupted.empty() && stream.outcome.tcp.size() < plan.frames &&
         Clock::now() < give_up) {
    stream.end_timer.expires_after(std::chrono::milliseconds(5));
    co_await stream.end_timer.async_wait(use_tuple);
  }
  stream.ending = true;
  stream.outcome.tcp_info = tcp_info_of(stream.sockets.tcp_sender);
  std::error_code ignored;
  stream.sockets.udp_receiver.close(ignored);
  stream.sockets.tcp_receiver.close(ignored);
  stream.sockets.udp_sender.close(ignored);
  stream.sockets.tcp_sender.close(ignored);
  signals.cancel();
}

asio::awaitable<void> watch_signals(Stream& stream, asio::signal_set& signals) {
  auto [error, number] = co_await signals.async_wait(use_tuple);
  if (error) co_return;
  stream.outcome.interrupted = number == SIGINT ? "interrupted (SIGINT)" : "stopped (SIGTERM)";
  stream.end_timer.cancel();
}

}  // namespace

Status connect_stream(StreamSockets& sockets, const StreamEnds& ends) {
  std::error_code error;
  const udp::endpoint udp_receiver(v4(ends.receiver), ends.udp_port);
  sockets.udp_receiver.open(udp::v4(), error);
  if (!error) sockets.udp_receiver.bind(udp_receiver, error);
  if (!error) sockets.udp_sender.open(udp::v4(), error);
  if (!error) sockets.udp_sender.bind(udp::endpoint(v4(ends.sender), 0), error);
  if (error) return make_error("cannot open the UDP flow's sockets: " + error.message());

  tcp::acceptor acceptor(sockets.tcp_sender.get_executor());
  const tcp::endpoint tcp_receiver(v4(ends.receiver), ends.tcp_port);
  acceptor.open(tcp::v4(), error);
  if (!error) acceptor.bind(tcp_receiver, error);
  if (!error) acceptor.listen(1, error);
  if (!error) sockets.tcp_sender.open(tcp::v4(), error);
  if (!error) sockets.tcp_sender.bind(tcp::endpoint(v4(ends.sender), 0), error);
  // Each frame goes out as it is written, as a live source's would (no Nagle).
  if (!error) sockets.tcp_sender.set_option(tcp::no_delay(true), error);
  // The handshake crosses the link: blocking for one round trip is all it costs.
  if (!error) sockets.tcp_sender.connect(tcp_receiver, error);
  if (!error) acceptor.accept(sockets.tcp_receiver, error);
  if (error) return make_error("cannot open the TCP flow: " + error.message());
  return Ok{};
}

FlowsOutcome run_flows(asio::io_context& io, StreamSockets& sockets, const StreamEnds& ends,
                       const StreamPlan& plan, std::chrono::milliseconds tcp_patience) {
  Stream stream(io, sockets, ends, plan);
  stream.tcp_patience = tcp_patience;
  // Both clocks read together; the first frame goes a little later, once every coroutine waits.
  const auto lead = std::chrono::milliseconds(20);
  stream.start = Clock::now() + lead;
  stream.outcome.start_epoch_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                      (std::chrono::system_clock::now() + lead).time_since_epoch())
                                      .count();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::co_spawn(io, receive_udp(stream), asio::detached);
  asio::co_spawn(io, receive_tcp(stream), asio::detached);
  asio::co_spawn(io, send_udp(stream), asio::detached);
  asio::co_spawn(io, send_tcp(stream), asio::detached);
  asio::co_spawn(io, watch_signals(stream, signals), asio::detached);
  asio::co_spawn(io, end_stream(stream, signals), asio::detached);
  io.run();
  io.restart();
  return std::move(stream.outcome);
}

}  // namespace miniweb::stack
