#include "browser/stale_check.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "browser/source_set.hpp"

namespace miniweb::browser {
namespace {

// Whether a source in the directory open as `directory` (closed here), or below it, is newer
// than `program`. A directory that cannot be read holds nothing newer, as for find. The
// listing is read with getdents64 into this frame's buffer: the check allocates nothing, so
// its thread never makes a malloc arena of its own (whose first pages cost as much as the
// stats).
bool holds_newer_source(int directory, const timespec& program) {
  alignas(dirent64) char listing[8192];
  bool found = false;
  ssize_t filled = 0;
  while (!found && (filled = ::getdents64(directory, listing, sizeof listing)) > 0) {
    for (ssize_t offset = 0; offset < filled && !found;) {
      const auto* entry = reinterpret_cast<const dirent64*>(listing + offset);
      offset += entry->d_reclen;
      const std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      unsigned char type = entry->d_type;
      struct stat status {};
      if (type == DT_UNKNOWN) {
        if (::fstatat(directory, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(status.st_mode) ? DT_DIR : DT_REG;
      }
      if (type == DT_DIR) {
        const int below = ::openat(directory, entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (below >= 0) found = holds_newer_source(below, program);
      } else if (is_source_name(name) &&
                 ::fstatat(directory, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) == 0) {
        found = later_than(status.st_mtim, program);  // as find -P
      }
    }
  }
  ::close(directory);
  return found;
}

bool older_than_sources(int root) {
  struct stat self {};
  if (::stat("/proc/self/exe", &self) != 0) return false;
  struct stat top {};
  if (::fstatat(root, kTopBuildFile, &top, 0) == 0 && later_than(top.st_mtim, self.st_mtim))
    return true;
  for (const char* folder : kSourceFolders) {
    const int directory = ::openat(root, folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (directory >= 0 && holds_newer_source(directory, self.st_mtim)) return true;
  }
  return false;
}

}  // namespace

StaleCheck::StaleCheck(int argc, char** argv) : argc_(argc), argv_(argv) {
  const char* root_value = std::getenv("MINIWEB_BROWSE_ROOT");
  const char* count_value = std::getenv("MINIWEB_BROWSE_ARGC");
  if (root_value == nullptr) return;
  root_ = root_value;
  const std::string_view count_text = count_value != nullptr ? count_value : "";
  // Neither goes further: not to the launcher's full path, nor to anything this program runs.
  ::unsetenv("MINIWEB_BROWSE_ROOT");
  ::unsetenv("MINIWEB_BROWSE_ARGC");
  const auto parsed =
      std::from_chars(count_text.data(), count_text.data() + count_text.size(), user_arguments_);
  if (parsed.ec != std::errc{} || parsed.ptr != count_text.data() + count_text.size() ||
      user_arguments_ < 0 || user_arguments_ >= argc || root_.empty())
    return;
  // The checkout opened here, so that the check needs no path built (no allocation).
  root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // No checkout there: nothing to build it from, and nothing to check.
  claimed_ = root_fd_ < 0;
}

StaleCheck::~StaleCheck() {
  if (own_thread_.joinable()) own_thread_.join();
  if (root_fd_ >= 0) ::close(root_fd_);
}

bool StaleCheck::claim() {
  return !claimed_.exchange(true);
}

void StaleCheck::run_here() {
  if (!claim()) return;
  // At nice 10: its stats, about 0.35 ms of CPU, take a CPU the load's own threads leave free,
  // on a two-CPU machine as on more. Not SCHED_IDLE: on a machine busy with other work (a
  // build) that would starve it for a second while the load waits for it at settle(), and a
  // user cannot raise it back; nice 10 still gets a twentieth of a busy CPU.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  stale_ = older_than_sources(root_fd_);
  done_.set_value();
}

void StaleCheck::start() {
  if (!claimed_) own_thread_ = std::thread([this] { run_here(); });
}

void StaleCheck::settle() {
  if (settled_) return;
  settled_ = true;
  if (claim()) {
    stale_ = older_than_sources(root_fd_);  // no one had begun it: here, at once
  } else if (root_fd_ >= 0) {
    done_when_.wait();
  }
  if (!stale_) return;

  const std::string launcher = root_ + "/miniweb";
  std::vector<char*> command{const_cast<char*>("/bin/bash"), const_cast<char*>(launcher.c_str()),
                             const_cast<char*>("browse")};
  for (int i = argc_ - user_arguments_; i < argc_; ++i) command.push_back(argv_[i]);
  command.push_back(nullptr);
  ::execv(command[0], command.data());
  std::cerr << "miniweb-browser: this program is older than its sources in " << root_
            << ", and the launcher that would build it again did not start: "
            << std::strerror(errno) << "\n";
}

}  // namespace miniweb::browser
