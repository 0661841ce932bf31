// `miniweb-ca serve` as ACME clients see it when all goes well: the directory and nonces, the
// CA's own certificate across a restart, certificates ordered, validated over http-01 and
// revoked (the CRL and the OCSP responder say so), CAA that names this CA, and the lego client
// from Debian. What the CA refuses is in acme_refusals_test.cpp; the CA, the DNS servers and
// the client are in acme_fixture.hpp.

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <string>

#include "tests/ca/acme_fixture.hpp"

namespace miniweb::ca::acme {
namespace {

// Fetches a path from the CA's plain-HTTP listener.
std::string http_get(std::uint16_t port, const std::string& path) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: ca.test\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string data;
  std::array<char, 8192> chunk{};
  std::error_code ec;
  while (!ec) {
    const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
    data.append(chunk.data(), n);
  }
  const std::size_t head_end = http::find_head_end(data);
  return head_end == std::string::npos ? std::string() : data.substr(head_end);
}

TEST_F(CaAcme, DirectoryAndNonces) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  HttpResult directory = client.request("GET", client.base() + "/directory");
  ASSERT_EQ(directory.status, 200);
  EXPECT_EQ(directory.json()["newNonce"], client.base() + "/new-nonce");
  EXPECT_EQ(directory.json()["meta"]["caaIdentities"][0], "ca.test");
  HttpResult head = client.request("HEAD", client.base() + "/new-nonce");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.get("Cache-Control").value_or(""), "no-store");
  const std::string a = client.fresh_nonce();
  const std::string b = client.fresh_nonce();
  EXPECT_GE(a.size(), 22u);
  EXPECT_NE(a, b);
}

TEST_F(CaAcme, RestartKeepsTheEndpointCertificate) {
  EXPECT_EQ(issued_count(), 1u);
  ca_.reset();
  ca_ = std::make_unique<Daemon>(ca_argv_, dir_ / "ca2.log");
  ASSERT_TRUE(ca_->wait_for("ready acme")) << ca_->output();
  EXPECT_NE(ca_->output().find("serve-ca.test.chain.pem"), std::string::npos) << ca_->output();
  EXPECT_EQ(issued_count(), 1u);
  EXPECT_EQ(testing::file_mode(dir_ / "ca/serve-ca.test.key"), 0600u);
}

TEST_F(CaAcme, Es256AccountGetsCertificateThroughHttp01AndRevokesIt) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  HttpResult account = client.new_account();
  ASSERT_EQ(account.status, 201) << account.body;
  EXPECT_EQ(account.json()["status"], "valid");
  // The same key again finds the same account (RFC 8555 §7.3.1).
  HttpResult again =
      client.post(client.base() + "/new-account", R"({"onlyReturnExisting":true})", true);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.headers.get("Location").value_or(""), client.kid());

  auto [order_url, order] = order_and_validate(client, {"www.acme.test", "alt.acme.test"});
  ASSERT_EQ(order["status"], "ready") << order.dump(2) << ca_->output();
  EXPECT_GE(responder_->requests(), 2);

  auto cert_key = generate_key(KeyType::ec_p256);
  ASSERT_TRUE(cert_key);
  const std::string csr = make_csr({"www.acme.test", "alt.acme.test"}, cert_key->get());
  HttpResult finalized =
      client.post(order["finalize"].get<std::string>(), nlohmann::json{{"csr", csr}}.dump());
  ASSERT_EQ(finalized.status, 200) << finalized.body;
  nlohmann::json done = wait_status(client, order_url);
  ASSERT_EQ(done["status"], "valid") << done.dump(2);
  HttpResult chain = client.post(done["certificate"].get<std::string>(), "");
  ASSERT_EQ(chain.status, 200);
  EXPECT_EQ(chain.headers.get("Content-Type").value_or(""), "application/pem-certificate-chain");
  EXPECT_EQ(issued_count(), 2u);  // the endpoint's own certificate and this one

  // The chain verifies with `openssl verify` against the root, for both names.
  std::ofstream(dir_ / "chain.pem") << chain.body;
  const std::string leaf_end = "-----END CERTIFICATE-----\n";
  std::ofstream(dir_ / "leaf.pem")
      << chain.body.substr(0, chain.body.find(leaf_end) + leaf_end.size());
  std::ofstream(dir_ / "inter.pem")
      << chain.body.substr(chain.body.find(leaf_end) + leaf_end.size());
  auto verified =
      testing::run({"openssl", "verify", "-CAfile", root_pem(), "-untrusted", dir_ / "inter.pem",
                    "-verify_hostname", "alt.acme.test", dir_ / "leaf.pem"});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  // Revoke by the account, with a reason; the CRL the CA serves lists it.
  auto leaf = parse_certificate_pem(chain.body);
  ASSERT_TRUE(leaf);
  unsigned char* der = nullptr;
  const int length = i2d_X509(leaf->get(), &der);
  const std::string leaf_der(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  const std::string serial = serial_hex(X509_get0_serialNumber(leaf->get()));
  HttpResult revoked = client.post(
      client.base() + "/revoke-cert",
      nlohmann::json{{"certificate", base64url_encode(leaf_der)}, {"reason", 1}}.dump());
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  HttpResult twice =
      client.post(client.base() + "/revoke-cert",
                  nlohmann::json{{"certificate", base64url_encode(leaf_der)}}.dump());
  EXPECT_EQ(twice.problem_type(), "urn:ietf:params:acme:error:alreadyRevoked") << twice.body;

  std::ofstream(dir_ / "crl.der", std::ios::binary) << http_get(http_port_, "/crl");
  std::ofstream(dir_ / "intermediate.der", std::ios::binary)
      << http_get(http_port_, "/intermediate.der");
  auto crl = testing::run(
      {"openssl", "crl", "-inform", "DER", "-in", dir_ / "crl.der", "-noout", "-text"});
  EXPECT_EQ(crl.exit_code, 0) << crl.output;
  EXPECT_NE(crl.output.find("Serial Number: " + serial), std::string::npos) << crl.output;
  EXPECT_NE(crl.output.find("Key Compromise"), std::string::npos) << crl.output;
  auto inter = testing::run({"openssl", "x509", "-inform", "DER", "-in", dir_ / "intermediate.der",
                             "-noout", "-subject"});
  EXPECT_NE(inter.output.find("Intermediate"), std::string::npos) << inter.output;

  // The certificate names the CA's OCSP responder, which answers that it is revoked.
  auto ocsp_uri =
      testing::run({"openssl", "x509", "-in", dir_ / "leaf.pem", "-noout", "-ocsp_uri"});
  EXPECT_EQ(ocsp_uri.output, "http://ca.test/ocsp\n");
  auto ocsp = testing::run(
      {"openssl", "ocsp", "-issuer", dir_ / "inter.pem", "-cert", dir_ / "leaf.pem", "-url",
       "http://127.0.0.1:" + std::to_string(http_port_) + "/ocsp", "-CAfile", root_pem()});
  EXPECT_NE(ocsp.output.find("leaf.pem: revoked"), std::string::npos) << ocsp.output;
  EXPECT_NE(ocsp.output.find("Reason: keyCompromise"), std::string::npos) << ocsp.output;
}

TEST_F(CaAcme, ServedCrlFollowsOfflineRevocation) {
  // A CRL is served (and cached), then `miniweb-ca revoke` runs beside the server: the next
  // CRL fetched lists the certificate.
  std::ofstream(dir_ / "before.der", std::ios::binary) << http_get(http_port_, "/crl");
  auto issued = testing::run({kCa, "issue", "--dir", dir_ / "ca", "--name", "offline.acme.test",
                              "--out", dir_ / "offline"});
  ASSERT_EQ(issued.exit_code, 0) << issued.output;
  auto leaf = parse_certificate_pem(testing::slurp(dir_ / "offline.crt"));
  ASSERT_TRUE(leaf);
  const std::string serial = serial_hex(X509_get0_serialNumber(leaf->get()));
  auto revoked =
      testing::run({kCa, "revoke", "--dir", dir_ / "ca", serial, "--reason", "superseded"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  std::ofstream(dir_ / "after.der", std::ios::binary) << http_get(http_port_, "/crl");
  auto crl = testing::run({"openssl", "crl", "-inform", "DER", "-in", dir_ / "after.der", "-CAfile",
                           dir_ / "ca/intermediate.pem", "-noout", "-text"});
  EXPECT_EQ(crl.exit_code, 0) << crl.output;
  EXPECT_NE(crl.output.find("verify OK"), std::string::npos) << crl.output;
  EXPECT_NE(crl.output.find("Serial Number: " + serial), std::string::npos) << crl.output;
  EXPECT_NE(crl.output.find("Superseded"), std::string::npos) << crl.output;
}

TEST_F(CaAcme, Rs256AccountAndCaaThatNamesThisCa) {
  Client client(acme_port_, root_pem(), KeyType::rsa);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"www.caa-ok.test"});
  ASSERT_EQ(order["status"], "ready") << order.dump(2) << ca_->output();
  auto cert_key = generate_key(KeyType::rsa);
  HttpResult finalized =
      client.post(order["finalize"].get<std::string>(),
                  nlohmann::json{{"csr", make_csr({"www.caa-ok.test"}, cert_key->get())}}.dump());
  ASSERT_EQ(finalized.status, 200) << finalized.body;
  EXPECT_EQ(finalized.json()["status"], "valid");
}

// Debian's lego, as a user would run it, against this CA (skipped when lego is not installed:
// scripts/install-deps.sh installs it).
TEST_F(CaAcme, LegoObtainsACertificate) {
  // scripts/install-deps.sh installs lego: its absence is a broken install, not a reason to skip.
  ASSERT_EQ(testing::run({"sh", "-c", "command -v lego"}).exit_code, 0)
      << "lego is missing: run scripts/install-deps.sh";
  const std::string script =
      "LEGO_CA_CERTIFICATES=" + root_pem() +
      " LEGO_CA_SERVER_NAME=ca.test exec lego --server https://127.0.0.1:" +
      std::to_string(acme_port_) +
      "/directory --accept-tos --email admin@acme.test --domains lego.acme.test --http "
      "--http.port " +
      net_ + "11:" + std::to_string(responder_->port()) + " --path " + (dir_ / "lego") + " run";
  auto lego = testing::run({"sh", "-c", script});
  ASSERT_EQ(lego.exit_code, 0) << lego.output << "\n--- CA ---\n" << ca_->output();
  const std::string certificates = dir_ / "lego/certificates";
  auto verified = testing::run({"openssl", "verify", "-CAfile", root_pem(), "-untrusted",
                                certificates + "/lego.acme.test.issuer.crt", "-verify_hostname",
                                "lego.acme.test", certificates + "/lego.acme.test.crt"});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

}  // namespace
}  // namespace miniweb::ca::acme
