#include "server/tunnel.hpp"

#include <array>

#include "shared/awaitable.hpp"

namespace miniweb::server {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

namespace {

struct Side {
  tcp::socket& socket;
  SocketDeadline& deadline;
};

struct Shared {
  Side client;
  Side origin;
  std::chrono::seconds idle_timeout;
  // The server's stop cancels what the tunnel waits for; a stop that came before the tunnel's
  // first read (its start is posted) finds nothing to cancel, so each read looks first.
  const bool& stopping;
  bool failed = false;

  // Any byte moving either way keeps the whole tunnel alive: both deadlines move together.
  void activity() {
    client.deadline.arm(idle_timeout);
    origin.deadline.arm(idle_timeout);
  }
  // A reset, a timeout or a write that failed: the tunnel is over in both directions.
  void fail() {
    failed = true;
    std::error_code ignored;
    client.socket.cancel(ignored);
    origin.socket.cancel(ignored);
    client.socket.shutdown(tcp::socket::shutdown_both, ignored);
    origin.socket.shutdown(tcp::socket::shutdown_both, ignored);
  }
};

// One direction: read from `from` and write to `to` until `from` sends FIN, which is then
// passed on with shutdown(SHUT_WR) on `to`.
asio::awaitable<void> pump(Shared& shared, Side& from, Side& to, std::uint64_t& counted) {
  std::array<char, 16384> buffer;
  while (!shared.failed) {
    if (shared.stopping) {
      shared.fail();
      co_return;
    }
    auto [read_ec, n] = co_await from.socket.async_read_some(asio::buffer(buffer), use_tuple);
    if (read_ec) {
      if (read_ec == asio::error::eof && !shared.failed) {
        std::error_code ignored;
        to.socket.shutdown(tcp::socket::shutdown_send, ignored);
      } else {
        shared.fail();
      }
      co_return;
    }
    shared.activity();
    auto [write_ec, written] =
        co_await asio::async_write(to.socket, asio::buffer(buffer.data(), n), use_tuple);
    if (write_ec) {
      shared.fail();
      co_return;
    }
    counted += written;
    shared.activity();
  }
}

}  // namespace

asio::awaitable<TunnelBytes> relay_tunnel(tcp::socket& client, SocketDeadline& client_deadline,
                                          tcp::socket& origin, SocketDeadline& origin_deadline,
                                          const std::string& early,
                                          const std::chrono::seconds& idle_timeout,
                                          const bool& stopping) {
  Shared shared{{client, client_deadline}, {origin, origin_deadline}, idle_timeout, stopping};
  TunnelBytes bytes;
  shared.activity();
  if (!early.empty()) {
    auto [ec, n] = co_await asio::async_write(origin, asio::buffer(early), use_tuple);
    if (ec) co_return bytes;
    bytes.to_origin += n;
  }
  // Both directions run at once; the tunnel ends when both have.
  co_await (pump(shared, shared.client, shared.origin, bytes.to_origin) &&
            pump(shared, shared.origin, shared.client, bytes.to_client));
  co_return bytes;
}

}  // namespace miniweb::server
