// OCSP stapling (RFC 6066 section 8) by a real miniweb-server process, asked by Debian's
// `openssl s_client -status`: the responder is the real `miniweb-ca serve` (POST /ocsp on its
// plain-HTTP listener), or, for what the real CA never sends (garbage, a response signed by
// another key, one past its nextUpdate), a responder in the test that answers with fixed bytes.

#include <gtest/gtest.h>
#include <openssl/ocsp.h>
#include <signal.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "tests/ca/ca_test_support.hpp"
#include "tests/ca/test_internet.hpp"
#include "tests/server/server_process.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/free_port.hpp"

namespace miniweb::server {
namespace {

using asio::ip::tcp;
using ca::testing::Daemon;
using test_support::ServerProcess;

const std::string kCa = MINIWEB_CA_BINARY;
const std::string kServer = MINIWEB_SERVER_BINARY;
const std::string kSite = "www.ocsp.test";

using CertIdPtr = std::unique_ptr<OCSP_CERTID, tls::OpenSslDeleter<OCSP_CERTID_free>>;
using BasicResponsePtr = std::unique_ptr<OCSP_BASICRESP, tls::OpenSslDeleter<OCSP_BASICRESP_free>>;
using ResponsePtr = std::unique_ptr<OCSP_RESPONSE, tls::OpenSslDeleter<OCSP_RESPONSE_free>>;

// A DER OCSPResponse saying `leaf` is good from `this_update` to `next_update` (seconds from
// now), signed by `signer`'s intermediate: the real issuer's, or another CA's.
std::string good_response(const ca::Authority& signer, X509* leaf, X509* issuer, long this_update,
                          long next_update) {
  CertIdPtr id(OCSP_cert_to_id(EVP_sha1(), leaf, issuer));
  BasicResponsePtr basic(OCSP_BASICRESP_new());
  tls::Asn1TimePtr from(X509_gmtime_adj(nullptr, this_update));
  tls::Asn1TimePtr until(X509_gmtime_adj(nullptr, next_update));
  if (!OCSP_basic_add1_status(basic.get(), id.get(), V_OCSP_CERTSTATUS_GOOD, 0, nullptr, from.get(),
                              until.get()))
    return "";
  if (!signer.sign_ocsp_response(basic.get())) return "";
  ResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  return tls::to_der(response.get(), i2d_OCSP_RESPONSE);
}

// A responder that answers every request with the same bytes as an OCSP response: a broken or
// hostile one, which the real CA cannot play.
class FixedResponder {
 public:
  explicit FixedResponder(std::uint16_t port)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
    accept_next();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FixedResponder() {
    io_.stop();
    thread_.join();
  }
  void answer(std::string body) {
    answer_with([body = std::move(body)] { return body; });
  }
  // The body made when each request arrives, so a response's times start at its fetch and not
  // when the test set it up (a loaded machine may fetch seconds later).
  void answer_with(std::function<std::string()> make_body) {
    std::lock_guard lock(mutex_);
    make_body_ = std::move(make_body);
  }
  int requests() const { return requests_; }

 private:
  void accept_next() {
    acceptor_.async_accept([this](std::error_code ec, tcp::socket socket) {
      if (ec) return;
      // One request per connection (the server sends Connection: close): the head, then as
      // many bytes as its Content-Length says.
      std::string in;
      std::error_code read_error;
      const std::size_t head =
          asio::read_until(socket, asio::dynamic_buffer(in), "\r\n\r\n", read_error);
      if (!read_error) {
        const auto field = in.find("Content-Length: ");
        const std::size_t length =
            field == std::string::npos ? 0 : std::stoul(in.substr(field + 16));
        if (in.size() < head + length)
          asio::read(socket, asio::dynamic_buffer(in),
                     asio::transfer_exactly(head + length - in.size()), read_error);
        std::function<std::string()> make_body;
        {
          std::lock_guard lock(mutex_);
          make_body = make_body_;
        }
        const std::string body = make_body();
        const std::string response =
            "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        asio::write(socket, asio::buffer(response), read_error);
        ++requests_;
      }
      accept_next();
    });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mutex_;
  std::function<std::string()> make_body_;
  std::atomic<int> requests_{0};
};

class OcspStaplingTest : public ::testing::Test {
 protected:
  // A CA whose certificates name http://127.0.0.1:<responder port>/ocsp, and a site
  // certificate from it (chain.pem: leaf and intermediate, key.pem).
  void SetUp() override {
    responder_port_ = test_support::free_tcp_port_outside_ephemeral("127.0.0.1");
    ca::InitOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(responder_port_);
    auto authority = ca::Authority::init(dir_.path() / "ca", options);
    ASSERT_TRUE(authority) << authority.error().message;
    authority_.emplace(std::move(*authority));
    ca::IssueRequest request;
    request.names = {kSite};
    auto issued = authority_->issue(std::move(request));
    ASSERT_TRUE(issued) << issued.error().message;
    serial_ = issued->serial;
    leaf_ = std::move(issued->certificate);
    std::ofstream(dir_ / "chain.pem") << issued->chain_pem;
    ASSERT_TRUE(ca::write_private_key(dir_ / "key.pem", issued->private_key.get()));
    std::filesystem::create_directories(dir_.path() / "site");
    std::ofstream(dir_ / "site/index.html") << "stapled site\n";
  }

  // Every server stops cleanly on SIGTERM, whatever its stapler was doing; under ASan, with
  // nothing leaked (LeakSanitizer's report would change the exit status).
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0) << server_->stderr_text();
    }
  }

  // The real responder: `miniweb-ca serve` with its plain-HTTP listener where the
  // certificates say.
  void start_ca() {
    ca_ = std::make_unique<Daemon>(
        std::vector<std::string>{kCa, "serve", "--dir", dir_ / "ca", "--name", "ca.test",
                                 "--listen", "127.0.0.1:0", "--http-listen",
                                 "127.0.0.1:" + std::to_string(responder_port_)},
        dir_ / "ca.log");
    ASSERT_TRUE(ca_->wait_for("ready acme")) << ca_->output();
  }

  // One site with the certificate; `site_extra` is added to its table. The error log (standard
  // error) at info, where the stapler says what it did.
  void write_config(const std::string& site_extra = "", const std::string& server_name = "a") {
    std::ofstream(dir_ / "server.toml")
        << "[server]\nname = \"" << server_name
        << "\"\nerror_log = { level = \"info\" }\naccess_log = \"off\"\n\n"
           "[[listener]]\naddress = \"127.0.0.1\"\nport = 0\n\n"
           "[[site]]\nnames = [\""
        << kSite << "\"]\nroot = \"site\"\ncertificate = \"chain.pem\"\nkey = \"key.pem\"\n"
        << site_extra;
  }

  void start_server() {
    server_ = std::make_unique<ServerProcess>(kServer, dir_ / "server.toml", dir_ / "server.log");
    https_port_ = server_->port("https");
    ASSERT_NE(https_port_, 0) << server_->stderr_text();
  }

  // The CA, then the server, which has stapled the CA's first answer on return.
  void start_stapling_server() {
    ASSERT_NO_FATAL_FAILURE(start_ca());
    write_config();
    ASSERT_NO_FATAL_FAILURE(start_server());
    ASSERT_TRUE(server_->wait_for_stderr(stapled_line)) << server_->stderr_text() << ca_->output();
  }

  // What openssl s_client, asking for the certificate's status (or not), says of the
  // handshake.
  enum class AskStatus { Yes, No };
  std::string handshake(AskStatus ask = AskStatus::Yes) const {
    return test_support::command_output(
        "echo | timeout 10 openssl s_client -connect 127.0.0.1:" + std::to_string(https_port_) +
        " -servername " + kSite + (ask == AskStatus::Yes ? " -status" : "") + " 2>&1");
  }
  std::string get_page() const {
    const std::string port = std::to_string(https_port_);
    return test_support::command_output(
        "curl -sS --max-time 10 --cacert " + (dir_ / "ca/root.pem") + " --resolve " + kSite + ":" +
        port + ":127.0.0.1 https://" + kSite + ":" + port + "/ 2>&1");
  }
  static bool stapled(const std::string& handshake, const std::string& status) {
    return handshake.find("OCSP Response Status: successful") != std::string::npos &&
           handshake.find("Cert Status: " + status) != std::string::npos;
  }
  static bool no_staple(const std::string& handshake) {
    return handshake.find("OCSP response: no response sent") != std::string::npos;
  }

  // The stapler's lines in the error log.
  const std::string stapled_line = "ocsp: stapling the response for " + kSite;
  const std::string failed_line = "ocsp: no new staple for " + kSite;

  ca::testing::TempDir dir_;
  std::optional<ca::Authority> authority_;
  std::string serial_;
  tls::X509Ptr leaf_;
  std::uint16_t responder_port_ = 0;
  std::uint16_t https_port_ = 0;
  std::unique_ptr<Daemon> ca_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(OcspStaplingTest, ACaIssuedCertificateGetsAGoodStaple) {
  ASSERT_NO_FATAL_FAILURE(start_stapling_server());
  const std::string shown = handshake();
  EXPECT_TRUE(stapled(shown, "good")) << shown;
  // The log says what came and until when.
  EXPECT_NE(
      server_->stderr_text().find("(serial " + serial_ + ") from http://127.0.0.1:" +
                                  std::to_string(responder_port_) + "/ocsp: good, next update "),
      std::string::npos)
      << server_->stderr_text();
  // The CA was asked by POST (RFC 6960 appendix A.1).
  EXPECT_NE(ca_->output().find("POST /ocsp 200"), std::string::npos) << ca_->output();
  // A client that does not ask gets none.
  const std::string unasked = handshake(AskStatus::No);
  EXPECT_EQ(unasked.find("OCSP"), std::string::npos) << unasked;
}

TEST_F(OcspStaplingTest, ARevokedCertificateGetsARevokedStaple) {
  ASSERT_TRUE(authority_->revoke(serial_, ca::RevocationReason::key_compromise));
  ASSERT_NO_FATAL_FAILURE(start_stapling_server());
  const std::string shown = handshake();
  EXPECT_TRUE(stapled(shown, "revoked")) << shown;
  EXPECT_NE(shown.find("Revocation Reason: keyCompromise"), std::string::npos) << shown;
  EXPECT_NE(server_->stderr_text().find("/ocsp: revoked at "), std::string::npos)
      << server_->stderr_text();
}

TEST_F(OcspStaplingTest, WithTheResponderDownTheSiteServesUnstapledUntilItIsBack) {
  write_config();
  start_server();
  ASSERT_TRUE(server_->wait_for_stderr(failed_line)) << server_->stderr_text();
  EXPECT_NE(server_->stderr_text().find("Connection refused; trying again in 2 s"),
            std::string::npos)
      << server_->stderr_text();
  const std::string shown = handshake();
  EXPECT_TRUE(no_staple(shown)) << shown;
  EXPECT_EQ(get_page(), "stapled site\n");

  // Back: the next attempt of the backoff staples it, without a reload.
  start_ca();
  ASSERT_TRUE(server_->wait_for_stderr(stapled_line, 1, std::chrono::seconds(40)))
      << server_->stderr_text() << ca_->output();
  const std::string after = handshake();
  EXPECT_TRUE(stapled(after, "good")) << after;
}

TEST_F(OcspStaplingTest, ASighupKeepsTheStapleOfTheSameCertificate) {
  ASSERT_NO_FATAL_FAILURE(start_stapling_server());
  ASSERT_TRUE(stapled(handshake(), "good"));
  // The responder goes away: what the handshakes staple after the reload can only be the staple
  // fetched before it.
  EXPECT_EQ(ca_->stop(), 0);
  write_config("", "b");
  ASSERT_EQ(::kill(server_->pid(), SIGHUP), 0);
  ASSERT_TRUE(server_->wait_for_stderr("reload: new configuration in use"))
      << server_->stderr_text();
  const std::string shown = handshake();
  EXPECT_TRUE(stapled(shown, "good")) << shown << server_->stderr_text();
  EXPECT_NE(shown.find("Cert Status: good"), std::string::npos);
  // And it was not fetched again: a staple held is refreshed at half its validity.
  EXPECT_EQ(server_->stderr_text().find(failed_line), std::string::npos) << server_->stderr_text();
}

TEST_F(OcspStaplingTest, AStaplingOffSiteStaplesNothing) {
  start_ca();
  write_config("ocsp_stapling = false\n");
  start_server();
  EXPECT_EQ(get_page(), "stapled site\n");
  const std::string shown = handshake();
  EXPECT_TRUE(no_staple(shown)) << shown;
  EXPECT_EQ(ca_->output().find("/ocsp"), std::string::npos) << ca_->output();
  EXPECT_EQ(server_->stderr_text().find("ocsp:"), std::string::npos) << server_->stderr_text();
}

TEST_F(OcspStaplingTest, GarbageFromTheResponderIsNotStapled) {
  FixedResponder responder(responder_port_);
  responder.answer("this is not an OCSP response");
  write_config();
  start_server();
  ASSERT_TRUE(server_->wait_for_stderr(failed_line)) << server_->stderr_text();
  EXPECT_NE(server_->stderr_text().find("not a DER OCSP response"), std::string::npos)
      << server_->stderr_text();
  const std::string shown = handshake();
  EXPECT_TRUE(no_staple(shown)) << shown;
  EXPECT_EQ(get_page(), "stapled site\n");
}

TEST_F(OcspStaplingTest, AResponseSignedByAnotherKeyIsNotStapledOneByTheIssuerIs) {
  auto other = ca::Authority::init(dir_.path() / "other-ca", ca::InitOptions{});
  ASSERT_TRUE(other) << other.error().message;
  const std::string forged =
      good_response(*other, leaf_.get(), authority_->intermediate(), 0, 86400);
  const std::string genuine =
      good_response(*authority_, leaf_.get(), authority_->intermediate(), 0, 86400);
  ASSERT_FALSE(forged.empty());
  ASSERT_FALSE(genuine.empty());

  FixedResponder responder(responder_port_);
  responder.answer(forged);
  write_config();
  start_server();
  ASSERT_TRUE(server_->wait_for_stderr(failed_line)) << server_->stderr_text();
  EXPECT_NE(server_->stderr_text().find("not signed by the certificate's issuer"),
            std::string::npos)
      << server_->stderr_text();
  EXPECT_TRUE(no_staple(handshake()));

  // The same bytes signed by the issuer: the stapler's next attempt takes them, so the refusal
  // above was the signature's.
  responder.answer(genuine);
  ASSERT_TRUE(server_->wait_for_stderr(stapled_line, 1, std::chrono::seconds(30)))
      << server_->stderr_text();
  const std::string shown = handshake();
  EXPECT_TRUE(stapled(shown, "good")) << shown;
}

TEST_F(OcspStaplingTest, AStapleIsNeverServedPastItsNextUpdate) {
  FixedResponder responder(responder_port_);
  // Within check_ocsp_response's leeway for the clocks, but past: not stapled.
  responder.answer(good_response(*authority_, leaf_.get(), authority_->intermediate(), -3600, -60));
  write_config();
  start_server();
  ASSERT_TRUE(server_->wait_for_stderr(failed_line)) << server_->stderr_text();
  EXPECT_NE(server_->stderr_text().find("has passed"), std::string::npos) << server_->stderr_text();
  EXPECT_TRUE(no_staple(handshake()));

  // One good for ten seconds from its fetch is stapled; when the responder then fails, it is
  // dropped once its nextUpdate passes.
  responder.answer_with([this] {
    return good_response(*authority_, leaf_.get(), authority_->intermediate(), 0, 10);
  });
  ASSERT_TRUE(server_->wait_for_stderr(stapled_line, 1, std::chrono::seconds(30)))
      << server_->stderr_text();
  const std::string fresh = handshake();
  EXPECT_TRUE(stapled(fresh, "good")) << fresh;
  responder.answer("gone bad");
  ASSERT_TRUE(server_->wait_for_stderr("the staple held has expired and is dropped", 1,
                                       std::chrono::seconds(30)))
      << server_->stderr_text();
  const std::string expired = handshake();
  EXPECT_TRUE(no_staple(expired)) << expired;
}

// A responder that signs ahead of time hands out a response already past the half of its
// validity: it is stapled, and asked again a quarter of what is left later (an hour at most),
// not at once and again.
TEST_F(OcspStaplingTest, AResponseSignedAheadIsNotFetchedAgainAtOnce) {
  FixedResponder responder(responder_port_);
  responder.answer(
      good_response(*authority_, leaf_.get(), authority_->intermediate(), -20 * 3600, 4 * 3600));
  write_config();
  start_server();
  ASSERT_TRUE(server_->wait_for_stderr(stapled_line)) << server_->stderr_text();
  EXPECT_TRUE(stapled(handshake(), "good"));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(responder.requests(), 1) << server_->stderr_text();
  // "refreshed from" names the time of the next fetch: an hour from now.
  const std::string log = server_->stderr_text();
  const auto from = log.find("refreshed from ");
  ASSERT_NE(from, std::string::npos) << log;
  std::tm parts{};
  ASSERT_NE(strptime(log.c_str() + from + 15, "%Y-%m-%dT%H:%M:%SZ", &parts), nullptr) << log;
  const std::time_t next_fetch = timegm(&parts);
  EXPECT_NEAR(static_cast<double>(next_fetch - std::time(nullptr)), 3600.0, 10.0) << log;
}

// A responder named by a host name is looked up only through a resolver the configuration
// names ([server] resolver, or the ACME site's); never the system's.
TEST_F(OcspStaplingTest, AResponderByNameWithoutAResolverIsNotLookedUp) {
  ca::InitOptions options;
  options.base_url = "http://ca.ocsp.test:" + std::to_string(responder_port_);
  auto named = ca::Authority::init(dir_.path() / "named-ca", options);
  ASSERT_TRUE(named) << named.error().message;
  ca::IssueRequest request;
  request.names = {kSite};
  auto issued = named->issue(std::move(request));
  ASSERT_TRUE(issued) << issued.error().message;
  std::ofstream(dir_ / "chain.pem") << issued->chain_pem;
  ASSERT_TRUE(ca::write_private_key(dir_ / "key.pem", issued->private_key.get()));
  write_config();
  ASSERT_NO_FATAL_FAILURE(start_server());
  ASSERT_TRUE(server_->wait_for_stderr(failed_line)) << server_->stderr_text();
  EXPECT_NE(server_->stderr_text().find(
                "no resolver is configured to look up ca.ocsp.test: set [server] resolver"),
            std::string::npos)
      << server_->stderr_text();
  EXPECT_TRUE(no_staple(handshake()));
}

}  // namespace
}  // namespace miniweb::server
