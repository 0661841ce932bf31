#pragma once
// Memory's pages mapped on another CPU, ahead of the work that will write them.
//
// The first write to a fresh page faults, and the kernel zeroes the page before the write goes
// on: on this team's latest machine 150 us for each MiB in 2 MiB huge pages, 400 to 500 us in
// 4 KiB ones. A large page's parse fills megabytes that way (python's stdtypes.html: 10 MiB
// of gumbo's tree and 4 of the DOM), the zeroing all on the one CPU that parses while the
// other stands idle. Handed here as soon as it is reserved, a block's pages are mapped
// (MADV_POPULATE_WRITE) by a thread beside (shared/beside_thread.hpp), and the parse finds them
// mapped. Mapping a page never changes what it holds, so the thread and the memory's writer
// need no more order than the kernel's own: a page either of them maps first is mapped once.
//
// Where the process has one CPU, the thread would only take that CPU from the work: nothing is
// mapped ahead, and the writer's faults map each page as before. Where the kernel cannot map
// ahead (before Linux 5.14), the thread's calls fail and change nothing.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

namespace miniweb {

class BesideThread;

class PagesAhead {
 public:
  PagesAhead() : PagesAhead(true) {}
  // `may_map` false: nothing is mapped ahead, for memory written while every CPU is busy.
  explicit PagesAhead(bool may_map);
  ~PagesAhead();  // waits for what it was given, then ends its thread
  PagesAhead(const PagesAhead&) = delete;
  PagesAhead& operator=(const PagesAhead&) = delete;

  // Whether blocks given to map() are mapped ahead here (false with one CPU).
  bool maps_ahead() const { return maps_ahead_; }

  // The whole pages of [data, data + bytes) mapped for writing on the thread beside, after the
  // blocks given before (the thread starts with the first). Returns at once. The caller keeps
  // the block allocated until wait() has returned.
  void map(void* data, std::size_t bytes);

  // Returns once every block given so far is mapped.
  void wait();

 private:
  struct Block {
    void* data;
    std::size_t bytes;
  };
  void map_in_turn();  // the thread's work

  bool maps_ahead_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Block> blocks_;  // given and not yet begun
  bool mapping_ = false;      // the thread is mapping a block taken from blocks_
  bool ending_ = false;
  std::unique_ptr<BesideThread> thread_;
};

}  // namespace miniweb
