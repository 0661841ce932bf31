#pragma once
// The profile's files that must survive a power cut once written (the HSTS policies, the
// persistent cookies), written on a thread of their own, beside the load. Each write is two
// fsyncs (write_file_atomically's Synced: the file, then its folder), which the load's thread
// waited for as the response was read: a first visit's HSTS write took 0.6 ms of a 2.3 ms warm
// load here, and 2 to 4 ms of 4 to 11 in a fresh clone's profile, where the disk's journal had
// more to commit. What was noted applies in memory at once; only the file's copy comes later.
// Chromium, too, writes this state from a background sequence.
//
// Writes of one file are made in the order they were handed over, on the one thread; one not
// yet begun when the next comes for its file takes the newer contents instead (only the last
// matters). Everything handed over is written before the writer is destroyed, and before
// wait() returns: a dump waits once its page is printed, before the process ends.

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "browser/trace.hpp"
#include "shared/beside_thread.hpp"
#include "shared/work_queue.hpp"

namespace miniweb::browser {

class ProfileWriter {
 public:
  ProfileWriter() = default;
  ~ProfileWriter();  // waits for every write handed over
  ProfileWriter(const ProfileWriter&) = delete;
  ProfileWriter& operator=(const ProfileWriter&) = delete;

  // `contents` to be written to `file` (write_file_atomically, Synced, with `mode`), after any
  // write of it handed over before. `phase` and `title`: its trace step's. Written here when no
  // thread can be made for it.
  void write(const std::filesystem::path& file, std::string contents, unsigned mode,
             std::string phase, std::string title);
  // Puts in `trace` the writes done so far (those handed over since it began: record_beside),
  // each as the step it was, at the times it ran. With `wait`, every write handed over is
  // waited for first.
  void record(Trace& trace, bool wait);
  // Waits for every write handed over.
  void wait();
  // `told` is called after each write ends, on the thread that wrote it (the window wakes its
  // loop with it, to draw the write's step); it must be thread-safe. Set before the first write.
  void on_written(std::function<void()> told) { told_ = std::move(told); }

 private:
  struct Write {
    std::filesystem::path file;
    std::string contents;
    unsigned mode = 0;
    std::string phase;
    std::string title;
    int handed_over_times = 1;  // contents handed over for it before it began
    WorkBeside times;
    bool begun = false;
    bool done = false;
    std::string outcome;
  };
  void run(Write& write);                                 // on the writer's thread
  void wait_for_all(std::unique_lock<std::mutex>& lock);  // `lock` holds mutex_

  std::mutex mutex_;  // guards writes_ and every Write's fields once handed over
  std::condition_variable written_;
  std::vector<std::shared_ptr<Write>> writes_;  // handed over, not yet put in a trace
  WorkQueue queue_;
  std::unique_ptr<BesideThread> thread_;  // made at the first write
  std::function<void()> told_;            // on_written's
};

// `contents` written to `file` durably: by `writer` when there is one (ProfileWriter::write),
// else here, at once.
void write_profile_file(ProfileWriter* writer, const std::filesystem::path& file,
                        std::string contents, unsigned mode, std::string phase, std::string title);

}  // namespace miniweb::browser
