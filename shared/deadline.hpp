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

  // From now on, operations must finish within `timeout`. Lazily: the timer is moved only when
  // the deadline comes earlier than it fires; a later deadline is noticed when it fires. Moving
  // an Asio timer costs a cancellation, a wake-up of the watchdog and a timerfd system call,
  // which a server arming per request would pay several times per request.
  void arm(Clock::duration timeout) {
    expired_ = false;
    deadline_ = Clock::now() + timeout;
    if (deadline_ < timer_.expiry()) timer_.expires_at(deadline_);
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
      const auto now = Clock::now();
      if (self->deadline_ <= now) {
        self->expired_ = true;
        self->deadline_ = Clock::time_point::max();
        std::error_code ignored;
        self->socket_->cancel(ignored);
        self->timer_.expires_at(Clock::time_point::max());
      } else if (!ec || self->timer_.expiry() <= now) {
        self->timer_.expires_at(self->deadline_);  // the deadline moved later meanwhile
      }
    }
  }

  asio::ip::tcp::socket* socket_;
  asio::steady_timer timer_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool expired_ = false;
};

}  // namespace miniweb
