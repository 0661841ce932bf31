// `miniweb-ca serve` as ACME clients see it: a real CA process, real miniweb-dns auth and
// recursive servers on loopback addresses, an http-01 responder in the test, a client that
// speaks RFC 8555 over verified TLS, and (when installed) the lego client from Debian.

#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <signal.h>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "ca/acme/jws.hpp"
#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/parser.hpp"
#include "tests/ca/ca_test_support.hpp"
#include "tests/ca/test_internet.hpp"
#include "tests/support/raw_exchange.hpp"

namespace miniweb::ca::acme {
namespace {

using asio::ip::tcp;
using testing::Daemon;
using testing::DnsInternet;
using testing::TempDir;

const std::string kCa = MINIWEB_CA_BINARY;
const std::string kDns = MINIWEB_DNS_BINARY;

// A server process; its output goes to a log file that is polled for a line.
// Serves http://NAME/.well-known/acme-challenge/TOKEN from a map, as a site's web server
// would serve files a client dropped into its webroot.
class Responder {
 public:
  explicit Responder(const std::string& address) : acceptor_(io_) {
    tcp::endpoint endpoint(asio::ip::make_address(address), 0);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Responder() {
    io_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void put(const std::string& token, const std::string& content) {
    std::lock_guard lock(mutex_);
    files_[token] = content;
  }
  int requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) co_return;
      std::string buffer;
      std::array<char, 4096> chunk{};
      while (http::find_head_end(buffer) == std::string::npos) {
        auto [read_error, n] = co_await socket.async_read_some(asio::buffer(chunk), use_tuple);
        if (read_error) break;
        buffer.append(chunk.data(), n);
      }
      const http::Limits limits;
      auto request =
          http::parse_request_head(buffer.substr(0, http::find_head_end(buffer)), limits);
      std::string response =
          "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      if (request) {
        const std::string prefix = "/.well-known/acme-challenge/";
        std::lock_guard lock(mutex_);
        ++requests_;
        if (request->target.rfind(prefix, 0) == 0) {
          auto it = files_.find(request->target.substr(prefix.size()));
          if (it != files_.end()) {
            response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                       std::to_string(it->second.size() + 1) + "\r\nConnection: close\r\n\r\n" +
                       it->second + "\n";
          }
        }
      }
      co_await asio::async_write(socket, asio::buffer(response), use_tuple);
      std::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::map<std::string, std::string> files_;
  int requests_ = 0;
};

struct HttpResult {
  int status = 0;
  http::Headers headers;
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
  std::string problem_type() const { return json().value("type", std::string("(none)")); }
};

// An RFC 8555 client over verified TLS (the CA's root, host name ca.test).
class Client {
 public:
  Client(std::uint16_t port, std::string root_pem_path, KeyType key_type)
      : port_(port), root_(std::move(root_pem_path)) {
    auto key = generate_key(key_type);
    if (!key) throw std::runtime_error(key.error().message);
    key_ = std::move(key).value();
    alg_ = key_type == KeyType::rsa ? "RS256" : "ES256";
  }

  std::string base() const { return "https://ca.test:" + std::to_string(port_); }

  HttpResult request(const std::string& method, const std::string& url,
                     const std::string& body = "",
                     const std::string& content_type = "application/jose+json") {
    const std::string target = url.substr(base().size());
    asio::io_context io;
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.load_verify_file(root_);
    tls.set_verify_mode(asio::ssl::verify_peer);
    asio::ssl::stream<tcp::socket> stream(io, tls);
    stream.set_verify_callback(asio::ssl::host_name_verification("ca.test"));
    SSL_set_tlsext_host_name(stream.native_handle(), "ca.test");
    stream.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    stream.handshake(asio::ssl::stream_base::client);
    std::string wire = method + " " + target +
                       " HTTP/1.1\r\nHost: ca.test:" + std::to_string(port_) +
                       "\r\nConnection: close\r\n";
    if (method == "POST") {
      wire += "Content-Type: " + content_type +
              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    wire += "\r\n" + body;
    asio::write(stream, asio::buffer(wire));
    std::string data;
    std::array<char, 8192> chunk{};
    while (true) {
      std::error_code ec;
      const std::size_t n = stream.read_some(asio::buffer(chunk), ec);
      data.append(chunk.data(), n);
      if (ec) break;
    }
    const std::size_t head_end = http::find_head_end(data);
    if (head_end == std::string::npos) throw std::runtime_error("no HTTP response");
    auto response = http::parse_response_head(data.substr(0, head_end));
    if (!response) throw std::runtime_error(response.error().message);
    HttpResult result{response->status, response->headers, data.substr(head_end)};
    if (auto nonce = result.headers.get("Replay-Nonce")) nonce_ = std::string(*nonce);
    return result;
  }

  std::string fresh_nonce() {
    HttpResult r = request("HEAD", base() + "/new-nonce");
    return std::string(r.headers.get("Replay-Nonce").value_or(""));
  }

  // The protected header for `url`: jwk before the account exists, then kid.
  nlohmann::json header(const std::string& url, bool use_jwk) {
    if (nonce_.empty()) nonce_ = fresh_nonce();
    nlohmann::json h = {{"alg", alg_}, {"nonce", nonce_}, {"url", url}};
    nonce_.clear();
    if (use_jwk || kid_.empty()) {
      h["jwk"] = *key_to_jwk(key_.get());
    } else {
      h["kid"] = kid_;
    }
    return h;
  }

  HttpResult post(const std::string& url, const std::string& payload, bool use_jwk = false) {
    const nlohmann::json h = header(url, use_jwk);
    return post_signed(url, h, payload);
  }
  HttpResult post_signed(const std::string& url, const nlohmann::json& h,
                         const std::string& payload) {
    auto body = sign_jws(h, payload, key_.get());
    if (!body) throw std::runtime_error(body.error().message);
    return request("POST", url, *body);
  }

  HttpResult new_account() {
    HttpResult r = post(base() + "/new-account",
                        R"({"termsOfServiceAgreed":true,"contact":["mailto:a@acme.test"]})", true);
    if (auto location = r.headers.get("Location")) kid_ = std::string(*location);
    return r;
  }

  std::string thumbprint() { return *jwk_thumbprint(*key_to_jwk(key_.get())); }
  EVP_PKEY* key() { return key_.get(); }
  std::string& nonce() { return nonce_; }
  const std::string& kid() const { return kid_; }

 private:
  std::uint16_t port_;
  std::string root_;
  tls::EvpPkeyPtr key_;
  std::string alg_;
  std::string kid_;
  std::string nonce_;
};

// A CSR for `names` (the first is the CN), DER; make_csr gives it base64url.
std::string make_csr_der(const std::vector<std::string>& names, EVP_PKEY* key) {
  tls::X509ReqPtr req(X509_REQ_new());
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key);
  std::string san;
  for (const auto& name : names) san += (san.empty() ? "DNS:" : ",DNS:") + name;
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(extensions,
                         X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str()));
  X509_REQ_add_extensions(req.get(), extensions);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  X509_REQ_sign(req.get(), key, EVP_sha256());
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(req.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string make_csr(const std::vector<std::string>& names, EVP_PKEY* key) {
  return base64url_encode(make_csr_der(names, key));
}

class CaAcme : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = "127.58." + std::to_string(::getpid() % 250 + 1) + ".";
    responder_ = std::make_unique<Responder>(net_ + "10");
    const std::string r = net_ + "10";
    dns_ = std::make_unique<DnsInternet>(
        kDns, dir_.path(), net_,
        "www.acme A " + r + "\nalt.acme A " + r + "\nwrong.acme A " + r + "\nlego.acme A " + net_ +
            "11\ncaa-ok CAA 0 issue \"ca.test\"\nwww.caa-ok A " + r +
            "\ncaa-no CAA 0 issue \"other-ca.test\"\nwww.caa-no A " + r + "\nclosed.acme A " +
            net_ + "12\n");
    ASSERT_TRUE(dns_->wait_ready());

    auto init = testing::run({kCa, "init", "--dir", dir_ / "ca", "--base-url", "http://ca.test"});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    ca_argv_ = std::vector<std::string>{kCa,
                                        "serve",
                                        "--dir",
                                        dir_ / "ca",
                                        "--name",
                                        "ca.test",
                                        "--listen",
                                        "127.0.0.1:0",
                                        "--http-listen",
                                        "127.0.0.1:0",
                                        "--resolver",
                                        dns_->resolver(),
                                        "--http-port",
                                        std::to_string(responder_->port())};
    ca_ = std::make_unique<Daemon>(ca_argv_, dir_ / "ca.log");
    ASSERT_TRUE(ca_->wait_for("ready acme")) << ca_->output();
    const std::string out = ca_->output();
    const auto at = out.find(" on 127.0.0.1:");
    acme_port_ = static_cast<std::uint16_t>(std::stoi(out.substr(at + 14)));
    const auto http_at = out.find(" http 127.0.0.1:");
    http_port_ = static_cast<std::uint16_t>(std::stoi(out.substr(http_at + 16)));
  }

  std::string root_pem() { return dir_ / "ca/root.pem"; }

  std::size_t issued_count() {
    auto authority = Authority::open(dir_.path() / "ca");
    return authority ? authority->list()->size() : 0;
  }

  // Polls an authorization (or order) until it leaves pending/processing.
  nlohmann::json wait_status(Client& client, const std::string& url) {
    nlohmann::json body;
    for (int i = 0; i < 400; ++i) {
      body = client.post(url, "").json();
      const std::string status = body.value("status", "");
      if (status != "pending" && status != "processing") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return body;
  }

  // New order for `names`; responds to each http-01 challenge with `content` (the right key
  // authorization when empty); returns the order URL and body after validation.
  std::pair<std::string, nlohmann::json> order_and_validate(Client& client,
                                                            const std::vector<std::string>& names,
                                                            const std::string& content = "") {
    nlohmann::json identifiers = nlohmann::json::array();
    for (const auto& name : names) identifiers.push_back({{"type", "dns"}, {"value", name}});
    HttpResult created = client.post(client.base() + "/new-order",
                                     nlohmann::json{{"identifiers", identifiers}}.dump());
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string order_url(created.headers.get("Location").value_or(""));
    const nlohmann::json created_order = created.json();
    for (const auto& authz_url : created_order["authorizations"]) {
      nlohmann::json authz = client.post(authz_url.get<std::string>(), "").json();
      const nlohmann::json challenge = authz["challenges"][0];
      EXPECT_EQ(challenge["type"], "http-01");
      const std::string token = challenge["token"];
      responder_->put(token, content.empty() ? token + "." + client.thumbprint() : content);
      HttpResult started = client.post(challenge["url"].get<std::string>(), "{}");
      EXPECT_EQ(started.status, 200) << started.body;
      wait_status(client, authz_url.get<std::string>());
    }
    return {order_url, client.post(order_url, "").json()};
  }

  std::string net_;
  TempDir dir_;
  std::unique_ptr<Responder> responder_;
  std::unique_ptr<DnsInternet> dns_;
  std::unique_ptr<Daemon> ca_;
  std::vector<std::string> ca_argv_;
  std::uint16_t acme_port_ = 0;
  std::uint16_t http_port_ = 0;
};

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

// RFC 9112 section 6.1 on the CA's plain-HTTP endpoint too: the same connection loop refuses an
// HTTP/1.0 request with Transfer-Encoding and reads nothing after it.
TEST_F(CaAcme, Http10RequestsWithTransferEncodingAre400AndClose) {
  const std::string out = test_support::raw_exchange(
      http_port_,
      "POST /crl HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
      "GET /crl HTTP/1.1\r\nHost: ca.test\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(test_support::count_responses(out), 1u) << out;
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

TEST_F(CaAcme, CaaThatNamesAnotherCaRefuses) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"www.caa-no.test"});
  EXPECT_EQ(order["status"], "invalid");
  EXPECT_EQ(order["error"]["type"], "urn:ietf:params:acme:error:caa") << order.dump(2);
  nlohmann::json authz = client.post(order["authorizations"][0].get<std::string>(), "").json();
  EXPECT_EQ(authz["challenges"][0]["error"]["type"], "urn:ietf:params:acme:error:caa");
  EXPECT_EQ(responder_->requests(), 0);  // refused before any fetch
  HttpResult finalize = client.post(order["finalize"].get<std::string>(), R"({"csr":"AA"})");
  EXPECT_EQ(finalize.problem_type(), "urn:ietf:params:acme:error:orderNotReady");
  EXPECT_EQ(issued_count(), 1u);
}

TEST_F(CaAcme, WrongKeyAuthorizationIsIncorrectResponse) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] =
      order_and_validate(client, {"wrong.acme.test"}, "not-the-key-authorization");
  EXPECT_EQ(order["status"], "invalid");
  EXPECT_EQ(order["error"]["type"], "urn:ietf:params:acme:error:incorrectResponse")
      << order.dump(2);
  EXPECT_EQ(issued_count(), 1u);
}

TEST_F(CaAcme, UnreachableHostIsConnectionError) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"closed.acme.test"});
  EXPECT_EQ(order["error"]["type"], "urn:ietf:params:acme:error:connection") << order.dump(2);
}

TEST_F(CaAcme, BadRequestsGetProblemDocuments) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  const std::string new_account = client.base() + "/new-account";

  // Malformed JWS.
  HttpResult garbage = client.request("POST", new_account, "{not json");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(garbage.headers.get("Content-Type").value_or(""), "application/problem+json");
  EXPECT_EQ(garbage.problem_type(), "urn:ietf:params:acme:error:malformed");
  EXPECT_FALSE(garbage.headers.get("Replay-Nonce").value_or("").empty());

  // A replayed nonce.
  const std::string nonce = client.fresh_nonce();
  nlohmann::json header = client.header(new_account, true);
  header["nonce"] = nonce;
  HttpResult first = client.post_signed(new_account, header, R"({"termsOfServiceAgreed":true})");
  EXPECT_EQ(first.status, 201) << first.body;
  HttpResult replay = client.post_signed(new_account, header, R"({"termsOfServiceAgreed":true})");
  EXPECT_EQ(replay.problem_type(), "urn:ietf:params:acme:error:badNonce") << replay.body;
  header["nonce"] = "never-issued";
  EXPECT_EQ(client.post_signed(new_account, header, "{}").problem_type(),
            "urn:ietf:params:acme:error:badNonce");

  // A bad signature, a wrong URL, a wrong content type.
  header = client.header(new_account, true);
  auto signed_body = sign_jws(header, "{}", client.key());
  nlohmann::json tampered = nlohmann::json::parse(*signed_body);
  tampered["payload"] = base64url_encode(R"({"contact":[]})");
  EXPECT_EQ(client.request("POST", new_account, tampered.dump()).problem_type(),
            "urn:ietf:params:acme:error:malformed");
  header = client.header(client.base() + "/elsewhere", true);
  EXPECT_EQ(client.post_signed(new_account, header, "{}").problem_type(),
            "urn:ietf:params:acme:error:unauthorized");
  HttpResult wrong_type = client.request("POST", new_account, "{}", "application/json");
  EXPECT_EQ(wrong_type.status, 415);

  // An unknown account.
  header = client.header(client.base() + "/new-order", false);
  header.erase("jwk");
  header["kid"] = client.base() + "/account/nobody";
  EXPECT_EQ(client.post_signed(client.base() + "/new-order", header, "{}").problem_type(),
            "urn:ietf:params:acme:error:accountDoesNotExist");

  // Now with the account: wildcards, unsupported identifiers and bad names are refused.
  ASSERT_EQ(client.new_account().status, 200);  // exists since `first`
  auto order_for = [&](const nlohmann::json& identifier) {
    return client.post(client.base() + "/new-order",
                       nlohmann::json{{"identifiers", nlohmann::json::array({identifier})}}.dump());
  };
  EXPECT_EQ(order_for({{"type", "dns"}, {"value", "*.acme.test"}}).problem_type(),
            "urn:ietf:params:acme:error:rejectedIdentifier");
  EXPECT_EQ(order_for({{"type", "ip"}, {"value", "127.0.0.1"}}).problem_type(),
            "urn:ietf:params:acme:error:unsupportedIdentifier");
  EXPECT_EQ(order_for({{"type", "dns"}, {"value", "bad_name!.test"}}).problem_type(),
            "urn:ietf:params:acme:error:rejectedIdentifier");
  HttpResult dated = client.post(
      client.base() + "/new-order",
      R"({"identifiers":[{"type":"dns","value":"www.acme.test"}],"notAfter":"2099-01-01T00:00:00Z"})");
  EXPECT_EQ(dated.problem_type(), "urn:ietf:params:acme:error:malformed") << dated.body;
  // GET on an ACME resource is refused.
  EXPECT_EQ(client.request("GET", client.base() + "/new-order").status, 405);
  EXPECT_EQ(issued_count(), 1u);
}

TEST_F(CaAcme, CsrMustMatchTheOrder) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"www.acme.test"});
  ASSERT_EQ(order["status"], "ready") << order.dump(2);
  auto cert_key = generate_key(KeyType::ec_p256);
  const std::string finalize = order["finalize"];
  HttpResult extra = client.post(
      finalize,
      nlohmann::json{{"csr", make_csr({"www.acme.test", "alt.acme.test"}, cert_key->get())}}
          .dump());
  EXPECT_EQ(extra.problem_type(), "urn:ietf:params:acme:error:badCSR") << extra.body;
  HttpResult junk =
      client.post(finalize, nlohmann::json{{"csr", base64url_encode("not a csr")}}.dump());
  EXPECT_EQ(junk.problem_type(), "urn:ietf:params:acme:error:badCSR") << junk.body;
  std::string forged = make_csr_der({"www.acme.test"}, cert_key->get());
  forged.back() = static_cast<char>(forged.back() ^ 1);  // inside the signature
  HttpResult unsigned_csr =
      client.post(finalize, nlohmann::json{{"csr", base64url_encode(forged)}}.dump());
  EXPECT_EQ(unsigned_csr.problem_type(), "urn:ietf:params:acme:error:badCSR") << unsigned_csr.body;
  EXPECT_EQ(issued_count(), 1u);
  // Another account cannot touch this order.
  Client other(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(other.new_account().status, 201);
  EXPECT_EQ(other.post(order_url, "").problem_type(), "urn:ietf:params:acme:error:unauthorized");
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
