// The browser's core, as every face uses it: the journey of a URL to a laid-out page, links
// resolved against the page's base, text and downloads, history, and loads in the background.

#include "browser/navigator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "browser/dump.hpp"
#include "browser/exit_codes.hpp"
#include "browser/html/practice_page.hpp"

namespace miniweb::browser {
namespace {

class BrowserNavigator : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-navigator-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "docs");
    std::ofstream(dir_ / "page.html")
        << "<title>T</title><p>Hello <a href='docs/x.html'>there</a> and <a href='../y'>up</a>";
    std::ofstream(dir_ / "based.html")
        << "<base href='https://other.test/docs/'><title>B</title><p><a href='page'>p</a> "
           "<a href='/top'>top</a>";
    std::ofstream(dir_ / "notes.txt") << "plain <text> & more\n";
    options_.download_dir = dir_ / "downloads";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Url file(const std::string& name) const {
    return *Url::parse("file://" + (dir_ / name).string());
  }

  std::filesystem::path dir_;
  NavigatorOptions options_;
};

TEST_F(BrowserNavigator, TheJourneyEndsInADisplayListAndTheDumpResolvesItsLinks) {
  Navigator navigator(options_);
  Trace trace;
  auto page = navigator.load_now(file("page.html"), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->content.kind, ContentKind::Page);
  EXPECT_EQ(page->layout.title, "T");
  ASSERT_EQ(page->layout.links.size(), 2u);
  // The trace has the journey's steps: the file, the HTML tree, the layout.
  std::string phases;
  for (const auto& step : trace.steps()) phases += step.phase + " ";
  EXPECT_EQ(phases, "file parse layout ") << trace.render("");
  const std::string text = dump_text(*page);
  EXPECT_NE(text.find("[1]there"), std::string::npos) << text;
  EXPECT_NE(text.find("1. " + file("docs/x.html").to_string()), std::string::npos) << text;
  EXPECT_EQ(link_target(*page, 1)->to_string(), file("docs/x.html").to_string());
  EXPECT_FALSE(link_target(*page, 3));
}

// The page the thread that builds a load's page practises on (html/practice_page.hpp) is a
// page like a real one: a title, links, lists, a table and a form, laid out with none left out.
TEST_F(BrowserNavigator, ThePracticePageIsAPageLikeARealOne) {
  std::ofstream(dir_ / "practice.html") << html::kPracticePage;
  Navigator navigator(options_);
  Trace trace;
  auto page = navigator.load_now(file("practice.html"), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->layout.title, "Practice & warm-up");
  EXPECT_EQ(page->layout.links.size(), 6u);
  ASSERT_EQ(page->forms.forms.size(), 1u);
  EXPECT_EQ(page->forms.forms[0].method, "get");
  const std::string text = dump_text(*page);
  for (const char* seen : {"A heading", "preformatted", "Quoted.", "Name", "The end."})
    EXPECT_NE(text.find(seen), std::string::npos) << seen << "\n" << text;
}

// What the parse step says of the practice, which may have ended after the page came (the
// page's parse then waited for it), stopped before its layout, or not begun.
TEST(PracticeDetail, SaysWhenThePracticeEndedBeforeOrAfterThePageCame) {
  const Trace::Clock::time_point handed_over = Trace::Clock::now();
  PracticeRun run;
  run.parsed = run.laid_out = run.at_idle_policy = true;
  run.began = handed_over - std::chrono::microseconds(400);
  run.ended = handed_over - std::chrono::microseconds(300);
  EXPECT_EQ(practice_detail(run, handed_over),
            "that thread had practised on a built-in page while the load waited for its server: "
            "parsed and laid out in 0.100 ms at the idle scheduling policy, ending 0.300 ms "
            "before the hand-over");
  run.laid_out = run.at_idle_policy = false;
  run.ended = handed_over + std::chrono::microseconds(50);
  EXPECT_EQ(practice_detail(run, handed_over),
            "that thread had practised on a built-in page while the load waited for its server: "
            "parsed (the page came before its layout) in 0.450 ms, ending 0.050 ms after the "
            "hand-over (the page's parse waited for it)");
  run.parsed = false;
  EXPECT_EQ(practice_detail(run, handed_over),
            "the page came before that thread had begun to practise on a built-in page");
}

// The parse step's summary names a page's forms, and only the first few of a page that has
// many: it is one line of the trace.
TEST_F(BrowserNavigator, TheParseStepNamesTheFirstFormsAndCountsTheRest) {
  std::ofstream many(dir_ / "forms.html");
  many << "<title>F</title><form action='/search'><input name=q></form>"
          "<form method=post><input name=a><input name=b></form>";
  for (int i = 0; i < 40; ++i) many << "<form action='/more'><input name=x></form>";
  many.close();
  Navigator navigator(options_);
  Trace trace;
  auto page = navigator.load_now(file("forms.html"), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->forms.forms.size(), 42u);
  const Trace::Step& parse = trace.steps().at(1);
  ASSERT_EQ(parse.phase, "parse") << trace.render("");
  EXPECT_EQ(parse.summary,
            "title \"F\", 42 forms (GET /search, 1 control; POST (this page), 2 controls; "
            "GET /more, 1 control; and 39 more)");

  Trace one_form;
  page = navigator.load_now(file("page.html"), Viewport{}, one_form);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(one_form.steps().at(1).summary, "title \"T\"");
}

// Every face asks the navigator where a link leads: the dump, the terminal and the window all
// honour <base href>.
TEST_F(BrowserNavigator, BaseHrefDecidesWhereLinksLead) {
  Navigator navigator(options_);
  Trace trace;
  auto page = navigator.load_now(file("based.html"), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(base_url(*page).to_string(), "https://other.test/docs/");
  EXPECT_EQ(link_target(*page, 1)->to_string(), "https://other.test/docs/page");
  EXPECT_EQ(link_target(*page, 2)->to_string(), "https://other.test/top");
  const std::string text = dump_text(*page);
  EXPECT_NE(text.find("1. https://other.test/docs/page"), std::string::npos) << text;
}

TEST_F(BrowserNavigator, TextIsPrintedAsItIsByTheDumpAndLaidOutForTheOtherFaces) {
  Navigator navigator(options_);
  Trace trace;
  auto dumped = navigator.load_now(file("notes.txt"), Viewport{.text_as_pages = false}, trace);
  ASSERT_TRUE(dumped) << dumped.error().message;
  EXPECT_EQ(dumped->content.kind, ContentKind::Text);
  EXPECT_EQ(dump_text(*dumped), "plain <text> & more\n");
  EXPECT_TRUE(dumped->layout.runs.empty());
  auto shown = navigator.load_now(file("notes.txt"), Viewport{}, trace);
  ASSERT_TRUE(shown);
  ASSERT_FALSE(shown->layout.runs.empty());
  EXPECT_EQ(shown->layout.runs.front().text, "plain <text> & more");
  EXPECT_TRUE(shown->layout.runs.front().style.preformatted);
}

TEST_F(BrowserNavigator, AMissingFileIsAnErrorWithItsExitCode) {
  Navigator navigator(options_);
  Trace trace;
  auto page = navigator.load_now(file("missing.html"), Viewport{}, trace);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, exit_code::kFileUnreadable);
}

TEST_F(BrowserNavigator, InterpretsWhatWasTyped) {
  EXPECT_EQ(Navigator::interpret("www.example.test")->to_string(), "https://www.example.test/");
  EXPECT_EQ(Navigator::interpret("  http://a.test/x ")->to_string(), "http://a.test/x");
  EXPECT_EQ(Navigator::interpret((dir_ / "page.html").string())->to_string(),
            file("page.html").to_string());
  // Written as a path: a file, even one that is not there (its load then says so).
  EXPECT_EQ(Navigator::interpret("/no/such/file.html")->to_string(), "file:///no/such/file.html");
  EXPECT_FALSE(Navigator::interpret("https://"));
}

// A path with a space or a '#' is a file of that name, not a URL with a fragment.
TEST_F(BrowserNavigator, OpensFilesWhoseNamesURLsGiveMeaningTo) {
  std::ofstream(dir_ / "two words #1.html") << "<title>Odd name</title><p>found";
  auto url = Navigator::interpret((dir_ / "two words #1.html").string());
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_NE(url->to_string().find("two%20words%20%231.html"), std::string::npos)
      << url->to_string();
  Navigator navigator(options_);
  Trace trace;
  auto page = navigator.load_now(*url, Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->layout.title, "Odd name");
}

// As Chromium and Firefox: a page from the network may not lead to the reader's own files.
TEST_F(BrowserNavigator, APageFromTheNetworkMayNotOpenLocalFiles) {
  Page page;
  page.url = *Url::parse("https://a.test/");
  page.layout.links = {"file:///etc/passwd", "/elsewhere"};
  auto local = link_target(page, 1);
  ASSERT_FALSE(local);
  EXPECT_NE(local.error().message.find("local file"), std::string::npos) << local.error().message;
  EXPECT_EQ(link_target(page, 2)->to_string(), "https://a.test/elsewhere");
}

TEST_F(BrowserNavigator, HistoryDropsThePagesAheadOnANewVisit) {
  History history;
  EXPECT_EQ(history.back(), nullptr);
  history.visit(*Url::parse("https://a.test/"));
  history.visit(*Url::parse("https://b.test/"));
  history.visit(*Url::parse("https://c.test/"));
  ASSERT_TRUE(history.back());
  EXPECT_EQ(history.current()->host, "b.test");
  history.visit(*Url::parse("https://d.test/"));
  EXPECT_FALSE(history.can_go_forward());
  EXPECT_EQ(history.back()->host, "b.test");
  EXPECT_EQ(history.back()->host, "a.test");
  EXPECT_EQ(history.back(), nullptr);
  EXPECT_EQ(history.forward()->host, "b.test");
  history.replace_current(*Url::parse("https://b.test/after-redirect"));
  EXPECT_EQ(history.current()->path, "/after-redirect");
}

// The interactive faces load on the navigator's own thread and take the outcome when it is
// there; a newer load supersedes the older one.
TEST_F(BrowserNavigator, LoadsInTheBackgroundAndTheLatestWins) {
  Navigator navigator(options_);
  std::atomic<int> news = 0;
  navigator.on_news([&news] { ++news; });
  navigator.start(file("page.html"), Viewport{});
  const std::uint64_t latest = navigator.start(file("based.html"), Viewport{});
  std::optional<LoadOutcome> outcome;
  for (int i = 0; i < 200 && !outcome; ++i) {
    outcome = navigator.take_outcome();
    if (!outcome) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->number, latest);
  ASSERT_TRUE(outcome->page) << outcome->page.error().message;
  EXPECT_EQ(outcome->page->layout.title, "B");
  EXPECT_FALSE(navigator.busy());
  // The news of the outcome comes just after it is there.
  for (int i = 0; i < 200 && news.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(news.load(), 1);
  EXPECT_FALSE(navigator.take_outcome());
}

}  // namespace
}  // namespace miniweb::browser
