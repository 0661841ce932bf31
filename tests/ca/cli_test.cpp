// The command line, driven as the launcher and a user drive it, checked with the real openssl
// command line and a real TLS handshake.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <nlohmann/json.hpp>
#include <set>

#include "shared/tls/openssl_ptr.hpp"
#include "tests/ca/ca_test_support.hpp"

namespace miniweb::ca {
namespace {

using testing::file_mode;
using testing::ProcessResult;
using testing::run;
using testing::slurp;
using testing::TempDir;

const std::string kCa = MINIWEB_CA_BINARY;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CaCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = dir_ / "state/ca";
    auto init = run({kCa, "init", "--dir", ca_});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    root_ = ca_ + "/root.pem";
    intermediate_ = ca_ + "/intermediate.pem";
  }

  ProcessResult issue(const std::string& name, const std::string& prefix,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kCa, "issue", "--dir", ca_, "--name", name, "--out", prefix};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv);
  }

  ProcessResult verify(const std::string& leaf, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"openssl", "verify", "-x509_strict", "-purpose",   "sslserver",
                                     "-CAfile", root_,    "-untrusted",   intermediate_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(leaf);
    return run(argv);
  }

  // The serial `issue` printed: "issued SERIAL for ...".
  static std::string serial_of(const ProcessResult& issued) {
    const auto start = issued.output.find("issued ") + 7;
    return issued.output.substr(start, issued.output.find(' ', start) - start);
  }

  TempDir dir_;
  std::string ca_;
  std::string root_;
  std::string intermediate_;
};

TEST_F(CaCli, LauncherFlowProducesAChainOpensslAccepts) {
  const std::string prefix = dir_ / "state/certs/www.example.test";
  auto issued = issue("www.example.test", prefix);
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  EXPECT_EQ(file_mode(prefix + ".key"), 0600u);
  EXPECT_EQ(file_mode(ca_ + "/root.key"), 0600u);
  EXPECT_EQ(file_mode(ca_ + "/intermediate.key"), 0600u);
  EXPECT_FALSE(contains(issued.output, "PRIVATE KEY"));

  auto ok = verify(prefix + ".crt", {"-verify_hostname", "www.example.test"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(contains(ok.output, ": OK")) << ok.output;

  // The wrong name is refused, as a browser would.
  auto wrong = verify(prefix + ".crt", {"-verify_hostname", "wrong.host.badssl.test"});
  EXPECT_NE(wrong.exit_code, 0) << wrong.output;

  // The chain file is the leaf followed by the intermediate.
  EXPECT_EQ(slurp(prefix + ".chain.pem"), slurp(prefix + ".crt") + slurp(intermediate_));
  // The key matches the certificate.
  auto key_pub = run({"openssl", "pkey", "-in", prefix + ".key", "-pubout"});
  auto crt_pub = run({"openssl", "x509", "-in", prefix + ".crt", "-noout", "-pubkey"});
  EXPECT_EQ(key_pub.output, crt_pub.output);
}

// Exactly what the HTTPS server and the browser will do with the launcher's files: the
// server presents chain.pem with its key, the client trusts root.pem alone and checks the
// name. The handshake runs over a memory BIO pair, no sockets needed.
TEST_F(CaCli, TlsHandshakeWithOnlyTheRootAsTrustAnchor) {
  const std::string prefix = dir_ / "state/certs/www.example.test";
  ASSERT_EQ(issue("www.example.test", prefix).exit_code, 0);

  auto handshake = [&](const std::string& expected_host) {
    tls::SslCtxPtr server_ctx(SSL_CTX_new(TLS_server_method()));
    tls::SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(server_ctx.get(), (prefix + ".chain.pem").c_str()),
              1);
    EXPECT_EQ(
        SSL_CTX_use_PrivateKey_file(server_ctx.get(), (prefix + ".key").c_str(), SSL_FILETYPE_PEM),
        1);
    EXPECT_EQ(SSL_CTX_load_verify_locations(client_ctx.get(), root_.c_str(), nullptr), 1);
    SSL_CTX_set_verify(client_ctx.get(), SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_min_proto_version(client_ctx.get(), TLS1_3_VERSION);
    tls::SslPtr server(SSL_new(server_ctx.get()));
    tls::SslPtr client(SSL_new(client_ctx.get()));
    SSL_set_tlsext_host_name(client.get(), expected_host.c_str());
    SSL_set1_host(client.get(), expected_host.c_str());
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client.get(), client_bio, client_bio);
    SSL_set_bio(server.get(), server_bio, server_bio);
    SSL_set_connect_state(client.get());
    SSL_set_accept_state(server.get());
    int client_done = 0;
    int server_done = 0;
    for (int round = 0; round < 20 && (client_done != 1 || server_done != 1); ++round) {
      if (client_done != 1) client_done = SSL_do_handshake(client.get());
      if (server_done != 1) server_done = SSL_do_handshake(server.get());
      if (client_done <= 0 && SSL_get_error(client.get(), client_done) == SSL_ERROR_SSL) break;
    }
    const long verdict = SSL_get_verify_result(client.get());
    ERR_clear_error();
    return std::make_pair(client_done == 1, verdict);
  };

  const auto [ok, verdict] = handshake("www.example.test");
  EXPECT_TRUE(ok);
  EXPECT_EQ(verdict, X509_V_OK) << X509_verify_cert_error_string(verdict);
  const auto [wrong_ok, wrong_verdict] = handshake("wrong.host.badssl.test");
  EXPECT_FALSE(wrong_ok);
  EXPECT_EQ(wrong_verdict, X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_F(CaCli, InitTwiceRefuses) {
  auto again = run({kCa, "init", "--dir", ca_});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(contains(again.output, "already holds a CA")) << again.output;
}

TEST_F(CaCli, RsaInitAndIssueVerify) {
  const std::string rsa_ca = dir_ / "rsa";
  auto init = run({kCa, "init", "--dir", rsa_ca, "--key-type", "rsa", "--rsa-bits", "2048",
                   "--name", "Test RSA Root", "--base-url", "http://ca.example.test"});
  ASSERT_EQ(init.exit_code, 0) << init.output;
  auto text = run({"openssl", "x509", "-in", rsa_ca + "/root.pem", "-noout", "-text"});
  EXPECT_TRUE(contains(text.output, "Public-Key: (2048 bit)")) << text.output;
  EXPECT_TRUE(contains(text.output, "CN = Test RSA Root")) << text.output;
  auto issued = run(
      {kCa, "issue", "--dir", rsa_ca, "--name", "www.example.test", "--out", dir_ / "rsa-leaf"});
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  auto ok = run({"openssl", "verify", "-x509_strict", "-CAfile", rsa_ca + "/root.pem", "-untrusted",
                 rsa_ca + "/intermediate.pem", dir_ / "rsa-leaf.crt"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  auto leaf = run({"openssl", "x509", "-in", dir_ / "rsa-leaf.crt", "-noout", "-text"});
  EXPECT_TRUE(contains(leaf.output, "URI:http://ca.example.test/crl")) << leaf.output;
}

TEST_F(CaCli, SignsAnOpensslCsr) {
  const std::string csr = dir_ / "req.pem";
  auto req = run({"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                  dir_ / "req.key", "-subj", "/CN=api.example.test", "-addext",
                  "subjectAltName=DNS:api.example.test", "-out", csr});
  ASSERT_EQ(req.exit_code, 0) << req.output;
  auto issued = run({kCa, "issue", "--dir", ca_, "--csr", csr, "--out", dir_ / "api"});
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "api.key"));  // the applicant keeps its key
  auto ok = verify(dir_ / "api.crt", {"-verify_hostname", "api.example.test"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST_F(CaCli, RefusesAWeakCsrAndRecordsNothing) {
  const std::string csr = dir_ / "weak.pem";
  auto req = run({"openssl", "req", "-new", "-newkey", "rsa:1024", "-nodes", "-keyout",
                  dir_ / "weak.key", "-subj", "/CN=weak.example.test", "-out", csr});
  ASSERT_EQ(req.exit_code, 0) << req.output;
  auto refused = run({kCa, "issue", "--dir", ca_, "--csr", csr, "--out", dir_ / "weak"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(contains(refused.output, "too weak")) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "weak.crt"));
  EXPECT_EQ(run({kCa, "list", "--dir", ca_}).output, "");
}

TEST_F(CaCli, RefusesOverlongValidityAndWildcards) {
  auto too_long = issue("www.example.test", dir_ / "long", {"--days", "398"});
  EXPECT_NE(too_long.exit_code, 0);
  EXPECT_TRUE(contains(too_long.output, "397")) << too_long.output;
  auto wildcard = issue("*.example.test", dir_ / "wild");
  EXPECT_NE(wildcard.exit_code, 0);
  EXPECT_TRUE(contains(wildcard.output, "wildcard")) << wildcard.output;
  EXPECT_EQ(run({kCa, "list", "--dir", ca_}).output, "");
}

TEST_F(CaCli, ExpiredCertificateIsRefusedByOpenssl) {
  auto issued = issue("expired.badssl.test", dir_ / "expired", {"--expired"});
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  auto refused = verify(dir_ / "expired.crt");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(contains(refused.output, "expired")) << refused.output;
}

TEST_F(CaCli, CrlVerifiesAndRevocationIsEnforced) {
  const std::string leaf = dir_ / "revoked";
  auto issued = issue("revoked.badssl.test", leaf);
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  const std::string serial = serial_of(issued);
  const std::string bundle = dir_ / "bundle.pem";
  {
    std::ofstream out(bundle);
    out << slurp(root_) << slurp(intermediate_);
  }

  // Before revocation: a valid CRL, and the leaf passes a CRL check.
  const std::string crl = dir_ / "crl.pem";
  auto first = run({kCa, "crl", "--dir", ca_, "--out", crl});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto crl_ok = run({"openssl", "crl", "-in", crl, "-noout", "-verify", "-CAfile", bundle});
  EXPECT_EQ(crl_ok.exit_code, 0) << crl_ok.output;
  EXPECT_TRUE(contains(crl_ok.output, "verify OK")) << crl_ok.output;
  auto before = verify(leaf + ".crt", {"-crl_check", "-CRLfile", crl});
  EXPECT_EQ(before.exit_code, 0) << before.output;

  auto revoked = run({kCa, "revoke", "--dir", ca_, serial, "--reason", "keyCompromise"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  auto second = run({kCa, "crl", "--dir", ca_, "--out", crl});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  auto after = verify(leaf + ".crt", {"-crl_check", "-CRLfile", crl});
  EXPECT_NE(after.exit_code, 0) << after.output;
  EXPECT_TRUE(contains(after.output, "certificate revoked")) << after.output;

  // The DER form, as served at <base-url>/crl, with number and reason.
  const std::string der = dir_ / "crl.der";
  ASSERT_EQ(run({kCa, "crl", "--dir", ca_, "--out", der, "--der"}).exit_code, 0);
  auto text = run({"openssl", "crl", "-inform", "DER", "-in", der, "-noout", "-text"});
  EXPECT_EQ(text.exit_code, 0) << text.output;
  EXPECT_TRUE(contains(text.output, "X509v3 CRL Number: \n                3")) << text.output;
  EXPECT_TRUE(contains(text.output, "Key Compromise")) << text.output;
  EXPECT_TRUE(contains(text.output, "Serial Number: " + serial)) << text.output;

  auto shown = run({kCa, "show", "--dir", ca_, serial});
  EXPECT_EQ(shown.exit_code, 0);
  EXPECT_TRUE(contains(shown.output, "status:     revoked")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "reason:     keyCompromise")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "names:      revoked.badssl.test")) << shown.output;

  auto twice = run({kCa, "revoke", "--dir", ca_, serial});
  EXPECT_NE(twice.exit_code, 0);
  auto bad_reason = run({kCa, "revoke", "--dir", ca_, serial, "--reason", "because"});
  EXPECT_NE(bad_reason.exit_code, 0);
  EXPECT_TRUE(contains(bad_reason.output, "keyCompromise")) << bad_reason.output;
}

TEST_F(CaCli, ListAndShow) {
  auto a = issue("a.example.test", dir_ / "a");
  auto b = issue("b.example.test", dir_ / "b");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  ASSERT_EQ(b.exit_code, 0) << b.output;
  auto listed = run({kCa, "list", "--dir", ca_});
  EXPECT_EQ(listed.exit_code, 0);
  EXPECT_TRUE(contains(listed.output, serial_of(a) + "  valid")) << listed.output;
  EXPECT_TRUE(contains(listed.output, "b.example.test")) << listed.output;
  auto shown = run({kCa, "show", "--dir", ca_, serial_of(b)});
  EXPECT_TRUE(contains(shown.output, "subject:    CN=b.example.test")) << shown.output;
  EXPECT_TRUE(contains(shown.output, "not after:  ")) << shown.output;
  auto missing = run({kCa, "show", "--dir", ca_, "ABCDEF"});
  EXPECT_NE(missing.exit_code, 0);
}

TEST_F(CaCli, EightConcurrentIssuesKeepEveryRecordWithDistinctSerials) {
  constexpr int kProcesses = 8;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcesses; ++i) {
    const std::string n = std::to_string(i);
    pids.push_back(testing::start_process({kCa, "issue", "--dir", ca_, "--name",
                                           "host" + n + ".example.test", "--out", dir_ / ("c" + n)},
                                          dir_ / ("log" + n)));
  }
  for (int i = 0; i < kProcesses; ++i) {
    EXPECT_EQ(testing::wait_process(pids[i]), 0) << slurp(dir_ / ("log" + std::to_string(i)));
  }
  auto listed = run({kCa, "list", "--dir", ca_, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  const auto records = nlohmann::json::parse(listed.output);
  ASSERT_EQ(records.size(), static_cast<size_t>(kProcesses));
  std::set<std::string> serials;
  std::set<std::string> names;
  for (const auto& record : records) {
    serials.insert(record["serial"].get<std::string>());
    names.insert(record["names"][0].get<std::string>());
  }
  EXPECT_EQ(serials.size(), static_cast<size_t>(kProcesses));
  EXPECT_EQ(names.size(), static_cast<size_t>(kProcesses));
}

}  // namespace
}  // namespace miniweb::ca
