// The profile writer (browser/net/profile_writer.hpp): files written durably on a thread of its
// own, in the order they were handed over, the last contents of a file always the ones on the
// disk, every write done before the writer goes, and each write a trace step at its own times.

#include "browser/net/profile_writer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "shared/atomic_file.hpp"
#include "tests/support/temp_dir.hpp"

namespace miniweb::browser {
namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

unsigned mode_of(const std::filesystem::path& file) {
  struct stat status {};
  if (::stat(file.c_str(), &status) != 0) return 0;
  return status.st_mode & 0777;
}

TEST(ProfileWriter, WritesBesideTheCallerAndPutsTheWriteInTheTrace) {
  const test_support::TempDir profile{"miniweb-profile-writer"};
  const std::filesystem::path file = profile.path() / "hsts.json";
  Trace trace;
  ProfileWriter writer;
  writer.write(file, "{\"a\": 1}\n", kPrivateFileMode, "hsts", "the policies written");
  writer.record(trace, true);
  EXPECT_EQ(read_text(file), "{\"a\": 1}\n");
  EXPECT_EQ(mode_of(file), 0600u);
  ASSERT_EQ(trace.steps().size(), 1u);
  const Trace::Step& step = trace.steps().front();
  EXPECT_EQ(step.phase, "hsts");
  EXPECT_EQ(step.title, "the policies written");
  EXPECT_EQ(step.summary, "9 bytes written to " + file.string() +
                              " (owner only), then the file and its folder synced to the disk");
  ASSERT_EQ(step.details.size(), 1u);
  EXPECT_TRUE(std::regex_match(step.details.front(),
                               std::regex("on the profile writer's thread, in [0-9.]+ ms, "
                                          "beginning [0-9.]+ ms after the load's thread handed "
                                          "it over")))
      << step.details.front();
  // Put in a trace once: the next record has nothing more to say.
  writer.record(trace, true);
  EXPECT_EQ(trace.steps().size(), 1u);
}

// Whoever asked to be told (a window, to draw the write's step) hears of each write once it has
// ended, the file on the disk by then.
TEST(ProfileWriter, TellsOfEachWriteOnceItHasEnded) {
  const test_support::TempDir profile{"miniweb-profile-writer"};
  const std::filesystem::path hsts = profile.path() / "hsts.json";
  const std::filesystem::path cookies = profile.path() / "cookies.json";
  std::mutex mutex;
  std::condition_variable told;
  std::vector<std::string> seen;  // each file's contents when the writer told of a write
  const auto seen_after = [&](std::size_t writes) {
    std::unique_lock lock(mutex);
    told.wait_for(lock, std::chrono::seconds(5), [&] { return seen.size() >= writes; });
    return seen.size();
  };
  ProfileWriter writer;
  writer.on_written([&] {
    const std::lock_guard lock(mutex);
    seen.push_back(read_text(hsts) + "|" + read_text(cookies));
    told.notify_all();
  });
  writer.write(hsts, "{\"h\": 1}\n", kPublicFileMode, "hsts", "the policies written");
  ASSERT_EQ(seen_after(1), 1u);
  writer.write(cookies, "{\"c\": 1}\n", kPrivateFileMode, "cookie", "the cookies written");
  ASSERT_EQ(seen_after(2), 2u);
  const std::lock_guard lock(mutex);
  EXPECT_EQ(seen[0], "{\"h\": 1}\n|");
  EXPECT_EQ(seen[1], "{\"h\": 1}\n|{\"c\": 1}\n");
}

// Many contents for one file, handed over faster than they are written: the file ends with the
// last, and every hand-over is accounted for by a write that began after it.
TEST(ProfileWriter, TheLastContentsHandedOverAreTheFilesAndNoneIsLostOnTheWay) {
  const test_support::TempDir profile{"miniweb-profile-writer-order"};
  const std::filesystem::path file = profile.path() / "cookies.json";
  Trace trace;
  ProfileWriter writer;
  constexpr int kHandedOver = 40;
  for (int i = 1; i <= kHandedOver; ++i)
    writer.write(file, std::to_string(i), kPublicFileMode, "cookie", "cookies written");
  writer.record(trace, true);
  EXPECT_EQ(read_text(file), std::to_string(kHandedOver));
  EXPECT_EQ(mode_of(file), 0644u);
  int accounted = 0;
  const std::regex together("; ([0-9]+) changes handed over before it began, written once$");
  for (const Trace::Step& step : trace.steps()) {
    std::smatch match;
    accounted += std::regex_search(step.summary, match, together) ? std::stoi(match[1]) : 1;
  }
  EXPECT_EQ(accounted, kHandedOver);
  EXPECT_GE(trace.steps().size(), 1u);
}

TEST(ProfileWriter, EveryWriteIsOnTheDiskOnceTheWriterIsGone) {
  const test_support::TempDir profile{"miniweb-profile-writer-end"};
  {
    ProfileWriter writer;
    for (int i = 0; i < 5; ++i)
      writer.write(profile.path() / ("file-" + std::to_string(i)), "contents " + std::to_string(i),
                   kPublicFileMode, "hsts", "written");
  }
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(read_text(profile.path() / ("file-" + std::to_string(i))),
              "contents " + std::to_string(i));
}

// A write that cannot be made says why in its step; the writer goes on with the next.
TEST(ProfileWriter, AFailedWriteSaysWhyAndTheNextIsWritten) {
  const test_support::TempDir profile{"miniweb-profile-writer-fail"};
  std::ofstream(profile.path() / "not-a-folder") << "a file";
  Trace trace;
  ProfileWriter writer;
  writer.write(profile.path() / "not-a-folder" / "hsts.json", "{}", kPublicFileMode, "hsts",
               "the policies written");
  writer.write(profile.path() / "cookies.json", "[]", kPrivateFileMode, "cookie",
               "the cookies written");
  writer.record(trace, true);
  ASSERT_EQ(trace.steps().size(), 2u);
  EXPECT_TRUE(trace.steps()[0].summary.starts_with("not written: ")) << trace.steps()[0].summary;
  EXPECT_EQ(read_text(profile.path() / "cookies.json"), "[]");
}

// A write handed over before a trace began belongs to an earlier load: not shown in this one.
TEST(ProfileWriter, AWriteFromBeforeATraceBeganIsNotShownInIt) {
  const test_support::TempDir profile{"miniweb-profile-writer-earlier"};
  ProfileWriter writer;
  writer.write(profile.path() / "hsts.json", "{}", kPublicFileMode, "hsts", "written");
  writer.wait();
  Trace later;
  writer.record(later, true);
  EXPECT_TRUE(later.steps().empty());
  EXPECT_EQ(read_text(profile.path() / "hsts.json"), "{}");
}

}  // namespace
}  // namespace miniweb::browser
