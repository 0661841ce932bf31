// The browser's session against real servers on loopback: cookies across redirects and runs,
// and connections kept alive between requests to the same origin.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "browser/navigator.hpp"
#include "tests/browser/test_origin.hpp"

namespace miniweb::browser {
namespace {

// One visit, as the line mode makes it: the page laid out at 80 columns.
Result<Page> load_page(Navigator& navigator, const Url& url, Trace& trace) {
  return navigator.load_now(url, Viewport{}, trace);
}

using test::http_response;
using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

std::string cookie_of(const OriginRequest& seen) {
  return std::string(seen.request.headers.get("Cookie").value_or("(none)"));
}

// /login sets cookies and redirects to /home; /home echoes the Cookie header it received.
OriginReply cookie_site(const OriginRequest& seen) {
  const std::string& target = seen.request.target;
  if (target == "/login")
    return {http_response(302, "Found",
                          {"Location: /home", "Set-Cookie: session=s1; Path=/",
                           "Set-Cookie: remember=r1; Max-Age=3600; Path=/; HttpOnly",
                           "Set-Cookie: other=x; Domain=elsewhere.test"},
                          "")};
  return {http_response(200, "OK", {"Content-Type: text/plain"}, "cookie: " + cookie_of(seen))};
}

NavigatorOptions options_with_profile(const std::filesystem::path& profile) {
  NavigatorOptions options;
  options.loader.profile_dir = profile;
  options.loader.io_timeout = std::chrono::seconds(10);
  options.dns.cache_dir = "";
  options.download_dir = std::filesystem::temp_directory_path();
  return options;
}

std::filesystem::path fresh_profile(const std::string& name) {
  auto path = std::filesystem::temp_directory_path() /
              ("miniweb-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(path);
  return path;
}

Url url_of(const TestOrigin& origin, const std::string& path) {
  return *Url::parse("http://127.0.0.1:" + std::to_string(origin.port()) + path);
}

std::string trace_text(const Trace& trace) {
  return trace.render("test");
}

TEST(BrowserCookiesLive, SentOnTheRedirectAndKeptAcrossRunsWhenPersistent) {
  TestOrigin origin(cookie_site);
  const auto profile = fresh_profile("cookies-live");
  {
    Navigator session(options_with_profile(profile));
    Trace trace;
    auto visit = load_page(session, url_of(origin, "/login"), trace);
    ASSERT_TRUE(visit) << visit.error().message;
    // Both cookies set by the 302 go with the request that follows it.
    EXPECT_EQ(visit->source(), "cookie: session=s1; remember=r1");
    const std::string text = trace_text(trace);
    EXPECT_NE(text.find("stored session for 127.0.0.1 / (session)"), std::string::npos) << text;
    EXPECT_NE(text.find("refused: other: Domain=elsewhere.test does not cover the host"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Cookie: session=s1; remember=r1"), std::string::npos) << text;
    EXPECT_NE(text.find("2 cookie(s) for it; "), std::string::npos) << text;
  }
  // A new run with the same profile: only the persistent cookie is still there.
  Navigator later(options_with_profile(profile));
  Trace trace;
  auto visit = load_page(later, url_of(origin, "/home"), trace);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "cookie: remember=r1");
  std::filesystem::remove_all(profile);
}

OriginReply keep_alive_site(const OriginRequest& seen) {
  if (seen.request.target == "/moved")
    return {http_response(301, "Moved Permanently", {"Location: /page"}, "")};
  return {http_response(
      200, "OK", {"Content-Type: text/plain"},
      "connection " + std::to_string(seen.connection) + " request " + std::to_string(seen.index))};
}

TEST(BrowserKeepAliveLive, OneConnectionServesRedirectsAndLaterVisits) {
  TestOrigin origin(keep_alive_site);
  Navigator session(options_with_profile(""));
  Trace first;
  auto visit = load_page(session, url_of(origin, "/moved"), first);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "connection 1 request 2");
  const std::string text = trace_text(first);
  EXPECT_NE(text.find("reusing connection #1 to 127.0.0.1"), std::string::npos) << text;
  // The first step of each hop says what was decided before any address was asked for: no
  // connection at first, then the one the first request left open.
  ASSERT_FALSE(first.steps().empty());
  EXPECT_EQ(first.steps().front().phase, "fetch");
  // The first is prepared from the journey's start (the navigation's set-up is in it, not
  // outside every step); the redirect's, from when the redirect was read.
  EXPECT_EQ(first.steps().front().start.count(), 0);
  std::vector<const Trace::Step*> fetches;
  for (const Trace::Step& step : first.steps())
    if (step.phase == "fetch") fetches.push_back(&step);
  ASSERT_EQ(fetches.size(), 2u) << text;
  EXPECT_GT(fetches[1]->start, fetches[0]->start + fetches[0]->duration) << text;
  EXPECT_NE(text.find(": the request prepared"), std::string::npos) << text;
  EXPECT_NE(text.find("no cookie for it; no connection to http://127.0.0.1:"), std::string::npos)
      << text;
  const std::size_t reuse = text.find("no cookie for it; connection #1 to http://127.0.0.1:");
  ASSERT_NE(reuse, std::string::npos) << text;
  EXPECT_LT(text.find(" open, to reuse", reuse), text.find('\n', reuse)) << text;
  Trace second;
  visit = load_page(session, url_of(origin, "/page"), second);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "connection 1 request 3");
  EXPECT_EQ(origin.connections(), 1);
  EXPECT_EQ(session.idle_connections(), 1u);
}

TEST(BrowserKeepAliveLive, APlainConnectionClosesInOneStepWithTheShutdownsAnswer) {
  TestOrigin origin(keep_alive_site);
  Navigator session(options_with_profile(""));
  Trace load;
  ASSERT_TRUE(load_page(session, url_of(origin, "/page"), load));
  Trace trace;
  session.close_connections(trace, nullptr);
  const Trace::Step* close = nullptr;
  for (const Trace::Step& step : trace.steps())
    if (step.phase == "close") close = &step;
  ASSERT_NE(close, nullptr) << trace_text(trace);
  const std::string text = trace_text(trace);
  EXPECT_NE(text.find("connection #1: TCP FIN"), std::string::npos) << text;
  // One step for a plain connection's close, with what the shutdown answered.
  EXPECT_NE(text.find("shutdown() returned (the FIN itself shows in --packets)"), std::string::npos)
      << text;
  EXPECT_EQ(session.idle_connections(), 0u);
}

TEST(BrowserKeepAliveLive, AConnectionIdlePastTheLimitIsNotReused) {
  TestOrigin origin(keep_alive_site);
  NavigatorOptions options = options_with_profile("");
  options.loader.idle_timeout = std::chrono::milliseconds(0);
  Navigator session(options);
  for (int i = 0; i < 2; ++i) {
    Trace trace;
    auto visit = load_page(session, url_of(origin, "/page"), trace);
    ASSERT_TRUE(visit) << visit.error().message;
    EXPECT_EQ(visit->source(), "connection " + std::to_string(i + 1) + " request 1");
  }
  EXPECT_EQ(origin.connections(), 2);
}

TEST(BrowserKeepAliveLive, ConnectionCloseIsHonoured) {
  TestOrigin origin([](const OriginRequest& seen) {
    return OriginReply{http_response(200, "OK", {"Connection: close", "Content-Type: text/plain"},
                                     std::to_string(seen.index)),
                       true};
  });
  Navigator session(options_with_profile(""));
  for (int i = 0; i < 2; ++i) {
    Trace trace;
    auto visit = load_page(session, url_of(origin, "/"), trace);
    ASSERT_TRUE(visit) << visit.error().message;
  }
  EXPECT_EQ(origin.connections(), 2);
  EXPECT_EQ(session.idle_connections(), 0u);
}

TEST(BrowserKeepAliveLive, ARequestOnAConnectionTheServerDroppedIsRetriedOnce) {
  // The server keeps the connection after the first response but drops the second request
  // unanswered, as a server whose idle timeout fired as the request arrived.
  TestOrigin origin([](const OriginRequest& seen) {
    if (seen.index == 2) return OriginReply{"", false, false, true};
    return OriginReply{http_response(200, "OK", {"Content-Type: text/plain"},
                                     "connection " + std::to_string(seen.connection))};
  });
  Navigator session(options_with_profile(""));
  Trace first;
  ASSERT_TRUE(load_page(session, url_of(origin, "/"), first));
  Trace second;
  auto visit = load_page(session, url_of(origin, "/"), second);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "connection 2");
  EXPECT_EQ(origin.connections(), 2);
  const std::string text = trace_text(second);
  EXPECT_NE(text.find("reusing connection #1"), std::string::npos) << text;
  EXPECT_NE(text.find("connection #1 failed before any byte of an answer: the server closed the "
                      "connection without answering"),
            std::string::npos)
      << text;
}

TEST(BrowserKeepAliveLive, AConnectionTheServerClosedWhileIdleIsNotReused) {
  TestOrigin origin([](const OriginRequest& seen) {
    // Says nothing of closing, then closes: the browser sees the FIN before reusing.
    return OriginReply{
        http_response(200, "OK", {"Content-Type: text/plain"}, std::to_string(seen.connection)),
        true};
  });
  Navigator session(options_with_profile(""));
  Trace first;
  ASSERT_TRUE(load_page(session, url_of(origin, "/"), first));
  ::usleep(100 * 1000);  // lets the FIN arrive; the outcome does not depend on how long
  Trace second;
  auto visit = load_page(session, url_of(origin, "/"), second);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "2");
  EXPECT_EQ(trace_text(second).find("reusing"), std::string::npos) << trace_text(second);
}

}  // namespace
}  // namespace miniweb::browser
