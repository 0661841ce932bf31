#pragma once
// Work handed from the threads that have it to one thread that serves it, in the order it was
// handed over: for a helper thread that stays once its own job is done, so that work which
// need not hold up its caller (a file written) runs on another CPU instead of waiting its turn.

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
  void serve();
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
};

}  // namespace miniweb
