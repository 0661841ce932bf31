#pragma once
// A database file of the test's own, in a folder removed afterwards.

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace miniweb::shop::test {

class TempFolder {
 public:
  TempFolder() {
    static std::atomic<int> counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("miniweb-shop-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove_all(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  // A database in a folder that does not exist yet: open() makes it.
  std::filesystem::path database() const { return path_ / "shop" / "shop.db"; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace miniweb::shop::test
