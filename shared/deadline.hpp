#pragma once
// A deadline over a socket's operations, after Asio's watchdog examples: when the deadline
// passes, the socket's pending operations are cancelled, so the protocol code can await plain
// reads and writes and learn afterwards that time ran out.
//
// The deadlines of one io_context share one timer, as nginx's connections share its timer
// tree: a server holding ten thousand idle connections keeps one set entry per connection
// (some fifty bytes) rather than a timer, its pending wait and a watchdog coroutine each
// (about a kilobyte), and arming a deadline makes no system call.

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "shared/awaitable.hpp"

namespace miniweb {

class SocketDeadline;

namespace detail {

// The io_context's deadlines, ordered by when each is next to be looked at, under one timer.
// An io_context runs on one thread in this project: no lock.
class DeadlineQueue : public asio::detail::execution_context_service_base<DeadlineQueue> {
 public:
  using Clock = std::chrono::steady_clock;

  explicit DeadlineQueue(asio::execution_context& context)
      : asio::detail::execution_context_service_base<DeadlineQueue>(context) {}

  // `deadline` is looked at when `when` comes (replacing the time it was to be looked at).
  void schedule(SocketDeadline& deadline, Clock::time_point& check_at, Clock::time_point when,
                const asio::any_io_executor& executor) {
    if (check_at != Clock::time_point::max()) queue_.erase({check_at, &deadline});
    check_at = when;
    queue_.emplace(when, &deadline);
    if (!timer_) timer_.emplace(executor);
    wait_for_first();
  }
  void remove(SocketDeadline& deadline, Clock::time_point& check_at) {
    if (check_at == Clock::time_point::max()) return;
    queue_.erase({check_at, &deadline});
    check_at = Clock::time_point::max();
    // No deadline left: nothing waits, so that io_context::run returns once the work is done.
    if (queue_.empty() && waiting_) {
      waiting_ = false;
      timer_->cancel();
    }
  }

 private:
  void shutdown() override {
    queue_.clear();
    timer_.reset();
  }

  // The timer is moved only when the first entry comes before the time it waits for: a
  // deadline pushed later is found out when its old time comes (entries are looked at, not
  // trusted), so a busy connection moves no timer.
  void wait_for_first() {
    if (queue_.empty()) return;
    const Clock::time_point first = queue_.begin()->first;
    if (waiting_ && first >= waiting_for_) return;
    waiting_ = true;
    waiting_for_ = first;
    timer_->expires_at(first);  // cancels the wait for the later time, if any
    timer_->async_wait([this](const std::error_code& ec) {
      if (ec == asio::error::operation_aborted) return;  // moved earlier meanwhile
      waiting_ = false;
      fire();
    });
  }
  void fire();

  std::set<std::pair<Clock::time_point, SocketDeadline*>> queue_;
  std::optional<asio::steady_timer> timer_;
  bool waiting_ = false;
  Clock::time_point waiting_for_ = Clock::time_point::max();
};

}  // namespace detail

class SocketDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // A deadline over `socket`, not yet armed. Call stop() before the socket is destroyed.
  static std::shared_ptr<SocketDeadline> start(asio::ip::tcp::socket& socket) {
    return std::shared_ptr<SocketDeadline>(new SocketDeadline(socket));
  }
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;
  ~SocketDeadline() {
    if (queue_) queue_->remove(*this, check_at_);
  }

  // From now on, operations must finish within `timeout`. Lazily: the queue is touched only
  // when the deadline comes earlier than the time it is to be looked at; a later deadline is
  // noticed when that time comes. A server arms several times per request.
  void arm(Clock::duration timeout) {
    expired_ = false;
    park_due_ = false;
    park_at_ = Clock::time_point::max();
    deadline_ = Clock::now() + timeout;
    if (socket_ && deadline_ < check_at_) queue_->schedule(*this, check_at_, deadline_, executor());
  }
  bool expired() const { return expired_; }
  // A connection waiting for its next request: if it is still waiting after `grace`, its
  // socket's operations are cancelled and park_due() says so (the server then holds it without
  // a coroutine). The next arm() forgets it.
  void park_after(Clock::duration grace) {
    park_at_ = Clock::now() + grace;
    if (socket_ && park_at_ < check_at_) queue_->schedule(*this, check_at_, park_at_, executor());
  }
  bool park_due() const { return park_due_; }
  // The park is done (or given up): a later failure is a failure again.
  void forget_park() {
    park_due_ = false;
    park_at_ = Clock::time_point::max();
  }
  void stop() {
    socket_ = nullptr;
    if (queue_) queue_->remove(*this, check_at_);
  }

 private:
  friend class detail::DeadlineQueue;

  explicit SocketDeadline(asio::ip::tcp::socket& socket)
      : socket_(&socket),
        queue_(&asio::use_service<detail::DeadlineQueue>(
            asio::query(socket.get_executor(), asio::execution::context))) {}

  asio::any_io_executor executor() const { return socket_->get_executor(); }

  // The queue's time for this deadline came (it is out of the queue now).
  void check(Clock::time_point now) {
    if (!socket_) return;
    if (deadline_ <= now) {
      expired_ = true;
      deadline_ = park_at_ = Clock::time_point::max();
      std::error_code ignored;
      socket_->cancel(ignored);
      return;
    }
    if (park_at_ <= now) {
      park_due_ = true;
      park_at_ = Clock::time_point::max();
      std::error_code ignored;
      socket_->cancel(ignored);
    }
    const Clock::time_point next = std::min(deadline_, park_at_);
    if (next != Clock::time_point::max()) queue_->schedule(*this, check_at_, next, executor());
  }

  asio::ip::tcp::socket* socket_;
  detail::DeadlineQueue* queue_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point check_at_ = Clock::time_point::max();  // its time in the queue, if queued
  Clock::time_point park_at_ = Clock::time_point::max();
  bool expired_ = false;
  bool park_due_ = false;
};

inline void detail::DeadlineQueue::fire() {
  const Clock::time_point now = Clock::now();
  while (!queue_.empty() && queue_.begin()->first <= now) {
    SocketDeadline* deadline = queue_.begin()->second;
    queue_.erase(queue_.begin());
    deadline->check_at_ = Clock::time_point::max();
    deadline->check(now);
  }
  wait_for_first();
}

}  // namespace miniweb
