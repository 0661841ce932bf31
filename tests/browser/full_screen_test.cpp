// The full-screen terminal face, as a person uses it: the real miniweb-browser in a real
// terminal (tmux), keys pressed, the screen read back. The environment says C, as a bare
// container's does: UTF-8 must still draw.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/support/tmux_terminal.hpp"

namespace miniweb::browser {
namespace {

using test_support::TmuxTerminal;

class BrowserFullScreen : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-full-screen-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "docs");
    std::ofstream(dir_ / "a.html")
        << "<title>Page A</title><h1>Alpha</h1><p>Go to <a href='b.html'>page B</a> or "
           "<a href='docs/c.html'>page C</a>.</p><p>Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC</p>";
    std::string long_page = "<title>Page B</title><h1>Beta</h1>";
    for (int i = 1; i <= 80; ++i) long_page += "<p>line " + std::to_string(i) + "</p>";
    long_page += "<p><a href='a.html'>back to A</a></p>";
    std::ofstream(dir_ / "b.html") << long_page;
    std::ofstream(dir_ / "docs" / "c.html") << "<title>Page C</title><p>C is here";
    std::ofstream(dir_ / "based.html")
        << "<base href='docs/'><title>Based</title><p><a href='c.html'>relative</a>";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string url(const std::string& file) const { return "file://" + (dir_ / file).string(); }
  // TERM says what tmux's terminal is, so that keys such as End arrive as ncurses expects.
  std::string browser(const std::string& file) const {
    return "env LANG=C LC_ALL= LC_CTYPE= TERM=screen " MINIWEB_BROWSER_BINARY " --terminal " +
           url(file);
  }

  std::filesystem::path dir_;
};

TEST_F(BrowserFullScreen, TabEnterAndLeftMoveToALinkFollowItAndComeBack) {
  TmuxTerminal terminal(browser("a.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("Alpha")) << terminal.screen();
  // The page fills the screen under its title; the first link is highlighted and the status
  // line says where it leads.
  EXPECT_TRUE(terminal.screen().starts_with(" Page A")) << terminal.screen();
  ASSERT_TRUE(terminal.wait_for("-> " + url("b.html"))) << terminal.screen();
  EXPECT_NE(terminal.screen_with_attributes().find("7mpage B"), std::string::npos)
      << terminal.screen_with_attributes();
  terminal.keys("Tab");
  ASSERT_TRUE(terminal.wait_for("-> " + url("docs/c.html"))) << terminal.screen();
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("C is here")) << terminal.screen();
  EXPECT_NE(terminal.screen().find(url("docs/c.html")), std::string::npos) << terminal.screen();
  terminal.keys("Left");
  ASSERT_TRUE(terminal.wait_for("Alpha")) << terminal.screen();
  terminal.keys("q");
  EXPECT_TRUE(terminal.wait_for("EXITED 0")) << terminal.screen();
}

TEST_F(BrowserFullScreen, DrawsUtf8WhenTheEnvironmentSaysC) {
  TmuxTerminal terminal(browser("a.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("Alpha")) << terminal.screen();
  EXPECT_NE(terminal.screen().find("Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC"), std::string::npos)
      << terminal.screen();
}

// A link on a page with <base href> leads where the base says, as in the dump and the window.
TEST_F(BrowserFullScreen, FollowsLinksAgainstTheBaseHref) {
  TmuxTerminal terminal(browser("based.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("-> " + url("docs/c.html"))) << terminal.screen();
  terminal.keys("Enter");
  EXPECT_TRUE(terminal.wait_for("C is here")) << terminal.screen();
}

TEST_F(BrowserFullScreen, ArrowsScrollALongPageAndEndReachesItsLastLink) {
  TmuxTerminal terminal(browser("b.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("line 1")) << terminal.screen();
  EXPECT_EQ(terminal.screen().find("line 40"), std::string::npos);
  // No link near: Down moves a screen at a time (21 rows: over 10 paragraphs), as lynx does.
  terminal.keys("Down");
  ASSERT_TRUE(terminal.wait_for("line 20")) << terminal.screen();
  EXPECT_EQ(terminal.screen().find("line 10\n"), std::string::npos) << terminal.screen();
  terminal.keys("End");
  ASSERT_TRUE(terminal.wait_for("-> " + url("a.html"))) << terminal.screen();
  terminal.keys("Enter");
  EXPECT_TRUE(terminal.wait_for("Alpha")) << terminal.screen();
}

TEST_F(BrowserFullScreen, SearchesShowsTheSourceAndThePagesInformation) {
  TmuxTerminal terminal(browser("b.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("line 1")) << terminal.screen();
  terminal.keys("/");
  ASSERT_TRUE(terminal.wait_for("Search for:")) << terminal.screen();
  terminal.type("line 61");
  terminal.keys("Enter");
  // The match is shown in standout (for TERM=screen, tmux's italics: ESC [3m) once the prompt
  // has gone.
  bool highlighted = false;
  for (int i = 0; i < 100 && !highlighted; ++i) {
    highlighted = terminal.screen_with_attributes().find("\x1b[3mline 61") != std::string::npos &&
                  terminal.screen().find("Search for:") == std::string::npos;
    if (!highlighted) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(highlighted) << terminal.screen_with_attributes();
  terminal.keys("'\\'");
  ASSERT_TRUE(terminal.wait_for("<title>Page B</title>")) << terminal.screen();
  terminal.keys("Left");
  terminal.keys("=");
  ASSERT_TRUE(terminal.wait_for("Information about this page")) << terminal.screen();
  EXPECT_NE(terminal.screen().find("a local file"), std::string::npos) << terminal.screen();
  terminal.keys("Left");
  EXPECT_TRUE(terminal.wait_for("line 61")) << terminal.screen();
}

// A page of the browser's own (the information, the source, the keys) is shown over the page;
// loading another page from there leaves no view pointing into it (the browser runs under
// AddressSanitizer in these tests).
TEST_F(BrowserFullScreen, LoadingFromAPageShownOverThePageIsSafe) {
  TmuxTerminal terminal(browser("b.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("line 1")) << terminal.screen();
  terminal.keys("'\\'");
  ASSERT_TRUE(terminal.wait_for("<title>Page B</title>")) << terminal.screen();
  terminal.keys("r");
  ASSERT_TRUE(terminal.wait_for("Beta")) << terminal.screen();
  // The reloaded page replaces whatever is shown when it arrives: ask again until it has.
  bool information = false;
  for (int attempt = 0; attempt < 5 && !information; ++attempt) {
    terminal.keys("=");
    information = terminal.wait_for("Information about this page", std::chrono::seconds(1));
  }
  ASSERT_TRUE(information) << terminal.screen();
  terminal.keys("g");
  terminal.type((dir_ / "docs/c.html").string());
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("C is here")) << terminal.screen();
  terminal.keys("q");
  EXPECT_TRUE(terminal.wait_for("EXITED 0")) << terminal.screen();
}

TEST_F(BrowserFullScreen, GOpensATypedAddressAndAFailureShowsItsPage) {
  TmuxTerminal terminal(browser("a.html"), 80, 24);
  ASSERT_TRUE(terminal.wait_for("Alpha")) << terminal.screen();
  terminal.keys("g");
  ASSERT_TRUE(terminal.wait_for("URL to open:")) << terminal.screen();
  terminal.type((dir_ / "missing.html").string());
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("This file can't be opened")) << terminal.screen();
  terminal.keys("g");
  terminal.type((dir_ / "docs/c.html").string());
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("C is here")) << terminal.screen();
  terminal.keys("q");
  EXPECT_TRUE(terminal.wait_for("EXITED 0")) << terminal.screen();
}

TEST_F(BrowserFullScreen, AResizedTerminalGetsThePageLaidOutAgain) {
  std::ofstream(dir_ / "wide.html")
      << "<title>Wide</title><p>one two three four five six seven eight nine ten eleven "
         "twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty</p>";
  TmuxTerminal terminal(browser("wide.html"), 120, 24);
  ASSERT_TRUE(terminal.wait_for("nineteen twenty")) << terminal.screen();
  terminal.resize(40, 24);
  // At 40 columns the paragraph wraps: its last words move to lines of their own.
  ASSERT_TRUE(terminal.wait_for("twenty")) << terminal.screen();
  bool wrapped = false;
  for (int i = 0; i < 100 && !wrapped; ++i) {
    const std::string screen = terminal.screen();
    wrapped = screen.find("one two three four five six seven eight") == std::string::npos &&
              screen.find("twenty") != std::string::npos;
    if (!wrapped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(wrapped) << terminal.screen();
}

}  // namespace
}  // namespace miniweb::browser
