// miniweb-source-watch ROOT FILE: keeps FILE's modification time at that of the newest source
// the browser is built from in the checkout ROOT (browser/source_set.hpp), told by inotify, so
// that `./miniweb browse`'s fast path can tell whether the browser is older than its sources by
// comparing two files' times (sh's `test -nt`). Without it the browser checks for itself, a
// stat of every source on the TLS head start's thread (browser/stale_check.hpp), which cost a
// warm load about 0.2 ms of its 1.8 on this team's machine. `./miniweb up` starts it where it
// builds the programs itself; `./miniweb down` stops it.
//
// FILE appears once every folder is watched and the sources have been read. It holds what
// `find -newer` (the launcher's full path) and the browser's check ask of the sources as they
// are now: the newest time among those that exist. A source written, touched, made or moved in
// counts with its time, one removed or moved out counts no more, and one dated back counts with
// its new time, so FILE's time can move back too. The fast path and the full path therefore
// always agree: a browser the full path would run unbuilt is never sent to it by the fast path.
// An event queue that overflowed reads everything again.

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <utility>

#include "browser/source_set.hpp"

namespace {

namespace fs = std::filesystem;
using miniweb::browser::is_source_name;
using miniweb::browser::kSourceFolders;
using miniweb::browser::kTopBuildFile;
using miniweb::browser::later_than;

constexpr uint32_t kFolderEvents = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE |
                                   IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_ONLYDIR |
                                   IN_DONT_FOLLOW | IN_EXCL_UNLINK;

bool is_source_folder(std::string_view name) {
  for (const char* folder : kSourceFolders)
    if (name == folder) return true;
  return false;
}

class SourceWatch {
 public:
  SourceWatch(fs::path root, fs::path file, int inotify)
      : root_(std::move(root)), file_(std::move(file)), inotify_(inotify) {}

  // Every folder watched, then read; FILE written with the newest time found.
  bool start() {
    if (!watch(root_)) return false;
    read_everything();
    return write_file(newest());
  }

  // Reads events until the descriptor fails; after each batch, FILE takes the newest time.
  void run() {
    alignas(inotify_event) char events[64 * 1024];
    while (true) {
      const ssize_t got = ::read(inotify_, events, sizeof events);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        std::fprintf(stderr, "miniweb-source-watch: reading events: %s\n", std::strerror(errno));
        return;
      }
      for (ssize_t at = 0; at < got;) {
        const auto* event = reinterpret_cast<const inotify_event*>(events + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        take(*event);
      }
      if (const timespec now_newest = newest();
          later_than(now_newest, told_) || later_than(told_, now_newest))
        write_file(now_newest);
    }
  }

  std::size_t folders() const { return folders_.size(); }
  std::size_t sources() const { return times_.size(); }
  const timespec& told() const { return told_; }

 private:
  bool watch(const fs::path& folder) {
    const int descriptor = ::inotify_add_watch(inotify_, folder.c_str(), kFolderEvents);
    if (descriptor < 0) {
      std::fprintf(stderr, "miniweb-source-watch: cannot watch %s: %s\n", folder.c_str(),
                   std::strerror(errno));
      return false;
    }
    folders_[descriptor] = folder;
    return true;
  }

  // A source as it is now: its time if it is a file, nothing if it is gone.
  void note(const fs::path& source) {
    struct stat status {};
    if (::lstat(source.c_str(), &status) == 0 && S_ISREG(status.st_mode))
      times_[source.native()] = status.st_mtim;
    else
      times_.erase(source.native());
  }

  // A folder gone or moved out: its sources count no more, and its watches end (a folder moved
  // elsewhere would otherwise go on telling events under its old name).
  void forget(const fs::path& folder) {
    const std::string prefix = folder.native() + "/";
    std::erase_if(times_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
    std::erase_if(folders_, [&](const auto& entry) {
      if (entry.second != folder && !entry.second.native().starts_with(prefix)) return false;
      ::inotify_rm_watch(inotify_, entry.first);
      return true;
    });
  }

  // A folder and everything below it: watched first, then read, so that a source made meanwhile
  // is either found by the read or told by an event.
  void watch_tree(const fs::path& folder) {
    if (!watch(folder)) return;
    std::error_code error;
    for (fs::recursive_directory_iterator entry(folder, error), end; !error && entry != end;
         entry.increment(error)) {
      if (entry->is_directory(error) && !entry->is_symlink(error))
        watch(entry->path());
      else if (is_source_name(entry->path().filename().native()))
        note(entry->path());
    }
  }

  void read_everything() {
    times_.clear();
    note(root_ / kTopBuildFile);
    for (const char* folder : kSourceFolders) watch_tree(root_ / folder);
  }

  timespec newest() const {
    timespec out{};
    for (const auto& [path, time] : times_)
      if (later_than(time, out)) out = time;
    return out;
  }

  // FILE with `time`: made whole beside it and renamed over it the first time, its time moved
  // afterwards (made again if someone removed it).
  bool write_file(const timespec& time) {
    const timespec times[2] = {time, time};
    if (written_ && ::utimensat(AT_FDCWD, file_.c_str(), times, 0) == 0) {
      told_ = time;
      return true;
    }
    const fs::path made = file_.string() + ".new";
    const int descriptor = ::open(made.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (descriptor < 0 || ::futimens(descriptor, times) != 0 || ::close(descriptor) != 0 ||
        ::rename(made.c_str(), file_.c_str()) != 0) {
      std::fprintf(stderr, "miniweb-source-watch: cannot write %s: %s\n", file_.c_str(),
                   std::strerror(errno));
      return false;
    }
    written_ = true;
    told_ = time;
    return true;
  }

  void take(const inotify_event& event) {
    if (event.mask & IN_Q_OVERFLOW) {
      read_everything();  // events were lost: every folder and source again
      return;
    }
    if (event.mask & IN_IGNORED) {
      folders_.erase(event.wd);  // the folder went
      return;
    }
    const auto folder = folders_.find(event.wd);
    if (folder == folders_.end() || event.len == 0) return;
    const std::string_view name = event.name;
    const fs::path path = folder->second / name;
    const bool top = folder->second == root_;
    if (event.mask & IN_ISDIR) {
      if (top && !is_source_folder(name)) return;
      if (event.mask & (IN_CREATE | IN_MOVED_TO)) watch_tree(path);
      if (event.mask & (IN_DELETE | IN_MOVED_FROM)) forget(path);
    } else if (top ? name == kTopBuildFile : is_source_name(name)) {
      note(path);
    }
  }

  fs::path root_;
  fs::path file_;
  int inotify_;
  std::unordered_map<int, fs::path> folders_;        // watch descriptor -> folder
  std::unordered_map<std::string, timespec> times_;  // each source now -> its time
  timespec told_{};                                  // FILE's time
  bool written_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CHECKOUT FILE\n", argv[0]);
    return 2;
  }
  const int inotify = ::inotify_init1(IN_CLOEXEC);
  if (inotify < 0) {
    std::fprintf(stderr, "miniweb-source-watch: inotify: %s\n", std::strerror(errno));
    return 1;
  }
  SourceWatch watch(argv[1], argv[2], inotify);
  if (!watch.start()) return 1;
  std::fprintf(stderr,
               "miniweb-source-watch: %zu folders of %s watched, %zu sources; %s holds the "
               "newest one's time (%lld)\n",
               watch.folders(), argv[1], watch.sources(), argv[2],
               static_cast<long long>(watch.told().tv_sec));
  watch.run();
  return 1;
}
