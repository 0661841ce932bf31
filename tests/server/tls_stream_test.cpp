// TlsStream reads the socket at once when it can; after a readiness wait, http::detail::arrived
// must tell bytes that are really there from a stale report, or a read after it blocks until
// the client sends again (an HTTP/2 connection then sat on an answered request). And the last
// response before a close leaves with the close_notify, when it is small.

#include "server/tls_stream.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/http/connection.hpp"
#include "tests/server/test_certificate.hpp"

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

// The idle wait of a connection that parks: a receive into the stream's input.
TEST_F(TlsStreamArrivalTest, AReceiveWaitsForTheBytesAndKeepsThemForTheNextRead) {
  std::error_code result = asio::error::would_block;
  stream_->async_receive([&](std::error_code ec) { result = ec; });
  io_.poll();
  EXPECT_EQ(result, asio::error::would_block);  // nothing sent yet: still waiting
  EXPECT_FALSE(stream_->has_buffered_input());
  asio::write(client_, asio::buffer(std::string("\x16\x03\x01", 3)));
  io_.run_for(std::chrono::seconds(5));
  EXPECT_FALSE(result) << result.message();
  EXPECT_TRUE(stream_->has_buffered_input());
}

TEST_F(TlsStreamArrivalTest, AReceiveMeetsThePeersEnd) {
  std::error_code result = asio::error::would_block;
  stream_->async_receive([&](std::error_code ec) { result = ec; });
  client_.shutdown(tcp::socket::shutdown_send);
  io_.run_for(std::chrono::seconds(5));
  EXPECT_EQ(result, asio::error::eof);
}

// A park cancels the wait: nothing is taken from the socket, the bytes wait for the next read.
TEST_F(TlsStreamArrivalTest, ACancelledReceiveTakesNothing) {
  std::error_code result = asio::error::would_block;
  stream_->async_receive([&](std::error_code ec) { result = ec; });
  io_.poll();
  stream_->next_layer().cancel();
  io_.run_for(std::chrono::seconds(5));
  EXPECT_EQ(result, asio::error::operation_aborted);
  asio::write(client_, asio::buffer(std::string("GET")));
  wait_until_readable();
  EXPECT_FALSE(stream_->has_buffered_input());
  EXPECT_TRUE(http::detail::arrived(*stream_, stream_->next_layer()));
  EXPECT_TRUE(stream_->has_buffered_input());
}

TEST_F(TlsStreamArrivalTest, APlainSocketIsAskedWithoutReadingIt) {
  tcp::socket& server_end = stream_->next_layer();
  EXPECT_FALSE(http::detail::arrived(server_end, server_end));
  asio::write(client_, asio::buffer(std::string("GET")));
  wait_until_readable();
  EXPECT_TRUE(http::detail::arrived(server_end, server_end));
  EXPECT_EQ(server_end.available(), 3u);  // still there for the read
}

// A handshake's answer to its first bytes (for a ClientHello, the key exchange and a signature)
// goes behind the work already waiting: here another connection's bytes, which came after the
// handshake's, are handled first. The first bytes are not TLS, so the handshake's one step
// fails at once, which tells when that step ran.
TEST_F(TlsStreamArrivalTest, AHandshakesFirstStepWaitsBehindTheWorkAlreadyWaiting) {
  tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket other_client(io_);
  other_client.connect(acceptor.local_endpoint());
  tcp::socket other_server = acceptor.accept();

  std::vector<std::string> order;
  stream_->async_handshake([&](std::error_code ec) {
    EXPECT_TRUE(ec);
    order.push_back("handshake");
  });
  char byte = 0;
  other_server.async_read_some(asio::buffer(&byte, 1), [&](std::error_code ec, std::size_t) {
    EXPECT_FALSE(ec) << ec.message();
    order.push_back("other connection");
  });
  io_.poll();  // both wait for their sockets
  ASSERT_TRUE(order.empty());

  asio::write(client_, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  wait_until_readable();
  asio::write(other_client, asio::buffer(std::string("x")));
  pollfd readable{.fd = other_server.native_handle(), .events = POLLIN, .revents = 0};
  ASSERT_EQ(::poll(&readable, 1, 5000), 1);
  io_.run_for(std::chrono::seconds(5));

  EXPECT_EQ(order, (std::vector<std::string>{"other connection", "handshake"}));
}

// A TLS 1.3 connection on loopback: the server's end a TlsStream with a certificate from a
// test CA, the client's an asio::ssl::stream, both after their handshake.
class TlsStreamCloseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-tls-close-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"close.test"}));
    server_context_.reset(SSL_CTX_new(TLS_server_method()));
    ASSERT_EQ(
        SSL_CTX_use_certificate_chain_file(server_context_.get(), (dir_ / "chain.pem").c_str()), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey_file(server_context_.get(), (dir_ / "key.pem").c_str(),
                                          SSL_FILETYPE_PEM),
              1);
    tcp::acceptor acceptor(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client_.next_layer().connect(acceptor.local_endpoint());
    tcp::socket accepted(io_);
    acceptor.accept(accepted);
    server_ = std::make_unique<TlsStream>(std::move(accepted), server_context_.get());
    std::error_code server_ec = asio::error::would_block, client_ec = asio::error::would_block;
    server_->async_handshake([&](const std::error_code& ec) { server_ec = ec; });
    client_.async_handshake(asio::ssl::stream_base::client,
                            [&](const std::error_code& ec) { client_ec = ec; });
    io_.run();
    io_.restart();
    ASSERT_FALSE(server_ec) << server_ec.message();
    ASSERT_FALSE(client_ec) << client_ec.message();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // The two session tickets, sent as the server's handshake ended: bytes in the client's socket
  // that it has not read yet.
  std::size_t session_tickets_arrived() { return client_bytes_after(0, std::chrono::seconds(5)); }
  // Bytes waiting in the client's socket once more than `than` have come, or after `patience`.
  std::size_t client_bytes_after(std::size_t than, std::chrono::milliseconds patience) {
    const auto until = std::chrono::steady_clock::now() + patience;
    std::size_t bytes = client_.next_layer().available();
    while (bytes <= than && std::chrono::steady_clock::now() < until) {
      pollfd readable{.fd = client_.next_layer().native_handle(), .events = POLLIN, .revents = 0};
      ::poll(&readable, 1, 10);
      bytes = client_.next_layer().available();
    }
    return bytes;
  }
  std::size_t write(const std::string& data) {
    std::size_t written = 0;
    std::error_code result;
    server_->async_write_some(asio::buffer(data), [&](const std::error_code& ec, std::size_t n) {
      result = ec;
      written = n;
    });
    io_.run();
    io_.restart();
    EXPECT_FALSE(result) << result.message();
    return written;
  }
  void shut_down() {
    std::error_code result = asio::error::would_block;
    server_->async_shutdown([&](const std::error_code& ec) { result = ec; });
    io_.run();
    io_.restart();
    EXPECT_FALSE(result) << result.message();
  }
  // What the client reads up to the server's close_notify (eof; a close without one would be
  // stream_truncated).
  std::string client_reads_to_close_notify() {
    std::string received;
    std::error_code ec = asio::error::would_block;
    asio::async_read(client_, asio::dynamic_buffer(received),
                     [&](const std::error_code& e, std::size_t) { ec = e; });
    io_.run();
    io_.restart();
    EXPECT_EQ(ec, asio::error::eof) << ec.message();
    return received;
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  tls::SslCtxPtr server_context_;
  asio::ssl::context client_context_{asio::ssl::context::tls_client};
  asio::ssl::stream<tcp::socket> client_{io_, client_context_};
  std::unique_ptr<TlsStream> server_;
};

TEST_F(TlsStreamCloseTest, ASmallLastResponseWaitsForTheCloseNotifyAndLeavesWithIt) {
  const std::size_t before = session_tickets_arrived();
  server_->send_with_close_notify();
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(write(response), response.size());
  EXPECT_EQ(client_bytes_after(before, std::chrono::milliseconds(100)), before);  // held
  shut_down();
  EXPECT_GT(client_bytes_after(before, std::chrono::seconds(5)), before);
  EXPECT_EQ(client_reads_to_close_notify(), response);
}

TEST_F(TlsStreamCloseTest, ALargeOneGoesAtOnce) {
  const std::size_t before = session_tickets_arrived();
  server_->send_with_close_notify();
  const std::string response(TlsStream::kMaxHeldBytes + 1, 'x');
  EXPECT_EQ(write(response), response.size());
  EXPECT_GT(client_bytes_after(before, std::chrono::seconds(5)), before);
  shut_down();
  EXPECT_EQ(client_reads_to_close_notify(), response);
}

TEST_F(TlsStreamCloseTest, WithoutBeingAskedAWriteGoesAtOnce) {
  const std::size_t before = session_tickets_arrived();
  EXPECT_EQ(write("ok"), 2u);
  EXPECT_GT(client_bytes_after(before, std::chrono::seconds(5)), before);
  shut_down();
  EXPECT_EQ(client_reads_to_close_notify(), "ok");
}

}  // namespace
}  // namespace miniweb::server
