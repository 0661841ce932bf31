#pragma once
// Work handed from the threads that have it to one thread that serves it, in the order it was
// handed over: for a helper thread that stays once its own job is done, so that work which
// need not hold up its caller (a file written) runs on another CPU instead of waiting its turn.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace miniweb {

class WorkQueue {
 public:
  // Closed: post() refuses work until open() (a queue nobody serves takes none).
  WorkQueue() = default;
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Takes work from now on; for whoever is about to serve it.
  void open();
  // Queues `work` for the serving thread: false when the queue is closed, and the caller then
  // does the work itself.
  bool post(std::function<void()> work);
  // Whether post() would take work now.
  bool accepting();
  // Returns once everything posted before the call has run.
  void wait_until_done();
  // On the serving thread: runs what is posted, in order, until the queue is closed and empty.
  // Before it sleeps for want of work (at first, and after each piece), it waits for work
  // awake for up to `awake_for`, at the idle scheduling policy (SCHED_IDLE: a task of any
  // other policy that wants its CPU preempts it at once), then sleeps. Why: on a virtual
  // machine whose idle vCPUs halt, a thread woken on one runs its first fraction of a
  // millisecond slowly (the browser's parse of a 4 KiB page took 0.58 ms woken there and 0.28
  // awake, a warm load 1.96 against 1.67 ms), besides the interrupt that wakes it. Only where
  // the thread may leave the idle policy again (IdlePolicyScope, shared/beside_thread.hpp: not
  // an ordinary user's thread); elsewhere it sleeps at once, as at its own policy the wait
  // would take a CPU others want.
  void serve(std::chrono::nanoseconds awake_for = {});
  // Takes no more work; serve() returns once what was posted has run.
  void close();

 private:
  std::mutex mutex_;
  std::condition_variable posted_;  // work came, or the queue closed
  std::condition_variable ran_;     // a piece of work finished
  std::deque<std::function<void()>> waiting_;
  std::size_t posted_count_ = 0;  // handed over since the start
  std::size_t done_count_ = 0;    // of which run
  bool open_ = false;
  // Counts each post() and close(): what a thread waiting awake looks at, without the lock.
  std::atomic<std::size_t> changes_{0};
};

}  // namespace miniweb
