#include "shared/atomic_file.hpp"

#include <fcntl.h>
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

}  // namespace

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             unsigned mode, Durability durability) {
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code made;
  std::filesystem::create_directories(dir, made);
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
  if (durability == Durability::Synced && ::fsync(fd.get()) != 0) return fail("cannot fsync");
  if (::close(fd.release()) != 0) return fail("cannot close");
  // A cache's old file goes first: ext4 (auto_da_alloc) writes a file renamed over another
  // out to disk before the rename returns, so that a crash leaves one of the two whole. 0.16
  // against 0.05 ms here, at the end of every page load that changed the browser's profile. A
  // reader in between finds no file, which for a cache means one to make again.
  if (durability == Durability::CacheOnly && ::unlink(path.c_str()) != 0 && errno != ENOENT)
    return fail("cannot replace " + path.string() + " with");
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename to " + path.string());
  if (durability == Durability::CacheOnly) return Ok{};

  // The rename is durable only once the directory entry is on disk.
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    return make_error("cannot fsync directory " + dir.string() + ": " + errno_text());
  }
  return Ok{};
}

}  // namespace miniweb
