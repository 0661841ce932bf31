// The browser's HTTP/2 path through the whole navigator, against origins on loopback that choose
// h2 by ALPN: one answering with nghttp2's own server session (GOAWAY ends reuse; a refused
// stream goes again on a new connection), one that breaks the protocol (a clear error with
// HTTP/2's words for it, and the browser's GOAWAY).

#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/ssl.hpp>

#include <array>
#include <filesystem>
#include <functional>
#include <thread>

#include "browser/exit_codes.hpp"
#include "browser/navigator.hpp"
#include "shared/awaitable.hpp"
#include "tests/browser/http2_peer.hpp"
#include "tests/browser/localhost_certificate.hpp"
#include "tests/browser/test_origin.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::browser {
namespace {

using test::Http2Peer;
using test::PeerAnswer;
using test::PeerRequest;
using test_support::occurrences;

// RFC 7301: the server picks h2 from what the client offered, or nothing.
int choose_h2(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
              unsigned int in_length, void*) {
  static constexpr unsigned char kH2[] = {2, 'h', '2'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_length, kH2, sizeof kH2, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// A TLS origin that speaks h2: each connection gets a fresh `Conversation`, which is handed
// each chunk the browser sent and answers with the bytes to write ("" for none).
class H2Origin {
 public:
  using Conversation = std::function<std::string(const std::string& received)>;
  using NewConversation = std::function<Conversation(int connection)>;

  H2Origin(const test::LocalhostCertificate& certificate, NewConversation start)
      : start_(std::move(start)) {
    tls_ = test::tls_server_context(certificate.cert, certificate.key);
    SSL_CTX_set_alpn_select_cb(tls_.native_handle(), &choose_h2, nullptr);
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~H2Origin() {
    io_.stop();
    thread_.join();
  }
  Url url(const std::string& path) const {
    return *Url::parse("https://localhost:" + std::to_string(port_) + path);
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (int number = 1;; ++number) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) co_return;
      auto shared = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
      asio::co_spawn(io_, serve(shared, start_(number)), asio::detached);
    }
  }
  asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> socket,
                              Conversation conversation) {
    asio::ssl::stream<asio::ip::tcp::socket&> stream(*socket, tls_);
    auto [handshake] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (handshake) co_return;
    std::array<char, 16384> chunk;
    for (;;) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
      if (ec) co_return;
      const std::string answer = conversation(std::string(chunk.data(), n));
      if (answer.empty()) continue;
      auto [write_error, written] =
          co_await asio::async_write(stream, asio::buffer(answer), use_tuple);
      if (write_error) co_return;
    }
  }

  NewConversation start_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

NavigatorOptions options_for(const test::LocalhostCertificate& certificate) {
  NavigatorOptions options;
  options.loader.ca_file = certificate.cert;
  options.loader.io_timeout = std::chrono::seconds(5);
  return options;
}

std::string rendered(const Trace& trace) {
  return trace.render("test");
}

TEST(BrowserHttp2Live, AGoawayMeansTheNextRequestOpensANewConnection) {
  test::LocalhostCertificate certificate("h2-live");
  // Each connection answers one request, then says GOAWAY, as a server going away does.
  H2Origin origin(certificate, [](int connection) {
    auto peer = std::make_shared<Http2Peer>([connection](const PeerRequest& request) {
      return PeerAnswer{
          200,
          {{"content-type", "text/plain"}},
          "connection " + std::to_string(connection) + " " + request.fields.at(":path")};
    });
    return [peer](const std::string& received) {
      if (!peer->receive(received)) return std::string();
      if (!peer->requests().empty()) peer->goaway(NGHTTP2_NO_ERROR);
      return peer->output();
    };
  });
  Navigator navigator(options_for(certificate));
  Trace first_trace;
  auto first = navigator.load_now(origin.url("/one"), Viewport{}, first_trace);
  ASSERT_TRUE(first) << first.error().message << rendered(first_trace);
  EXPECT_EQ(first->source(), "connection 1 /one");
  EXPECT_NE(rendered(first_trace).find("protocol h2"), std::string::npos);
  // Each connection's nghttp2 session is a step of its own, between the handshake and the
  // frames.
  EXPECT_NE(rendered(first_trace).find("h2     session on connection #1 (ALPN chose h2)"),
            std::string::npos)
      << rendered(first_trace);
  // As nghttp2 counts what it holds: our SETTINGS, and the WINDOW_UPDATE that raises the
  // connection's window.
  EXPECT_NE(rendered(first_trace).find("nghttp2's client session made, 2 frames queued"),
            std::string::npos)
      << rendered(first_trace);
  Trace second_trace;
  auto second = navigator.load_now(origin.url("/two"), Viewport{}, second_trace);
  ASSERT_TRUE(second) << second.error().message << rendered(second_trace);
  EXPECT_EQ(second->source(), "connection 2 /two") << rendered(second_trace);
  EXPECT_NE(rendered(second_trace).find("h2     session on connection #2 (ALPN chose h2)"),
            std::string::npos)
      << rendered(second_trace);
}

TEST(BrowserHttp2Live, AFrameOfTheWrongSizeIsAProtocolErrorTheBrowserNames) {
  test::LocalhostCertificate certificate("h2-live");
  // A SETTINGS frame of 5 bytes: settings are 6 bytes each (RFC 9113 section 6.5).
  H2Origin origin(certificate, [](int) {
    return [](const std::string&) {
      return std::string("\x00\x00\x05\x04\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00", 14);
    };
  });
  Navigator navigator(options_for(certificate));
  Trace trace;
  auto page = navigator.load_now(origin.url("/"), Viewport{}, trace);
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, exit_code::kBadResponse) << page.error().message;
  // What nghttp2 made of it: the GOAWAY it sent, with the error code.
  EXPECT_NE(page.error().message.find("the server broke HTTP/2's rules: nghttp2 ended"),
            std::string::npos)
      << page.error().message;
  EXPECT_NE(page.error().message.find("(we sent GOAWAY last stream 0, FRAME_SIZE_ERROR)"),
            std::string::npos)
      << page.error().message;
  const std::string text = rendered(trace);
  // nghttp2 answered with GOAWAY, and the trace shows it going out.
  EXPECT_NE(text.find("> GOAWAY last stream 0, FRAME_SIZE_ERROR"), std::string::npos) << text;
}

TEST(BrowserHttp2Live, ARefusedStreamIsSentAgainOnANewConnection) {
  test::LocalhostCertificate certificate("h2-live");
  // The first connection refuses every stream (RFC 9113 section 8.7: nothing was processed).
  H2Origin origin(certificate, [](int connection) {
    auto peer = std::make_shared<Http2Peer>([connection](const PeerRequest&) {
      PeerAnswer answer{200, {{"content-type", "text/plain"}}, "answered"};
      answer.refuse = connection == 1;
      return answer;
    });
    return [peer](const std::string& received) {
      return peer->receive(received) ? peer->output() : std::string();
    };
  });
  Navigator navigator(options_for(certificate));
  Trace trace;
  auto page = navigator.load_now(origin.url("/"), Viewport{}, trace);
  ASSERT_TRUE(page) << page.error().message << rendered(trace);
  EXPECT_EQ(page->source(), "answered");
  const std::string text = rendered(trace);
  EXPECT_NE(text.find("< RST_STREAM stream 1 REFUSED_STREAM"), std::string::npos) << text;
  EXPECT_EQ(occurrences(text, "protocol h2"), 2u) << text;
}

}  // namespace
}  // namespace miniweb::browser
