// Forms in the full-screen terminal, as a person fills one: the real miniweb-browser in a real
// terminal (tmux) loads a form from a real server on loopback; fields are selected with Tab,
// typed into in place, toggled, picked from a list and submitted; the server's echo of what it
// received is checked, and so is the question before a POST is sent again.

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "shared/html_escape.hpp"
#include "tests/browser/test_origin.hpp"
#include "tests/support/tmux_terminal.hpp"

namespace miniweb::browser {
namespace {

using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;
using test_support::TmuxTerminal;

constexpr const char* kForm = R"(<title>Echo form</title>
<h1>Sign up</h1>
<form method=post action=/echo>
<p>Name <input name=who size=12>
<p>Secret <input type=password name=secret size=8>
<p><input type=checkbox name=agree value=yes> I agree
<p>Size <select name=size><option>small<option>medium<option>large</select>
<p>Note <textarea name=note rows=2 cols=16></textarea>
<p><input type=submit name=go value=Send>
</form>)";

// The form page on GET, and on POST a page that shows the body it received.
OriginReply echo(const OriginRequest& seen) {
  if (seen.request.method == "POST") {
    return {test::http_response(
        200, "OK", {"Content-Type: text/html"},
        "<title>Echo</title><p>received: " + html_escape(seen.request.body) + "</p>")};
  }
  return {test::http_response(200, "OK", {"Content-Type: text/html"}, kForm)};
}

class FullScreenForms : public ::testing::Test {
 protected:
  std::string browser(const std::string& path) const {
    return "env LANG=C LC_ALL= LC_CTYPE= TERM=screen " MINIWEB_BROWSER_BINARY
           " --terminal --fresh http://127.0.0.1:" +
           std::to_string(origin_.port()) + path;
  }
  std::vector<std::string> posted() const {
    std::vector<std::string> bodies;
    for (const OriginRequest& seen : origin_.requests())
      if (seen.request.method == "POST") bodies.push_back(seen.request.body);
    return bodies;
  }
  // Waits until the screen shows `text` with the given attribute prefix (reverse: "\x1b[7m").
  static bool wait_for_attributed(TmuxTerminal& terminal, const std::string& text) {
    for (int i = 0; i < 200; ++i) {
      if (terminal.screen_with_attributes().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  TestOrigin origin_{echo};
};

TEST_F(FullScreenForms, FillsEveryKindOfFieldAndSubmits) {
  TmuxTerminal terminal(browser("/form"), 100, 30);
  ASSERT_TRUE(terminal.wait_for("Sign up")) << terminal.screen();
  // The first field is selected like a link: highlighted, and the status line says what it is.
  ASSERT_TRUE(terminal.wait_for("(text field \"who\") Enter types into it")) << terminal.screen();
  EXPECT_TRUE(wait_for_attributed(terminal, "7m[____________]"))
      << terminal.screen_with_attributes();

  // Enter edits in place; Enter again ends the edit and moves on to the next field.
  terminal.keys("Enter");
  terminal.type("Ada Lx");
  ASSERT_TRUE(terminal.wait_for("[Ada Lx______]")) << terminal.screen();
  terminal.keys("BSpace");
  terminal.type("ovelace");
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("(password field \"secret\")")) << terminal.screen();
  EXPECT_NE(terminal.screen().find("[Ada Lovelace]"), std::string::npos) << terminal.screen();

  // A password shows as stars, while typed and after.
  terminal.keys("Enter");
  terminal.type("s3cr");
  ASSERT_TRUE(terminal.wait_for("****____")) << terminal.screen();
  EXPECT_EQ(terminal.screen().find("s3cr"), std::string::npos) << terminal.screen();
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("(checkbox \"agree\") Enter or Space toggles it"))
      << terminal.screen();

  terminal.keys("Space");
  ASSERT_TRUE(terminal.wait_for("[X] I agree")) << terminal.screen();

  // A select opens a list under it; Down and Enter pick.
  terminal.keys("Tab");
  ASSERT_TRUE(terminal.wait_for("(select \"size\")")) << terminal.screen();
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("| large  |")) << terminal.screen();
  terminal.keys("Down");
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("Size [medium]")) << terminal.screen();
  EXPECT_EQ(terminal.screen().find("| large  |"), std::string::npos) << terminal.screen();

  // A textarea: Enter starts a new line, Tab ends the edit.
  terminal.keys("Tab");
  ASSERT_TRUE(terminal.wait_for("(textarea \"note\")")) << terminal.screen();
  terminal.keys("Enter");
  terminal.type("one");
  terminal.keys("Enter");
  terminal.type("two");
  terminal.keys("Tab");
  ASSERT_TRUE(terminal.wait_for("(submit button \"go\") Enter sends the form"))
      << terminal.screen();
  EXPECT_NE(terminal.screen().find("[one_____________]"), std::string::npos) << terminal.screen();
  EXPECT_NE(terminal.screen().find("[two_____________]"), std::string::npos) << terminal.screen();

  terminal.keys("Enter");
  const std::string expected =
      "who=Ada+Lovelace&secret=s3cr&agree=yes&size=medium&note=one%0D%0Atwo&go=Send";
  ASSERT_TRUE(terminal.wait_for("received: " + expected)) << terminal.screen();
  ASSERT_EQ(posted(), std::vector<std::string>{expected});
  EXPECT_NE(terminal.screen().find("/echo  200 OK"), std::string::npos) << terminal.screen();

  // Reload asks before sending the form again: n sends nothing...
  terminal.keys("r");
  ASSERT_TRUE(terminal.wait_for("Send the form again?")) << terminal.screen();
  EXPECT_NE(terminal.screen().find("(y/n)"), std::string::npos) << terminal.screen();
  terminal.keys("n");
  ASSERT_TRUE(terminal.wait_for("the form was not sent again")) << terminal.screen();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(posted().size(), 1u);
  // ... y sends it once more.
  terminal.keys("r");
  ASSERT_TRUE(terminal.wait_for("Send the form again?")) << terminal.screen();
  terminal.keys("y");
  for (int i = 0; i < 100 && posted().size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(posted(), (std::vector<std::string>{expected, expected}));
  ASSERT_TRUE(terminal.wait_for("received: " + expected)) << terminal.screen();

  // Back to the form, then forward to the POST's page: the question again; n keeps the form.
  terminal.keys("Left");
  ASSERT_TRUE(terminal.wait_for("Sign up")) << terminal.screen();
  terminal.keys("f");
  ASSERT_TRUE(terminal.wait_for("Send the form again?")) << terminal.screen();
  terminal.keys("n");
  ASSERT_TRUE(terminal.wait_for("the form was not sent again")) << terminal.screen();
  EXPECT_NE(terminal.screen().find("Sign up"), std::string::npos) << terminal.screen();
  EXPECT_EQ(posted().size(), 2u);
  terminal.keys("q");
  EXPECT_TRUE(terminal.wait_for("EXITED 0")) << terminal.screen();
}

// Escape leaves a field as it was; a GET form puts the fields in the URL.
TEST_F(FullScreenForms, EscapeUndoesAnEditAndAGetFormSubmitsInItsUrl) {
  TestOrigin search([](const OriginRequest& seen) {
    const std::string target = seen.request.target;
    if (target.starts_with("/find?"))
      return OriginReply{
          test::http_response(200, "OK", {"Content-Type: text/html"},
                              "<title>Found</title><p>asked " + html_escape(target))};
    return OriginReply{test::http_response(
        200, "OK", {"Content-Type: text/html"},
        "<title>Search</title><form action=/find><input name=q value=old><input type=submit "
        "value=Find></form>")};
  });
  TmuxTerminal terminal("env LANG=C TERM=screen " MINIWEB_BROWSER_BINARY
                        " --terminal --fresh http://127.0.0.1:" +
                            std::to_string(search.port()) + "/",
                        100, 30);
  ASSERT_TRUE(terminal.wait_for("[old_________________]")) << terminal.screen();
  terminal.keys("Enter");
  terminal.type("zzz");
  ASSERT_TRUE(terminal.wait_for("oldzzz")) << terminal.screen();
  terminal.keys("Escape");
  ASSERT_TRUE(terminal.wait_for("[old_________________]")) << terminal.screen();
  terminal.keys("Enter");
  terminal.keys("C-u");
  terminal.type("new words");
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("(submit button) Enter sends the form")) << terminal.screen();
  terminal.keys("Enter");
  EXPECT_TRUE(terminal.wait_for("asked /find?q=new+words")) << terminal.screen();
}

}  // namespace
}  // namespace miniweb::browser
