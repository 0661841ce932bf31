#include "shared/work_queue.hpp"

#include <utility>

namespace miniweb {

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

void WorkQueue::serve() {
  std::unique_lock lock(mutex_);
  for (;;) {
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
  }
  posted_.notify_all();
}

}  // namespace miniweb
