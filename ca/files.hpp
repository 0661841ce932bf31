#pragma once
// Crash-safe file writing and an advisory lock, the two things the CA's state relies on.

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::ca {

// Mode for files that hold a private key: owner read/write only, from creation on.
inline constexpr unsigned kPrivateFileMode = 0600;
inline constexpr unsigned kPublicFileMode = 0644;

// Replaces `path` with `contents` so that a crash at any point leaves either the old file or
// the new one, whole: a fresh temporary file in the same directory is created with
// O_CREAT|O_EXCL and `mode` (so a key is never readable by others, not even briefly),
// written, fsync'ed, renamed over `path`, and the directory is fsync'ed.
Status write_file_atomic(const std::filesystem::path& path, std::string_view contents,
                         unsigned mode);

// The whole file, or an error naming it.
Result<std::string> read_file(const std::filesystem::path& path);

// An exclusive flock(2) on a lock file, held for the object's lifetime. flock locks belong to
// the open file description, so two threads or two processes that each open the file exclude
// each other.
class FileLock {
 public:
  // Blocks until the lock is held.
  static Result<FileLock> acquire(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace miniweb::ca
