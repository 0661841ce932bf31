// Certificates the browser refuses as Chromium and Firefox do, against a real TLS origin on
// loopback whose certificate openssl makes for the test and the browser trusts as its only root.

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/navigator.hpp"
#include "tests/browser/head_start_ready.hpp"
#include "tests/browser/test_origin.hpp"

namespace miniweb::browser {
namespace {

using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

struct SelfIssued {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("miniweb-certificate-" + std::to_string(::getpid()));
  std::filesystem::path cert = dir / "cert.pem";
  std::filesystem::path key = dir / "key.pem";
  // `extensions`: openssl req -addext arguments (none: only the subject's CN names the host).
  explicit SelfIssued(const std::string& extensions) {
    std::filesystem::create_directories(dir);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=localhost " +
        extensions + " -keyout " + key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
  ~SelfIssued() { std::filesystem::remove_all(dir); }
};

OriginReply hello(const OriginRequest&) {
  return {test::http_response(200, "OK", {"Content-Type: text/plain"}, "hello")};
}

// A TLS origin on loopback that answers "hello", with `certificate`.
struct HelloOrigin {
  explicit HelloOrigin(const SelfIssued& certificate)
      : tls(test::tls_server_context(certificate.cert, certificate.key)), origin(hello, &tls) {}
  std::string url() const { return "https://localhost:" + std::to_string(origin.port()) + "/"; }
  asio::ssl::context tls;
  TestOrigin origin;
};

Result<Page> load_from(const SelfIssued& certificate) {
  HelloOrigin origin(certificate);
  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  Navigator navigator(options);
  Trace trace;
  return navigator.load_now(*Url::parse(origin.url()), Viewport{}, trace);
}

TEST(BrowserCertificates, ANameInSubjectAltNameIsAccepted) {
  SelfIssued certificate("-addext subjectAltName=DNS:localhost");
  auto page = load_from(certificate);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->source(), "hello");
  EXPECT_EQ(page->security.verification.rfind("OK", 0), 0u) << page->security.verification;
}

// RFC 6125 section 6.4.4 allowed the subject's CN when there is no subjectAltName; browsers
// refuse it since 2017, and so does this one, saying why.
TEST(BrowserCertificates, ANameOnlyInTheSubjectsCommonNameIsRefused) {
  SelfIssued certificate("");
  auto page = load_from(certificate);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, exit_code::kCertificate);
  EXPECT_NE(page.error().message.find("NET::ERR_CERT_COMMON_NAME_INVALID"), std::string::npos)
      << page.error().message;
  EXPECT_NE(page.error().message.find("no subjectAltName"), std::string::npos)
      << page.error().message;
}

// A head start begun before the load (as main begins it) makes the load's context, taken on
// the load's own thread, and the trace's context step says so and how long before the load it
// began: its clock starts with the load.
TEST(BrowserCertificates, TheHeadStartsContextIsTakenAndTheTraceSaysWhenItBegan) {
  SelfIssued certificate("-addext subjectAltName=DNS:localhost");
  HelloOrigin origin(certificate);
  const std::string url = origin.url();
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"), const_cast<char*>(url.c_str())};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  ASSERT_TRUE(head_start.began());

  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  options.loader.tls_head_start = &head_start;
  Navigator navigator(options);
  navigator.expect(*Url::parse(url));
  Trace trace;
  auto page = navigator.load_now(*Url::parse(url), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->source(), "hello");
  EXPECT_EQ(head_start.take(), nullptr);  // the load's context is the head start's
  bool said = false;
  for (const Trace::Step& step : trace.steps())
    if (step.phase == "tls" &&
        step.title.starts_with("client context (begun as the program "
                               "started, ") &&
        step.title.find(" ms before this load), trusting ") != std::string::npos &&
        step.summary.starts_with("taken from the head start"))
      said = true;
  EXPECT_TRUE(said) << trace.render(url);
}

// The roots are read by the first handshake, once its ClientHello is on its way; its step says
// so, with what it measured, and the second load's handshake has nothing left to read.
TEST(BrowserCertificates, TheFirstHandshakeReadsTheRootsAndSaysWhen) {
  SelfIssued certificate("-addext subjectAltName=DNS:localhost");
  HelloOrigin origin(certificate);
  const std::string url = origin.url();
  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  Navigator navigator(options);
  auto roots_lines = [](const Trace& trace) {
    std::vector<std::string> found;
    for (const Trace::Step& step : trace.steps())
      for (const std::string& detail : step.details)
        if (detail.starts_with("trusted roots: ")) found.push_back(step.title + " | " + detail);
    return found;
  };
  Trace first;
  auto page = navigator.load_now(*Url::parse(url), Viewport{}, first);
  ASSERT_TRUE(page) << page.error().message;
  const auto said = roots_lines(first);
  ASSERT_EQ(said.size(), 1u) << first.render(url);
  EXPECT_TRUE(said[0].starts_with("handshake with localhost")) << said[0];
  EXPECT_NE(said[0].find("trusted roots: 1 read from " + certificate.cert.string()),
            std::string::npos)
      << said[0];
  // Begun once the ClientHello SSL_connect made (OpenSSL's output held some hundreds of bytes
  // as it returned) had left that output for the socket: not before it was made, when there is
  // nothing to send, nor while it waited to be sent.
  const std::string begun = ", once the ClientHello SSL_connect made (";
  const std::size_t at = said[0].find(begun);
  ASSERT_NE(at, std::string::npos) << said[0];
  EXPECT_GT(std::stoul(said[0].substr(at + begun.size())), 100u) << said[0];
  EXPECT_NE(said[0].find(" bytes) had left OpenSSL's output for the socket"), std::string::npos)
      << said[0];
  EXPECT_NE(said[0].find(" by then"), std::string::npos) << said[0];

  Trace second;
  page = navigator.load_now(*Url::parse(url + "again"), Viewport{}, second);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_TRUE(roots_lines(second).empty()) << second.render(url);
}

// A head start told the CA file (as main tells it for a load with no profile) reads the roots
// once it has made the context; the load's handshake then has nothing to read, verifies the
// server with them, and its step says who read them and when.
TEST(BrowserCertificates, RootsReadAheadByTheHeadStartVerifyTheServer) {
  SelfIssued certificate("-addext subjectAltName=DNS:localhost");
  HelloOrigin origin(certificate);
  const std::string url = origin.url();
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"), const_cast<char*>(url.c_str())};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  head_start.trust_ahead(certificate.cert);
  ASSERT_TRUE(test::wait_until_ready(head_start));

  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  options.loader.tls_head_start = &head_start;
  Navigator navigator(options);
  Trace trace;
  auto page = navigator.load_now(*Url::parse(url), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->source(), "hello");
  std::vector<std::string> said;
  for (const Trace::Step& step : trace.steps())
    for (const std::string& detail : step.details)
      if (detail.starts_with("trusted roots: ")) said.push_back(detail);
  ASSERT_EQ(said.size(), 1u) << trace.render(url);
  EXPECT_NE(said[0].find("trusted roots: 1 read from " + certificate.cert.string()),
            std::string::npos)
      << said[0];
  EXPECT_NE(said[0].find(" before the load began, on the head start's thread once it had made "
                         "the context"),
            std::string::npos)
      << said[0];
  EXPECT_EQ(said[0].find("ClientHello"), std::string::npos) << said[0];
}

// A CA file that opens but holds no certificate: the handshake fails saying so, whatever the
// server sent, and nothing is loaded.
TEST(BrowserCertificates, ACaFileWithNoCertificateFailsTheHandshakeSayingWhy) {
  SelfIssued certificate("-addext subjectAltName=DNS:localhost");
  const std::filesystem::path empty = certificate.dir / "empty.pem";
  { std::ofstream(empty) << "not a certificate\n"; }
  HelloOrigin origin(certificate);
  NavigatorOptions options;
  options.loader.ca_file = empty;
  options.loader.io_timeout = std::chrono::seconds(5);
  Navigator navigator(options);
  Trace trace;
  auto page = navigator.load_now(*Url::parse(origin.url()), Viewport{}, trace);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, exit_code::kCertificate);
  EXPECT_NE(page.error().message.find("cannot load the trusted CA file " + empty.string() + ": "),
            std::string::npos)
      << page.error().message;
}

// SSLKEYLOGFILE, as curl and Chromium read it: the handshake's secrets are appended there in
// the NSS key log format, for Wireshark: TLS 1.3's five.
TEST(BrowserCertificates, SslKeyLogFileReceivesTheHandshakesSecrets) {
  SelfIssued certificate("-addext subjectAltName=DNS:localhost");
  const std::filesystem::path key_log = certificate.dir / "keys.log";
  ::setenv("SSLKEYLOGFILE", key_log.c_str(), 1);
  auto page = load_from(certificate);
  ::unsetenv("SSLKEYLOGFILE");
  ASSERT_TRUE(page) << page.error().message;
  std::ifstream written(key_log);
  std::set<std::string> labels;
  for (std::string line; std::getline(written, line);)
    labels.insert(line.substr(0, line.find(' ')));
  EXPECT_EQ(labels, (std::set<std::string>{"SERVER_HANDSHAKE_TRAFFIC_SECRET",
                                           "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "EXPORTER_SECRET",
                                           "SERVER_TRAFFIC_SECRET_0", "CLIENT_TRAFFIC_SECRET_0"}));
}

}  // namespace
}  // namespace miniweb::browser
