// TLS session resumption against a real TLS origin on loopback (OpenSSL's server, which issues
// two TLS 1.3 tickets after each full handshake): a run keeps the sessions in its profile, the
// next run resumes one, and whatever would make a session unsafe or unusable (other roots
// trusted, an expired or damaged entry, a refused certificate) leads to a full handshake.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "browser/navigator.hpp"
#include "browser/net/tls_client.hpp"
#include "browser/net/tls_session_file.hpp"
#include "browser/net/tls_session_store.hpp"
#include "browser/render/text_painter.hpp"
#include "tests/browser/localhost_certificate.hpp"
#include "tests/browser/test_origin.hpp"
#include "tests/support/temp_dir.hpp"

namespace miniweb::browser {
namespace {

using test::LocalhostCertificate;
using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

// "hello" on every request; `close_after`: the origin closes each connection once it answered,
// so that each load of a run makes a connection of its own.
struct HelloOrigin {
  HelloOrigin(const LocalhostCertificate& certificate, bool close_after = false)
      : tls(test::tls_server_context(certificate.cert, certificate.key)),
        origin(
            [close_after](const OriginRequest&) {
              OriginReply reply{
                  test::http_response(200, "OK", {"Content-Type: text/plain"}, "hello")};
              reply.close_after = close_after;
              return reply;
            },
            &tls) {}
  std::string url() const { return "https://localhost:" + std::to_string(origin.port()) + "/"; }
  asio::ssl::context tls;
  TestOrigin origin;
};

struct BrowserRun {
  Result<Page> page = make_error("not loaded");
  Trace trace;
  std::string text;  // the trace, rendered
};

NavigatorOptions options_for(const LocalhostCertificate& certificate,
                             const std::filesystem::path& profile, bool insecure = false) {
  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  options.loader.profile_dir = profile;
  options.loader.insecure = insecure;
  return options;
}

// One run of the browser: a load, then its connections closed as the program's end closes
// them (which writes the profile's sessions).
BrowserRun run_once(const std::string& url, const NavigatorOptions& options) {
  BrowserRun run;
  Navigator navigator(options);
  run.page = navigator.load_now(*Url::parse(url), Viewport{}, run.trace);
  navigator.close_connections(run.trace);
  run.text = run.trace.render(url);
  return run;
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The file's fields, by their names in the format (tls_session_file.hpp).
std::size_t field_index(std::string_view name) {
  constexpr std::array<std::string_view, 9> kNames = {
      "origin", "expires",      "verified_at", "certificate_ends", "session",
      "trust",  "verification", "revocation",  "certificate"};
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return i;
  ADD_FAILURE() << "no field " << name;
  return 0;
}

// `text` with `field` set to `value` on every session's line (the header and comments as they
// are).
std::string with_every_session(const std::string& text, std::string_view field,
                               const std::string& value) {
  const std::size_t index = field_index(field);
  std::istringstream lines(text);
  std::string out;
  std::string line;
  for (bool header = true; std::getline(lines, line); header = false) {
    if (!header && !line.empty() && line.front() != '#') {
      std::vector<std::string> fields;
      std::istringstream cells(line);
      for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
      EXPECT_EQ(fields.size(), 9u) << line;
      if (index < fields.size()) fields[index] = value;
      line.clear();
      for (const std::string& cell : fields) line += (line.empty() ? "" : "\t") + cell;
    }
    out += line + "\n";
  }
  return out;
}

// An origin, a profile, and a first run that kept the origin's sessions in it.
struct AfterAFirstRun {
  explicit AfterAFirstRun(const std::string& purpose)
      : certificate(purpose),
        origin(certificate),
        options(options_for(certificate, profile.path())),
        first(run_once(origin.url(), options)) {}
  // The profile's file as the first run left it, with `field` set to `value` in every session,
  // then a second run.
  BrowserRun run_with_every_session(std::string_view field, const std::string& value) const {
    std::ofstream(profile.path() / TlsSessionStore::kFileName, std::ios::binary | std::ios::trunc)
        << with_every_session(kept, field, value);
    return run_once(origin.url(), options);
  }

  LocalhostCertificate certificate;
  HelloOrigin origin;
  test_support::TempDir profile{"miniweb-tls-sessions"};
  NavigatorOptions options;
  BrowserRun first;
  std::string kept = read_text(profile.path() / TlsSessionStore::kFileName);
};

// A run whose handshake was a full one, offering no session.
void expect_full_handshake(const BrowserRun& run) {
  ASSERT_TRUE(run.page) << run.page.error().message;
  EXPECT_FALSE(run.page->security.resumed);
  EXPECT_EQ(run.text.find("session offered"), std::string::npos) << run.text;
}

std::filesystem::path sessions_file(const std::filesystem::path& profile) {
  return profile / TlsSessionStore::kFileName;
}

// The sessions the file holds, every line of it read whole.
std::size_t sessions_in(const std::filesystem::path& file) {
  const SessionsFileRead read = read_sessions_file(read_text(file));
  EXPECT_TRUE(read.is_session_file) << file;
  EXPECT_EQ(read.damaged, 0u) << file;
  std::size_t count = 0;
  for (const auto& [origin, sessions] : read.by_origin) count += sessions.size();
  return count;
}

TEST(TlsSessions, TheNextRunResumesASessionTheProfileKept) {
  const AfterAFirstRun setup("tls-sessions");
  const BrowserRun& first = setup.first;
  ASSERT_TRUE(first.page) << first.page.error().message;
  EXPECT_FALSE(first.page->security.resumed);
  EXPECT_NE(first.text.find("sessions kept for resumption, for the next run"), std::string::npos)
      << first.text;
  const auto file = sessions_file(setup.profile.path());
  struct stat status {};
  ASSERT_EQ(::stat(file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);  // a session resumes for whoever holds it
  EXPECT_EQ(sessions_in(file), 2u);         // OpenSSL's server sends two tickets

  const BrowserRun second = run_once(setup.origin.url(), setup.options);
  ASSERT_TRUE(second.page) << second.page.error().message;
  EXPECT_EQ(second.page->source(), "hello");
  EXPECT_TRUE(second.page->security.resumed) << second.text;
  EXPECT_NE(second.text.find("session offered for resumption"), std::string::npos) << second.text;
  EXPECT_NE(second.text.find("kept in the profile"), std::string::npos) << second.text;
  EXPECT_NE(second.text.find("no certificate or signature to verify"), std::string::npos)
      << second.text;
  // What the first run's verification found stands, and is said to be the first run's.
  EXPECT_EQ(second.page->security.verification.rfind("OK, ", 0), 0u)
      << second.page->security.verification;
  EXPECT_NE(second.page->security.verification.find("when the session was made"),
            std::string::npos);
  ASSERT_EQ(second.page->security.chain.size(), 1u);
  EXPECT_NE(second.page->security.chain.front().find("CN=localhost"), std::string::npos);
  // The roots are not read for a resumed handshake.
  EXPECT_EQ(second.text.find("trusted roots:"), std::string::npos) << second.text;
}

// The close's step says what each half of the TLS close did, as far as OpenSSL and the error
// show it: ours is said to be sent only where it is known to have gone.
TEST(TlsSessions, TheClosesStepSaysWhatEachHalfDid) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(context, nullptr);
  SSL* ssl = SSL_new(context);
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(tls_close_outcome(ssl, {}), "close_notify sent, the server's close_notify received");
  // The stream ended while the shutdown read: ours had gone, the server closed without one.
  EXPECT_EQ(tls_close_outcome(ssl, asio::ssl::error::stream_truncated),
            "close_notify sent; no close_notify back (stream truncated)");
  // A reset: whether ours left is not known, and not claimed.
  EXPECT_EQ(
      tls_close_outcome(ssl, asio::error::connection_reset).rfind("no close_notify back (", 0), 0u);
  // The server's came first; what failed was sending ours.
  SSL_set_shutdown(ssl, SSL_RECEIVED_SHUTDOWN);
  EXPECT_EQ(tls_close_outcome(ssl, asio::error::broken_pipe)
                .rfind("the server's close_notify received; ours not sent (", 0),
            0u);
  SSL_free(ssl);
  SSL_CTX_free(context);
}

// The sessions are written while the connection's close waits for the server's close_notify:
// their step lies inside the close's, which still ends the trace, and the file holds them. (This
// origin closes without a close_notify of its own: the close ends with its end of the stream.)
TEST(TlsSessions, TheSessionsAreWrittenWhileTheCloseWaitsForTheServer) {
  const AfterAFirstRun setup("tls-sessions-closing");
  ASSERT_TRUE(setup.first.page) << setup.first.page.error().message;
  const Trace::Step* close = nullptr;
  const Trace::Step* sessions = nullptr;
  for (const Trace::Step& step : setup.first.trace.steps()) {
    if (step.phase == "close") close = &step;
    if (step.title == "sessions kept for resumption, for the next run") sessions = &step;
  }
  ASSERT_NE(close, nullptr) << setup.first.text;
  ASSERT_NE(sessions, nullptr) << setup.first.text;
  EXPECT_EQ(close->summary.rfind("close_notify sent", 0), 0u) << close->summary;
  // The TCP shutdown the step's title names is made inside it, and says what it answered.
  EXPECT_NE(setup.first.text.find("; shutdown() returned (the FIN itself shows in --packets)"),
            std::string::npos)
      << setup.first.text;
  EXPECT_GE(sessions->start, close->start) << setup.first.text;
  EXPECT_LE(sessions->start + sessions->duration, close->start + close->duration)
      << setup.first.text;
  EXPECT_EQ(setup.first.trace.total(), close->start + close->duration);
  EXPECT_EQ(sessions_in(sessions_file(setup.profile.path())), 2u);
}

// Started with an https URL, the browser has its TLS head start's thread: the sessions a
// response brought are written there, beside the load's own work (the page's parse and
// layout), not in the close at its end. Their step ends before the close begins, says where it
// ran, and the file holds them.
TEST(TlsSessions, WithAHeadStartTheSessionsAreWrittenBesideTheLoad) {
  const LocalhostCertificate certificate("tls-sessions-beside");
  const HelloOrigin origin(certificate);
  const test_support::TempDir profile{"miniweb-tls-sessions"};
  std::string url = origin.url();
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"), url.data()};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  NavigatorOptions options = options_for(certificate, profile.path());
  options.loader.tls_head_start = &head_start;
  const BrowserRun run = run_once(url, options);
  ASSERT_TRUE(run.page) << run.page.error().message;
  const Trace::Step* close = nullptr;
  const Trace::Step* sessions = nullptr;
  for (const Trace::Step& step : run.trace.steps()) {
    if (step.phase == "close") close = &step;
    if (step.title == "sessions kept for resumption, for the next run") sessions = &step;
  }
  ASSERT_NE(close, nullptr) << run.text;
  ASSERT_NE(sessions, nullptr) << run.text;
  EXPECT_EQ(sessions->summary.rfind("2 sessions of 1 origin written to ", 0), 0u) << run.text;
  ASSERT_FALSE(sessions->details.empty()) << run.text;
  EXPECT_EQ(sessions->details.front().rfind("on the head start's thread, in ", 0), 0u) << run.text;
  EXPECT_LE(sessions->start + sessions->duration, close->start) << run.text;
  EXPECT_EQ(sessions_in(sessions_file(profile.path())), 2u);
}

// A run that asks for nothing after its page (a dump with no form to submit) closes its
// connection as soon as the response is in, and builds the page on the head start's thread
// meanwhile, which has practised on a built-in page while the load waited: nothing is left
// open when the load returns, the parse says where it ran and began once the response was in
// (how the two overlap is the machine's to decide, not checked), and the sessions are written
// inside the close (the thread has the page to build).
TEST(TlsSessions, TheLastLoadClosesItsConnectionWhileItsPageIsBuiltBeside) {
  const LocalhostCertificate certificate("tls-last-load");
  asio::ssl::context tls = test::tls_server_context(certificate.cert, certificate.key);
  const TestOrigin origin(
      [](const OriginRequest&) {
        return OriginReply{test::http_response(200, "OK", {"Content-Type: text/html"},
                                               "<title>Last</title><p>One page, then done.")};
      },
      &tls);
  const test_support::TempDir profile{"miniweb-tls-sessions"};
  std::string url = "https://localhost:" + std::to_string(origin.port()) + "/";
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"), url.data()};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  NavigatorOptions options = options_for(certificate, profile.path());
  options.loader.tls_head_start = &head_start;
  Navigator navigator(options);
  navigator.expect_no_further_request();
  Trace trace;
  const Result<Page> page = navigator.load_now(*Url::parse(url), Viewport{}, trace);
  const std::string text = trace.render(url);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->document.title, "Last");
  EXPECT_NE(render::dump_page(page->layout, [](const std::string& href) { return href; })
                .find("One page, then done."),
            std::string::npos);
  EXPECT_EQ(navigator.idle_connections(), 0u) << text;
  const Trace::Step* keep = nullptr;
  const Trace::Step* close = nullptr;
  const Trace::Step* parse = nullptr;
  const Trace::Step* sessions = nullptr;
  for (const Trace::Step& step : trace.steps()) {
    if (step.phase == "keep") keep = &step;
    if (step.phase == "close") close = &step;
    if (step.phase == "parse") parse = &step;
    if (step.title == "sessions kept for resumption, for the next run") sessions = &step;
  }
  ASSERT_TRUE(keep && close && parse && sessions) << text;
  EXPECT_GE(parse->start, keep->start) << text;  // handed over once the response was in
  ASSERT_FALSE(parse->details.empty()) << text;
  EXPECT_EQ(parse->details.front().rfind("on the head start's thread, beside the connections' "
                                         "close",
                                         0),
            0u)
      << text;
  // That thread practised first, on a built-in page (Navigator::practise_building_beside),
  // unless the page came first (a machine slow to start the thread): either is said.
  ASSERT_EQ(parse->details.size(), 2u) << text;
  EXPECT_TRUE(parse->details[1].starts_with("that thread had practised on a built-in page while "
                                            "the load waited for its server: parsed") ||
              parse->details[1] ==
                  "the page came before that thread had begun to practise on a built-in page")
      << text;
  EXPECT_GE(sessions->start, close->start) << text;
  EXPECT_LE(sessions->start + sessions->duration, close->start + close->duration) << text;
  EXPECT_EQ(sessions_in(sessions_file(profile.path())), 2u);
}

// RFC 8446 appendix C.4: a ticket is used once. Each session the profile held is offered once;
// then there are none.
TEST(TlsSessions, EachSessionIsOfferedOnce) {
  const AfterAFirstRun setup("tls-sessions-once");
  ASSERT_TRUE(setup.first.page);
  TlsSessionStore store(setup.profile.path());
  const std::string key = "https://localhost:" + std::to_string(setup.origin.origin.port());
  const LocalhostCertificate& certificate = setup.certificate;
  const std::time_t now = std::time(nullptr);
  auto first = store.take(key, certificate.cert, now);
  auto second = store.take(key, certificate.cert, now);
  ASSERT_TRUE(first && second);
  EXPECT_NE(tls::to_der(first->session.get(), i2d_SSL_SESSION),
            tls::to_der(second->session.get(), i2d_SSL_SESSION));
  EXPECT_FALSE(store.take(key, certificate.cert, now));
  // Kept without the server's certificate: a resumed handshake has none to check, and decoding
  // one would come before its ClientHello.
  EXPECT_EQ(SSL_SESSION_get0_peer(first->session.get()), nullptr);
  EXPECT_NE(first->server.certificate_ends, 0);
  // Another origin's sessions are not this one's.
  TlsSessionStore again(setup.profile.path());
  EXPECT_FALSE(again.take("https://localhost:1", certificate.cert, now));
  // Written back, the file holds what is left: nothing.
  ASSERT_TRUE(store.save());
  EXPECT_EQ(sessions_in(sessions_file(setup.profile.path())), 0u);
}

// A session verified against other roots than the ones trusted now is not offered: the user
// changed what they trust.
TEST(TlsSessions, ASessionVerifiedAgainstOtherRootsIsNotOffered) {
  const AfterAFirstRun setup("tls-sessions-roots");
  ASSERT_TRUE(setup.first.page);

  // The same roots in another file.
  const std::filesystem::path other = setup.profile.path() / "other-roots.pem";
  std::filesystem::copy_file(setup.certificate.cert, other);
  auto moved = setup.options;
  moved.loader.ca_file = other;
  const BrowserRun second = run_once(setup.origin.url(), moved);
  expect_full_handshake(second);
  EXPECT_NE(second.text.find("trusted roots: 1 read"), std::string::npos) << second.text;

  // The first file's sessions stay for when it is trusted again.
  const BrowserRun third = run_once(setup.origin.url(), setup.options);
  ASSERT_TRUE(third.page) << third.page.error().message;
  EXPECT_TRUE(third.page->security.resumed) << third.text;
}

TEST(TlsSessions, AnExpiredSessionIsNotOffered) {
  const AfterAFirstRun setup("tls-sessions-expired");
  ASSERT_TRUE(setup.first.page);
  ASSERT_EQ(sessions_in(sessions_file(setup.profile.path())), 2u);
  expect_full_handshake(
      setup.run_with_every_session("expires", std::to_string(std::time(nullptr) - 1)));
  // RFC 8446 section 4.6.1: within its own lifetime, but seven days after the handshake that
  // verified the server, a session is not offered either.
  expect_full_handshake(setup.run_with_every_session(
      "verified_at", std::to_string(std::time(nullptr) - 7 * 24 * 3600)));
}

// Bad input loses nothing: a damaged file is said to be one, the load makes a full handshake,
// and the file is written again whole.
TEST(TlsSessions, ADamagedFileIsSetAsideAndWrittenAgain) {
  LocalhostCertificate certificate("tls-sessions-damaged");
  HelloOrigin origin(certificate);
  test_support::TempDir profile("miniweb-tls-sessions");
  const auto file = sessions_file(profile.path());
  const std::string header = sessions_file_text({});
  for (const std::string& damage : {
           // what an earlier version kept, JSON
           std::string("{\"https://localhost:1\": [{\"session\": \"MIIB\"}]}\n"),
           header + "https://localhost:1\t1\t2\n",                          // fields missing
           header + "https://localhost:1\tsoon\t2\t3\tMIIB\ta\tb\tc\td\n",  // not a time
           header + "https://localhost:1\t1\t2\t3\t%%%\ta\tb\tc\td\n",      // not base64url
           header + "https://localhost:1\t1\t2\t3\tMIIB\ta\\q\tb\tc\td\n",  // no such escape
           header + "https://localhost:1\t1\t2\t3\tMIIB\ta\tb\tc\td\te\n",  // a field too many
       }) {
    std::ofstream(file) << damage;
    const BrowserRun run = run_once(origin.url(), options_for(certificate, profile.path()));
    ASSERT_TRUE(run.page) << run.page.error().message;
    EXPECT_FALSE(run.page->security.resumed);
    EXPECT_TRUE(run.text.find("not a session store") != std::string::npos ||
                run.text.find("damaged entr") != std::string::npos)
        << damage << "\n"
        << run.text;
    EXPECT_EQ(sessions_in(file), 2u) << damage;
    std::filesystem::remove(file);
  }
}

// The JSON file an earlier version kept its sessions in holds secrets no version reads any
// more: the first run without this version's file removes it.
TEST(TlsSessions, TheFileAnEarlierVersionKeptIsRemoved) {
  LocalhostCertificate certificate("tls-sessions-former");
  HelloOrigin origin(certificate);
  test_support::TempDir profile("miniweb-tls-sessions");
  const auto former = profile.path() / TlsSessionStore::kFormerFileName;
  std::ofstream(former) << "{\"https://localhost:1\": [{\"session\": \"MIIB\"}]}\n";
  const BrowserRun run = run_once(origin.url(), options_for(certificate, profile.path()));
  ASSERT_TRUE(run.page) << run.page.error().message;
  EXPECT_FALSE(std::filesystem::exists(former));
  EXPECT_EQ(sessions_in(sessions_file(profile.path())), 2u);
}

// Entries whose every field reads, but whose sessions OpenSSL cannot decode: dropped, and the
// load makes a full handshake.
TEST(TlsSessions, ASessionThatDoesNotDecodeIsDropped) {
  const AfterAFirstRun setup("tls-sessions-undecodable");
  ASSERT_TRUE(setup.first.page);
  ASSERT_EQ(sessions_in(sessions_file(setup.profile.path())), 2u);
  // A SEQUENCE cut short.
  expect_full_handshake(setup.run_with_every_session("session", "MIIBAgEB"));
}

// Without a profile (--fresh), sessions live for the run: a second connection of the same run
// resumes, and nothing is written.
TEST(TlsSessions, WithoutAProfileTheRunsOwnConnectionsResume) {
  LocalhostCertificate certificate("tls-sessions-memory");
  HelloOrigin origin(certificate, /*close_after=*/true);
  Navigator navigator(options_for(certificate, {}));
  Trace first_trace;
  auto first = navigator.load_now(*Url::parse(origin.url()), Viewport{}, first_trace);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->security.resumed);
  Trace second_trace;
  auto second = navigator.load_now(*Url::parse(origin.url()), Viewport{}, second_trace);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->security.resumed) << second_trace.render(origin.url());
  EXPECT_NE(second_trace.render(origin.url()).find("kept since, in this run"), std::string::npos);
  Trace closing;
  navigator.close_connections(closing);
  EXPECT_EQ(closing.render(origin.url()).find("sessions kept"), std::string::npos);
}

// The terminal's and the window's faces quit without closing their connections: the sessions
// are kept all the same, as the browser goes.
TEST(TlsSessions, AFaceThatQuitsWithoutClosingKeepsItsSessions) {
  LocalhostCertificate certificate("tls-sessions-quit");
  HelloOrigin origin(certificate);
  test_support::TempDir profile("miniweb-tls-sessions");
  {
    Navigator navigator(options_for(certificate, profile.path()));
    Trace trace;
    ASSERT_TRUE(navigator.load_now(*Url::parse(origin.url()), Viewport{}, trace));
  }
  EXPECT_EQ(sessions_in(sessions_file(profile.path())), 2u);
}

// A certificate the browser refused, let through by --insecure, gives no session to resume.
TEST(TlsSessions, ARefusedCertificateKeepsNoSession) {
  LocalhostCertificate trusted("tls-sessions-trusted");
  LocalhostCertificate served("tls-sessions-served");
  HelloOrigin origin(served);
  test_support::TempDir profile("miniweb-tls-sessions");
  const BrowserRun run =
      run_once(origin.url(), options_for(trusted, profile.path(), /*insecure=*/true));
  ASSERT_TRUE(run.page) << run.page.error().message;
  EXPECT_FALSE(run.page->security.insecure_warning.empty());
  EXPECT_FALSE(std::filesystem::exists(sessions_file(profile.path()))) << run.text;
}

}  // namespace
}  // namespace miniweb::browser
