#pragma once
// A deadline over a socket's operations, after Asio's watchdog examples: a timer coroutine
// cancels the socket's pending operations when the deadline passes, so the protocol code can
// await plain reads and writes and learn afterwards that time ran out.

#include <chrono>
#include <memory>

#include "shared/awaitable.hpp"

namespace miniweb {

class SocketDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts the watchdog on the socket's executor. Call stop() before the socket is destroyed.
  static std::shared_ptr<SocketDeadline> start(asio::ip::tcp::socket& socket) {
    auto deadline = std::shared_ptr<SocketDeadline>(new SocketDeadline(socket));
    asio::co_spawn(socket.get_executor(), watch(deadline), asio::detached);
    return deadline;
  }

  // From now on, operations must finish within `timeout`.
  void arm(Clock::duration timeout) {
    expired_ = false;
    timer_.expires_at(Clock::now() + timeout);
  }
  bool expired() const { return expired_; }
  void stop() {
    socket_ = nullptr;
    timer_.cancel();
  }

 private:
  explicit SocketDeadline(asio::ip::tcp::socket& socket)
      : socket_(&socket), timer_(socket.get_executor()) {
    timer_.expires_at(Clock::time_point::max());
  }

  static asio::awaitable<void> watch(std::shared_ptr<SocketDeadline> self) {
    while (self->socket_) {
      auto [ec] = co_await self->timer_.async_wait(use_tuple);
      if (!self->socket_) break;
      if (!ec && self->timer_.expiry() <= Clock::now()) {
        self->expired_ = true;
        std::error_code ignored;
        self->socket_->cancel(ignored);
        self->timer_.expires_at(Clock::time_point::max());
      }
    }
  }

  asio::ip::tcp::socket* socket_;
  asio::steady_timer timer_;
  bool expired_ = false;
};

}  // namespace miniweb
