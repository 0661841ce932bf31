// shared/read_file: a file whole, and the system's reason when it cannot be read.

#include "shared/read_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace miniweb {
namespace {

TEST(ReadFile, ReadsEveryByteOfAFileTextOrNot) {
  test_support::TempDir dir("miniweb-read-file");
  std::string contents(300000, 'x');
  contents[0] = '\0';
  contents[150000] = '\n';
  contents.back() = '\xff';
  std::ofstream(dir / "page.bin", std::ios::binary) << contents;
  auto read = read_file(dir / "page.bin");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, contents);

  std::ofstream(dir / "empty.html");
  auto empty = read_file(dir / "empty.html");
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
}

// /proc's files say their size is 0 and still have contents.
TEST(ReadFile, ReadsAFileWhoseSizeIsNotKnownInAdvanceToItsEnd) {
  auto status = read_file("/proc/self/status");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_NE(status->find("Pid:"), std::string::npos) << *status;
  EXPECT_EQ(status->back(), '\n');
}

TEST(ReadFile, SaysWhyAFileCannotBeRead) {
  test_support::TempDir dir("miniweb-read-file");
  auto missing = read_file(dir / "missing.html");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "No such file or directory");
  auto directory = read_file(dir.path());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message, "Is a directory");
}

}  // namespace
}  // namespace miniweb
