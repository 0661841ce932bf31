// Files replaced whole (shared/atomic_file): a cache through the spare it keeps beside it, swapped
// into place, so that its writes free and allocate no inode; a durable file through a fresh
// temporary one. Never written through a name that leads elsewhere.

#include "shared/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "shared/read_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace miniweb {
namespace {

std::string contents_of(const std::filesystem::path& file) {
  auto text = read_file(file, ReadLock::Shared);
  return text ? std::move(*text) : "(unreadable: " + text.error().message + ")";
}

struct stat status_of(const std::filesystem::path& file) {
  struct stat info {};
  EXPECT_EQ(::lstat(file.c_str(), &info), 0) << file;
  return info;
}

std::set<std::string> names_in(const std::filesystem::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    names.insert(entry.path().filename().string());
  return names;
}

class AtomicFile : public ::testing::Test {
 protected:
  test_support::TempDir dir_{"miniweb-atomic-file"};
  std::filesystem::path file_ = dir_.path() / "cache" / "sessions.txt";
  std::filesystem::path spare_ = dir_.path() / "cache" / ".sessions.txt.spare";
};

TEST_F(AtomicFile, ACacheIsSwappedWithItsSpareAndNoInodeIsMadeAfterTheFirstTwo) {
  ASSERT_TRUE(write_file_atomically(file_, "one\n", kPrivateFileMode, Durability::CacheOnly));
  EXPECT_EQ(contents_of(file_), "one\n");
  EXPECT_EQ(status_of(file_).st_mode & 07777, kPrivateFileMode);
  ASSERT_TRUE(
      write_file_atomically(file_, "two, longer\n", kPrivateFileMode, Durability::CacheOnly));
  const ino_t first = status_of(file_).st_ino;
  const ino_t second = status_of(spare_).st_ino;
  EXPECT_NE(first, second);
  for (const std::string text : {"three\n", "four, the longest of them all\n", "5\n"}) {
    const ino_t was_spare = status_of(spare_).st_ino;
    const ino_t was_file = status_of(file_).st_ino;
    ASSERT_TRUE(write_file_atomically(file_, text, kPrivateFileMode, Durability::CacheOnly));
    EXPECT_EQ(contents_of(file_), text);  // shorter than what the spare held: cut to its size
    EXPECT_EQ(status_of(file_).st_ino, was_spare);
    EXPECT_EQ(status_of(spare_).st_ino, was_file);
    EXPECT_EQ(std::set<ino_t>({status_of(file_).st_ino, status_of(spare_).st_ino}),
              std::set<ino_t>({first, second}));
  }
  EXPECT_EQ(names_in(file_.parent_path()),
            std::set<std::string>({"sessions.txt", ".sessions.txt.spare"}));
  EXPECT_EQ(status_of(spare_).st_mode & 07777, kPrivateFileMode);
}

TEST_F(AtomicFile, ASpareMadeWithAnotherModeTakesTheOneAskedFor) {
  std::filesystem::create_directories(spare_.parent_path());
  std::ofstream(spare_) << "left by an earlier writer";
  ::chmod(spare_.c_str(), 0644);
  ASSERT_TRUE(write_file_atomically(file_, "secret\n", kPrivateFileMode, Durability::CacheOnly));
  EXPECT_EQ(contents_of(file_), "secret\n");
  EXPECT_EQ(status_of(file_).st_mode & 07777, kPrivateFileMode);
}

// A name made to lead to another file, by a symbolic link or a second hard link, is taken
// away and a spare of the cache's own made: the other file stays as it was.
TEST_F(AtomicFile, ASpareThatLeadsElsewhereIsNeverWrittenThrough) {
  std::filesystem::create_directories(spare_.parent_path());
  const std::filesystem::path linked = dir_.path() / "linked.txt";
  const std::filesystem::path hard = dir_.path() / "hard.txt";
  std::ofstream(linked) << "by a symbolic link";
  std::ofstream(hard) << "by a hard link";
  std::filesystem::create_symlink(linked, spare_);
  ASSERT_TRUE(write_file_atomically(file_, "one\n", kPrivateFileMode, Durability::CacheOnly));
  EXPECT_EQ(contents_of(linked), "by a symbolic link");
  std::filesystem::remove(spare_);
  std::filesystem::create_hard_link(hard, spare_);
  ASSERT_TRUE(write_file_atomically(file_, "two\n", kPrivateFileMode, Durability::CacheOnly));
  EXPECT_EQ(contents_of(hard), "by a hard link");
  EXPECT_EQ(contents_of(file_), "two\n");
  EXPECT_EQ(status_of(spare_).st_nlink, 1u);
}

// Writers at once take the spare in turns, and a reader (under its shared lock) only ever
// finds one writer's whole contents; none of them gives up.
TEST_F(AtomicFile, WritersAtOnceNeverLeaveAMixedFile) {
  const std::string a(3000, 'a');
  const std::string b(5000, 'b');
  ASSERT_TRUE(write_file_atomically(file_, a, kPublicFileMode, Durability::CacheOnly));
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  const auto writer = [&](const std::string& text) {
    for (int i = 0; i < 300; ++i)
      if (!write_file_atomically(file_, text, kPublicFileMode, Durability::CacheOnly)) ++failures;
  };
  std::thread first(writer, a);
  std::thread second(writer, b);
  int torn = 0;
  std::thread reader([&] {
    while (writing) {
      const std::string seen = contents_of(file_);
      if (seen != a && seen != b) ++torn;
    }
  });
  first.join();
  second.join();
  writing = false;
  reader.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(names_in(file_.parent_path()),
            std::set<std::string>({"sessions.txt", ".sessions.txt.spare"}));
}

TEST_F(AtomicFile, ADurableFileKeepsNoSpare) {
  ASSERT_TRUE(write_file_atomically(file_, "kept\n", kPrivateFileMode, Durability::Synced));
  ASSERT_TRUE(write_file_atomically(file_, "kept again\n", kPrivateFileMode, Durability::Synced));
  EXPECT_EQ(contents_of(file_), "kept again\n");
  EXPECT_EQ(status_of(file_).st_mode & 07777, kPrivateFileMode);
  EXPECT_EQ(names_in(file_.parent_path()), std::set<std::string>({"sessions.txt"}));
}

}  // namespace
}  // namespace miniweb
