#pragma once
// Reading files and an advisory lock, with crash-safe writing, what the CA's state relies on.

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/atomic_file.hpp"
#include "shared/result.hpp"

namespace miniweb::ca {

// Crash-safe writes are the common library's (shared/atomic_file.hpp).
using miniweb::kPrivateFileMode;
using miniweb::kPublicFileMode;
using miniweb::write_file_atomically;

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
