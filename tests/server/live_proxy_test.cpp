// The server's newer behaviours on real sockets, driven by curl: ranges, gzip, negotiation
// and error pages over HTTPS; miniweb-server as a plain-HTTP backend; reverse proxying with
// weights, failover, 502, 504 and keep-alive; and reloading the configuration.

#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/ssl.hpp>
#include <cstdio>
#include <fstream>
#include <future>
#include <regex>
#include <thread>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "server/server.hpp"
#include "shared/awaitable.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::server {
namespace {

using asio::ip::tcp;

const auto run = &test_support::command_output;

using test_support::occurrences;

// A backend that answers every request with the request head it received, and counts the
// connections it accepted (to see the proxy's keep-alive).
asio::awaitable<void> echo_connection(tcp::socket socket) {
  std::string buffer;
  std::array<char, 4096> chunk;
  while (true) {
    std::size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_tuple);
      if (ec) co_return;
      buffer.append(chunk.data(), n);
    }
    std::string head = buffer.substr(0, end + 4);
    buffer.erase(0, end + 4);
    std::size_t length = 0;
    if (auto at = head.find("Content-Length: "); at != std::string::npos)
      length = std::stoul(head.substr(at + 16));
    while (buffer.size() < length) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_tuple);
      if (ec) co_return;
      buffer.append(chunk.data(), n);
    }
    std::string body = head + buffer.substr(0, length);
    buffer.erase(0, length);
    std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: echo\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(reply), use_tuple);
    if (ec) co_return;
  }
}

// A backend that answers one request on a kept-alive connection, then closes its side and
// waits for the proxy to close its side too (the read ends): a pooled connection the server
// closed must not stay open in the proxy (CLOSE_WAIT) until a request finds it dead.
asio::awaitable<void> closing_connection(std::shared_ptr<tcp::socket> socket,
                                         std::shared_ptr<std::promise<void>> proxy_closed) {
  std::string buffer;
  std::array<char, 4096> chunk;
  while (buffer.find("\r\n\r\n") == std::string::npos) {
    auto [ec, n] = co_await socket->async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) co_return;
    buffer.append(chunk.data(), n);
  }
  const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nclosing";
  auto [write_ec, written] = co_await asio::async_write(*socket, asio::buffer(reply), use_tuple);
  if (write_ec) co_return;
  std::error_code ignored;
  socket->shutdown(tcp::socket::shutdown_send, ignored);
  while (true) {
    auto [ec, n] = co_await socket->async_read_some(asio::buffer(chunk), use_tuple);
    if (ec == asio::error::eof) {
      try {
        proxy_closed->set_value();
      } catch (const std::future_error&) {  // a second connection's end: the first one counts
      }
    }
    if (ec) co_return;
  }
}

class LiveProxyTest : public ::testing::Test {
 protected:
  static inline int echo_connections_ = 0;

  // Serves closing_connection; its sockets are kept to be closed when the suite ends.
  static asio::awaitable<void> closing_accept(tcp::acceptor& acceptor) {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      closing_sockets_.push_back(std::make_shared<tcp::socket>(std::move(socket)));
      asio::co_spawn(acceptor.get_executor(),
                     closing_connection(closing_sockets_.back(), closing_proxy_closed_),
                     asio::detached);
    }
  }

  static asio::awaitable<void> echo_accept(tcp::acceptor& acceptor) {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      ++echo_connections_;
      asio::co_spawn(acceptor.get_executor(), echo_connection(std::move(socket)), asio::detached);
    }
  }
  // Accepts and never answers: the proxy's read timeout gives 504.
  static asio::awaitable<void> silent_accept(tcp::acceptor& acceptor) {
    while (true) {
      auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
      if (ec) co_return;
      silent_sockets_.push_back(std::move(socket));
    }
  }

  static tcp::acceptor& open_acceptor(std::unique_ptr<tcp::acceptor>& slot) {
    slot =
        std::make_unique<tcp::acceptor>(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return *slot;
  }

  static std::unique_ptr<Server> start_server(const std::string& name, const std::string& toml) {
    std::ofstream(dir_ / (name + ".toml")) << toml;
    return test_support::start_in_process_server(io_, dir_ / (name + ".toml"));
  }

  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("miniweb-proxy-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site/errors");
    std::ofstream(dir_ / "site/index.html") << "<p>html</p>\n";
    std::ofstream(dir_ / "site/index.json") << "{\"json\": true}\n";
    std::ofstream(dir_ / "site/digits.txt") << "0123456789";
    std::ofstream(dir_ / "site/errors/404.html") << "<p>custom not found</p>\n";
    std::ofstream(dir_ / "site/errors/502.html") << "<p>custom bad gateway</p>\n";
    for (int i = 0; i < 200; ++i) long_text_ += "a line of text that compresses well\n";
    std::ofstream(dir_ / "site/long.txt") << long_text_;

    ASSERT_TRUE(
        test_support::issue_test_certificate(dir_, {"www.example.test", "shop.example.test"}));

    // Three miniweb-server backends: plain HTTP, each saying which one it is.
    std::vector<unsigned short> backend_ports;
    for (int i = 1; i <= 3; ++i) {
      const std::string name = "backend-" + std::to_string(i);
      std::filesystem::create_directories(dir_ / name);
      std::ofstream(dir_ / name / "index.html") << "served by " << name << "\n";
      backends_.push_back(start_server(name, R"([[listener]]
address = "127.0.0.1"
port = 0
protocol = "http"

[[site]]
names = [")" + name + R"("]
root = ")" + name + R"("
redirect_to_https = false
)"));
      ASSERT_TRUE(backends_.back());
      backend_ports.push_back(backends_.back()->local_endpoints()[0].port());
    }
    auto at = [](unsigned short port) { return "\"127.0.0.1:" + std::to_string(port) + "\""; };
    const unsigned short echo_port = open_acceptor(echo_).local_endpoint().port();
    const unsigned short silent_port = open_acceptor(silent_).local_endpoint().port();
    unsigned short dead_port;
    {
      tcp::acceptor closed(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      dead_port = closed.local_endpoint().port();
    }
    asio::co_spawn(io_, echo_accept(*echo_), asio::detached);
    asio::co_spawn(io_, silent_accept(*silent_), asio::detached);
    const unsigned short closing_port = open_acceptor(closing_).local_endpoint().port();
    asio::co_spawn(io_, closing_accept(*closing_), asio::detached);

    front_ = start_server("front", R"([[listener]]
address = "127.0.0.1"
port = 0

[[site]]
names = ["www.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
index = ["index.html", "index.json"]
error_pages = { 404 = "/errors/404.html" }

[[site]]
names = ["shop.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
error_pages = { 502 = "/errors/502.html" }

[[site.proxy]]
prefix = "/"
upstream = "shop"

[[site.proxy]]
prefix = "/failover/"
upstream = "failover"

[[site.proxy]]
prefix = "/dead/"
upstream = "dead"

[[site.proxy]]
prefix = "/slow/"
upstream = "slow"

[[site.proxy]]
prefix = "/echo/"
upstream = "echo"

[[site.proxy]]
prefix = "/closing/"
upstream = "closing"

[[upstream]]
name = "shop"
balance = "weighted_round_robin"
[[upstream.server]]
address = )" + at(backend_ports[0]) + R"(
weight = 3
[[upstream.server]]
address = )" + at(backend_ports[1]) + R"(
[[upstream.server]]
address = )" + at(backend_ports[2]) + R"(

[[upstream]]
name = "failover"
balance = "round_robin"
max_fails = 1
fail_timeout = 60
[[upstream.server]]
address = )" + at(dead_port) + R"(
[[upstream.server]]
address = )" + at(backend_ports[0]) + R"(
[[upstream.server]]
address = )" + at(backend_ports[1]) + R"(

[[upstream]]
name = "dead"
[[upstream.server]]
address = )" + at(dead_port) + R"(

[[upstream]]
name = "slow"
read_timeout = 1
[[upstream.server]]
address = )" + at(silent_port) + R"(

[[upstream]]
name = "echo"
balance = "least_connections"
[[upstream.server]]
address = )" + at(echo_port) + R"(

[[upstream]]
name = "closing"
[[upstream.server]]
address = )" + at(closing_port) + R"(
)");
    ASSERT_TRUE(front_);
    https_port_ = front_->local_endpoints()[0].port();
    thread_ = std::thread([] { io_.run(); });
  }

  static void TearDownTestSuite() {
    asio::post(io_, [] {
      for (Server* server : all_servers()) server->stop();
      std::error_code ignored;
      if (echo_) echo_->close(ignored);
      if (silent_) silent_->close(ignored);
      for (auto& socket : silent_sockets_) socket.close(ignored);
      if (closing_) closing_->close(ignored);
      for (auto& socket : closing_sockets_) socket->close(ignored);
    });
    // The loop ends once every connection has finished; only then may the servers go.
    if (thread_.joinable()) thread_.join();
    front_.reset();
    backends_.clear();
    retired_.clear();
    std::filesystem::remove_all(dir_);
  }

  static std::vector<Server*> all_servers() {
    std::vector<Server*> servers;
    if (front_) servers.push_back(front_.get());
    for (auto& backend : backends_)
      if (backend) servers.push_back(backend.get());
    return servers;
  }

  // HTTP/1.1's wire format is what these tests read; HTTP/2 has tests of its own.
  static std::string curl(const std::string& arguments) {
    const std::string port = std::to_string(https_port_);
    return run("curl -sS --http1.1 --max-time 10 --cacert " + (dir_ / "ca/root.pem").string() +
               " --resolve www.example.test:" + port + ":127.0.0.1 --resolve shop.example.test:" +
               port + ":127.0.0.1 " + arguments + " 2>&1");
  }
  static std::string url(const std::string& host, const std::string& path) {
    return "https://" + host + ".example.test:" + std::to_string(https_port_) + path;
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<Server> front_;
  static inline std::vector<std::unique_ptr<Server>> backends_;
  static inline std::vector<std::unique_ptr<Server>> retired_;  // stopped, destroyed after the loop
  static inline std::unique_ptr<tcp::acceptor> echo_;
  static inline std::unique_ptr<tcp::acceptor> silent_;
  static inline std::vector<tcp::socket> silent_sockets_;
  static inline std::unique_ptr<tcp::acceptor> closing_;
  static inline std::vector<std::shared_ptr<tcp::socket>> closing_sockets_;
  static inline auto closing_proxy_closed_ = std::make_shared<std::promise<void>>();
  static inline std::thread thread_;
  static inline unsigned short https_port_ = 0;
  static inline std::string long_text_;
};

TEST_F(LiveProxyTest, ServesByteRangesOverHttps) {
  std::string out = curl("-i -r 2-4 " + url("www", "/digits.txt"));
  EXPECT_NE(out.find("HTTP/1.1 206"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Range: bytes 2-4/10"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\n234")) << out;
  std::string refused = curl("-i -r 50-60 " + url("www", "/digits.txt"));
  EXPECT_NE(refused.find("HTTP/1.1 416"), std::string::npos) << refused;
  EXPECT_NE(refused.find("Content-Range: bytes */10"), std::string::npos) << refused;
  std::string multi = curl("-i -r 0-1,8- " + url("www", "/digits.txt"));
  EXPECT_NE(multi.find("Content-Type: multipart/byteranges"), std::string::npos) << multi;
}

TEST_F(LiveProxyTest, SendsGzipToClientsThatAskAndAnswersIfModifiedSince) {
  std::string headers =
      curl("-sS -D - -o /dev/null -H 'Accept-Encoding: gzip' " + url("www", "/long.txt"));
  EXPECT_NE(headers.find("Content-Encoding: gzip"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Vary: Accept-Encoding"), std::string::npos) << headers;
  EXPECT_EQ(curl("--compressed " + url("www", "/long.txt")), long_text_);
  EXPECT_EQ(
      curl("-o /dev/null -w '%{http_code}' -H 'If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT' " +
           url("www", "/long.txt")),
      "304");
  EXPECT_EQ(
      curl("-o /dev/null -w '%{http_code}' -H 'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT' " +
           url("www", "/long.txt")),
      "200");
}

TEST_F(LiveProxyTest, NegotiatesVariantsAndUsesCustomErrorPages) {
  EXPECT_EQ(curl("-H 'Accept: application/json' " + url("www", "/")), "{\"json\": true}\n");
  EXPECT_EQ(curl("-H 'Accept: text/html' " + url("www", "/")), "<p>html</p>\n");
  std::string none = curl("-i -H 'Accept: image/png' " + url("www", "/"));
  EXPECT_NE(none.find("HTTP/1.1 406"), std::string::npos) << none;
  EXPECT_NE(none.find("Vary: Accept"), std::string::npos) << none;
  std::string missing = curl("-i " + url("www", "/nothing-here"));
  EXPECT_NE(missing.find("HTTP/1.1 404"), std::string::npos) << missing;
  EXPECT_NE(missing.find("<p>custom not found</p>"), std::string::npos) << missing;
}

TEST_F(LiveProxyTest, AMiniwebBackendServesPlainHttpWithoutRedirecting) {
  const std::string port = std::to_string(backends_[0]->local_endpoints()[0].port());
  std::string out = run("curl -sS -i http://127.0.0.1:" + port + "/ 2>&1");
  EXPECT_NE(out.find("HTTP/1.1 200"), std::string::npos) << out;
  EXPECT_NE(out.find("served by backend-1"), std::string::npos) << out;
  EXPECT_EQ(out.find("Strict-Transport-Security"), std::string::npos) << out;
}

TEST_F(LiveProxyTest, SpreadsRequestsByWeightThreeToOneToOne) {
  std::string urls;
  for (int i = 0; i < 50; ++i) urls += " " + url("shop", "/");
  std::string out = curl(urls);
  EXPECT_EQ(occurrences(out, "served by backend-1"), 30u) << out;
  EXPECT_EQ(occurrences(out, "served by backend-2"), 10u) << out;
  EXPECT_EQ(occurrences(out, "served by backend-3"), 10u) << out;
  std::string head = curl("-i " + url("shop", "/"));
  EXPECT_NE(head.find("Via: 1.1 miniweb"), std::string::npos) << head;
}

TEST_F(LiveProxyTest, MovesOnFromAServerThatRefusesConnections) {
  // The backends have no /failover/ directory: 404 from them, never 502 from the proxy.
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' " + url("shop", "/failover/")), "404")
        << "request " << i;
}

TEST_F(LiveProxyTest, Answers502WhenNoUpstreamAnswersAnd504WhenOneIsSilent) {
  std::string dead = curl("-i " + url("shop", "/dead/x"));
  EXPECT_NE(dead.find("HTTP/1.1 502"), std::string::npos) << dead;
  EXPECT_NE(dead.find("<p>custom bad gateway</p>"), std::string::npos) << dead;
  std::string slow = curl("-i " + url("shop", "/slow/x"));
  EXPECT_NE(slow.find("HTTP/1.1 504"), std::string::npos) << slow;
}

TEST_F(LiveProxyTest, ForwardsClientFactsAndKeepsUpstreamConnectionsAlive) {
  const int before = echo_connections_;
  std::string out = curl(
      "-H 'Connection: X-Secret' -H 'X-Secret: 1' -H 'X-Forwarded-For: 10.0.0.9' "
      "-H 'X-Request-Id: chosen-by-the-client' " +
      url("shop", "/echo/one"));
  out += curl("-d 'a body' " + url("shop", "/echo/two"));
  EXPECT_NE(out.find("GET /echo/one HTTP/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Forwarded-For: 10.0.0.9, 127.0.0.1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Forwarded-For: 127.0.0.1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("X-Forwarded-Proto: https"), std::string::npos) << out;
  EXPECT_NE(out.find("Via: 1.1 miniweb"), std::string::npos) << out;
  // The proxy's own request id, never the client's.
  EXPECT_EQ(out.find("chosen-by-the-client"), std::string::npos) << out;
  std::smatch id;
  EXPECT_TRUE(std::regex_search(out, id, std::regex("X-Request-Id: [0-9a-f]{32}\r\n"))) << out;
  EXPECT_EQ(out.find("X-Secret"), std::string::npos)
      << "a field named by Connection was forwarded: " << out;
  EXPECT_NE(out.find("POST /echo/two HTTP/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Length: 6\r\n"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("a body")) << out;
  EXPECT_EQ(echo_connections_ - before, 1) << "two requests should share one upstream connection";
}

// RFC 8470 section 5.1: a request the proxy answered from TLS early data reaches the upstream
// marked "Early-Data: 1" (the upstream may answer 425 Too Early); the same request after a
// handshake does not. Sent by Debian's openssl s_client, resuming the session it kept.
TEST_F(LiveProxyTest, ARequestFromEarlyDataReachesTheUpstreamMarkedSo) {
  const std::string request = (dir_ / "early-request.txt").string();
  std::ofstream(request, std::ios::binary)
      << "GET /echo/early HTTP/1.1\r\nHost: shop.example.test\r\nConnection: close\r\n\r\n";
  const std::string client = "timeout 10 openssl s_client -connect 127.0.0.1:" +
                             std::to_string(https_port_) +
                             " -servername shop.example.test -alpn http/1.1 -CAfile " +
                             (dir_ / "ca/root.pem").string() + " -ign_eof ";
  const std::string session = (dir_ / "early-session.pem").string();
  const std::string handshake_first =
      run(client + "-sess_out " + session + " < " + request + " 2>&1");
  EXPECT_NE(handshake_first.find("GET /echo/early HTTP/1.1"), std::string::npos)
      << handshake_first;
  EXPECT_EQ(handshake_first.find("Early-Data"), std::string::npos) << handshake_first;
  const std::string early =
      run(client + "-sess_in " + session + " -early_data " + request + " < /dev/null 2>&1");
  EXPECT_NE(early.find("Early data was accepted"), std::string::npos) << early;
  EXPECT_NE(early.find("GET /echo/early HTTP/1.1"), std::string::npos) << early;
  EXPECT_NE(early.find("Early-Data: 1\r\n"), std::string::npos) << early;
}

TEST_F(LiveProxyTest, ClosesAKeptAliveUpstreamConnectionWhenTheUpstreamClosesIt) {
  std::string out = curl(url("shop", "/closing/x"));
  EXPECT_EQ(out, "closing");
  // The backend closed its side after answering; the proxy, which pooled the connection, must
  // close its side too without waiting for the next request (10 s: a bound, not a measure).
  EXPECT_EQ(closing_proxy_closed_->get_future().wait_for(std::chrono::seconds(10)),
            std::future_status::ready)
      << "the proxy kept the connection its upstream closed (CLOSE_WAIT)";
}

// A blocking TLS client on one connection, to see that a reload does not drop it.
class TlsClient {
 public:
  TlsClient(const std::filesystem::path& root, unsigned short port)
      : context_(asio::ssl::context::tls_client) {
    context_.load_verify_file(root.string());
    context_.set_verify_mode(asio::ssl::verify_peer);
    stream_.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    SSL_set_tlsext_host_name(stream_.native_handle(), "www.example.test");
    stream_.handshake(asio::ssl::stream_base::client);
  }
  std::string get(const std::string& path) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: www.example.test\r\n\r\n";
    asio::write(stream_, asio::buffer(request));
    std::string data;
    std::array<char, 4096> chunk;
    std::size_t end;
    while ((end = data.find("\r\n\r\n")) == std::string::npos)
      data.append(chunk.data(), stream_.read_some(asio::buffer(chunk)));
    const auto at = data.find("Content-Length: ");
    const std::size_t length = std::stoul(data.substr(at + 16));
    while (data.size() < end + 4 + length)
      data.append(chunk.data(), stream_.read_some(asio::buffer(chunk)));
    return data.substr(end + 4, length);
  }

 private:
  asio::io_context io_;
  asio::ssl::context context_;
  asio::ssl::stream<tcp::socket> stream_{io_, context_};
};

TEST_F(LiveProxyTest, ReloadsWithoutDroppingConnectionsAndKeepsTheOldConfigWhenTheNewIsBad) {
  std::filesystem::create_directories(dir_ / "one");
  std::filesystem::create_directories(dir_ / "two");
  std::ofstream(dir_ / "one/index.html") << "version one\n";
  std::ofstream(dir_ / "two/index.html") << "version two\n";
  auto config = [&](const std::string& root) {
    return "[[listener]]\naddress = \"127.0.0.1\"\nport = 0\n\n[[site]]\nnames = "
           "[\"www.example.test\"]\nroot = \"" +
           root + "\"\ncertificate = \"chain.pem\"\nkey = \"key.pem\"\n";
  };
  auto server = start_server("reload", config("one"));
  ASSERT_TRUE(server);
  const unsigned short port = server->local_endpoints()[0].port();
  auto reload = [&](const std::string& text) {
    std::ofstream(dir_ / "reload.toml") << text;
    std::promise<Status> done;
    asio::post(io_, [&] { done.set_value(server->reload(dir_ / "reload.toml")); });
    return done.get_future().get();
  };

  TlsClient client(dir_ / "ca/root.pem", port);
  EXPECT_EQ(client.get("/"), "version one\n");
  ASSERT_TRUE(reload(config("two")));
  EXPECT_EQ(client.get("/"), "version two\n");  // the same connection, the new configuration

  Status bad = reload(config("two") + "certificate = \"missing.pem\"\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("reload refused"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("reload.toml:10:"), std::string::npos) << bad.error().message;
  Status bad_certificate =
      reload(config("one") +
             "\n[[site]]\nnames = [\"x.test\"]\ncertificate = \"key.pem\"\nkey = \"key.pem\"\n");
  ASSERT_FALSE(bad_certificate);
  EXPECT_NE(bad_certificate.error().message.find("certificate"), std::string::npos)
      << bad_certificate.error().message;
  EXPECT_EQ(client.get("/"), "version two\n");
  TlsClient fresh(dir_ / "ca/root.pem", port);
  EXPECT_EQ(fresh.get("/"), "version two\n");

  Server* raw = server.get();
  asio::post(io_, [raw] { raw->stop(); });
  retired_.push_back(std::move(server));
}

}  // namespace
}  // namespace miniweb::server
