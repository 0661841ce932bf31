// A response's Strict-Transport-Security and persistent cookies, from a real TLS origin on
// loopback: in force for the next request at once, their profile files written beside the load
// (browser/net/profile_writer.hpp), each write a step of the trace once waited for, the files
// on the disk when a dump's run ends, and nothing written again when the profile holds it.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "browser/dump.hpp"
#include "browser/navigator.hpp"
#include "tests/browser/localhost_certificate.hpp"
#include "tests/browser/test_origin.hpp"
#include "tests/support/temp_dir.hpp"

namespace miniweb::browser {
namespace {

using test::LocalhostCertificate;
using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

// A page that sets HSTS (for a year, unless `policy` says otherwise) and a cookie for a day, on
// every response.
struct RememberedOrigin {
  explicit RememberedOrigin(const LocalhostCertificate& certificate,
                            std::string policy = "max-age=31536000")
      : tls(test::tls_server_context(certificate.cert, certificate.key)),
        origin(
            [policy](const OriginRequest&) {
              return OriginReply{test::http_response(
                  200, "OK",
                  {"Content-Type: text/html", "Strict-Transport-Security: " + policy,
                   "Set-Cookie: visit=1; Max-Age=86400; Secure; HttpOnly"},
                  "<title>remembered</title><p>hello")};
            },
            &tls) {}
  std::string url() const { return "https://localhost:" + std::to_string(origin.port()) + "/"; }
  asio::ssl::context tls;
  TestOrigin origin;
};

NavigatorOptions options_for(const LocalhostCertificate& certificate,
                             const std::filesystem::path& profile) {
  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  options.loader.profile_dir = profile;
  return options;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const Trace::Step* step_titled(const Trace& trace, const std::string& phase,
                               const std::string& title_start) {
  for (const Trace::Step& step : trace.steps())
    if (step.phase == phase && step.title.starts_with(title_start)) return &step;
  return nullptr;
}

TEST(ProfileWrites, AFirstVisitsPolicyAndCookieAreWrittenBesideTheLoadAndShownOnceWaitedFor) {
  const LocalhostCertificate certificate("profile-writes");
  const RememberedOrigin origin(certificate);
  const test_support::TempDir profile{"miniweb-profile-writes"};
  Navigator navigator(options_for(certificate, profile.path()));
  Trace trace;
  const Url url = *Url::parse(origin.url());
  auto page = navigator.load_now(url, Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  navigator.finish_profile_writes(trace);
  const std::string text = trace.render(url.to_string());

  const Trace::Step* noted = step_titled(trace, "hsts", "Strict-Transport-Security from ");
  const Trace::Step* policies = step_titled(trace, "hsts", "the HSTS policies written");
  const Trace::Step* set = step_titled(trace, "cookie", "Set-Cookie from ");
  const Trace::Step* cookies = step_titled(trace, "cookie", "the persistent cookies written");
  ASSERT_NE(noted, nullptr) << text;
  ASSERT_NE(policies, nullptr) << text;
  ASSERT_NE(set, nullptr) << text;
  ASSERT_NE(cookies, nullptr) << text;
  EXPECT_EQ(noted->summary,
            "max-age=31536000; applied now, the profile's file handed to its writer");
  // Each write runs from its hand-over, inside the step that noted it.
  EXPECT_GE(policies->start, noted->start) << text;
  EXPECT_LE(policies->start, noted->start + noted->duration) << text;
  EXPECT_GE(cookies->start, set->start) << text;
  EXPECT_LE(cookies->start, set->start + set->duration) << text;
  EXPECT_TRUE(policies->summary.ends_with(
      "hsts.json (readable by all), then the file and its folder synced to the disk"))
      << policies->summary;
  EXPECT_TRUE(cookies->summary.ends_with(
      "cookies.json (owner only), then the file and its folder synced to the disk"))
      << cookies->summary;
  EXPECT_NE(read_text(profile.path() / "hsts.json").find("\"localhost\""), std::string::npos);
  EXPECT_NE(read_text(profile.path() / "cookies.json").find("\"visit\""), std::string::npos);
  struct stat status {};
  ASSERT_EQ(::stat((profile.path() / "cookies.json").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);

  // The next load finds the profile holding both: nothing to write, no step for it.
  Trace again;
  ASSERT_TRUE(navigator.load_now(url, Viewport{}, again));
  navigator.finish_profile_writes(again);
  const Trace::Step* noted_again = step_titled(again, "hsts", "Strict-Transport-Security from ");
  ASSERT_NE(noted_again, nullptr);
  EXPECT_EQ(noted_again->summary, "max-age=31536000; the profile holds it already");
  EXPECT_EQ(step_titled(again, "hsts", "the HSTS policies written"), nullptr);
}

// The faces that keep a load's trace on show (the full-screen journey, the window's waterfall)
// take the writes that end after the load's outcome, without waiting for them: each write
// tells the navigator's news as it ends (a window wakes its loop with it), and is then put in
// the trace once, whether or not it had ended by the load's end. Nothing while a load is under
// way: that load's trace is the one to take what it writes.
TEST(ProfileWrites, AWriteEndingAfterTheLoadJoinsTheTraceAFaceKeeps) {
  const LocalhostCertificate certificate("profile-writes-late");
  const RememberedOrigin origin(certificate);
  const test_support::TempDir profile{"miniweb-profile-writes-late"};
  std::mutex mutex;  // declared first: the navigator's threads tell of news until it is gone
  std::condition_variable told;
  int news = 0;
  Navigator navigator(options_for(certificate, profile.path()));
  navigator.on_news([&] {
    const std::lock_guard lock(mutex);
    ++news;
    told.notify_all();
  });
  Trace trace;
  const Url url = *Url::parse(origin.url());
  auto page = navigator.load_now(url, Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(told.wait_for(lock, std::chrono::seconds(5), [&] { return news >= 2; }))
        << news << " of the two writes told of";
  }
  navigator.note_profile_writes(trace);
  const auto count = [&](const std::string& phase, const std::string& title_start) {
    return std::count_if(trace.steps().begin(), trace.steps().end(), [&](const Trace::Step& step) {
      return step.phase == phase && step.title.starts_with(title_start);
    });
  };
  const std::string text = trace.render(url.to_string());
  EXPECT_EQ(count("hsts", "the HSTS policies written"), 1) << text;
  EXPECT_EQ(count("cookie", "the persistent cookies written"), 1) << text;
  EXPECT_FALSE(navigator.note_profile_writes(trace)) << "nothing new, nothing added";

  navigator.start(url, Viewport{});
  Trace shown;
  EXPECT_FALSE(navigator.note_profile_writes(shown)) << "a load is under way";
  while (navigator.busy()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(navigator.take_outcome());
}

// A dump with --trace shows the writes whole, and every dump's run ends with the files on the
// disk: a later run (here, a new navigator on the same profile) knows the host is HTTPS-only.
TEST(ProfileWrites, ADumpsTraceShowsTheWritesAndTheNextRunFindsThem) {
  const LocalhostCertificate certificate("profile-writes-dump");
  const RememberedOrigin origin(certificate);
  const test_support::TempDir profile{"miniweb-profile-writes-dump"};
  const Url url = *Url::parse(origin.url());
  {
    Navigator navigator(options_for(certificate, profile.path()));
    std::ostringstream out;
    std::ostringstream err;
    DumpOptions dump;
    dump.trace = true;
    EXPECT_EQ(run_dump(navigator, url, dump, out, err), 0) << err.str();
    EXPECT_NE(out.str().find("hello"), std::string::npos) << out.str();
    EXPECT_NE(err.str().find("the HSTS policies written to the profile"), std::string::npos)
        << err.str();
    EXPECT_NE(err.str().find("on the profile writer's thread, in "), std::string::npos)
        << err.str();
    EXPECT_NE(read_text(profile.path() / "hsts.json").find("\"localhost\""), std::string::npos);
  }
  Navigator later(options_for(certificate, profile.path()));
  Trace trace;
  const Url plain = *Url::parse("http://localhost:" + std::to_string(origin.origin.port()) + "/");
  auto page = later.load_now(plain, Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_NE(step_titled(trace, "hsts", "http:// upgraded to https://"), nullptr)
      << trace.render(plain.to_string());
}

// The hsts step says what the header did when nothing is written: a run with no profile
// (--fresh) applies it for itself, and a header with no valid max-age changes nothing.
TEST(ProfileWrites, WithNothingToWriteTheStepSaysWhy) {
  const LocalhostCertificate certificate("profile-writes-none");
  const struct {
    const char* policy;
    bool profile;
    const char* says;
  } cases[] = {
      {"max-age=31536000", false,
       "max-age=31536000; applied for this run; no profile to keep it in"},
      {"max-age=soon", true,
       "max-age=soon; ignored: no valid max-age directive (RFC 6797 section 6.1.1)"},
  };
  for (const auto& each : cases) {
    const RememberedOrigin origin(certificate, each.policy);
    const test_support::TempDir profile{"miniweb-profile-writes-none"};
    Navigator navigator(options_for(certificate, each.profile ? profile.path() : ""));
    Trace trace;
    ASSERT_TRUE(navigator.load_now(*Url::parse(origin.url()), Viewport{}, trace));
    navigator.finish_profile_writes(trace);
    const Trace::Step* noted = step_titled(trace, "hsts", "Strict-Transport-Security from ");
    ASSERT_NE(noted, nullptr) << each.policy;
    EXPECT_EQ(noted->summary, each.says);
    EXPECT_EQ(step_titled(trace, "hsts", "the HSTS policies written"), nullptr) << each.policy;
    EXPECT_FALSE(std::filesystem::exists(profile.path() / "hsts.json")) << each.policy;
  }
}

}  // namespace
}  // namespace miniweb::browser
