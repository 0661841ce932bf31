// The SDL2 window, headless: SDL's offscreen video driver with the software renderer draws
// real frames into memory, and tests read their pixels. Pages come from a real
// miniweb-server on 127.0.0.1 with certificates from a real miniweb CA.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "browser/window/browser_window.hpp"
#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "server/server.hpp"
#include "tests/browser/window_events.hpp"

namespace miniweb::browser::window {
namespace {

constexpr std::uint32_t kLinkColour = 0x0000EE;
const std::filesystem::path kScreenshots = MINIWEB_WINDOW_SCREENSHOT_DIR;

// A page's pixels that are not the page's white: is anything drawn there?
int inked_pixels(const Pixels& pixels, const SDL_Rect& area) {
  int count = 0;
  for (int y = area.y; y < area.y + area.h && y < pixels.height; ++y) {
    for (int x = area.x; x < area.x + area.w && x < pixels.width; ++x) {
      if (pixels.at(x, y) != 0xFFFFFF) ++count;
    }
  }
  return count;
}

bool page_shows(const BrowserWindow& window, const std::string& text) {
  for (const auto& run : window.display_list().runs) {
    if (run.text.find(text) != std::string::npos) return true;
  }
  return false;
}

class WindowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::setenv("SDL_VIDEODRIVER", "offscreen", 1);
    ::setenv("SDL_AUDIODRIVER", "dummy", 1);
    std::filesystem::create_directories(kScreenshots);
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-window-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site/index.html") << R"(<!DOCTYPE html>
<html><head><title>Window test</title></head><body>
<h1>The first page</h1>
<p>Some <b>bold</b>, some <i>italic</i> text, and <a href="second.html">a link to the second page</a>.</p>
<pre>int main() { return 0; }</pre>
</body></html>
)";
    std::ofstream(dir_ / "site/second.html") << R"(<html><head><title>Second</title></head><body>
<h2>Second page</h2><p>You followed the link. <a href="index.html">Back home</a>.</p></body></html>
)";
    std::ofstream long_page(dir_ / "site/long.html");
    long_page << "<html><body><h1>A long page</h1>";
    for (int i = 0; i < 400; ++i) {
      long_page << "<p>Paragraph " << i
                << ": the quick brown fox jumps over the lazy dog, again and again, "
                << "<a href=\"#p" << i << "\">link " << i << "</a>.</p>";
    }
    long_page << "</body></html>";
    long_page.close();

    auto authority = ca::Authority::init(dir_ / "ca", ca::InitOptions{});
    ASSERT_TRUE(authority) << authority.error().message;
    ca::IssueRequest good;
    good.names = {"www.example.test", "test.example.test"};
    auto issued = authority->issue(std::move(good));
    ASSERT_TRUE(issued) << issued.error().message;
    std::ofstream(dir_ / "chain.pem") << issued->chain_pem;
    ASSERT_TRUE(ca::write_private_key(dir_ / "key.pem", issued->private_key.get()));
    ca::IssueRequest expired;
    expired.names = {"expired.example.test"};
    expired.window = ca::ValidityWindow::expired;
    auto issued_expired = authority->issue(std::move(expired));
    ASSERT_TRUE(issued_expired) << issued_expired.error().message;
    std::ofstream(dir_ / "expired-chain.pem") << issued_expired->chain_pem;
    ASSERT_TRUE(ca::write_private_key(dir_ / "expired-key.pem", issued_expired->private_key.get()));

    const std::string demo = std::string(MINIWEB_SOURCE_DIR) + "/demo/sites";
    std::ofstream(dir_ / "server.toml") << R"([[listener]]
address = "127.0.0.1"
port = 0

[[site]]
names = ["www.example.test"]
root = ")" + demo + R"(/www"
certificate = "chain.pem"
key = "key.pem"

[[site]]
names = ["test.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"

[[site]]
names = ["expired.example.test"]
root = ")" + demo + R"(/badssl"
certificate = "expired-chain.pem"
key = "expired-key.pem"
)";
    std::ofstream(dir_ / "hosts")
        << "127.0.0.1 www.example.test test.example.test expired.example.test\n";

    auto config = server::load_config(dir_ / "server.toml");
    ASSERT_TRUE(config) << config.error().message;
    auto tls = server::SiteTlsContexts::create(config->sites);
    ASSERT_TRUE(tls) << tls.error().message;
    server_ = std::make_unique<server::Server>(io_, std::move(*config), std::move(*tls));
    ASSERT_TRUE(server_->listen());
    port_ = server_->local_endpoints()[0].port();
    server_->start();
    io_.restart();  // a suite run again (--gtest_repeat) finds the context stopped
    thread_ = std::thread([] { io_.run(); });
  }

  static void TearDownTestSuite() {
    if (server_) asio::post(io_, [] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void SetUp() override { ASSERT_TRUE(server_) << "the server did not start"; }

  static std::string url(const std::string& host, const std::string& path) {
    return "https://" + host + ":" + std::to_string(port_) + path;
  }

  static WindowOptions options() { return headless_options(dir_, 900, 640); }

  static std::unique_ptr<BrowserWindow> open_window() {
    auto window = BrowserWindow::create(options());
    if (!window) {
      ADD_FAILURE() << window.error().message;
      return nullptr;
    }
    return std::move(*window);
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<server::Server> server_;
  static inline std::thread thread_;
  static inline unsigned short port_ = 0;
};

TEST_F(WindowTest, DrawsAPageWithTextAndLinksInLinkColour) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_FALSE(window->showing_error()) << window->status_text();
  EXPECT_TRUE(page_shows(*window, "The first page"));
  EXPECT_EQ(window->display_list().title, "Window test");
  // The terminal's "[1]" link numbers are not drawn: the colour shows the link.
  EXPECT_TRUE(page_shows(*window, "a link to"));
  EXPECT_FALSE(page_shows(*window, "[1]"));

  auto pixels = window->read_pixels();
  ASSERT_TRUE(pixels) << pixels.error().message;
  const SDL_Rect content = window->content_rect();
  EXPECT_GT(inked_pixels(*pixels, content), 2000) << "the page looks blank";
  EXPECT_GT(pixels_of_colour(*pixels, kLinkColour, content), 50) << "no link colour on the page";
  const auto link = window->link_rect(1);
  ASSERT_TRUE(link);
  // The link's underline is in link colour too.
  EXPECT_GT(pixels_of_colour(*pixels, kLinkColour, *link), 10);
  ASSERT_TRUE(window->screenshot(kScreenshots / "test-page.png"));
}

TEST_F(WindowTest, HeadingsAreDrawnLargerThanBodyText) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->show_html("<h1>Big</h1><p>small</p>", "https://local.test/");
  const auto& runs = window->display_list().runs;
  ASSERT_GE(runs.size(), 2u);
  // The heading's line is taller: the paragraph starts more than one body line below it.
  const auto heading =
      std::find_if(runs.begin(), runs.end(), [](const auto& run) { return run.text == "Big"; });
  const auto body =
      std::find_if(runs.begin(), runs.end(), [](const auto& run) { return run.text == "small"; });
  ASSERT_NE(heading, runs.end());
  ASSERT_NE(body, runs.end());
  EXPECT_TRUE(heading->style.bold);
  EXPECT_GT(body->y - heading->y, 40);
}

TEST_F(WindowTest, ClickingALinkLoadsItsTargetAndBackReturns) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_FALSE(window->showing_error()) << window->status_text();
  const auto link = window->link_rect(1);
  ASSERT_TRUE(link);

  // Hovering shows where the link goes.
  move_mouse(*window, link->x + link->w / 2, link->y + link->h / 2);
  window->pump();
  EXPECT_EQ(window->status_bar_text(), url("test.example.test", "/second.html"));

  click(*window, link->x + link->w / 2, link->y + link->h / 2);
  window->pump();
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
  EXPECT_TRUE(page_shows(*window, "Second page"));
  EXPECT_EQ(window->address_bar().text(), url("test.example.test", "/second.html"));

  key(*window, SDLK_LEFT, KMOD_LALT);
  window->pump();
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/"));
  EXPECT_TRUE(page_shows(*window, "The first page"));

  key(*window, SDLK_RIGHT, KMOD_LALT);
  window->pump();
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
}

// A link on a page with <base href> leads where the base says, as in the dump and the terminal:
// hovering names that URL, and clicking loads it.
TEST_F(WindowTest, ALinkFollowsTheBaseHref) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->show_html("<base href='" + url("test.example.test", "/") +
                        "'><p><a href='second.html'>relative to the base</a>",
                    "https://elsewhere.test/deep/page.html");
  const auto link = window->link_rect(1);
  ASSERT_TRUE(link);
  move_mouse(*window, link->x + link->w / 2, link->y + link->h / 2);
  window->pump();
  EXPECT_EQ(window->status_bar_text(), url("test.example.test", "/second.html"));
  click(*window, link->x + link->w / 2, link->y + link->h / 2);
  window->pump();
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
  EXPECT_TRUE(page_shows(*window, "Second page"));
}

TEST_F(WindowTest, TheToolbarButtonsGoBackForwardAndReload) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  window->navigate(url("test.example.test", "/second.html"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  auto press = [&](BrowserWindow::Button button) {
    const SDL_Rect rect = window->button_rect(button);
    click(*window, rect.x + rect.w / 2, rect.y + rect.h / 2);
    window->pump();
    return window->wait_until_loaded(std::chrono::seconds(20));
  };
  ASSERT_TRUE(press(BrowserWindow::Button::Back));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/"));
  ASSERT_TRUE(press(BrowserWindow::Button::Forward));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
  const int loads = window->loads_finished();
  ASSERT_TRUE(press(BrowserWindow::Button::Reload));
  EXPECT_EQ(window->loads_finished(), loads + 1);
  key(*window, SDLK_F5);
  window->pump();
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->loads_finished(), loads + 2);
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
}

TEST_F(WindowTest, AClickBesideALinkDoesNotFollowIt) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  const auto link = window->link_rect(1);
  ASSERT_TRUE(link);
  const int loads = window->loads_finished();
  click(*window, link->x + link->w / 2, link->y + link->h + 60);
  window->pump();
  EXPECT_FALSE(window->loading());
  EXPECT_EQ(window->loads_finished(), loads);
  EXPECT_EQ(window->page_url(), url("test.example.test", "/"));
}

TEST_F(WindowTest, AddressBarEditsWithKeysAndEnterLoads) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->show_html("<p>start</p>", "https://start.test/");
  EXPECT_FALSE(window->address_focused());

  key(*window, SDLK_l, KMOD_LCTRL);
  window->pump();
  ASSERT_TRUE(window->address_focused());
  ASSERT_TRUE(window->address_bar().has_selection());  // Ctrl+L selects all: typing replaces
  type_text(*window, "test.example.test:" + std::to_string(port_) + "/secondX.html");
  window->pump();
  EXPECT_EQ(window->address_bar().text(),
            "test.example.test:" + std::to_string(port_) + "/secondX.html");
  // Fix the typo: left over ".html", backspace the X, End.
  for (int i = 0; i < 5; ++i) key(*window, SDLK_LEFT);
  key(*window, SDLK_BACKSPACE);
  key(*window, SDLK_END);
  window->pump();
  EXPECT_EQ(window->address_bar().text(),
            "test.example.test:" + std::to_string(port_) + "/second.html");
  EXPECT_EQ(window->address_bar().cursor(), window->address_bar().text().size());

  key(*window, SDLK_RETURN);
  window->pump();
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_FALSE(window->address_focused());
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
  EXPECT_TRUE(page_shows(*window, "Second page"));
}

TEST_F(WindowTest, ClickingTheAddressBarFocusesItAndEscapeRestoresTheUrl) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->show_html("<p>start</p>", "https://start.test/");
  const SDL_Rect field = window->address_rect();
  click(*window, field.x + field.w - 5, field.y + field.h / 2);
  window->pump();
  ASSERT_TRUE(window->address_focused());
  EXPECT_EQ(window->address_bar().cursor(), window->address_bar().text().size());
  type_text(*window, "junk");
  window->pump();
  EXPECT_EQ(window->address_bar().text(), "https://start.test/junk");
  key(*window, SDLK_ESCAPE);
  window->pump();
  EXPECT_FALSE(window->address_focused());
  EXPECT_EQ(window->address_bar().text(), "https://start.test/");

  // A double click selects the whole address; typing replaces it.
  SDL_Event twice{};
  twice.type = SDL_MOUSEBUTTONDOWN;
  twice.button.windowID = window->window_id();
  twice.button.button = SDL_BUTTON_LEFT;
  twice.button.clicks = 2;
  twice.button.x = field.x + 20;
  twice.button.y = field.y + field.h / 2;
  SDL_PushEvent(&twice);
  window->pump();
  EXPECT_EQ(window->address_bar().selected_text(), "https://start.test/");
  type_text(*window, "x");
  window->pump();
  EXPECT_EQ(window->address_bar().text(), "x");
}

TEST_F(WindowTest, AddressBarCopiesCutsAndPastes) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->show_html("<p>start</p>", "https://start.test/");
  key(*window, SDLK_l, KMOD_LCTRL);
  key(*window, SDLK_c, KMOD_LCTRL);
  window->pump();
  char* copied = SDL_GetClipboardText();
  ASSERT_NE(copied, nullptr);
  EXPECT_STREQ(copied, "https://start.test/");
  SDL_free(copied);

  key(*window, SDLK_x, KMOD_LCTRL);
  window->pump();
  EXPECT_EQ(window->address_bar().text(), "");
  ASSERT_EQ(SDL_SetClipboardText("test.example.test:1/pasted\n"), 0);
  key(*window, SDLK_v, KMOD_LCTRL);
  key(*window, SDLK_v, KMOD_LCTRL);
  window->pump();
  EXPECT_EQ(window->address_bar().text(), "test.example.test:1/pastedtest.example.test:1/pasted");
}

TEST_F(WindowTest, ACertificateErrorShowsAnErrorPage) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("expired.example.test", "/"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_TRUE(window->showing_error());
  EXPECT_EQ(window->last_error_code(), exit_code::kCertificate);
  EXPECT_TRUE(page_shows(*window, "Your connection is not private"));
  EXPECT_TRUE(page_shows(*window, "NET::ERR_CERT_DATE_INVALID")) << window->status_text();
  auto pixels = window->read_pixels();
  ASSERT_TRUE(pixels);
  EXPECT_GT(inked_pixels(*pixels, window->content_rect()), 2000);
  ASSERT_TRUE(window->screenshot(kScreenshots / "certificate-error.png"));
}

TEST_F(WindowTest, InsecureModeShowsThePageUnderAWarningBanner) {
  WindowOptions insecure = options();
  insecure.navigator.loader.insecure = true;
  auto created = BrowserWindow::create(insecure);
  ASSERT_TRUE(created) << created.error().message;
  BrowserWindow& window = **created;
  window.navigate(url("expired.example.test", "/"));
  ASSERT_TRUE(window.wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_FALSE(window.showing_error()) << window.status_text();
  auto pixels = window.read_pixels();
  ASSERT_TRUE(pixels);
  // The red banner between the toolbar and the page.
  int w = 0;
  int h = 0;
  SDL_GetWindowSize(window.sdl_window(), &w, &h);
  EXPECT_GT(pixels_of_colour(*pixels, 0xC5221F, SDL_Rect{0, 44, w, 26}), w * 10);
}

TEST_F(WindowTest, TheDemoHomePage) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("www.example.test", "/"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_FALSE(window->showing_error()) << window->status_text();
  EXPECT_TRUE(page_shows(*window, "Welcome to www.example.test"));
  auto pixels = window->read_pixels();
  ASSERT_TRUE(pixels);
  EXPECT_GT(pixels_of_colour(*pixels, kLinkColour, window->content_rect()), 50);
  ASSERT_TRUE(window->screenshot(kScreenshots / "demo-home.png"));

  // F12: the trace panel with one bar per step.
  key(*window, SDLK_F12);
  window->pump();
  ASSERT_TRUE(window->trace_panel_open());
  ASSERT_FALSE(window->trace().steps().empty());
  pixels = window->read_pixels();
  ASSERT_TRUE(pixels);
  const SDL_Rect content = window->content_rect();
  const SDL_Rect panel{0, content.y + content.h * 3 / 5, content.w, content.h * 2 / 5};
  EXPECT_GT(pixels_of_colour(*pixels, 0x7B1FA2, panel), 10) << "no TLS bar in the waterfall";
  EXPECT_GT(pixels_of_colour(*pixels, 0x2E7D32, panel), 10) << "no HTTP bar in the waterfall";
  ASSERT_TRUE(window->screenshot(kScreenshots / "demo-home-trace.png"));
}

// --packets: F12 a second time shows the ladder of the last load's packets, captured on lo.
TEST_F(WindowTest, F12ShowsThePacketsOfTheLastLoadAsItsSecondTab) {
  WindowOptions with_packets = options();
  with_packets.packets = true;
  auto created = BrowserWindow::create(with_packets);
  ASSERT_TRUE(created) << created.error().message;
  auto& window = **created;
  window.navigate(url("www.example.test", "/"));
  ASSERT_TRUE(window.wait_until_loaded(std::chrono::seconds(20)));
  key(window, SDLK_F12);
  window.pump();
  EXPECT_TRUE(window.trace_panel_open());
  EXPECT_FALSE(window.packets_tab_shown());
  key(window, SDLK_F12);
  window.pump();
  ASSERT_TRUE(window.packets_tab_shown());
  const std::string& ladder = window.packets_text();
  EXPECT_NE(ladder.find(" SYN-ACK seq="), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("ClientHello SNI www.example.test"), std::string::npos) << ladder;
  EXPECT_NE(ladder.find("h2 HEADERS stream 1 (END_STREAM END_HEADERS)"), std::string::npos)
      << ladder;  // ALPN chose h2: the request is a HEADERS frame
  ASSERT_TRUE(window.screenshot(kScreenshots / "demo-home-packets.png"));
  key(window, SDLK_F12);
  window.pump();
  EXPECT_FALSE(window.trace_panel_open());
}

TEST_F(WindowTest, ScrollsWithKeysAndWheel) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/long.html"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  ASSERT_GT(window->max_scroll(), 1000);
  EXPECT_EQ(window->scroll_y(), 0);
  key(*window, SDLK_DOWN);
  window->pump();
  const int after_arrow = window->scroll_y();
  EXPECT_GT(after_arrow, 0);
  key(*window, SDLK_PAGEDOWN);
  window->pump();
  EXPECT_GT(window->scroll_y(), after_arrow + 200);
  key(*window, SDLK_END);
  window->pump();
  EXPECT_EQ(window->scroll_y(), window->max_scroll());
  key(*window, SDLK_HOME);
  window->pump();
  EXPECT_EQ(window->scroll_y(), 0);
  SDL_Event wheel{};
  wheel.type = SDL_MOUSEWHEEL;
  wheel.wheel.windowID = window->window_id();
  wheel.wheel.y = -2;  // towards the user: down the page
  SDL_PushEvent(&wheel);
  window->pump();
  EXPECT_GT(window->scroll_y(), 0);
  // Scrolled, the page still draws: text in the view.
  auto pixels = window->read_pixels();
  ASSERT_TRUE(pixels);
  EXPECT_GT(inked_pixels(*pixels, window->content_rect()), 2000);
}

TEST_F(WindowTest, ResizingLaysThePageOutAgain) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->show_html("<p>" + std::string(200, 'a') + " word word word word word word word word</p>",
                    "https://local.test/");
  const int wide = window->display_list().width;
  SDL_Event resized{};
  resized.type = SDL_WINDOWEVENT;
  resized.window.windowID = window->window_id();
  resized.window.event = SDL_WINDOWEVENT_SIZE_CHANGED;
  SDL_SetWindowSize(window->sdl_window(), 500, 640);
  SDL_PushEvent(&resized);
  window->pump();
  EXPECT_LT(window->display_list().width, wide);
  EXPECT_LE(window->display_list().width, 500);
}

TEST_F(WindowTest, ANewLoadCancelsTheOneInProgress) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/long.html"));
  window->navigate(url("test.example.test", "/second.html"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->page_url(), url("test.example.test", "/second.html"));
  EXPECT_TRUE(page_shows(*window, "Second page"));
}

// A server that takes the TCP connection (the kernel does, from the backlog) and never
// answers the TLS handshake: the load hangs until its timeout, the window must not.
TEST_F(WindowTest, TheWindowStaysResponsiveWhileALoadHangsAndEscapeStopsIt) {
  asio::io_context silent_io;
  asio::ip::tcp::acceptor silent(silent_io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto silent_port = silent.local_endpoint().port();
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate("https://test.example.test:" + std::to_string(silent_port) + "/");
  // The status bar follows the journey to the step where it hangs.
  for (int i = 0; i < 200 && !window->status_bar_text().starts_with("TLS handshake"); ++i) {
    window->pump();
    SDL_Delay(10);
  }
  EXPECT_TRUE(window->status_bar_text().starts_with("TLS handshake")) << window->status_bar_text();
  ASSERT_TRUE(window->loading());
  // Meanwhile the UI answers: the address bar takes typing.
  key(*window, SDLK_l, KMOD_LCTRL);
  type_text(*window, "typed while loading");
  window->pump();
  EXPECT_EQ(window->address_bar().text(), "typed while loading");
  key(*window, SDLK_ESCAPE);  // leaves the address bar
  key(*window, SDLK_ESCAPE);  // stops the load
  window->pump();
  EXPECT_FALSE(window->loading());
  EXPECT_EQ(window->status_text(), "Stopped");
  // And the next load works.
  window->navigate(url("test.example.test", "/second.html"));
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_TRUE(page_shows(*window, "Second page"));
}

TEST_F(WindowTest, ClosingTheWindowDuringALoadIsImmediate) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate(url("test.example.test", "/long.html"));
  EXPECT_TRUE(window->loading());
  window.reset();  // abandons the load: nothing may outlive the window or touch it after
  SUCCEED();
}

TEST_F(WindowTest, ALocalFileOpensWithoutTheNetwork) {
  auto window = open_window();
  ASSERT_TRUE(window);
  window->navigate((dir_ / "site/second.html").string());
  ASSERT_TRUE(window->wait_until_loaded(std::chrono::seconds(20)));
  EXPECT_EQ(window->page_url(), "file://" + (dir_ / "site/second.html").string());
  EXPECT_TRUE(page_shows(*window, "Second page"));
}

}  // namespace
}  // namespace miniweb::browser::window
