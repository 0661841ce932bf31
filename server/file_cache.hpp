#pragma once
// An open-file cache for static files, after nginx's open_file_cache: what a request path
// resolves to under a document root (its real path, checked to stay inside the root), its
// metadata and, for small files, its content. Every lookup revalidates with one stat() of the
// requested path, so a changed file is noticed at once; a full resolution (symbolic links, root
// check, read) happens only on a miss, a change, or when the entry is older than `valid`.

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace miniweb::server {

struct CachedFile {
  std::filesystem::path real_path;  // canonical, inside the root
  struct stat info {};
  std::string etag;           // nginx's: "mtime-size" in hex
  std::string last_modified;  // an IMF-fixdate
  std::string media_type;
  // The whole file, or null when it is larger than the cache keeps (read it at real_path).
  std::shared_ptr<const std::string> content;
  // The gzip of `content`, made by the first response that sends it compressed and kept with
  // the entry, so that a page asked for often is compressed once per version of the file
  // (nginx's gzip compresses every response again; its gzip_static wants .gz files made by
  // hand). A cache then holds up to its content bytes and about as much again. Not
  // thread-safe, as the cache is not.
  mutable std::shared_ptr<const std::string> gzipped;
};

enum class Lookup { Found, Directory, NotFound, OutsideRoot, RootMissing, Unreadable };

struct FileLookup {
  Lookup result = Lookup::NotFound;
  std::shared_ptr<const CachedFile> file;  // when Found
};

struct FileCacheLimits {
  std::chrono::steady_clock::duration valid = std::chrono::seconds(60);  // open_file_cache_valid
  std::size_t max_entries = 4096;
  std::uint64_t max_file_bytes = 1 << 20;  // larger files are read for each request
  std::uint64_t max_total_bytes = 64 << 20;
  // How long a file must have been left alone before it is cached (see entries_).
  std::chrono::seconds settle{2};
};

// Not thread-safe: a server thread owns its cache.
class FileCache {
 public:
  explicit FileCache(FileCacheLimits limits = {}) : limits_(limits) {}

  // `relative` is a normalized request path without its leading slash ("" for the root).
  FileLookup open(const std::filesystem::path& root, std::string_view relative);

 private:
  struct Entry {
    std::shared_ptr<const CachedFile> file;
    std::chrono::steady_clock::time_point resolved;
  };

  FileLookup resolve(const std::filesystem::path& root, const std::string& requested);

  FileCacheLimits limits_;
  // By root + "/" + relative. Only settled files enter: a file changed in the last seconds may
  // change again without its timestamps moving (their granularity is a clock tick), so it is
  // resolved and read again for each request until it has been left alone.
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t total_bytes_ = 0;
};

// The same file as far as stat can tell: identity, size and both timestamps (a rename or a
// new link changes ctime).
bool same_file_version(const struct stat& a, const struct stat& b);

}  // namespace miniweb::server
