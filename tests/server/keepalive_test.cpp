// Idle keep-alive TLS connections of a real miniweb-server process: between requests the
// server parks them (no coroutine waits, a handler does), and a parked connection must keep
// counting its requests toward the limit, close at the keep-alive timeout, and close when the
// server stops.

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/server/keep_alive_client.hpp"
#include "tests/server/server_process.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/raw_exchange.hpp"

namespace miniweb::server {
namespace {

using test_support::KeepAliveClient;
using test_support::ServerProcess;

class ServerKeepAliveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-keepalive-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site/index.html") << "home\n";
    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.example.test"}));
    std::ofstream(dir_ / "server.toml") << R"([[listener]]
address = "127.0.0.1"
port = 0

[limits]
max_requests_per_connection = 3
keepalive_timeout = 1

[[site]]
names = ["www.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Longer than the server waits before it parks a connection (kParkAfter, at most 10 ms).
  static void pause() { std::this_thread::sleep_for(std::chrono::milliseconds(500)); }

  std::filesystem::path dir_;
};

TEST_F(ServerKeepAliveTest, AParkedConnectionCountsItsRequestsTowardTheLimit) {
  ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
  const unsigned short port = server.port("https");
  ASSERT_NE(port, 0) << server.stderr_text();

  KeepAliveClient client(dir_ / "ca/root.pem", port);
  for (int request = 1; request <= 3; ++request) {
    const std::string response = client.get("/");
    EXPECT_NE(response.find("home"), std::string::npos) << request << ": " << response;
    // The third is the last the limit allows: the server says so and closes.
    EXPECT_EQ(response.find("Connection: close") != std::string::npos, request == 3)
        << request << ": " << response;
    pause();
  }
  EXPECT_NE(client.get("/").find("[read failed"), std::string::npos);
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(ServerKeepAliveTest, AParkedConnectionClosesAtTheKeepAliveTimeoutAndAtAStop) {
  ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
  const unsigned short port = server.port("https");
  ASSERT_NE(port, 0) << server.stderr_text();

  KeepAliveClient expiring(dir_ / "ca/root.pem", port);
  EXPECT_NE(expiring.get("/").find("home"), std::string::npos);
  // Past the one-second keep-alive timeout: the server has closed it.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_NE(expiring.get("/").find("[read failed"), std::string::npos);

  // Another one parked while the server stops: it is closed, and the server exits.
  KeepAliveClient parked(dir_ / "ca/root.pem", port);
  EXPECT_NE(parked.get("/").find("home"), std::string::npos);
  pause();
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
  EXPECT_NE(parked.get("/").find("[read failed"), std::string::npos);
}

// The sockets a process holds open.
std::size_t open_sockets(pid_t pid) {
  std::size_t sockets = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target.string().starts_with("socket:")) ++sockets;
  }
  return sockets;
}

TEST_F(ServerKeepAliveTest, AParkedConnectionThatTheClientClosesIsClosed) {
  ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
  const unsigned short port = server.port("https");
  ASSERT_NE(port, 0) << server.stderr_text();
  const std::size_t listening = open_sockets(server.pid());
  {
    KeepAliveClient client(dir_ / "ca/root.pem", port);
    EXPECT_NE(client.get("/").find("home"), std::string::npos);
    pause();
    EXPECT_EQ(open_sockets(server.pid()), listening + 1);
  }  // the client closes it while it is parked
  for (int tries = 0; tries < 50 && open_sockets(server.pid()) > listening; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(open_sockets(server.pid()), listening);
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

// An HTTP/2 connection whose client stops inside a TLS record: the server's read waits for the
// rest of it when the deadline comes and cancels it. The connection is then over (GOAWAY, then
// closed), not left to a wait the deadline, already spent, would never end.
TEST_F(ServerKeepAliveTest, AnHttp2ClientStalledInsideATlsRecordIsClosedAtTheTimeout) {
  ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
  const unsigned short port = server.port("https");
  ASSERT_NE(port, 0) << server.stderr_text();
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  static constexpr unsigned char kH2[] = "\x02h2";
  SSL_CTX_set_alpn_protos(context, kH2, sizeof kH2 - 1);
  const int fd = test_support::connect_to_loopback(port);
  ASSERT_GE(fd, 0);
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "www.example.test");
  ASSERT_EQ(SSL_connect(ssl), 1);
  // The connection preface and an empty SETTINGS frame, then the first bytes of a record.
  const std::string preface =
      std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + std::string("\0\0\0\x04\0\0\0\0\0", 9);
  ASSERT_EQ(SSL_write(ssl, preface.data(), static_cast<int>(preface.size())),
            static_cast<int>(preface.size()));
  const std::string partial("\x17\x03\x03\x00\x40xyz", 8);
  ASSERT_EQ(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 8);
  // The keep-alive timeout is a second: the server closes within a few.
  const auto began = std::chrono::steady_clock::now();
  bool closed = false;
  while (!closed && std::chrono::steady_clock::now() - began < std::chrono::seconds(6)) {
    pollfd readable{fd, POLLIN, 0};
    if (::poll(&readable, 1, 200) != 1) continue;
    char buffer[4096];
    closed = ::recv(fd, buffer, sizeof buffer, 0) <= 0;
  }
  EXPECT_TRUE(closed) << "the server kept the stalled connection open";
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(4));
  SSL_free(ssl);
  SSL_CTX_free(context);
  ::close(fd);
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

}  // namespace
}  // namespace miniweb::server
