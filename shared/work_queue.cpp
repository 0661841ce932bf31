#include "shared/work_queue.hpp"

#include <utility>

#include "shared/beside_thread.hpp"

namespace miniweb {
namespace {

// Waits until `changes` is no longer `seen`, or `at_most` has passed, awake (wait_awake) at
// SCHED_IDLE; the thread's own policy back before it returns. Asleep at once where the thread
// may not take that policy and leave it again (IdlePolicyScope: an ordinary user's thread).
void wait_awake_at_idle_policy(const std::atomic<std::size_t>& changes, std::size_t seen,
                               std::chrono::nanoseconds at_most) {
  const IdlePolicyScope idle;
  if (!idle.idle()) return;
  wait_awake([&] { return changes.load(std::memory_order_acquire) != seen; }, at_most);
}

}  // namespace

void WorkQueue::open() {
  const std::lock_guard lock(mutex_);
  open_ = true;
}

bool WorkQueue::post(std::function<void()> work) {
  {
    const std::lock_guard lock(mutex_);
    if (!open_) return false;
    waiting_.push_back(std::move(work));
    ++posted_count_;
    changes_.fetch_add(1, std::memory_order_release);
  }
  posted_.notify_one();
  return true;
}

bool WorkQueue::accepting() {
  const std::lock_guard lock(mutex_);
  return open_;
}

void WorkQueue::wait_until_done() {
  std::unique_lock lock(mutex_);
  const std::size_t target = posted_count_;
  ran_.wait(lock, [&] { return done_count_ >= target; });
}

void WorkQueue::serve(std::chrono::nanoseconds awake_for) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (waiting_.empty() && open_ && awake_for > std::chrono::nanoseconds::zero()) {
      const std::size_t seen = changes_.load(std::memory_order_acquire);
      lock.unlock();
      wait_awake_at_idle_policy(changes_, seen, awake_for);
      lock.lock();
    }
    posted_.wait(lock, [&] { return !waiting_.empty() || !open_; });
    if (waiting_.empty()) return;  // closed, and nothing left
    std::function<void()> work = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    work();
    work = nullptr;  // what it holds let go before it counts as done
    lock.lock();
    ++done_count_;
    ran_.notify_all();
  }
}

void WorkQueue::close() {
  {
    const std::lock_guard lock(mutex_);
    open_ = false;
    changes_.fetch_add(1, std::memory_order_release);
  }
  posted_.notify_all();
}

}  // namespace miniweb
