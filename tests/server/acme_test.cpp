// The server's ACME client against the real CA: real miniweb-dns root, TLD and recursive
// servers on loopback, a real `miniweb-ca serve` whose http-01 checks reach the real
// miniweb-server's plain-HTTP listener, and real clients (curl, openssl, an Asio TLS client).

#include <gtest/gtest.h>
#include <signal.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "ca/authority.hpp"
#include "tests/ca/ca_test_support.hpp"
#include "tests/ca/test_internet.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/free_port.hpp"

namespace miniweb::server {
namespace {

using asio::ip::tcp;
namespace testing_ca = ca::testing;
using testing_ca::Daemon;

const std::string kCa = MINIWEB_CA_BINARY;
const std::string kDns = MINIWEB_DNS_BINARY;
const std::string kServer = MINIWEB_SERVER_BINARY;

// One TLS connection to the server, verified against the stack's root, kept open.
class TlsConnection {
 public:
  TlsConnection(const std::string& address, std::uint16_t port, const std::string& name,
                const std::string& root_pem)
      : tls_(asio::ssl::context::tls_client), stream_(io_, tls_) {
    tls_.load_verify_file(root_pem);
    stream_.set_verify_mode(asio::ssl::verify_peer);
    stream_.set_verify_callback(asio::ssl::host_name_verification(name));
    SSL_set_tlsext_host_name(stream_.native_handle(), name.c_str());
    stream_.next_layer().connect(tcp::endpoint(asio::ip::make_address(address), port));
    stream_.handshake(asio::ssl::stream_base::client);
    name_ = name;
  }
  std::string serial() {
    tls::X509Ptr peer(SSL_get1_peer_certificate(stream_.native_handle()));
    tls::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(peer.get()), nullptr));
    char* hex = BN_bn2hex(bn.get());
    std::string out = hex;
    OPENSSL_free(hex);
    return out;
  }
  // GET `path` with keep-alive; returns the status line.
  std::string get(const std::string& path) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + name_ + "\r\n\r\n";
    asio::write(stream_, asio::buffer(request));
    asio::streambuf buffer;
    asio::read_until(stream_, buffer, "\r\n\r\n");
    std::istream in(&buffer);
    std::string status_line;
    std::getline(in, status_line);
    return status_line;
  }

 private:
  asio::io_context io_;
  asio::ssl::context tls_;
  asio::ssl::stream<tcp::socket> stream_;
  std::string name_;
};

class ServerAcme : public ::testing::Test {
 protected:
  void SetUp() override {
    net_ = "127.59." + std::to_string(::getpid() % 250 + 1) + ".";
    web_ = net_ + "10";
    // The CA validates http-01 on this port, which the server then binds.
    http_port_ = test_support::free_tcp_port_outside_ephemeral(web_);
    dns_ = std::make_unique<testing_ca::DnsInternet>(
        kDns, dir_.path(), net_,
        "ca A " + net_ + "4\nwww.acme A " + web_ + "\nshop.acme A " + web_ + "\n");
    ASSERT_TRUE(dns_->wait_ready());

    // The CA's plain-HTTP listener (OCSP, the CRL) where its certificates say, by its name.
    const std::string ca_http_port =
        std::to_string(test_support::free_tcp_port_outside_ephemeral(net_ + "4"));
    auto init = testing_ca::run(
        {kCa, "init", "--dir", dir_ / "ca", "--base-url", "http://ca.test:" + ca_http_port});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    ca_ = std::make_unique<Daemon>(
        std::vector<std::string>{kCa, "serve", "--dir", dir_ / "ca", "--name", "ca.test",
                                 "--listen", net_ + "4:0", "--http-listen",
                                 net_ + "4:" + ca_http_port, "--resolver", resolver(),
                                 "--http-port", std::to_string(http_port_)},
        dir_ / "ca.log");
    const std::string marker = " on " + net_ + "4:";
    ASSERT_TRUE(ca_->wait_for(marker)) << ca_->output();
    const std::string out = ca_->output();
    acme_port_ =
        static_cast<std::uint16_t>(std::stoi(out.substr(out.find(marker) + marker.size())));
    std::filesystem::create_directories(dir_.path() / "site");
    std::ofstream(dir_ / "site/index.html") << "<h1>acme home</h1>\n";
  }

  std::string resolver() const { return dns_->resolver(); }
  std::string directory() const {
    return "https://ca.test:" + std::to_string(acme_port_) + "/directory";
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::string root_pem() const { return dir_ / "ca/root.pem"; }

  // The server's configuration: one ACME site, `extra` added to the [acme] table.
  void write_config(const std::string& extra = "", const std::string& directory_url = "") {
    write("server.toml", "[[listener]]\naddress = \"" + web_ +
                             "\"\nport = 0\n\n[[listener]]\naddress = \"" + web_ +
                             "\"\nport = " + std::to_string(http_port_) +
                             "\nprotocol = \"http\"\n\n[acme]\ndirectory = \"" +
                             (directory_url.empty() ? directory() : directory_url) +
                             "\"\ncontact = [\"mailto:admin@acme.test\"]\nstate_dir = "
                             "\"state\"\nca_bundle = \"ca/root.pem\"\nresolver = \"" +
                             resolver() + "\"\n" + extra +
                             "\n[[site]]\nnames = [\"www.acme.test\", \"shop.acme.test\"]\n"
                             "root = \"site\"\nacme = true\n");
  }

  std::unique_ptr<Daemon> start_server(const std::string& log) {
    auto server = std::make_unique<Daemon>(
        std::vector<std::string>{kServer, "--config", dir_ / "server.toml"}, dir_ / log);
    EXPECT_TRUE(server->wait_for("ready http")) << server->output();
    const std::string out = server->output();
    const std::string marker = "ready https " + web_ + ":";
    const auto at = out.find(marker);
    if (at == std::string::npos) {
      ADD_FAILURE() << "the server did not start: " << out;
      return server;
    }
    https_port_ = static_cast<std::uint16_t>(std::stoi(out.substr(at + marker.size())));
    return server;
  }

  std::size_t issued_count() {
    auto authority = ca::Authority::open(dir_.path() / "ca");
    return authority ? authority->list()->size() : 0;
  }

  std::string curl(const std::string& name, const std::string& path) {
    const std::string port = std::to_string(https_port_);
    return test_support::command_output("curl -sS --max-time 10 --cacert " + root_pem() +
                                        " --resolve " + name + ":" + port + ":" + web_ +
                                        " https://" + name + ":" + port + path + " 2>&1");
  }

  std::string net_, web_;
  testing_ca::TempDir dir_;
  std::unique_ptr<testing_ca::DnsInternet> dns_;
  std::unique_ptr<Daemon> ca_;
  std::uint16_t acme_port_ = 0;
  std::uint16_t http_port_ = 0;
  std::uint16_t https_port_ = 0;
};

TEST_F(ServerAcme, ObtainsACertificateAndServesItThenReusesItAfterARestart) {
  write_config();
  const std::size_t issued_before = issued_count();
  {
    auto server = start_server("server1.log");
    ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test obtained"))
        << server->output() << ca_->output();
    // Both names, verified to the stack's root by curl.
    EXPECT_EQ(curl("www.acme.test", "/"), "<h1>acme home</h1>\n");
    EXPECT_EQ(curl("shop.acme.test", "/"), "<h1>acme home</h1>\n");
    // The chain served is leaf + intermediate, and openssl verifies it to the root.
    const std::string shown = test_support::command_output(
        "echo | timeout 10 openssl s_client -showcerts -verify_return_error -CAfile " + root_pem() +
        " -servername www.acme.test -connect " + web_ + ":" + std::to_string(https_port_) +
        " 2>&1");
    EXPECT_NE(shown.find("Verify return code: 0 (ok)"), std::string::npos) << shown;
    EXPECT_EQ(std::regex_search(shown, std::regex("BEGIN CERTIFICATE[^]*BEGIN CERTIFICATE")), true)
        << shown;
    // The new certificate's OCSP response is stapled: fetched from the CA by its name, which
    // resolves through acme.resolver.
    std::string stapled;
    for (int i = 0; i < 100 && stapled.find("Cert Status: good") == std::string::npos; ++i) {
      if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(200));
      stapled = test_support::command_output(
          "echo | timeout 10 openssl s_client -status -servername www.acme.test -connect " + web_ +
          ":" + std::to_string(https_port_) + " 2>&1");
    }
    EXPECT_NE(stapled.find("OCSP Response Status: successful"), std::string::npos)
        << stapled << server->output();
    EXPECT_NE(stapled.find("Cert Status: good"), std::string::npos) << stapled;
    // Plain HTTP still redirects everything but the challenges.
    const std::string redirect = test_support::command_output(
        "curl -sS -o /dev/null -w '%{http_code}' http://" + web_ + ":" +
        std::to_string(http_port_) + "/ -H 'Host: www.acme.test'");
    EXPECT_EQ(redirect, "301");
    EXPECT_EQ(server->stop(), 0) << server->output();
  }
  EXPECT_EQ(issued_count(), issued_before + 1);
  EXPECT_EQ(testing_ca::file_mode(dir_ / "state/account.key"), 0600u);
  EXPECT_EQ(testing_ca::file_mode(dir_ / "state/certificates/www.acme.test.key"), 0600u);
  EXPECT_TRUE(std::filesystem::exists(dir_ / "state/account.json"));

  // A restart uses the stored certificate: no new order, nothing issued.
  {
    auto server = start_server("server2.log");
    ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test from")) << server->output();
    EXPECT_EQ(curl("www.acme.test", "/"), "<h1>acme home</h1>\n");
    EXPECT_EQ(server->occurrences("acme: order"), 0u) << server->output();
    EXPECT_EQ(issued_count(), issued_before + 1);
  }

  // A damaged certificate file does not stop the server: a new certificate is obtained.
  write("state/certificates/www.acme.test.chain.pem", "not a certificate\n");
  auto server = start_server("server3.log");
  ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test obtained")) << server->output();
  EXPECT_EQ(curl("www.acme.test", "/"), "<h1>acme home</h1>\n");
  EXPECT_EQ(issued_count(), issued_before + 2);
}

TEST_F(ServerAcme, RenewsInsideTheWindowAndKeepsOpenConnections) {
  // The whole lifetime is the window: every check renews (a test knob, not a mock).
  write_config("renewal_window_ratio = 1.0\nrenewal_check_interval = 1\n");
  auto server = start_server("server.log");
  ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test obtained")) << server->output();
  TlsConnection old_connection(web_, https_port_, "www.acme.test", root_pem());
  const std::string first = old_connection.serial();
  EXPECT_EQ(old_connection.get("/"), "HTTP/1.1 200 OK\r");
  ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test obtained", 3))
      << server->output();
  TlsConnection new_connection(web_, https_port_, "www.acme.test", root_pem());
  EXPECT_NE(new_connection.serial(), first);
  EXPECT_NE(server->output().find("serial " + new_connection.serial()), std::string::npos);
  EXPECT_EQ(new_connection.get("/"), "HTTP/1.1 200 OK\r");
  // The connection made before the renewals still serves, with the certificate it started with.
  EXPECT_EQ(old_connection.get("/"), "HTTP/1.1 200 OK\r");
  EXPECT_EQ(old_connection.serial(), first);
}

TEST_F(ServerAcme, ReportsTheCasProblemAndKeepsRunningWhenValidationFails) {
  // The CA cannot resolve this name: it answers with a "dns" problem document.
  write_config();
  std::string config = testing_ca::slurp(dir_ / "server.toml");
  config.replace(config.find("\"shop.acme.test\""), 16, "\"nx.acme.test\"");
  write("server.toml", config);
  auto server = start_server("server.log");
  ASSERT_TRUE(server->wait_for("retrying in")) << server->output();
  const std::string out = server->output();
  EXPECT_NE(out.find("urn:ietf:params:acme:error:dns"), std::string::npos) << out;
  EXPECT_NE(out.find("nx.acme.test"), std::string::npos) << out;
  EXPECT_TRUE(server->running());
  // The plain listener still serves while the certificate is missing.
  const std::string redirect =
      test_support::command_output("curl -sS -o /dev/null -w '%{http_code}' http://" + web_ + ":" +
                                   std::to_string(http_port_) + "/ -H 'Host: www.acme.test'");
  EXPECT_EQ(redirect, "301");
}

TEST_F(ServerAcme, TwoSitesOfOneServerEachGetTheirOwnCertificate) {
  write_config();
  std::string config = testing_ca::slurp(dir_ / "server.toml");
  config.replace(config.find(", \"shop.acme.test\""), 18, "");
  config += "\n[[site]]\nnames = [\"shop.acme.test\"]\nroot = \"shop\"\nacme = true\n";
  write("server.toml", config);
  std::filesystem::create_directories(dir_.path() / "shop");
  std::ofstream(dir_ / "shop/index.html") << "<h1>shop</h1>\n";
  auto server = start_server("server.log");
  ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test obtained")) << server->output();
  ASSERT_TRUE(server->wait_for("acme: certificate for shop.acme.test obtained"))
      << server->output();
  // curl checks each certificate names the host it asked for (SNI picks the site's own).
  EXPECT_EQ(curl("www.acme.test", "/"), "<h1>acme home</h1>\n");
  EXPECT_EQ(curl("shop.acme.test", "/"), "<h1>shop</h1>\n");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "state/certificates/shop.acme.test.chain.pem"));
  EXPECT_EQ(server->stop(), 0) << server->output();
}

// As Caddy on a config reload: a site added with `acme` by a SIGHUP gets its certificate
// without a restart, and the site already there keeps the one it has.
TEST_F(ServerAcme, ASiteAddedByAReloadGetsItsCertificate) {
  write_config();
  std::string config = testing_ca::slurp(dir_ / "server.toml");
  config.replace(config.find(", \"shop.acme.test\""), 18, "");
  write("server.toml", config);
  std::filesystem::create_directories(dir_.path() / "shop");
  std::ofstream(dir_ / "shop/index.html") << "<h1>shop</h1>\n";
  auto server = start_server("server.log");
  ASSERT_TRUE(server->wait_for("acme: certificate for www.acme.test obtained")) << server->output();
  const std::size_t issued = issued_count();

  write("server.toml",
        config + "\n[[site]]\nnames = [\"shop.acme.test\"]\nroot = \"shop\"\nacme = true\n");
  server->signal(SIGHUP);
  ASSERT_TRUE(server->wait_for("acme: certificate for shop.acme.test obtained"))
      << server->output();
  EXPECT_EQ(curl("shop.acme.test", "/"), "<h1>shop</h1>\n");
  EXPECT_EQ(curl("www.acme.test", "/"), "<h1>acme home</h1>\n");
  EXPECT_EQ(issued_count(), issued + 1) << "only the new site's certificate is issued";
  EXPECT_EQ(server->occurrences("acme: certificate for www.acme.test obtained"), 1u);
  EXPECT_EQ(server->stop(), 0) << server->output();
}

TEST_F(ServerAcme, RetriesWhileTheCaIsUnreachable) {
  write_config("", "https://ca.test:1/directory");
  auto server = start_server("server.log");
  ASSERT_TRUE(server->wait_for("retrying in 5 s")) << server->output();
  EXPECT_NE(server->output().find("cannot connect"), std::string::npos) << server->output();
  EXPECT_TRUE(server->running());
  // SIGTERM ends it at once, retry timer and all.
  EXPECT_EQ(server->stop(), 0) << server->output();
}

}  // namespace
}  // namespace miniweb::server
