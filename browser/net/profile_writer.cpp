#include "browser/net/profile_writer.hpp"

#include <algorithm>
#include <utility>

#include "shared/atomic_file.hpp"

namespace miniweb::browser {
namespace {

std::string mode_text(unsigned mode) {
  return mode == kPrivateFileMode ? "owner only" : "readable by all";
}

}  // namespace

ProfileWriter::~ProfileWriter() {
  if (!thread_) return;
  queue_.close();  // its thread serves what was posted, then returns
  thread_->join();
}

void ProfileWriter::write(const std::filesystem::path& file, std::string contents, unsigned mode,
                          std::string phase, std::string title) {
  std::shared_ptr<Write> write;
  {
    const std::lock_guard lock(mutex_);
    const auto waiting = std::find_if(writes_.begin(), writes_.end(), [&](const auto& queued) {
      return queued->file == file && !queued->begun;
    });
    if (waiting != writes_.end()) {
      (*waiting)->contents = std::move(contents);
      (*waiting)->mode = mode;
      ++(*waiting)->handed_over_times;
      return;
    }
    write = std::make_shared<Write>();
    write->file = file;
    write->contents = std::move(contents);
    write->mode = mode;
    write->phase = std::move(phase);
    write->title = std::move(title);
    write->times.handed_over = Trace::Clock::now();
    writes_.push_back(write);
  }
  if (!thread_) {
    queue_.open();
    thread_ = std::make_unique<BesideThread>([this] { queue_.serve(); });
    if (!thread_->started()) queue_.close();  // it serves at join(): nobody would before
  }
  if (!queue_.post([this, write] { run(*write); })) run(*write);
}

void ProfileWriter::run(Write& write) {
  std::unique_lock lock(mutex_);
  write.begun = true;
  write.times.began = Trace::Clock::now();
  const std::string contents = std::move(write.contents);
  const unsigned mode = write.mode;
  lock.unlock();
  const Status written = write_file_atomically(write.file, contents, mode);
  lock.lock();
  write.times.ended = Trace::Clock::now();
  write.outcome = written ? std::to_string(contents.size()) + " bytes written to " +
                                write.file.string() + " (" + mode_text(mode) +
                                "), then the file and its folder synced to the disk"
                          : "not written: " + written.error().message;
  write.done = true;
  written_.notify_all();
  lock.unlock();
  if (told_) told_();
}

void ProfileWriter::record(Trace& trace, bool wait) {
  std::unique_lock lock(mutex_);
  if (wait) wait_for_all(lock);
  std::erase_if(writes_, [&](const std::shared_ptr<Write>& write) {
    if (!write->done) return false;
    std::string summary = write->outcome;
    if (write->handed_over_times > 1)
      summary += "; " + std::to_string(write->handed_over_times) +
                 " changes handed over before it began, written once";
    record_beside(trace, write->times, write->phase, write->title, std::move(summary),
                  "the profile writer's thread");
    return true;
  });
}

void ProfileWriter::wait() {
  std::unique_lock lock(mutex_);
  wait_for_all(lock);
}

void ProfileWriter::wait_for_all(std::unique_lock<std::mutex>& lock) {
  written_.wait(lock, [&] {
    return std::all_of(writes_.begin(), writes_.end(),
                       [](const std::shared_ptr<Write>& write) { return write->done; });
  });
}

void write_profile_file(ProfileWriter* writer, const std::filesystem::path& file,
                        std::string contents, unsigned mode, std::string phase, std::string title) {
  if (writer != nullptr)
    writer->write(file, std::move(contents), mode, std::move(phase), std::move(title));
  else
    (void)write_file_atomically(file, contents, mode);
}

}  // namespace miniweb::browser
