#include "server/file_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <optional>

#include "server/mime_types.hpp"
#include "shared/http/message.hpp"
#include "shared/unique_fd.hpp"

namespace miniweb::server {
namespace {

using Clock = std::chrono::steady_clock;

bool is_within(const std::filesystem::path& path, const std::filesystem::path& root) {
  auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

// nginx's entity tag: last-modified time and size, both in hex.
std::string entity_tag(const struct stat& info) {
  char tag[64];
  std::snprintf(tag, sizeof tag, "\"%llx-%llx\"", static_cast<unsigned long long>(info.st_mtime),
                static_cast<unsigned long long>(info.st_size));
  return tag;
}

bool same_time(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

// Reads a whole file; nullopt when it cannot be opened for reading.
std::optional<std::string> read_all(int fd, std::uint64_t expected) {
  std::string content(expected, '\0');
  std::size_t got = 0;
  while (got < content.size()) {
    ssize_t n = ::read(fd, content.data() + got, content.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;  // the file shrank meanwhile
    got += static_cast<std::size_t>(n);
  }
  content.resize(got);
  return content;
}

}  // namespace

bool same_file_version(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         same_time(a.st_mtim, b.st_mtim) && same_time(a.st_ctim, b.st_ctim);
}

FileLookup FileCache::open(const std::filesystem::path& root, std::string_view relative) {
  std::string requested = root.native();
  requested += '/';
  requested += relative;
  struct stat now_info {};
  if (::stat(requested.c_str(), &now_info) == 0) {
    if (S_ISDIR(now_info.st_mode)) return {Lookup::Directory, nullptr};
    auto it = entries_.find(requested);
    if (it != entries_.end() && same_file_version(now_info, it->second.file->info) &&
        Clock::now() - it->second.resolved < limits_.valid)
      return {Lookup::Found, it->second.file};
  }
  return resolve(root, requested);
}

FileLookup FileCache::resolve(const std::filesystem::path& root, const std::string& requested) {
  if (auto it = entries_.find(requested); it != entries_.end()) {
    if (it->second.file->content) total_bytes_ -= it->second.file->content->size();
    entries_.erase(it);
  }
  std::error_code ec;
  const std::filesystem::path real_root = std::filesystem::canonical(root, ec);
  if (ec) return {Lookup::RootMissing, nullptr};
  const std::string_view relative = std::string_view(requested).substr(root.native().size() + 1);
  const std::filesystem::path file = real_root / std::filesystem::path(relative);
  if (std::filesystem::is_directory(file, ec)) return {Lookup::Directory, nullptr};
  // Resolve symbolic links and refuse any that lead outside the root.
  std::filesystem::path real = std::filesystem::canonical(file, ec);
  if (ec) return {Lookup::NotFound, nullptr};
  if (!is_within(real, real_root)) return {Lookup::OutsideRoot, nullptr};

  auto cached = std::make_shared<CachedFile>();
  if (::stat(real.c_str(), &cached->info) != 0 || !S_ISREG(cached->info.st_mode))
    return {Lookup::NotFound, nullptr};
  const UniqueFd fd(::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return {errno == ENOENT ? Lookup::NotFound : Lookup::Unreadable, nullptr};
  bool consistent = ::fstat(fd.get(), &cached->info) == 0 && S_ISREG(cached->info.st_mode);
  const auto size = static_cast<std::uint64_t>(cached->info.st_size);
  if (consistent && size <= limits_.max_file_bytes) {
    auto content = read_all(fd.get(), size);
    if (!content) return {Lookup::Unreadable, nullptr};
    consistent = content->size() == size;
    cached->content = std::make_shared<const std::string>(std::move(*content));
  }
  if (!S_ISREG(cached->info.st_mode)) return {Lookup::NotFound, nullptr};
  cached->real_path = std::move(real);
  cached->etag = entity_tag(cached->info);
  cached->last_modified = http::http_date(cached->info.st_mtime);
  cached->media_type = mime_type_for(cached->real_path.filename().string());

  // Racy timestamps, as git's index has them (see entries_).
  const std::time_t changed = std::max(cached->info.st_mtime, cached->info.st_ctime);
  const bool settled = consistent && std::time(nullptr) - changed >= limits_.settle.count();
  std::shared_ptr<const CachedFile> file_entry = std::move(cached);
  if (settled) {
    const std::uint64_t bytes = file_entry->content ? file_entry->content->size() : 0;
    if (entries_.size() >= limits_.max_entries || total_bytes_ + bytes > limits_.max_total_bytes) {
      // Full: start afresh rather than keep recency order on the hot path.
      entries_.clear();
      total_bytes_ = 0;
    }
    if (bytes <= limits_.max_total_bytes) {
      entries_[requested] = Entry{file_entry, Clock::now()};
      total_bytes_ += bytes;
    }
  }
  return {Lookup::Found, file_entry};
}

}  // namespace miniweb::server
