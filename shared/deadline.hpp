#pragma once
// A deadline over a socket's operations, after Asio's watchdog examples: when the deadline
// passes, the socket's pending operations are cancelled, so the protocol code can await plain
// reads and writes and learn afterwards that time ran out.
//
// The deadlines of one io_context share one timer, as nginx's connections share its timer
// tree: a server holding ten thousand idle connections keeps one heap slot per connection
// (eight bytes; the deadline knows its place) rather than a timer, its pending wait and a
// watchdog coroutine each (about a kilobyte), and arming a deadline makes no system call.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "shared/awaitable.hpp"

namespace miniweb {

class SocketDeadline;

// How late a deadline may pass: the queue's timer wakes only on multiples of it (see
// DeadlineQueue::coalesced), never early.
inline constexpr std::chrono::steady_clock::duration kDeadlineSlack = std::chrono::milliseconds(4);

namespace detail {

// The io_context's deadlines, a binary min-heap by when each is next to be looked at, under
// one timer. Each deadline keeps its time and its index in the heap, so that moving or
// removing it is O(log n) with no search and no node of its own.
// An io_context runs on one thread in this project: no lock.
class DeadlineQueue : public asio::detail::execution_context_service_base<DeadlineQueue> {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kNotQueued = static_cast<std::size_t>(-1);

  explicit DeadlineQueue(asio::execution_context& context)
      : asio::detail::execution_context_service_base<DeadlineQueue>(context) {}

  // `deadline` is looked at when `when` comes (replacing the time it was to be looked at).
  inline void schedule(SocketDeadline& deadline, Clock::time_point when,
                       const asio::any_io_executor& executor);
  // `deadline` is looked at no more.
  inline void remove(SocketDeadline& deadline);
  // See keep_deadline_timer_when_idle below.
  inline void keep_timer_when_idle(bool keep);

 private:
  inline void shutdown() override;

  // The timer is moved only when the first entry comes before the time it waits for: a
  // deadline pushed later is found out when its old time comes (entries are looked at, not
  // trusted), so a busy connection moves no timer.
  inline void wait_for_first();
  // The timer waits for the first entry's time rounded up to a multiple of kDeadlineSlack, so the
  // entries due within one such stretch are looked at in one wake-up, as the kernel coalesces
  // its own timers (round_jiffies_up): a busy server's connections, each looked at once per
  // kParkAfter, otherwise woke it about 1500 times a second at 16 connections (a load test's),
  // each wake-up two timerfd_settime calls and a timer interrupt, 40 to 70 us under this
  // project's hypervisor. A deadline passes at most this late, never early; the timeouts here
  // are seconds, and parking (shared/http/connection.hpp) allows for it.
  static inline Clock::time_point coalesced(Clock::time_point when);
  inline void fire();

  // The heap's order, kept by moving the entry at `index` up or down.
  inline void restore_order(std::size_t index);
  inline bool earlier(std::size_t a, std::size_t b) const;
  inline void place(std::size_t index, SocketDeadline* deadline);
  inline void remove_at(std::size_t index);

  std::vector<SocketDeadline*> heap_;
  std::optional<asio::steady_timer> timer_;
  bool waiting_ = false;
  Clock::time_point waiting_for_ = Clock::time_point::max();
  bool keep_when_idle_ = false;
};

}  // namespace detail

class SocketDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  // A deadline over `socket`, not yet armed. Call stop() before the socket is destroyed.
  static std::shared_ptr<SocketDeadline> start(asio::ip::tcp::socket& socket) {
    return std::make_shared<SocketDeadline>(socket);
  }
  // The same, held by value (inside what lives as long as the connection).
  explicit SocketDeadline(asio::ip::tcp::socket& socket)
      : socket_(&socket),
        queue_(&asio::use_service<detail::DeadlineQueue>(
            asio::query(socket.get_executor(), asio::execution::context))) {}
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;
  ~SocketDeadline() {
    if (queue_) queue_->remove(*this);
  }

  // From now on, operations must finish within `timeout`. Lazily: the queue is touched only
  // when the deadline comes earlier than the time it is to be looked at; a later deadline is
  // noticed when that time comes. A server arms several times per request.
  void arm(Clock::duration timeout) {
    expired_ = false;
    park_due_ = false;
    park_at_ = Clock::time_point::max();
    deadline_ = Clock::now() + timeout;
    if (socket_ && deadline_ < check_at_) queue_->schedule(*this, deadline_, executor());
  }
  bool expired() const { return expired_; }
  // A connection waiting for its next request: if it is still waiting after `grace`, its
  // socket's operations are cancelled and park_due() says so (the server then holds it without
  // a coroutine). The next arm() forgets it.
  void park_after(Clock::duration grace) {
    park_at_ = Clock::now() + grace;
    if (socket_ && park_at_ < check_at_) queue_->schedule(*this, park_at_, executor());
  }
  bool park_due() const { return park_due_; }
  // The park is done (or given up): a later failure is a failure again.
  void forget_park() {
    park_due_ = false;
    park_at_ = Clock::time_point::max();
  }
  void stop() {
    socket_ = nullptr;
    if (queue_) queue_->remove(*this);
  }

 private:
  friend class detail::DeadlineQueue;

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
    if (next != Clock::time_point::max()) queue_->schedule(*this, next, executor());
  }

  asio::ip::tcp::socket* socket_;
  detail::DeadlineQueue* queue_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point check_at_ = Clock::time_point::max();  // its time in the queue, if queued
  std::size_t heap_index_ = detail::DeadlineQueue::kNotQueued;
  Clock::time_point park_at_ = Clock::time_point::max();
  bool expired_ = false;
  bool park_due_ = false;
};

namespace detail {

void DeadlineQueue::schedule(SocketDeadline& deadline, Clock::time_point when,
                             const asio::any_io_executor& executor) {
  deadline.check_at_ = when;
  if (deadline.heap_index_ == kNotQueued) {
    heap_.push_back(&deadline);
    deadline.heap_index_ = heap_.size() - 1;
  }
  restore_order(deadline.heap_index_);
  if (!timer_) timer_.emplace(executor);
  wait_for_first();
}

void DeadlineQueue::remove(SocketDeadline& deadline) {
  if (deadline.heap_index_ == kNotQueued) return;
  remove_at(deadline.heap_index_);
  // No deadline left: nothing waits, so that io_context::run returns once the work is done.
  if (heap_.empty() && waiting_ && !keep_when_idle_) {
    waiting_ = false;
    timer_->cancel();
  }
}

void DeadlineQueue::keep_timer_when_idle(bool keep) {
  keep_when_idle_ = keep;
  if (!keep && heap_.empty() && waiting_) {
    waiting_ = false;
    timer_->cancel();
  }
}

// The io_context is going: its deadlines are looked at no more (they may outlive the queue).
void DeadlineQueue::shutdown() {
  for (SocketDeadline* deadline : heap_) {
    deadline->heap_index_ = kNotQueued;
    deadline->check_at_ = Clock::time_point::max();
  }
  heap_.clear();
  timer_.reset();
}

DeadlineQueue::Clock::time_point DeadlineQueue::coalesced(Clock::time_point when) {
  const Clock::duration past = when.time_since_epoch() % kDeadlineSlack;
  if (past == Clock::duration::zero() || when > Clock::time_point::max() - kDeadlineSlack)
    return when;
  return when + (kDeadlineSlack - past);
}

void DeadlineQueue::wait_for_first() {
  if (heap_.empty()) return;
  const Clock::time_point first = coalesced(heap_.front()->check_at_);
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

void DeadlineQueue::fire() {
  const Clock::time_point now = Clock::now();
  while (!heap_.empty() && heap_.front()->check_at_ <= now) {
    SocketDeadline* deadline = heap_.front();
    remove_at(0);
    deadline->check(now);
  }
  wait_for_first();
}

bool DeadlineQueue::earlier(std::size_t a, std::size_t b) const {
  return heap_[a]->check_at_ < heap_[b]->check_at_;
}

void DeadlineQueue::place(std::size_t index, SocketDeadline* deadline) {
  heap_[index] = deadline;
  deadline->heap_index_ = index;
}

void DeadlineQueue::restore_order(std::size_t index) {
  SocketDeadline* moving = heap_[index];
  // Up, while it comes before its parent.
  while (index > 0) {
    const std::size_t parent = (index - 1) / 2;
    if (!(moving->check_at_ < heap_[parent]->check_at_)) break;
    place(index, heap_[parent]);
    index = parent;
  }
  place(index, moving);
  // Down, while a child comes before it.
  for (;;) {
    std::size_t first = index;
    for (const std::size_t child : {2 * index + 1, 2 * index + 2})
      if (child < heap_.size() && earlier(child, first)) first = child;
    if (first == index) break;
    place(index, heap_[first]);
    place(first, moving);
    index = first;
  }
}

void DeadlineQueue::remove_at(std::size_t index) {
  SocketDeadline* leaving = heap_[index];
  leaving->heap_index_ = kNotQueued;
  leaving->check_at_ = Clock::time_point::max();
  SocketDeadline* last = heap_.back();
  heap_.pop_back();
  if (last == leaving) return;
  place(index, last);
  restore_order(index);
}

}  // namespace detail

// For a server, whose next connection is on its way: when the last deadline goes, the timer
// keeps waiting for the time it was set to (it then fires once and finds nothing) instead of
// being cancelled, so that connections coming one at a time do not cancel it and set it again,
// two system calls (timerfd_settime) each; the next connection's deadline, as long as the last
// one's, needs no new time. Turned off (as the server stops), an idle queue's timer is
// cancelled, so that io_context::run returns once the work in flight is done.
inline void keep_deadline_timer_when_idle(asio::io_context& io, bool keep) {
  asio::use_service<detail::DeadlineQueue>(io).keep_timer_when_idle(keep);
}

}  // namespace miniweb
