// The source watcher `./miniweb up` starts (browser/source_watch/main.cpp), the real program on
// a checkout of the test's own: its file holds the newest time among the sources as they are,
// and follows every source written, made, dated back, removed or moved, and nothing else. Then the
// launcher's fast path (the real `miniweb` script, on a state folder of the test's own): with the
// watcher running and its file older than the browser, the browser is not asked to check its
// sources; without either, it is.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "tests/server/server_process.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using miniweb::test_support::run_command;
using miniweb::test_support::ServerProcess;
using miniweb::test_support::TempDir;
namespace fs = std::filesystem;
using Clock = fs::file_time_type::clock;

class SourceWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* folder : {"browser/net", "dns", "shared", "ca"})
      fs::create_directories(root() / folder);
    for (const char* file : {"CMakeLists.txt", "browser/main.cpp", "browser/net/tls.hpp",
                             "dns/CMakeLists.txt", "shared/notes.txt"})
      write(file, Clock::now() - std::chrono::hours(24 * 365));
    newest_ = Clock::now() - std::chrono::hours(24 * 30);
    write("shared/newest.hpp", newest_);
  }

  fs::path root() const { return dir_.path() / "checkout"; }
  fs::path file() const { return dir_.path() / "sources-newest"; }
  // Writes NAME (its time now, as it is written), then dates it `when`.
  void write(const std::string& name, Clock::time_point when) {
    std::ofstream(root() / name) << "// " << name << "\n";
    fs::last_write_time(root() / name, when);
  }
  // Waits (5 s at most) until the watcher's file holds `when`.
  bool file_says(Clock::time_point when) const {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::error_code error;
    while (std::chrono::steady_clock::now() < give_up) {
      if (fs::last_write_time(file(), error) == when && !error) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  // Writes NAME dated `when`, then waits for the watcher's file to say so.
  bool told(const std::string& name, Clock::time_point when) {
    write(name, when);
    return file_says(when);
  }
  // The watcher, once it has written its file with the newest source's time; null (and the
  // test failed) if it never does.
  std::unique_ptr<ServerProcess> start_watcher() {
    auto watcher = std::make_unique<ServerProcess>(
        std::vector<std::string>{MINIWEB_SOURCE_WATCH_BINARY, root().string(), file().string()},
        dir_.path() / "watch.err");
    if (file_says(newest_)) return watcher;
    ADD_FAILURE() << "the watcher never wrote its file: " << watcher->stderr_text();
    return nullptr;
  }

  TempDir dir_{"miniweb-source-watch"};
  Clock::time_point newest_;
};

TEST_F(SourceWatchTest, ItsFileHoldsTheNewestSourcesTimeOnceEveryFolderIsWatched) {
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  // Its line on stderr comes just after the file: waited for, not read at once.
  EXPECT_TRUE(watcher->wait_for_stderr("5 folders of " + root().string() + " watched"))
      << watcher->stderr_text();  // the checkout, browser, browser/net, dns and shared
}

TEST_F(SourceWatchTest, ASourceWrittenMovesItsFileToThatSourcesTime) {
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  EXPECT_TRUE(told("browser/net/tls.hpp", Clock::now() + std::chrono::hours(1)))
      << watcher->stderr_text();
  // The checkout's own CMakeLists.txt counts too.
  EXPECT_TRUE(told("CMakeLists.txt", Clock::now() + std::chrono::hours(2)))
      << watcher->stderr_text();
}

TEST_F(SourceWatchTest, FoldersMadeAfterItStartedAreWatchedToo) {
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  fs::create_directories(root() / "dns/new/deeper");
  // Long enough for the new folders to be watched: the source then comes as their event, not
  // from the read that follows a folder's watch.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(told("dns/new/deeper/resolver.cpp", Clock::now() + std::chrono::hours(2)))
      << watcher->stderr_text();
}

// As `find -newer` sees the sources: one dated back counts with its new time, one removed or
// moved out of the source folders counts no more, so the file's time goes back with them.
TEST_F(SourceWatchTest, ItFollowsTheSourcesAsTheyAreNowBackwardsToo) {
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  ASSERT_TRUE(told("browser/net/tls.hpp", Clock::now() + std::chrono::hours(2)));
  const auto back = Clock::now() - std::chrono::hours(1);
  fs::last_write_time(root() / "browser/net/tls.hpp", back);  // as `touch -d` does
  EXPECT_TRUE(file_says(back)) << watcher->stderr_text();
  fs::remove(root() / "browser/net/tls.hpp");
  EXPECT_TRUE(file_says(newest_)) << watcher->stderr_text();  // shared/newest.hpp again
  fs::rename(root() / "shared", root() / "shared-old");       // out of the source folders
  const auto left = std::max({fs::last_write_time(root() / "CMakeLists.txt"),
                              fs::last_write_time(root() / "browser/main.cpp"),
                              fs::last_write_time(root() / "dns/CMakeLists.txt")});
  EXPECT_TRUE(file_says(left)) << watcher->stderr_text();
  // And what goes on in the folder moved out is not told any more.
  write("shared-old/later.hpp", Clock::now() + std::chrono::hours(3));
  EXPECT_TRUE(told("dns/resolver.cpp", Clock::now() + std::chrono::hours(1)))
      << watcher->stderr_text();
}

// What is not a source of the browser, however new, moves nothing: a file of another kind, or
// a source of another program. Each is dated tomorrow: had one moved the file, the source
// written after it (dated an hour ahead) could not move it back.
TEST_F(SourceWatchTest, NothingButTheBrowsersSourcesMovesIt) {
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  const auto tomorrow = Clock::now() + std::chrono::hours(24);
  write("shared/notes.txt", tomorrow);
  write("ca/authority.cpp", tomorrow);
  write("README.md", tomorrow);
  EXPECT_TRUE(told("browser/main.cpp", Clock::now() + std::chrono::hours(1)))
      << watcher->stderr_text();
}

// The real launcher's fast path, on a state folder of the test's own whose browse.sh names a
// browser that prints whether it was asked to check its sources.
class FastPathTest : public SourceWatchTest {
 protected:
  void SetUp() override {
    SourceWatchTest::SetUp();
    for (const char* folder : {"ca", "downloads", "run"}) fs::create_directories(state() / folder);
    std::ofstream(state() / "ca/root.pem");
    std::ofstream(state() / "plan.sh");
    std::ofstream(browser()) << "#!/bin/sh\nprintf 'root=%s\\n' \"${MINIWEB_BROWSE_ROOT-unset}\"\n";
    fs::permissions(browser(), fs::perms::owner_all);
    // The resolver the fast path asks after: a process of sleep's, named as its program.
    resolver_ = std::make_unique<ServerProcess>(std::vector<std::string>{"/bin/sleep", "60"},
                                                dir_.path() / "sleep.err");
    write_fast_path("");
  }
  fs::path state() const { return dir_.path() / "state"; }
  fs::path browser() const { return dir_.path() / "browser"; }
  // The file `up` writes, naming `watcher_pid` as the source watcher's ("": none started).
  void write_fast_path(const std::string& watcher_pid) {
    std::ofstream(state() / "run/browse.sh")
        << "browse_root='" MINIWEB_SOURCE_DIR "'\nbrowse_bin_dir=''\nbrowse_dns='/bin/sleep'\n"
        << "browse_browser='" << browser().string() << "'\nbrowse_options=''\n"
        << "browse_resolver_pid=" << resolver_->pid() << "\n"
        << "browse_watch_bin='" MINIWEB_SOURCE_WATCH_BINARY "'\nbrowse_watcher_pid=" << watcher_pid
        << "\n";
  }
  // The time the fast path reads, an hour before the browser was made.
  void sources_changed_before_the_browser() {
    std::ofstream(state() / "run/sources-newest");
    fs::last_write_time(state() / "run/sources-newest",
                        fs::last_write_time(browser()) - std::chrono::hours(1));
  }
  std::string browse() {
    return run_command("env -u MINIWEB_BIN_DIR -u MINIWEB_IN_NAMESPACE MINIWEB_STATE='" +
                           state().string() + "' " MINIWEB_SOURCE_DIR "/miniweb browse --dump x",
                       dir_.path() / "browse.err")
        .out;
  }

  std::unique_ptr<ServerProcess> resolver_;
};

TEST_F(FastPathTest, WithTheWatcherRunningTheBrowserIsNotAskedToCheck) {
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  write_fast_path(std::to_string(watcher->pid()));
  sources_changed_before_the_browser();
  EXPECT_EQ(browse(), "root=unset\n");
}

TEST_F(FastPathTest, WithoutTheWatcherOrItsFileTheBrowserChecksItself) {
  const std::string checks = "root=" MINIWEB_SOURCE_DIR "\n";
  EXPECT_EQ(browse(), checks);  // no watcher was ever started
  // A pid that names another program (a reused pid): not the watcher.
  write_fast_path(std::to_string(resolver_->pid()));
  sources_changed_before_the_browser();
  EXPECT_EQ(browse(), checks);
  // The watcher running, its file not written yet.
  const auto watcher = start_watcher();
  ASSERT_NE(watcher, nullptr);
  write_fast_path(std::to_string(watcher->pid()));
  fs::remove(state() / "run/sources-newest");
  EXPECT_EQ(browse(), checks);
}

}  // namespace
