// TlsStream reads the socket at once when it can; after a readiness wait, http::detail::arrived
// must tell bytes that are really there from a stale report, or a read after it blocks until
// the client sends again (an HTTP/2 connection then sat on an answered request).

#include "server/tls_stream.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <asio.hpp>

#include "shared/http/connection.hpp"

namespace miniweb::server {
namespace {

using asio::ip::tcp;

class TlsStreamArrivalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.connect(acceptor.local_endpoint());
    tcp::socket accepted(io_);
    acceptor.accept(accepted);
    context_.reset(SSL_CTX_new(TLS_server_method()));
    ASSERT_TRUE(context_);
    stream_ = std::make_unique<TlsStream>(std::move(accepted), context_.get());
  }

  // Until the server's end shows the client's bytes (loopback delivers them at once, but the
  // test does not rely on it).
  void wait_until_readable() {
    pollfd readable{.fd = stream_->next_layer().native_handle(), .events = POLLIN, .revents = 0};
    ASSERT_EQ(::poll(&readable, 1, 5000), 1);
  }

  asio::io_context io_;
  tcp::socket client_{io_};
  tls::SslCtxPtr context_;
  std::unique_ptr<TlsStream> stream_;
};

TEST_F(TlsStreamArrivalTest, NothingThereIsAStaleReportAndHoldsNoBuffer) {
  EXPECT_FALSE(http::detail::arrived(*stream_, stream_->next_layer()));
  EXPECT_FALSE(stream_->has_buffered_input());
}

TEST_F(TlsStreamArrivalTest, BytesThereAreKeptForTheNextRead) {
  asio::write(client_, asio::buffer(std::string("\x16\x03\x01", 3)));
  wait_until_readable();
  EXPECT_TRUE(http::detail::arrived(*stream_, stream_->next_layer()));
  EXPECT_TRUE(stream_->has_buffered_input());
  // Read once, they are gone from the socket: a second report is stale.
  EXPECT_FALSE(http::detail::arrived(*stream_, stream_->next_layer()));
  EXPECT_TRUE(stream_->has_buffered_input());
}

TEST_F(TlsStreamArrivalTest, ThePeersEndCountsAsArrived) {
  client_.shutdown(tcp::socket::shutdown_send);
  wait_until_readable();
  EXPECT_EQ(stream_->receive_now(), asio::error::eof);
  EXPECT_TRUE(http::detail::arrived(*stream_, stream_->next_layer()));
}

TEST_F(TlsStreamArrivalTest, APlainSocketIsAskedWithoutReadingIt) {
  tcp::socket& server_end = stream_->next_layer();
  EXPECT_FALSE(http::detail::arrived(server_end, server_end));
  asio::write(client_, asio::buffer(std::string("GET")));
  wait_until_readable();
  EXPECT_TRUE(http::detail::arrived(server_end, server_end));
  EXPECT_EQ(server_end.available(), 3u);  // still there for the read
}

}  // namespace
}  // namespace miniweb::server
