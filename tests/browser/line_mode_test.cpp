// The terminal's line mode, driven by typed commands over local file:// pages.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "browser/terminal/line_mode.hpp"
#include "tests/browser/test_origin.hpp"

namespace miniweb::browser {
namespace {

class BrowserLineMode : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-terminal-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "a.html")
        << "<title>Page A</title><h1>Alpha</h1><p><a href='b.html'>to B</a> "
           "<a href='missing.html'>gone</a>";
    std::string long_text;
    for (int i = 1; i <= 60; ++i) long_text += "<p>line " + std::to_string(i) + "</p>";
    std::ofstream(dir_ / "b.html") << "<title>Page B</title><h1>Beta</h1>" << long_text;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string drive(const std::string& commands, int* exit_code = nullptr) {
    NavigatorOptions options;
    options.download_dir = dir_;
    Navigator navigator(options);
    std::istringstream in(commands);
    std::ostringstream out;
    LineModeOptions line_mode;
    line_mode.screen_lines = 10;
    auto start = Url::parse("file://" + (dir_ / start_page_).string());
    int code = run_line_mode(navigator, *start, line_mode, in, out);
    if (exit_code) *exit_code = code;
    return out.str();
  }

  std::filesystem::path dir_;
  std::string start_page_ = "a.html";
};

TEST_F(BrowserLineMode, ShowsThePageWithNumberedLinks) {
  std::string out = drive("q\n");
  EXPECT_NE(out.find("== Page A =="), std::string::npos) << out;
  EXPECT_NE(out.find("[1]to B"), std::string::npos) << out;
  EXPECT_NE(out.find("[2]gone"), std::string::npos) << out;
}

TEST_F(BrowserLineMode, FollowsALinkThenGoesBackAndForward) {
  std::string out = drive("1\nb\nf\nq\n");
  auto b1 = out.find("== Page B ==");
  auto a2 = out.find("== Page A ==", b1);
  auto b2 = out.find("== Page B ==", a2);
  EXPECT_NE(b1, std::string::npos) << out;
  EXPECT_NE(a2, std::string::npos) << out;
  EXPECT_NE(b2, std::string::npos) << out;
}

TEST_F(BrowserLineMode, PagesThroughALongPage) {
  std::string out = drive("1\n\n\np\nq\n");
  EXPECT_NE(out.find("[lines 1-10 of"), std::string::npos) << out;
  EXPECT_NE(out.find("[lines 11-20 of"), std::string::npos) << out;
  EXPECT_NE(out.find("[lines 21-30 of"), std::string::npos) << out;
  EXPECT_NE(out.rfind("[lines 11-20 of"), out.find("[lines 11-20 of")) << "p went back one screen";
}

TEST_F(BrowserLineMode, ViewsSourceListsLinksAndReloads) {
  std::string out = drive("s\nl\nr\nq\n");
  EXPECT_NE(out.find("(source)"), std::string::npos) << out;
  EXPECT_NE(out.find("<a href='b.html'>to B</a>"), std::string::npos) << out;
  EXPECT_NE(out.find("1. file://" + (dir_ / "b.html").string()), std::string::npos) << out;
}

TEST_F(BrowserLineMode, ExplainsMistakesAndFailures) {
  int code = 0;
  std::string out = drive("7\nb\nzz\n2\nq\n", &code);
  EXPECT_NE(out.find("there is no link 7 (this page has 2)"), std::string::npos) << out;
  EXPECT_NE(out.find("no page to go back to"), std::string::npos) << out;
  EXPECT_NE(out.find("unknown command 'zz'"), std::string::npos) << out;
  EXPECT_NE(out.find("!! cannot open the local file"), std::string::npos) << out;
  EXPECT_EQ(code, 37);
}

TEST_F(BrowserLineMode, GoesToATypedUrlAndTogglesTheTrace) {
  std::string out = drive("t\ng " + (dir_ / "b.html").string() + "\nq\n");
  EXPECT_NE(out.find("trace on"), std::string::npos) << out;
  EXPECT_NE(out.find("* journey of file://"), std::string::npos) << out;
  EXPECT_NE(out.find("== Page B =="), std::string::npos) << out;
}

// A link on a page with <base href> leads where the base says, as in the dump and the window.
TEST_F(BrowserLineMode, FollowsLinksAgainstTheBaseHref) {
  std::filesystem::create_directories(dir_ / "docs");
  std::ofstream(dir_ / "docs" / "target.html") << "<title>Target</title><p>arrived";
  std::ofstream(dir_ / "based.html") << "<base href='docs/'><title>Based</title>"
                                        "<p><a href='target.html'>go</a>";
  start_page_ = "based.html";
  std::string out = drive("l\n1\nq\n");
  EXPECT_NE(out.find("1. file://" + (dir_ / "docs/target.html").string()), std::string::npos)
      << out;
  EXPECT_NE(out.find("== Target =="), std::string::npos) << out;
}

// Forms by number: "i" lists the fields, "i N" uses one; the POST's page is sent again on
// reload only after "y".
TEST_F(BrowserLineMode, FillsAFormByNumberAndAsksBeforeSendingItAgain) {
  test::TestOrigin origin([](const test::OriginRequest& seen) {
    const std::string body = seen.request.method == "POST"
                                 ? "<title>Echo</title><p>received " + seen.request.body
                                 : "<title>Form</title><form method=post action=/echo>"
                                   "<input name=who><input type=checkbox name=agree value=yes>"
                                   "<select name=size><option>S<option>M</select>"
                                   "<input type=submit name=go value=Send></form>";
    return test::OriginReply{test::http_response(200, "OK", {"Content-Type: text/html"}, body)};
  });
  NavigatorOptions options;
  options.download_dir = dir_;
  Navigator navigator(options);
  std::istringstream in("i\ni 1\nAda L\ni 2\ni 3\n2\ni 4\nr\nn\nr\ny\nq\n");
  std::ostringstream out;
  auto start = Url::parse("http://127.0.0.1:" + std::to_string(origin.port()) + "/form");
  run_line_mode(navigator, *start, LineModeOptions{}, in, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("1. text field \"who\":"), std::string::npos) << text;
  EXPECT_NE(text.find("4. submit button \"go\""), std::string::npos) << text;
  EXPECT_NE(text.find("checkbox agree is now X"), std::string::npos) << text;
  EXPECT_NE(text.find("received who=Ada+L&agree=yes&size=M&go=Send"), std::string::npos) << text;
  EXPECT_NE(text.find("Send the form again?"), std::string::npos) << text;
  EXPECT_NE(text.find("the form was not sent again"), std::string::npos) << text;
  int posts = 0;
  for (const auto& seen : origin.requests()) posts += seen.request.method == "POST";
  EXPECT_EQ(posts, 2) << text;
}

}  // namespace
}  // namespace miniweb::browser
