#pragma once
// The ACME tests' world (acme_test.cpp, acme_refusals_test.cpp): a real `miniweb-ca serve`
// process, real miniweb-dns auth and recursive servers on loopback addresses, an http-01
// responder in the test, and a client that speaks RFC 8555 over verified TLS.

#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ca/acme/jws.hpp"
#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/parser.hpp"
#include "tests/ca/ca_test_support.hpp"
#include "tests/ca/test_internet.hpp"

namespace miniweb::ca::acme {

using asio::ip::tcp;
using testing::Daemon;
using testing::DnsInternet;
using testing::TempDir;

inline const std::string kCa = MINIWEB_CA_BINARY;
inline const std::string kDns = MINIWEB_DNS_BINARY;

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
inline std::string make_csr_der(const std::vector<std::string>& names, EVP_PKEY* key) {
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

inline std::string make_csr(const std::vector<std::string>& names, EVP_PKEY* key) {
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

}  // namespace miniweb::ca::acme
