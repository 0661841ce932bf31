// The real miniweb-browser binary, as the launcher's fast path runs it: it checks that it is
// not older than its sources (browser/stale_check.hpp) and hands a stale command back to the
// launcher's full path with the user's arguments alone. The checkout here is a folder of the
// test's, whose `miniweb` prints what it was given.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/command_output.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using miniweb::test_support::run_command;
using miniweb::test_support::TempDir;
namespace fs = std::filesystem;

class StaleCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* folder : {"browser/net", "dns", "shared/tls"})
      fs::create_directories(root() / folder);
    for (const char* file : {"CMakeLists.txt", "browser/main.cpp", "browser/net/tls.hpp",
                             "dns/CMakeLists.txt", "shared/tls/ocsp.cpp", "shared/notes.txt"}) {
      std::ofstream(root() / file) << "// a source\n";
      age(file, -std::chrono::hours(24 * 365));
    }
    std::ofstream(root() / "miniweb")
        << "printf '%s\\n' launcher \"$@\" \"root=${MINIWEB_BROWSE_ROOT-unset}\"\n";
    std::ofstream(page_) << "<title>t</title><p>the browser ran</p>\n";
  }

  fs::path root() const { return dir_.path() / "checkout"; }
  // Moves FILE's modification time by OFFSET from now.
  void age(const std::string& file, std::chrono::seconds offset) {
    fs::last_write_time(root() / file, fs::file_time_type::clock::now() + offset);
  }
  // The browser as the fast path execs it: the launcher's options, then the user's
  // arguments (here two: --dump and the page, unless told otherwise).
  miniweb::test_support::RunResult browse(const std::string& argument_count = "2") {
    return browse_with("--dump '" + page_.string() + "'", argument_count);
  }
  miniweb::test_support::RunResult browse_with(const std::string& user_arguments,
                                               const std::string& argument_count = "2") {
    return run_command("MINIWEB_BROWSE_ROOT='" + root().string() +
                           "' MINIWEB_BROWSE_ARGC=" + argument_count +
                           " " MINIWEB_BROWSER_BINARY " --hosts /dev/null " + user_arguments,
                       dir_.path() / "err");
  }

  TempDir dir_{"miniweb-stale-check"};
  fs::path page_ = dir_.path() / "page.html";
};

TEST_F(StaleCheckTest, ABrowserNewerThanEverySourceRuns) {
  const auto result = browse();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("the browser ran"), std::string::npos) << result.out;
}

TEST_F(StaleCheckTest, ANewerSourceHandsTheUsersArgumentsToTheLauncher) {
  for (const char* file :
       {"shared/tls/ocsp.cpp", "browser/net/tls.hpp", "dns/CMakeLists.txt", "CMakeLists.txt"}) {
    SCOPED_TRACE(file);
    age(file, std::chrono::hours(1));
    const auto result = browse();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    // The launcher's options are not passed back (its full path gives its own), and neither
    // is the request for a check.
    EXPECT_EQ(result.out, "launcher\nbrowse\n--dump\n" + page_.string() + "\nroot=unset\n");
    age(file, -std::chrono::hours(24 * 365));
  }
}

// The check runs beside the start and the load; a stale browser still says nothing of its
// own before it hands over: not that an option is unknown (the new one may know it), nor that
// a load failed (nothing listens on port 1).
TEST_F(StaleCheckTest, AStaleBrowserHandsOverBeforeItPrintsAnything) {
  age("browser/main.cpp", std::chrono::hours(1));
  const auto unknown = browse_with("--an-option-yet-to-come '" + page_.string() + "'");
  EXPECT_EQ(unknown.out,
            "launcher\nbrowse\n--an-option-yet-to-come\n" + page_.string() + "\nroot=unset\n");
  EXPECT_EQ(unknown.err, "");
  const auto refused = browse_with("--dump https://127.0.0.1:1/");
  EXPECT_EQ(refused.out, "launcher\nbrowse\n--dump\nhttps://127.0.0.1:1/\nroot=unset\n");
  EXPECT_EQ(refused.err, "");
  // With an https URL the TLS head start's thread runs the check once its context is made;
  // an option the program does not know settles it at once, before that thread has begun it.
  const auto early = browse_with("--an-option-yet-to-come https://127.0.0.1:1/");
  EXPECT_EQ(early.out,
            "launcher\nbrowse\n--an-option-yet-to-come\nhttps://127.0.0.1:1/\nroot=unset\n");
  EXPECT_EQ(early.err, "");
}

// An https load whose head start's thread ran the check, and found nothing newer: the load goes
// on, and fails as it would have (nothing listens on port 1).
TEST_F(StaleCheckTest, AnHttpsLoadGoesOnOnceTheCheckFindsNothingNewer) {
  const auto refused = browse_with("--dump https://127.0.0.1:1/");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.out.find("launcher"), std::string::npos) << refused.out;
  EXPECT_NE(refused.err.find("127.0.0.1:1"), std::string::npos) << refused.err;
}

TEST_F(StaleCheckTest, ANewerFileThatIsNotASourceIsNoReasonToBuild) {
  age("shared/notes.txt", std::chrono::hours(1));
  const auto result = browse();
  EXPECT_NE(result.out.find("the browser ran"), std::string::npos) << result.out;
}

TEST_F(StaleCheckTest, WithoutAUsableArgumentCountTheBrowserRuns) {
  age("browser/main.cpp", std::chrono::hours(1));
  for (const char* count : {"x", "-1", "2x", "", "99"}) {
    SCOPED_TRACE(count);
    const auto result = browse(count);
    EXPECT_NE(result.out.find("the browser ran"), std::string::npos) << result.out;
  }
}

}  // namespace
