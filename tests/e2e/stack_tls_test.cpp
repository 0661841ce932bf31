// The end-to-end test's certificates and HTTPS, on the suite's stack (stack_fixture.hpp;
// stack_test.cpp takes it down last): the server's certificate from the stack's CA to openssl
// and curl, revocation by a CRL where no OCSP response is stapled, the certificates a browser
// must refuse and --insecure, the host's OpenSSL policy, and plain HTTP redirected, then
// upgraded by HSTS.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

// A server that staples no OCSP response (the shop's, configured as nginx is by default) leaves
// the browser to the CRL its certificate names: fetched from ca.test through the stack, then
// kept in the profile until its nextUpdate.
TEST_F(StackTest, WithoutAStapleTheCrlIsFetchedAndKept) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  std::filesystem::remove_all(state_ / "browser/crl");
  // A resumed session checks nothing again: each load here makes a full handshake.
  const std::filesystem::path sessions = state_ / "browser/tls-sessions.txt";
  std::filesystem::remove(sessions);
  RunResult first = browse("https://shop.example.test/", "--dump --trace");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.find("the OCSP response the server stapled"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("fetch the CRL http://ca.test"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("revocation: good, not listed in http://ca.test"), std::string::npos)
      << first.err;
  std::filesystem::remove(sessions);
  RunResult second = browse("https://shop.example.test/", "--dump --trace");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("from the profile cache"), std::string::npos) << second.err;
  EXPECT_EQ(second.err.find("fetch the CRL"), std::string::npos) << second.err;
}

// TLS 1.3 early data, end to end: a load resuming a session the profile kept sends its GET
// with the ClientHello, and the server answers it with its first flight. The same ticket again
// (the profile put back as it was: a replay, as far as the server can tell) is refused its early
// data, and the browser sends the request again over the finished handshake.
TEST_F(StackTest, AResumedLoadSendsItsGetAsEarlyDataAndATicketDoesSoOnce) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::filesystem::path sessions = state_ / "browser/tls-sessions.txt";
  const std::filesystem::path kept = state_ / "tls-sessions.kept";
  std::filesystem::remove(sessions);
  ASSERT_EQ(browse("https://www.example.test/").exit_code, 0);
  std::filesystem::copy_file(sessions, kept, std::filesystem::copy_options::overwrite_existing);

  RunResult early = browse("https://www.example.test/", "--dump --trace");
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_NE(early.out.find("the journey of a URL"), std::string::npos) << early.out;
  EXPECT_NE(early.err.find("early data (TLS 1.3 0-RTT): the first request's"), std::string::npos)
      << early.err;
  EXPECT_NE(early.err.find("early data accepted"), std::string::npos) << early.err;
  EXPECT_NE(early.err.find("made for the handshake's early data"), std::string::npos) << early.err;
  // Its key share made ahead (browser/openssl/key_share_ahead.hpp): by the head start's thread
  // once it has made the context, or, when the load's thread got there first, by that one.
  EXPECT_NE(early.err.find("the ClientHello offered the key share "), std::string::npos)
      << early.err;
  // The server's ticket comes after the browser's Finished, after the answer: the close writes
  // it (with the other session the first run kept), whether it came before the server's
  // close_notify or with it.
  EXPECT_NE(early.err.find("2 sessions of 1 origin written to "), std::string::npos) << early.err;
  EXPECT_NE(read_file(sessions), read_file(kept));

  std::filesystem::copy_file(kept, sessions, std::filesystem::copy_options::overwrite_existing);
  RunResult replayed = browse("https://www.example.test/", "--dump --trace");
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.out.find("the journey of a URL"), std::string::npos) << replayed.out;
  EXPECT_NE(replayed.err.find("early data rejected by the server"), std::string::npos)
      << replayed.err;
  EXPECT_NE(replayed.err.find("the early data again on connection #1, after the handshake"),
            std::string::npos)
      << replayed.err;
  // Refused early again, a request the server answers 425 went after the handshake: that 425 is
  // final, not a reason to send it a third time.
  std::filesystem::copy_file(kept, sessions, std::filesystem::copy_options::overwrite_existing);
  RunResult refused_425 = browse("https://www.example.test/status/425", "--dump --trace");
  EXPECT_EQ(refused_425.exit_code, 22) << refused_425.err;
  EXPECT_NE(refused_425.err.find("early data rejected by the server"), std::string::npos)
      << refused_425.err;
  EXPECT_EQ(refused_425.err.find("it goes again, now that the handshake is complete"),
            std::string::npos)
      << refused_425.err;
  std::filesystem::remove(kept);

  // 425 Too Early to a request sent as early data (RFC 8470 section 5.2): sent again once the
  // handshake is complete. /status/425 answers every request so, the second one too.
  RunResult too_early = browse("https://www.example.test/status/425", "--dump --trace");
  EXPECT_EQ(too_early.exit_code, 22) << too_early.err;
  EXPECT_NE(too_early.err.find("early data accepted"), std::string::npos) << too_early.err;
  EXPECT_NE(too_early.err.find("< HTTP/2 425 Too Early, to the request sent as early data: it "
                               "goes again, now that the handshake is complete"),
            std::string::npos)
      << too_early.err;
  EXPECT_NE(too_early.err.find("< HTTP/2 425 Too Early ("), std::string::npos) << too_early.err;
}

TEST_F(StackTest, OpensslAndCurlAcceptTheServerCertificate) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::string ca = state_.string() + "/ca";
  // The server obtained it from the stack's CA by ACME when it started.
  const std::string chain = state_.string() + "/acme/www/certificates/www.example.test.chain.pem";
  RunResult verify =
      run("openssl verify -CAfile " + ca + "/root.pem -untrusted " + chain + " " + chain);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(": OK"), std::string::npos) << verify.out;
  RunResult issued = run(std::string(MINIWEB_BINARY_DIR) + "/ca/miniweb-ca list --dir " + ca);
  EXPECT_NE(issued.out.find("www.example.test"), std::string::npos) << issued.out;
  EXPECT_NE(
      read_file(state_ / "logs/www.log").find("acme: certificate for www.example.test obtained"),
      std::string::npos);
  RunResult curl = run("curl -sS --cacert " + ca +
                       "/root.pem --resolve www.example.test:" + std::to_string(https_port_) + ":" +
                       net_ + ".10 https://www.example.test:" + std::to_string(https_port_) + "/");
  EXPECT_EQ(curl.exit_code, 0) << curl.err;
  EXPECT_NE(curl.out.find("<h1>Welcome to www.example.test</h1>"), std::string::npos);
}

// The host's openssl.cnf is not the browser's TLS policy (Chromium's BoringSSL reads none
// either): a system-wide policy that allows only RSA signatures stops curl, which reads it,
// at the stack's ECDSA certificates, and not the browser.
TEST_F(StackTest, TheHostsOpensslConfigIsNotTheBrowsersTlsPolicy) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::filesystem::path config = state_ / "openssl-rsa-signatures-only.cnf";
  std::ofstream(config) << "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\n"
                           "system_default = policy\n[policy]\nSignatureAlgorithms = RSA+SHA256\n";
  const std::string with_config = "OPENSSL_CONF=" + config.string() + " ";
  RunResult curl =
      run(with_config + "curl -sS --cacert " + state_.string() +
          "/ca/root.pem --resolve www.example.test:" + std::to_string(https_port_) + ":" + net_ +
          ".10 https://www.example.test:" + std::to_string(https_port_) + "/");
  EXPECT_NE(curl.exit_code, 0) << "the configuration binds programs that read it";
  RunResult page = run(with_config + environment_ +
                       MINIWEB_SOURCE_DIR "/miniweb browse --dump https://www.example.test/");
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.out.find("Welcome to www.example.test"), std::string::npos) << page.out;
}

TEST_F(StackTest, CertificatesABrowserMustRefuseAreRefused) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  struct Case {
    std::string host, error, reason;
  };
  const std::vector<Case> cases = {
      {"expired", "NET::ERR_CERT_DATE_INVALID", "expired: the certificate was valid until"},
      {"wrong.host", "NET::ERR_CERT_COMMON_NAME_INVALID",
       "wrong host: the certificate is for www.badssl.test"},
      {"self-signed", "NET::ERR_CERT_AUTHORITY_INVALID", "self-signed:"},
      {"untrusted-root", "NET::ERR_CERT_AUTHORITY_INVALID",
       "untrusted issuer: the chain leads to CN=Untrusted Root CA"},
      {"incomplete-chain", "NET::ERR_CERT_AUTHORITY_INVALID", "incomplete chain:"},
      {"revoked", "NET::ERR_CERT_REVOKED", "revoked: the stapled OCSP response of CN="},
      {"revoked-crl", "NET::ERR_CERT_REVOKED", "revoked: the CRL of CN="},
  };
  for (const Case& c : cases) {
    RunResult page = browse("https://" + c.host + ".badssl.test/");
    EXPECT_EQ(page.exit_code, 60) << c.host << ": " << page.err;
    EXPECT_NE(page.err.find(c.error), std::string::npos) << c.host << ": " << page.err;
    EXPECT_NE(page.err.find(c.reason), std::string::npos) << c.host << ": " << page.err;
    if (c.host.starts_with("revoked")) {
      EXPECT_NE(page.err.find("(reason keyCompromise)"), std::string::npos) << page.err;
    }
    EXPECT_EQ(page.out.find("You should not be reading this"), std::string::npos) << c.host;
  }
}

TEST_F(StackTest, InsecureShowsThePageAndSaysSoOnIt) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult page = browse("https://expired.badssl.test/", "--dump --insecure");
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_TRUE(page.out.starts_with("!! INSECURE: --insecure is on")) << page.out;
  EXPECT_NE(page.out.find("NET::ERR_CERT_DATE_INVALID"), std::string::npos) << page.out;
  EXPECT_NE(page.out.find("You should not be reading this"), std::string::npos) << page.out;
}

TEST_F(StackTest, PlainHttpRedirectsToHttps) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  std::filesystem::remove(state_ / "browser/hsts.json");  // a first visit: no HSTS known yet
  // The redirect names the HTTPS URL without a port; the HTTPS record supplies it.
  RunResult page = browse("http://www.example.test:" + std::to_string(http_port_) + "/about.html",
                          "--dump --trace");
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.err.find("redirect 301"), std::string::npos) << page.err;
  EXPECT_NE(page.out.find("About miniweb"), std::string::npos) << page.out;
}

// A first visit's policy is written beside the load, and on the disk when the dump's process
// has ended, with or without --trace (which then shows the write as a step of its own).
TEST_F(StackTest, AFirstVisitsHstsPolicyIsOnTheDiskWhenTheDumpEnds) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::filesystem::path policies = state_ / "browser/hsts.json";
  std::filesystem::remove(policies);
  RunResult traced = browse("https://www.example.test/", "--dump --trace");
  ASSERT_EQ(traced.exit_code, 0) << traced.err;
  EXPECT_NE(traced.err.find("max-age=31536000; applied now, the profile's file handed to its "
                            "writer"),
            std::string::npos)
      << traced.err;
  EXPECT_NE(traced.err.find("the HSTS policies written to the profile"), std::string::npos)
      << traced.err;
  EXPECT_NE(read_file(policies).find("\"www.example.test\""), std::string::npos);
  std::filesystem::remove(policies);
  RunResult plain = browse("https://www.example.test/");
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(read_file(policies).find("\"www.example.test\""), std::string::npos);
}

TEST_F(StackTest, HstsUpgradesPlainHttpAfterAVisit) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult secure = browse("https://www.example.test/");
  ASSERT_EQ(secure.exit_code, 0) << secure.err;
  // The server sent Strict-Transport-Security; plain HTTP is now never tried for the host.
  RunResult page = browse("http://www.example.test/about.html", "--dump --trace");
  EXPECT_EQ(page.exit_code, 0) << page.err;
  EXPECT_NE(page.err.find("http:// upgraded to https://"), std::string::npos) << page.err;
  EXPECT_EQ(page.err.find("redirect 301"), std::string::npos) << page.err;
  EXPECT_NE(page.out.find("About miniweb"), std::string::npos) << page.out;
}

}  // namespace
