#include "shared/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "shared/unique_fd.hpp"

namespace miniweb {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// The temporary file's name: the C library's CSPRNG (glibc's arc4random: the kernel's
// getrandom), ready at once. std::random_device first asks the CPU what it offers (cpuid,
// which a hypervisor traps: 7 us an instruction on a host of this team's, 22 to 30 us a name),
// on every write of the browser's profile.
std::string random_suffix() {
  std::array<char, 17> text{};
  std::snprintf(text.data(), text.size(), "%08x%08x", arc4random(), arc4random());
  return text.data();
}

// A cache's writes go through a spare file kept beside it, written over, then swapped with the
// file in one rename (RENAME_EXCHANGE): the old file becomes the next spare. A fresh temporary
// file for each write freed an inode and allocated another on every page load, and ext4 skips
// the inodes it freed in the last minutes as it allocates one (recently_deleted, one lookup
// each): after a few hundred page loads the browser's O_CREAT took 40 to 170 us and the unlink
// 16 to 28 of a write of 0.07 to 0.10 ms. Writers take the spare in turns (flock); each checks,
// once it holds the lock, that what it opened is still the spare (another writer may have
// swapped it into place meanwhile), a regular file of this user's with no other name (never a
// file the spare's name was made to lead to). Readers always find the file, old or new; whole
// when they read it under a shared lock (read_file's ReadLock::Shared): the file a reader opened
// may have become the spare since, which the next writer writes over under its exclusive lock.
Status write_by_exchange(const std::filesystem::path& dir, const std::filesystem::path& path,
                         std::string_view contents, unsigned mode) {
  const std::filesystem::path spare = dir / ("." + path.filename().string() + ".spare");
  // Each attempt lost means another writer swapped the spare into place: they make progress.
  for (int attempt = 0; attempt < 64; ++attempt) {
    UniqueFd fd(::open(spare.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
                       static_cast<mode_t>(mode)));
    if (fd.get() < 0 && errno == ELOOP) {  // a symbolic link in its place: never followed
      ::unlink(spare.c_str());
      continue;
    }
    if (fd.get() < 0) return make_error("cannot open " + spare.string() + ": " + errno_text());
    if (::flock(fd.get(), LOCK_EX) != 0)
      return make_error("cannot lock " + spare.string() + ": " + errno_text());
    struct stat opened {};
    struct stat named {};
    if (::fstat(fd.get(), &opened) != 0 || ::lstat(spare.c_str(), &named) != 0 ||
        opened.st_dev != named.st_dev || opened.st_ino != named.st_ino)
      continue;  // swapped into place by another writer while this one waited
    if (!S_ISREG(opened.st_mode) || opened.st_nlink != 1 || opened.st_uid != ::geteuid()) {
      ::unlink(spare.c_str());
      continue;
    }
    if ((opened.st_mode & 07777) != mode && ::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0)
      return make_error("cannot set the mode of " + spare.string() + ": " + errno_text());
    if (!write_all(fd.get(), contents) ||
        ::ftruncate(fd.get(), static_cast<off_t>(contents.size())) != 0)
      return make_error("cannot write " + spare.string() + ": " + errno_text());
    if (::renameat2(AT_FDCWD, spare.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0)
      return Ok{};
    // No file there yet, or a file system that cannot swap: the spare takes its name, and the
    // next write makes another.
    if (::rename(spare.c_str(), path.c_str()) != 0)
      return make_error("cannot rename " + spare.string() + " to " + path.string() + ": " +
                        errno_text());
    return Ok{};
  }
  return make_error("cannot take " + spare.string() + " to write " + path.string());
}

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             unsigned mode, Durability durability) {
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  if (durability == Durability::CacheOnly) return write_by_exchange(dir, path, contents, mode);
  std::filesystem::path temp;
  int raw_fd = -1;
  for (int attempt = 0; attempt < 16 && raw_fd < 0; ++attempt) {
    temp = dir / ("." + path.filename().string() + ".tmp-" + random_suffix());
    raw_fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (raw_fd < 0 && errno != EEXIST) {
      return make_error("cannot create " + temp.string() + ": " + errno_text());
    }
  }
  if (raw_fd < 0) return make_error("cannot create a temporary file in " + dir.string());
  UniqueFd fd(raw_fd);

  auto fail = [&](const std::string& what) -> Status {
    const std::string text = what + " " + temp.string() + ": " + errno_text();
    ::unlink(temp.c_str());
    return make_error(text);
  };
  if (!write_all(fd.get(), contents)) return fail("cannot write");
  if (::fsync(fd.get()) != 0) return fail("cannot fsync");
  if (::close(fd.release()) != 0) return fail("cannot close");
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename to " + path.string());

  // The rename is durable only once the directory entry is on disk.
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    return make_error("cannot fsync directory " + dir.string() + ": " + errno_text());
  }
  return Ok{};
}

}  // namespace miniweb
