#pragma once
// One HTTP/1.1 connection of a server, as one coroutine (RFC 9112 section 9): read a request
// within its limits and timeouts, refuse what cannot be read, let the handler answer the rest,
// write the response, and again while keep-alive holds; then tear the connection down (TLS
// close_notify, a lingering close when the client may still be sending). Bytes past one
// request stay buffered for the next: that is pipelining.
//
// The web server, its forward proxy and the CA's ACME endpoint run their connections here and
// supply only a handler (shared/http/connection_handler.hpp). `Stream` is a tcp::socket, the
// web server's TlsStream or an asio::ssl::stream, after its handshake.

#include <poll.h>

#include <array>
#include <chrono>
#include <string>
#include <tuple>
#include <utility>

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/connection_handler.hpp"
#include "shared/http/request_reader.hpp"
#include "shared/http/response_head.hpp"
#include "shared/http/server_connection.hpp"

namespace miniweb::http {

namespace detail {

// A TLS layer over the socket: close_notify before the close.
template <class Stream>
concept TlsLayer = requires(Stream& stream) {
  stream.async_shutdown(use_tuple);
};

// A TLS stream that can keep the last response for its close_notify (server/tls_stream).
template <class Stream>
concept SendsWithCloseNotify = requires(Stream& stream) {
  stream.send_with_close_notify();
};

// A stream that can give its buffers back while the connection is idle, or wait for input
// holding them (server/tls_stream).
template <class Stream>
concept ReleasesBuffers = requires(Stream& stream) {
  stream.release_buffers();
  stream.trim_buffers();
  stream.async_receive(use_tuple);
  { stream.has_buffered_input() } -> std::same_as<bool>;
  { stream.receive_now() } -> std::same_as<std::error_code>;
};

// After a wait reported the socket readable: whether something really is there (bytes, the
// peer's end or an error, for the next read to meet), or the report was stale. Asio reports
// what epoll saw, and the bytes that woke it may have been read since (a stream that reads
// the socket at once takes whatever is there); a read after a stale report would block until
// the client sends again, deaf to anything else the connection waits for.
template <class Stream>
bool arrived(Stream& stream, asio::ip::tcp::socket& socket) {
  if constexpr (ReleasesBuffers<Stream>) {
    // What arrived goes into the stream's input at once, without a second system call.
    if (stream.receive_now() != asio::error::would_block) return true;
    stream.release_buffers();
    return false;
  } else {
    pollfd readable{.fd = socket.native_handle(), .events = POLLIN, .revents = 0};
    return ::poll(&readable, 1, 0) != 0;
  }
}

// Waits until the client sends the next request; false when the wait failed (closed, cancelled
// by a stop, the keep-alive timeout or the park). A connection that waits out its keep-alive
// here holds no buffer while it waits, as nginx's idle keep-alive connections do. One that
// `parks` (after kParkAfter, below) receives instead, into the stream's buffer, which it gives
// back as it parks: a readiness wait costs an epoll_ctl (Asio re-arms the descriptor for each),
// a receive does not (see TlsStream::async_receive).
template <class Stream>
asio::awaitable<bool> wait_while_idle(Stream& stream, asio::ip::tcp::socket& socket, bool parks) {
  if constexpr (ReleasesBuffers<Stream>) {
    if (parks) {
      stream.trim_buffers();
      if (stream.has_buffered_input()) co_return true;
      // What came, or the socket's error, is the next read's to meet; a cancelled wait is not.
      auto [ec] = co_await stream.async_receive(use_tuple);
      const bool cancelled =
          ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor;
      co_return !cancelled;
    }
    stream.release_buffers();
    if (stream.has_buffered_input()) co_return true;
  } else if constexpr (TlsLayer<Stream>) {
    // asio::ssl::stream may hold decrypted bytes that the socket no longer shows: read.
    co_return true;
  }
  for (;;) {
    auto [ec] = co_await socket.async_wait(asio::ip::tcp::socket::wait_read, use_tuple);
    if (ec) co_return false;
    if (arrived(stream, socket)) co_return true;
  }
}

// Whether bytes already read from the socket wait in the stream (none in a plain socket).
template <class Stream>
bool has_buffered_input(Stream& stream) {
  if constexpr (ReleasesBuffers<Stream>) {
    return stream.has_buffered_input();
  } else {
    return false;
  }
}

template <class Stream>
class StreamExchange final : public Exchange {
 public:
  StreamExchange(ServerConnection& connection, Stream& stream, std::string& buffer)
      : Exchange(connection), stream_(stream), buffer_(buffer) {}

  asio::awaitable<bool> send_interim(const Response& interim) override {
    std::string head;
    write_response_head(head, interim, {}, ResponseFraming{});
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(head), use_tuple);
    co_return !ec;
  }
  std::string& unread() override { return buffer_; }

 private:
  Stream& stream_;
  std::string& buffer_;
};

}  // namespace detail

// nginx's lingering close: the last response is written; send FIN, then read and drop what the
// client still sends (for a while, up to a limit) before closing. Closing a socket with unread
// data makes the kernel answer with RST, which can destroy the response before the client has
// read it (a 413 sent while the client is still uploading, say).
inline asio::awaitable<void> lingering_close(ServerConnection& connection) {
  asio::ip::tcp::socket& socket = connection.socket();
  std::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  connection.arm(std::chrono::seconds(2));
  std::array<char, 4096> sink;
  for (std::size_t drained = 0; drained < (1u << 20);) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) break;
    drained += n;
  }
  socket.close(ignored);
}

// Ends the connection: close_notify over TLS (without waiting long for the peer's), then the
// close, lingering when the client may still be sending. Also for a connection whose TLS
// handshake failed: pass the socket itself as `stream`. `send_timeout` bounds the close_notify's
// sending, and the last response's when the stream held it back to go with it.
template <class Stream>
asio::awaitable<void> close_connection(
    Stream& stream, ServerConnection& connection,
    std::chrono::steady_clock::duration send_timeout = std::chrono::seconds(1)) {
  if constexpr (detail::TlsLayer<Stream>) {
    connection.arm(send_timeout);
    co_await stream.async_shutdown(use_tuple);
  }
  if (connection.linger) {
    co_await lingering_close(connection);
  } else {
    std::error_code ignored;
    connection.socket().close(ignored);
  }
  connection.detach();
}

// A keep-alive connection that its server parks between requests, as nginx's idle
// connections hold no more than their socket, TLS state and timer: the loop returns instead of
// waiting for the next request (once it has waited kParkAfter), giving back its coroutine
// frames, and the server waits for the socket with a plain handler, then calls the loop again
// (with the same object).
// How long a keep-alive connection waits for its next request in its coroutine before it is
// parked: a busy client's next request comes sooner, and parking costs a new coroutine. Short,
// because connections left idle together (a browser's, a load test's) each hold their frames
// until then: at 200 ms, 1000 connections opened one after another held 0.4 KB more each.
// The deadlines' timer may come kDeadlineSlack late (shared/deadline.hpp), so the wait is
// shortened by it: a connection parks 6 to 10 ms after its last request, never later than when
// it parked at 10 ms sharp (parked at 10 to 18 ms, 1000 idle connections held 60 to 90 bytes
// more each).
inline constexpr std::chrono::steady_clock::duration kParkAfter =
    std::chrono::milliseconds(10) - kDeadlineSlack;

struct ParkedConnection {
  std::size_t served = 0;  // requests answered so far (the loop counts on from here)
  bool parked = false;     // the loop returned idle: the connection is open, not closed
};

// Serves requests on `stream` until the connection ends, then closes it. `connection` is
// attached to the stream's socket; `settings` and `handler` outlive the call. With `park`, the
// loop returns idle keep-alive connections parked instead of waiting (the stream must be able
// to tell whether it holds input: server/tls_stream or a socket); called again once the socket
// turns readable, it reads on.
template <class Stream>
asio::awaitable<void> serve_connection(Stream& stream, ServerConnection& connection,
                                       const ConnectionSettings& settings,
                                       ConnectionHandler& handler,
                                       ParkedConnection* park = nullptr) {
  const ConnectionLimits& limits = settings.limits;
  std::string buffer;
  std::string head;  // the response head; reused while the connection is busy
  detail::StreamExchange<Stream> exchange(connection, stream, buffer);
  // Called again after a park: the socket is readable, no need to wait for it.
  bool readable = park && park->parked;
  if (park) park->parked = false;
  // The idle wait was cancelled to park the connection (not ended by the client or a timeout).
  bool park_now = false;

  // Reads into the end of `buffer`: a page when a request starts, more once a request or a
  // body is coming. An idle connection that waits out its keep-alive here first gives its
  // buffers back. One that parks keeps them for the kParkAfter it waits before parking and
  // gives them back then: a busy client's next request comes sooner, and each request
  // allocated them again (growing the head took four allocations).
  auto read_more = [&]() -> asio::awaitable<bool> {
    if (buffer.empty() && connection.idle && !std::exchange(readable, false)) {
      if (!park) {
        std::string().swap(buffer);
        std::string().swap(head);
      }
      if (!co_await detail::wait_while_idle(stream, connection.socket(), park != nullptr)) {
        park_now = park && connection.deadline().park_due() && !connection.expired();
        co_return false;
      }
    }
    if (buffer.empty() && buffer.capacity() > 64 * 1024) std::string().swap(buffer);
    const std::size_t want = buffer.empty() ? 4096 : 16384;
    const std::size_t old_size = buffer.size();
    buffer.resize(old_size + want);
    auto [ec, n] =
        co_await stream.async_read_some(asio::buffer(buffer.data() + old_size, want), use_tuple);
    buffer.resize(old_size + (ec ? 0 : n));
    co_return !ec;
  };
  // Parameters are references: GCC 12 miscompiles prvalue class arguments of coroutines, and
  // every call is awaited at once, so the referenced objects outlive the coroutine.
  auto send = [&](const Response& response, const std::string* shared_body, const Request* request,
                  bool keep_alive) -> asio::awaitable<bool> {
    const std::string& full_body = shared_body ? *shared_body : response.body;
    const bool head_request = request && request->method == "HEAD";
    if (!keep_alive && (response.status >= 400 || !buffer.empty())) connection.linger = true;
    write_response_head(
        head, response, handler.server_fields(),
        ResponseFraming{.body_bytes = full_body.size(),
                        .head_request = head_request,
                        .keep_alive = keep_alive,
                        .request_version_minor = request ? request->version_minor : -1});
    // HEAD and bodiless statuses send no body; a refusal sends the page its length announces.
    const bool head_only = head_request || !status_has_body(response.status);
    std::string_view body = head_only ? std::string_view{} : std::string_view{full_body};
    if (body.size() <= settings.coalesce_bytes) {
      head += body;
      body = {};
    }
    connection.arm(limits.send_timeout);
    if constexpr (detail::SendsWithCloseNotify<Stream>) {
      if (!keep_alive) stream.send_with_close_notify();
    }
    // write_some, not asio::async_write, which hands a stream at most 64 KiB at a time.
    std::error_code ec;
    for (std::size_t written = 0, total = head.size() + body.size(); !ec && written < total;) {
      std::size_t n = 0;
      const std::array<asio::const_buffer, 2> rest =
          written < head.size()
              ? std::array<asio::const_buffer, 2>{asio::buffer(head) + written, asio::buffer(body)}
              : std::array<asio::const_buffer, 2>{asio::buffer(body) + (written - head.size()),
                                                  asio::const_buffer()};
      std::tie(ec, n) = co_await stream.async_write_some(rest, use_tuple);
      written += n;
    }
    if (request)
      handler.responded(*request, response.status, head_only ? 0 : full_body.size(), connection);
    co_return !ec;
  };

  for (std::size_t served = park ? park->served : 0;
       served < limits.max_requests && !connection.stopping(); ++served) {
    // Idle keep-alive until the first byte of the next request, then the header timeout.
    connection.idle = buffer.empty();
    if (!readable) {
      connection.arm(served == 0 || !buffer.empty() ? limits.header_timeout
                                                    : limits.keepalive_timeout);
    }
    // Parked once idle past kParkAfter (the deadline cancels the wait; see read_more).
    if (park && served > 0 && buffer.empty() && !readable)
      connection.deadline().park_after(kParkAfter);
    auto became_busy = [&] {
      connection.idle = false;
      connection.arm(limits.header_timeout);
    };
    auto timed_out = [&] { return connection.expired(); };
    auto request =
        co_await read_request_head(buffer, limits.request, read_more, became_busy, timed_out);
    if (!request) {
      if (std::exchange(park_now, false) && buffer.empty() && !connection.stopping()) {
        connection.deadline().forget_park();
        if (detail::has_buffered_input(stream)) {  // bytes came as it was parked: read them
          readable = true;
          --served;
          continue;
        }
        std::string().swap(buffer);
        std::string().swap(head);
        if constexpr (detail::ReleasesBuffers<Stream>) stream.release_buffers();
        park->served = served;
        park->parked = true;
        co_return;
      }
      if (const int status = request.error().code) {
        const Response refused =
            handler.refuse(status, request.error().message, nullptr, connection);
        co_await send(refused, nullptr, nullptr, false);
      }
      break;
    }
    connection.idle = false;
    // RFC 9110 section 9.3.6: a CONNECT's bytes after its head are the tunnel's, whatever its
    // fields say; unless the handler takes the connection over, nothing after it can be read.
    const bool connect = request->method == "CONNECT";
    if (!connect) {
      auto send_continue = [&]() -> asio::awaitable<bool> {
        if (!handler.may_continue(*request, connection)) co_return true;
        co_return co_await send_100_continue(stream);
      };
      if (auto body = co_await read_request_body(*request, buffer, limits.request, read_more,
                                                 send_continue);
          !body) {
        if (const int status = body.error().code) {
          const Response refused =
              handler.refuse(status, body.error().message, &*request, connection);
          co_await send(refused, nullptr, &*request, false);
        }
        break;
      }
    }
    Reply reply = co_await handler.respond(*request, exchange);
    if (reply.then == Reply::Then::Abandoned) break;
    if (reply.then == Reply::Then::TakenOver) {
      connection.linger = true;
      break;
    }
    const bool keep_alive = reply.then == Reply::Then::KeepAlive && !connect &&
                            handler.wants_keep_alive(*request) && !connection.stopping() &&
                            served + 1 < limits.max_requests;
    if (!co_await send(reply.response, reply.shared_body.get(), &*request, keep_alive) ||
        !keep_alive)
      break;
  }
  co_await close_connection(stream, connection, limits.send_timeout);
}

}  // namespace miniweb::http
