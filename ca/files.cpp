#include "ca/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "shared/read_file.hpp"
#include "shared/unique_fd.hpp"

namespace miniweb::ca {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path) {
  auto bytes = miniweb::read_file(path);
  if (!bytes) return make_error("cannot read " + path.string() + ": " + bytes.error().message);
  return bytes;
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return make_error("cannot open lock file " + path.string() + ": " + errno_text());
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return make_error("cannot lock " + path.string() + ": " + errno_text());
  }
  return FileLock(fd.release());
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace miniweb::ca
