// The forward proxy on real sockets, driven by curl: CONNECT tunnels to a real HTTPS origin
// (miniweb-server with a certificate from the project's CA), absolute-form plain HTTP, the
// refusals (403 for a port or a client, 502 for a name that does not exist or an origin that
// refuses, 400 for origin-form), names resolved through a real authoritative DNS server of the
// project, and a tunnel's half-close.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <future>
#include <thread>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "dns/server.hpp"
#include "dns/zone.hpp"
#include "server/log_files.hpp"
#include "server/server.hpp"
#include "shared/awaitable.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/raw_exchange.hpp"

namespace miniweb::server {
namespace {

using asio::ip::tcp;

const auto run = &test_support::command_output;

class ForwardProxyTest : public ::testing::Test {
 protected:
  static std::unique_ptr<Server> start_server(const std::string& name, const std::string& toml) {
    std::ofstream(dir_ / (name + ".toml")) << toml;
    return test_support::start_in_process_server(io_, dir_ / (name + ".toml"));
  }

  static void SetUpTestSuite() {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-fproxy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site/index.html") << "hello from the origin\n";

    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.origin.test"}));

    // The origin: one site over HTTPS and plain HTTP.
    origin_ = start_server("origin", R"([[listener]]
address = "127.0.0.1"
port = 0

[[listener]]
address = "127.0.0.1"
port = 0
protocol = "http"

[[site]]
names = ["www.origin.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
redirect_to_https = false
)");
    ASSERT_TRUE(origin_);
    https_port_ = origin_->local_endpoints()[0].port();
    http_port_ = origin_->local_endpoints()[1].port();

    // The names: the project's authoritative DNS server with a zone of its own.
    std::ofstream(dir_ / "origin.test.zone") << R"($ORIGIN origin.test.
$TTL 60
@    IN SOA ns1 hostmaster ( 1 3600 900 604800 60 )
     IN NS  ns1
ns1  IN A   127.0.0.1
www  IN A   127.0.0.1
)";
    auto zones = dns::ZoneSet::load({dir_ / "origin.test.zone"});
    ASSERT_TRUE(zones.ok()) << zones.error().message;
    zones_ = std::make_shared<dns::ZoneSet>(std::move(*zones));
    dns_ = std::make_unique<dns::DnsServer>(
        io_.get_executor(), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        dns::SyncHandler([zones = zones_](const dns::Message& query, const asio::ip::address&) {
          return dns::answer_authoritative(*zones, query);
        }));
    dns_->start();

    {
      tcp::acceptor closed(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      dead_port_ = closed.local_endpoint().port();
    }
    const std::string ports = std::to_string(https_port_) + ", " + std::to_string(http_port_) +
                              ", " + std::to_string(dead_port_);
    proxy_ = start_server("proxy", R"([[listener]]
address = "127.0.0.1"
port = 0
protocol = "forward-proxy"
connect_ports = [)" + ports + R"(]
resolver = "127.0.0.1:)" + std::to_string(dns_->local_endpoint().port()) +
                                       R"("

[server]
access_log = "access.log"
)");
    ASSERT_TRUE(proxy_);
    // The logs belong to the process: the proxy's settings are the ones in use.
    ASSERT_TRUE(open_logs(proxy_->config().logs));
    proxy_port_ = proxy_->local_endpoints()[0].port();
    // Allowed to no one on loopback; default ports; the system's resolver.
    closed_proxy_ = start_server("closed", R"([[listener]]
address = "127.0.0.1"
port = 0
protocol = "forward-proxy"
allow = ["10.0.0.0/8", "::1"]
)");
    ASSERT_TRUE(closed_proxy_);
    system_proxy_ = start_server("system", R"([[listener]]
address = "127.0.0.1"
port = 0
protocol = "forward-proxy"
)");
    ASSERT_TRUE(system_proxy_);
    thread_ = std::thread([] { io_.run(); });
  }

  static void TearDownTestSuite() {
    asio::post(io_, [] {
      for (auto* server : {origin_.get(), proxy_.get(), closed_proxy_.get(), system_proxy_.get()})
        if (server) server->stop();
      if (dns_) dns_->stop();
    });
    if (thread_.joinable()) thread_.join();
    retired_.clear();
    origin_.reset();
    proxy_.reset();
    closed_proxy_.reset();
    system_proxy_.reset();
    dns_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::string curl(unsigned short proxy_port, const std::string& arguments) {
    return run("curl -sS --max-time 10 --cacert " + (dir_ / "ca/root.pem").string() +
               " --proxy http://127.0.0.1:" + std::to_string(proxy_port) + " " + arguments +
               " 2>&1");
  }
  static std::string https_url(const std::string& host, const std::string& path = "/") {
    return "https://" + host + ":" + std::to_string(https_port_) + path;
  }
  static std::string http_url(const std::string& host, const std::string& path = "/") {
    return "http://" + host + ":" + std::to_string(http_port_) + path;
  }
  // Runs `work` on the servers' thread and waits for it.
  template <class Work>
  static void on_io(Work work) {
    std::promise<void> done;
    asio::post(io_, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }
  static unsigned short system_proxy_port() { return system_proxy_->local_endpoints()[0].port(); }
  // The access log once it holds `text`, or after a few seconds without it.
  static void wait_for_log(const std::string& text) {
    for (int i = 0; i < 100 && access_log().find(text) == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  static std::string access_log() {
    std::ifstream in(dir_ / "access.log");
    return {std::istreambuf_iterator<char>(in), {}};
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<Server> origin_;
  static inline std::unique_ptr<Server> proxy_;
  static inline std::unique_ptr<Server> closed_proxy_;
  static inline std::unique_ptr<Server> system_proxy_;
  static inline std::vector<std::unique_ptr<Server>> retired_;  // stopped, destroyed after the loop
  static inline std::shared_ptr<dns::ZoneSet> zones_;
  static inline std::unique_ptr<dns::DnsServer> dns_;
  static inline std::thread thread_;
  static inline unsigned short https_port_ = 0;
  static inline unsigned short http_port_ = 0;
  static inline unsigned short dead_port_ = 0;
  static inline unsigned short proxy_port_ = 0;
};

TEST_F(ForwardProxyTest, TunnelsHttpsThroughConnect) {
  // Two requests to one origin: curl reuses the tunnel for the second.
  std::string out =
      curl(proxy_port_, "-v " + https_url("www.origin.test") + " " + https_url("www.origin.test"));
  EXPECT_NE(out.find("HTTP/1.1 200 Connection established"), std::string::npos) << out;
  EXPECT_NE(out.find("SSL certificate verify ok"), std::string::npos) << out;
  EXPECT_NE(out.find("Re-using existing connection"), std::string::npos) << out;
  std::size_t bodies = 0;
  for (auto at = out.find("hello from the origin"); at != std::string::npos;
       at = out.find("hello from the origin", at + 1))
    ++bodies;
  EXPECT_EQ(bodies, 2u) << out;
  // The tunnel is logged once it has closed, which happens as curl exits.
  const std::string logged =
      "\"CONNECT www.origin.test:" + std::to_string(https_port_) + " HTTP/1.1\" 200 ";
  wait_for_log(logged);
  EXPECT_NE(access_log().find(logged), std::string::npos) << access_log();
}

TEST_F(ForwardProxyTest, ForwardsAbsoluteFormHttp) {
  std::string out = curl(proxy_port_, "-i " + http_url("www.origin.test"));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK")) << out;
  EXPECT_NE(out.find("Via: 1.1 miniweb-forward-proxy"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\nhello from the origin\n")) << out;
  // HEAD keeps the origin's Content-Length and sends no body.
  std::string head = curl(proxy_port_, "-I " + http_url("www.origin.test"));
  EXPECT_NE(head.find("Content-Length: 22"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  const std::string logged = "\"GET " + http_url("www.origin.test") + " HTTP/1.1\" 200 22";
  wait_for_log(logged);
  EXPECT_NE(access_log().find(logged), std::string::npos) << access_log();
}

TEST_F(ForwardProxyTest, RefusesConnectToAPortNotAllowed) {
  std::string out =
      curl(system_proxy_port(), "-o /dev/null -w '%{http_connect}' " + https_url("127.0.0.1"));
  EXPECT_EQ(out.substr(out.size() - 3), "403") << out;
  std::string body =
      run("curl -sS --max-time 10 -X CONNECT --request-target 127.0.0.1:25 "
          "http://127.0.0.1:" +
          std::to_string(proxy_port_) + "/ 2>&1");
  EXPECT_NE(body.find("CONNECT to port 25 is not allowed"), std::string::npos) << body;
}

TEST_F(ForwardProxyTest, RefusesClientsOutsideAllow) {
  const unsigned short port = closed_proxy_->local_endpoints()[0].port();
  std::string plain = curl(port, "-o /dev/null -w '%{http_code}' " + http_url("127.0.0.1"));
  EXPECT_EQ(plain, "403") << plain;
  std::string tunnel = curl(port, "-o /dev/null -w '%{http_connect}' " + https_url("127.0.0.1"));
  EXPECT_EQ(tunnel.substr(tunnel.size() - 3), "403") << tunnel;
}

TEST_F(ForwardProxyTest, NameNotFoundIs502) {
  std::string tunnel =
      curl(proxy_port_, "-o /dev/null -w '%{http_connect}' " + https_url("nowhere.origin.test"));
  EXPECT_EQ(tunnel.substr(tunnel.size() - 3), "502") << tunnel;
  std::string plain = curl(proxy_port_, "-i " + http_url("nowhere.origin.test"));
  EXPECT_TRUE(plain.starts_with("HTTP/1.1 502")) << plain;
  EXPECT_NE(plain.find("does not exist (NXDOMAIN"), std::string::npos) << plain;
}

TEST_F(ForwardProxyTest, RefusedOriginIs502) {
  std::string tunnel = curl(proxy_port_, "-o /dev/null -w '%{http_connect}' https://127.0.0.1:" +
                                             std::to_string(dead_port_) + "/");
  EXPECT_EQ(tunnel.substr(tunnel.size() - 3), "502") << tunnel;
  std::string plain = curl(proxy_port_, "-i http://127.0.0.1:" + std::to_string(dead_port_) + "/");
  EXPECT_TRUE(plain.starts_with("HTTP/1.1 502")) << plain;
}

TEST_F(ForwardProxyTest, OriginFormRequestsAre400) {
  std::string out =
      run("curl -sS -i --max-time 10 http://127.0.0.1:" + std::to_string(proxy_port_) + "/ 2>&1");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_NE(out.find("forward proxy"), std::string::npos) << out;
}

// RFC 9112 section 6.1: an HTTP/1.0 request with Transfer-Encoding is refused and the
// connection closed; the request hidden in its "body" is never forwarded.
TEST_F(ForwardProxyTest, Http10RequestsWithTransferEncodingAre400AndClose) {
  const std::string origin = "http://www.origin.test:" + std::to_string(http_port_) + "/";
  const std::string out = test_support::raw_exchange(
      proxy_port_,
      "POST " + origin +
          " HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
          "GET " + origin + " HTTP/1.1\r\nHost: www.origin.test\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(test_support::count_responses(out), 1u) << out;
}

TEST_F(ForwardProxyTest, SystemResolverWithoutAResolverSetting) {
  std::string out = curl(system_proxy_port(), "-i http://localhost:" + std::to_string(http_port_) +
                                                  "/ -H 'Host: www.origin.test'");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK")) << out;
}

// A client that half-closes after its request still receives the whole answer through the
// tunnel, and the tunnel then closes (the origin's FIN comes through as a FIN).
TEST_F(ForwardProxyTest, TunnelPassesHalfCloseBothWays) {
  asio::io_context client_io;
  tcp::socket socket(client_io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), proxy_port_));
  const std::string target = "www.origin.test:" + std::to_string(http_port_);
  // The tunnelled request follows the CONNECT head at once, in the same write.
  const std::string wire = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target +
                           "\r\n\r\nGET / HTTP/1.1\r\nHost: www.origin.test\r\n\r\n";
  asio::write(socket, asio::buffer(wire));
  socket.shutdown(tcp::socket::shutdown_send);
  std::string received;
  std::array<char, 4096> chunk;
  std::error_code ec;
  while (!ec) {
    const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
    received.append(chunk.data(), n);
  }
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_TRUE(received.starts_with("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK"))
      << received;
  EXPECT_TRUE(received.ends_with("hello from the origin\n")) << received;
}

// Tunnelled bytes have no request boundary to wait for: stopping the server (SIGTERM, as
// ./miniweb down sends) closes an open tunnel at once rather than after its idle timeout.
TEST_F(ForwardProxyTest, StopClosesOpenTunnels) {
  // An origin that never answers nor closes (the kernel completes the handshake unaccepted),
  // so only the stop can end the tunnel.
  asio::io_context client_io;
  tcp::acceptor holding(client_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const unsigned short holding_port = holding.local_endpoint().port();
  Server* stopping = nullptr;
  on_io([&] {
    retired_.push_back(start_server("stopping", R"([[listener]]
address = "127.0.0.1"
port = 0
protocol = "forward-proxy"
connect_ports = [)" + std::to_string(holding_port) + R"(]
)"));
    stopping = retired_.back().get();
  });
  ASSERT_TRUE(stopping);
  tcp::socket socket(client_io);
  socket.connect(
      tcp::endpoint(asio::ip::make_address("127.0.0.1"), stopping->local_endpoints()[0].port()));
  const std::string target = "127.0.0.1:" + std::to_string(holding_port);
  asio::write(socket,
              asio::buffer("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"));
  std::string received;
  std::array<char, 4096> chunk;
  std::error_code ec;
  while (!ec && received.find("\r\n\r\n") == std::string::npos) {
    const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
    received.append(chunk.data(), n);
  }
  ASSERT_EQ(received, "HTTP/1.1 200 Connection established\r\n\r\n");
  on_io([&] { stopping->stop(); });
  // Not a timing check: a guard so that a tunnel the stop left open fails the test (EAGAIN)
  // instead of hanging it for the idle timeout.
  const timeval guard{30, 0};
  // (A plain recv: Asio's blocking read waits out SO_RCVTIMEO by polling again.)
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  ssize_t n = 0;
  while ((n = ::recv(socket.native_handle(), chunk.data(), chunk.size(), 0)) > 0) {
  }
  EXPECT_EQ(n, 0) << "the tunnel was not closed: " << std::strerror(errno);
}

}  // namespace
}  // namespace miniweb::server
