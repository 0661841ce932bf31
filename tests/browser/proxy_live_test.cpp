// The browser through an HTTP proxy: a small real relay on loopback (it tunnels CONNECT and
// forwards absolute-form requests), in front of a real origin, plain or TLS with a
// certificate made by openssl for the test.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "browser/navigator.hpp"
#include "browser/net/proxy_tunnel.hpp"
#include "tests/browser/localhost_certificate.hpp"
#include "tests/browser/test_origin.hpp"

namespace miniweb::browser {
namespace {

// One visit, as the line mode makes it: the page laid out at 80 columns.
Result<Page> load_page(Navigator& navigator, const Url& url, Trace& trace) {
  return navigator.load_now(url, Viewport{}, trace);
}

using asio::ip::tcp;
using test::http_response;
using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

// A forward proxy: CONNECT host:port opens a blind tunnel (or is refused with `refusal`),
// "GET http://host:port/path" is forwarded in origin form.
class TestProxy {
 public:
  explicit TestProxy(std::string refusal = "") : refusal_(std::move(refusal)) {
    acceptor_.open(tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestProxy() {
    io_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> request_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) co_return;
      auto client = std::make_shared<tcp::socket>(std::move(socket));
      asio::co_spawn(io_, serve(client), asio::detached);
    }
  }

  static asio::awaitable<void> pipe(std::shared_ptr<tcp::socket> from,
                                    std::shared_ptr<tcp::socket> to) {
    std::array<char, 16384> chunk;
    while (true) {
      auto [ec, n] = co_await from->async_read_some(asio::buffer(chunk), use_tuple);
      if (ec) break;
      auto [write_error, written] =
          co_await asio::async_write(*to, asio::buffer(chunk.data(), n), use_tuple);
      (void)written;
      if (write_error) break;
    }
    std::error_code ignored;
    to->shutdown(tcp::socket::shutdown_send, ignored);
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> client) {
    std::string buffer;
    std::array<char, 8192> chunk;
    std::size_t end;
    while ((end = http::find_head_end(buffer)) == std::string::npos) {
      auto [ec, n] = co_await client->async_read_some(asio::buffer(chunk), use_tuple);
      if (ec) co_return;
      buffer.append(chunk.data(), n);
    }
    auto request = http::parse_request_head(std::string_view(buffer).substr(0, end), {});
    if (!request) co_return;
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(request->method + " " + request->target);
    }
    std::string authority = request->target;
    std::string forward;
    if (request->method == "CONNECT") {
      if (!refusal_.empty()) {
        const std::string answer = "HTTP/1.1 " + refusal_ + "\r\nContent-Length: 0\r\n\r\n";
        co_await asio::async_write(*client, asio::buffer(answer), use_tuple);
        co_return;
      }
    } else {
      auto url = Url::parse(request->target);
      if (!url) co_return;
      authority = url->host + ":" + std::to_string(url->effective_port());
      const auto line_end = buffer.find("\r\n");
      forward =
          request->method + " " + url->request_target() + " HTTP/1.1" + buffer.substr(line_end);
    }
    const auto colon = authority.rfind(':');
    tcp::resolver resolver(io_);
    auto [resolve_error, results] = co_await resolver.async_resolve(
        authority.substr(0, colon), authority.substr(colon + 1), use_tuple);
    if (resolve_error) co_return;
    auto upstream = std::make_shared<tcp::socket>(io_);
    auto [connect_error, endpoint] = co_await asio::async_connect(*upstream, results, use_tuple);
    (void)endpoint;
    if (connect_error) {
      const std::string answer = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
      co_await asio::async_write(*client, asio::buffer(answer), use_tuple);
      co_return;
    }
    const std::string established = "HTTP/1.1 200 Connection Established\r\n\r\n";
    const std::string& first = forward.empty() ? established : forward;
    auto [ec, n] = co_await asio::async_write(forward.empty() ? *client : *upstream,
                                              asio::buffer(first), use_tuple);
    (void)n;
    if (ec) co_return;
    asio::co_spawn(io_, pipe(client, upstream), asio::detached);
    co_await pipe(upstream, client);
  }

  std::string refusal_;
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  std::thread thread_;
};

OriginReply hello(const OriginRequest& seen) {
  return {http_response(
      200, "OK", {"Content-Type: text/plain"},
      "hello " + seen.request.target + " on connection " + std::to_string(seen.connection))};
}

NavigatorOptions through(const TestProxy& proxy) {
  NavigatorOptions options;
  options.loader.https_proxy = *Url::parse(proxy.url());
  options.loader.http_proxy = options.loader.https_proxy;
  options.loader.io_timeout = std::chrono::seconds(10);
  options.download_dir = std::filesystem::temp_directory_path();
  return options;
}

TEST(ProxyTunnel, ConnectRequestIsInAuthorityForm) {
  EXPECT_EQ(connect_request("www.example.test:443", "ua/1"),
            "CONNECT www.example.test:443 HTTP/1.1\r\nHost: www.example.test:443\r\n"
            "User-Agent: ua/1\r\n\r\n");
}

// An HTTPS origin with a certificate for localhost, and a proxy to reach it through.
struct HttpsOriginBehindProxy {
  HttpsOriginBehindProxy() {
    tls = test::tls_server_context(certificate.cert, certificate.key);
    origin = std::make_unique<TestOrigin>(hello, &tls);
  }
  // The browser's options: through the proxy, trusting the origin's certificate.
  NavigatorOptions options() const {
    NavigatorOptions options = through(proxy);
    options.loader.ca_file = certificate.cert;
    return options;
  }

  test::LocalhostCertificate certificate{"proxy-cert"};
  asio::ssl::context tls{asio::ssl::context::tls_server};
  std::unique_ptr<TestOrigin> origin;
  TestProxy proxy;
};

TEST(ProxyLive, HttpsGoesThroughATunnelWithTlsVerifiedAgainstTheOrigin) {
  HttpsOriginBehindProxy setup;
  TestOrigin& origin = *setup.origin;
  TestProxy& proxy = setup.proxy;
  Navigator session(setup.options());
  const Url page = *Url::parse("https://localhost:" + std::to_string(origin.port()) + "/a");
  Trace trace;
  auto visit = load_page(session, page, trace);
  ASSERT_TRUE(visit) << visit.error().message << trace.render("");
  EXPECT_EQ(visit->source(), "hello /a on connection 1");
  const std::string text = trace.render("");
  EXPECT_NE(text.find("CONNECT localhost:" + std::to_string(origin.port())), std::string::npos)
      << text;
  EXPECT_NE(text.find("verification: OK"), std::string::npos) << text;
  // The tunnel is kept alive like any connection: the second page goes through it.
  const Url second = *Url::parse("https://localhost:" + std::to_string(origin.port()) + "/b");
  Trace again;
  visit = load_page(session, second, again);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "hello /b on connection 1");
  ASSERT_EQ(proxy.request_lines().size(), 1u);
  EXPECT_EQ(proxy.request_lines()[0], "CONNECT localhost:" + std::to_string(origin.port()));
}

TEST(ProxyLive, TheOriginNameIsVerifiedInsideTheTunnel) {
  HttpsOriginBehindProxy setup;
  const TestOrigin& origin = *setup.origin;
  Navigator session(setup.options());
  // The certificate names localhost, not 127.0.0.1.
  const Url page = *Url::parse("https://127.0.0.1:" + std::to_string(origin.port()) + "/");
  Trace trace;
  auto visit = load_page(session, page, trace);
  ASSERT_FALSE(visit);
  EXPECT_NE(visit.error().message.find("NET::ERR_CERT_COMMON_NAME_INVALID"), std::string::npos)
      << visit.error().message;
}

TEST(ProxyLive, ARefusedTunnelIsAClearError) {
  TestProxy proxy("403 Forbidden");
  Navigator session(through(proxy));
  Trace trace;
  auto visit = load_page(session, *Url::parse("https://www.example.test/"), trace);
  ASSERT_FALSE(visit);
  EXPECT_EQ(visit.error().message, "the proxy refused the tunnel: 403 Forbidden");
  TestProxy bad_gateway("502 Bad Gateway");
  Navigator other(through(bad_gateway));
  visit = load_page(other, *Url::parse("https://www.example.test/"), trace);
  ASSERT_FALSE(visit);
  EXPECT_EQ(visit.error().message, "the proxy refused the tunnel: 502 Bad Gateway");
}

TEST(ProxyLive, HttpUrlsAreSentInAbsoluteForm) {
  TestOrigin origin(hello);
  TestProxy proxy;
  Navigator session(through(proxy));
  const std::string url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/plain?q=1";
  Trace trace;
  auto visit = load_page(session, *Url::parse(url), trace);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_EQ(visit->source(), "hello /plain?q=1 on connection 1");
  ASSERT_EQ(proxy.request_lines().size(), 1u);
  EXPECT_EQ(proxy.request_lines()[0], "GET " + url);
}

TEST(ProxyLive, NoProxyHostsGoDirect) {
  TestOrigin origin(hello);
  TestProxy proxy;
  NavigatorOptions options = through(proxy);
  options.loader.no_proxy = {"127.0.0.1"};
  Navigator session(options);
  Trace trace;
  auto visit = load_page(
      session, *Url::parse("http://127.0.0.1:" + std::to_string(origin.port()) + "/"), trace);
  ASSERT_TRUE(visit) << visit.error().message;
  EXPECT_TRUE(proxy.request_lines().empty());
}

}  // namespace
}  // namespace miniweb::browser
