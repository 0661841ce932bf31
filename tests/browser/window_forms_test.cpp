// Forms in the SDL2 window, headless (SDL's offscreen driver, the software renderer): the
// fields of a page from a real server on loopback are drawn as widgets (checked on the
// window's pixels), filled and submitted with events as SDL delivers a user's (clicks, typed
// text, Tab, Return), and the server's record of what it received is checked. A page that came
// from a POST is sent again only after the question bar's y; a form on an https page that posts
// to http:// asks first.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "browser/window/browser_window.hpp"
#include "browser/window/window_style.hpp"
#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "shared/html_escape.hpp"
#include "tests/browser/test_origin.hpp"
#include "tests/browser/window_events.hpp"

namespace miniweb::browser::window {
namespace {

using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

const std::filesystem::path kScreenshots = MINIWEB_WINDOW_SCREENSHOT_DIR;
constexpr std::uint32_t kBorder = 0x767676;  // kFieldBorder
constexpr std::uint32_t kMark = 0x1A73E8;    // kFocus: a checked box, a focused field's ring

constexpr const char* kForm = R"(<title>Window form</title>
<h1>Sign up</h1>
<form method=post action=/echo>
<p>Name <input name=who>
<p>Secret <input type=password name=secret size=10>
<p><input type=checkbox name=agree value=yes> I agree <input type=checkbox name=news checked> News
<p>Colour <input type=radio name=colour value=red checked> red
          <input type=radio name=colour value=blue> blue
<p>Size <select name=size><option>small<option>medium<option>large</select>
<p>Note <textarea name=note rows=3 cols=24></textarea>
<p>Photo <input type=file name=photo>
<p><input type=submit name=go value=Send> <input type=reset>
</form>)";

OriginReply echo(const OriginRequest& seen) {
  if (seen.request.method == "POST")
    return {test::http_response(
        200, "OK", {"Content-Type: text/html"},
        "<title>Echo</title><p>received: " + html_escape(seen.request.body) + "</p>")};
  return {test::http_response(200, "OK", {"Content-Type: text/html"}, kForm)};
}

// Each event handled at once.
void click_now(BrowserWindow& window, int x, int y) {
  click(window, x, y);
  window.pump();
}

void click_middle(BrowserWindow& window, const SDL_Rect& rect) {
  click_now(window, rect.x + rect.w / 2, rect.y + rect.h / 2);
}

void key_now(BrowserWindow& window, SDL_Keycode code, Uint16 mod = KMOD_NONE) {
  key(window, code, mod);
  window.pump();
}

void type_now(BrowserWindow& window, const std::string& text) {
  type_text(window, text);
  window.pump();
}

class WindowForms : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
    ::setenv("SDL_AUDIODRIVER", "dummy", 1);
    std::filesystem::create_directories(kScreenshots);
  }
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-window-forms-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  WindowOptions options() const { return headless_options(dir_, 900, 700); }
  std::unique_ptr<BrowserWindow> open_window() const {
    std::ofstream(dir_ / "hosts") << "127.0.0.1 forms.example.test\n";
    auto window = BrowserWindow::create(options());
    if (!window) {
      ADD_FAILURE() << window.error().message;
      return nullptr;
    }
    return std::move(*window);
  }
  std::vector<std::string> posted(const TestOrigin& origin) const {
    std::vector<std::string> bodies;
    for (const OriginRequest& seen : origin.requests())
      if (seen.request.method == "POST") bodies.push_back(seen.request.body);
    return bodies;
  }
  static std::string value(const BrowserWindow& window, int control) {
    return window.page()->forms.forms[0].controls[static_cast<std::size_t>(control)].value;
  }

  std::filesystem::path dir_;
};

TEST_F(WindowForms, FieldsAreWidgetsThatAreClickedTypedIntoAndSubmitted) {
  TestOrigin origin(echo);
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate("http://127.0.0.1:" + std::to_string(origin.port()) + "/form");
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_FALSE(window->showing_error()) << window->status_text();
  // who, secret, agree, news, colour red, colour blue, size, note, photo, go, reset
  ASSERT_EQ(window->display_list().fields.size(), 11u);
  std::vector<SDL_Rect> rects;
  for (int i = 0; i < 11; ++i) {
    const auto rect = window->field_rect(i);
    ASSERT_TRUE(rect) << "field " << i << " is not shown";
    rects.push_back(*rect);
  }

  // Drawn as widgets: a text field's border along its left edge, white inside; a checked box
  // filled with the mark colour, an unchecked one white in a border; a checked radio's dot.
  auto pixels = window->read_pixels();
  ASSERT_TRUE(pixels) << pixels.error().message;
  const SDL_Rect& who = rects[0];
  EXPECT_EQ(pixels->at(who.x, who.y + who.h / 2), kBorder);
  EXPECT_EQ(pixels->at(who.x + who.w - 1, who.y + who.h / 2), kBorder);
  EXPECT_EQ(pixels->at(who.x + who.w / 2, who.y + who.h / 2), 0xFFFFFFu);
  EXPECT_GT(pixels_of_colour(*pixels, kMark, rects[3]), 40) << "the checked box has no mark";
  EXPECT_EQ(pixels_of_colour(*pixels, kMark, rects[2]), 0) << "the unchecked box has a mark";
  EXPECT_GT(pixels_of_colour(*pixels, kBorder, rects[2]), 20) << "the unchecked box has no border";
  EXPECT_GT(pixels_of_colour(*pixels, kMark, rects[4]), 20) << "the chosen radio has no dot";
  EXPECT_GT(pixels_of_colour(*pixels, kBorder, rects[7]), 2 * rects[7].h)
      << "the textarea has no box";

  // A click focuses the text field; typing goes into it; Tab moves on.
  click_middle(*window, who);
  EXPECT_EQ(window->focused_field(), 0);
  type_now(*window, "Ada Lx");
  key_now(*window, SDLK_BACKSPACE);
  type_now(*window, "ovelace");
  EXPECT_EQ(value(*window, 0), "Ada Lovelace");
  key_now(*window, SDLK_TAB);
  EXPECT_EQ(window->focused_field(), 1);
  type_now(*window, "s3cr");
  EXPECT_EQ(value(*window, 1), "s3cr");
  // Shift-Tab goes back; Space on a text field is typed, not scrolled.
  key_now(*window, SDLK_TAB, KMOD_LSHIFT);
  EXPECT_EQ(window->focused_field(), 0);

  // Clicks toggle the boxes and pick the other radio.
  click_middle(*window, rects[2]);
  click_middle(*window, rects[3]);
  click_middle(*window, rects[5]);
  const auto& controls = window->page()->forms.forms[0].controls;
  EXPECT_TRUE(controls[2].checked);
  EXPECT_FALSE(controls[3].checked);
  EXPECT_FALSE(controls[4].checked);
  EXPECT_TRUE(controls[5].checked);

  // The select opens its list under it; a click on an option picks it.
  click_middle(*window, rects[6]);
  ASSERT_EQ(window->open_select(), 6);
  click_now(*window, rects[6].x + 10,
            rects[6].y + rects[6].h + kOptionHeight * 2 + kOptionHeight / 2);
  EXPECT_EQ(window->open_select(), -1);
  EXPECT_EQ(controls[6].options[2].selected, true);
  // The keyboard too: Space opens it, Up chooses the option above, Return closes it.
  key_now(*window, SDLK_SPACE);
  ASSERT_EQ(window->open_select(), 6);
  key_now(*window, SDLK_UP);
  key_now(*window, SDLK_RETURN);
  EXPECT_EQ(window->open_select(), -1);
  EXPECT_TRUE(controls[6].options[1].selected);

  // A textarea takes Return as a new line.
  click_middle(*window, rects[7]);
  type_now(*window, "one");
  key_now(*window, SDLK_RETURN);
  type_now(*window, "two");
  EXPECT_EQ(value(*window, 7), "one\ntwo");

  // The file input asks for a path on the question bar.
  const std::filesystem::path photo = dir_ / "photo.txt";
  std::ofstream(photo) << "not really a photo";
  click_middle(*window, rects[8]);
  ASSERT_EQ(window->question_text(), "File to send:");
  type_now(*window, photo.string());
  key_now(*window, SDLK_RETURN);
  EXPECT_EQ(window->question_text(), "");
  EXPECT_EQ(controls[8].file, photo);

  // The filled form, as the window shows it.
  click_middle(*window, rects[1]);  // the password focused: bullets and a caret
  pixels = window->read_pixels();
  ASSERT_TRUE(pixels);
  EXPECT_GT(pixels_of_colour(*pixels, kMark, rects[2]), 40) << "the box just checked has no mark";
  EXPECT_EQ(pixels_of_colour(*pixels, kMark, rects[3]), 0) << "the box just unchecked is marked";
  ASSERT_TRUE(window->screenshot(kScreenshots / "form.png"));

  // Return in a text field submits the form with its default button (implicit submission).
  key_now(*window, SDLK_RETURN);
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  const std::string expected =
      "who=Ada+Lovelace&secret=s3cr&agree=yes&colour=blue&size=medium&note=one%0D%0Atwo&"
      "photo=photo.txt&go=Send";
  ASSERT_EQ(posted(origin), std::vector<std::string>{expected});
  EXPECT_EQ(window->display_list().title, "Echo");

  // Reload asks on the question bar: n sends nothing, y sends the form once more.
  key_now(*window, SDLK_F5);
  EXPECT_NE(window->question_text().find("Send the form again?"), std::string::npos)
      << window->question_text();
  key_now(*window, SDLK_n);
  EXPECT_EQ(window->question_text(), "");
  EXPECT_FALSE(window->loading());
  EXPECT_EQ(posted(origin).size(), 1u);
  key_now(*window, SDLK_F5);
  ASSERT_NE(window->question_text(), "");
  key_now(*window, SDLK_y);
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(posted(origin), (std::vector<std::string>{expected, expected}));

  // Back to the form, forward to the POST's page: asked again; No keeps the form shown.
  key_now(*window, SDLK_LEFT, KMOD_LALT);
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->display_list().title, "Window form");
  key_now(*window, SDLK_RIGHT, KMOD_LALT);
  ASSERT_NE(window->question_text(), "");
  key_now(*window, SDLK_ESCAPE);
  EXPECT_EQ(window->display_list().title, "Window form");
  EXPECT_EQ(posted(origin).size(), 2u);
}

TEST_F(WindowForms, ResetPutsTheFormBackAndTabSkipsDisabledFields) {
  TestOrigin origin([](const OriginRequest&) {
    return OriginReply{test::http_response(
        200, "OK", {"Content-Type: text/html"},
        "<form><input name=a value=first><input name=b disabled><input type=checkbox name=c>"
        "<input type=reset></form>")};
  });
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate("http://127.0.0.1:" + std::to_string(origin.port()) + "/");
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  key_now(*window, SDLK_TAB);
  EXPECT_EQ(window->focused_field(), 0);
  key_now(*window, SDLK_END);
  type_now(*window, "!");
  EXPECT_EQ(value(*window, 0), "first!");
  key_now(*window, SDLK_TAB);
  EXPECT_EQ(window->focused_field(), 2);  // b is disabled
  key_now(*window, SDLK_SPACE);
  EXPECT_TRUE(window->page()->forms.forms[0].controls[2].checked);
  key_now(*window, SDLK_TAB);
  key_now(*window, SDLK_RETURN);  // the reset button
  EXPECT_EQ(value(*window, 0), "first");
  EXPECT_FALSE(window->page()->forms.forms[0].controls[2].checked);
}

// A form on an https page that posts to http:// asks before it sends anything.
TEST_F(WindowForms, AFormFromHttpsToHttpAsksFirst) {
  TestOrigin plain(echo);
  auto authority = ca::Authority::init(dir_ / "ca", ca::InitOptions{});
  ASSERT_TRUE(authority) << authority.error().message;
  ca::IssueRequest request;
  request.names = {"forms.example.test"};
  auto issued = authority->issue(std::move(request));
  ASSERT_TRUE(issued) << issued.error().message;
  std::ofstream(dir_ / "chain.pem") << issued->chain_pem;
  ASSERT_TRUE(ca::write_private_key(dir_ / "key.pem", issued->private_key.get()));
  asio::ssl::context tls = test::tls_server_context(dir_ / "chain.pem", dir_ / "key.pem");
  const std::string action = "http://127.0.0.1:" + std::to_string(plain.port()) + "/echo";
  TestOrigin secure(
      [&](const OriginRequest&) {
        return OriginReply{test::http_response(
            200, "OK", {"Content-Type: text/html"},
            "<title>Secure form</title><form method=post action='" + action +
                "'><input name=card value=1234><input type=submit value=Pay></form>")};
      },
      &tls);
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate("https://forms.example.test:" + std::to_string(secure.port()) + "/");
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_FALSE(window->showing_error()) << window->status_text();
  const auto button = window->field_rect(1);
  ASSERT_TRUE(button);
  click_middle(*window, *button);
  EXPECT_NE(window->question_text().find("over plain http://"), std::string::npos)
      << window->question_text();
  auto pixels = window->read_pixels();
  ASSERT_TRUE(pixels);
  ASSERT_TRUE(window->screenshot(kScreenshots / "form-insecure-question.png"));
  key_now(*window, SDLK_n);
  EXPECT_FALSE(window->loading());
  EXPECT_TRUE(posted(plain).empty());
  click_middle(*window, *button);
  key_now(*window, SDLK_y);
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(posted(plain), std::vector<std::string>{"card=1234"});
}

}  // namespace
}  // namespace miniweb::browser::window
