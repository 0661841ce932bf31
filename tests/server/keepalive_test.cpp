// Idle keep-alive TLS connections of a real miniweb-server process: between requests the
// server parks them (no coroutine waits, a handler does), and a parked connection must keep
// counting its requests toward the limit, close at the keep-alive timeout, and close when the
// server stops.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/server/keep_alive_client.hpp"
#include "tests/server/server_process.hpp"
#include "tests/server/test_certificate.hpp"

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

  // Longer than the server waits before it parks a connection (kParkAfter, 10 ms).
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

}  // namespace
}  // namespace miniweb::server
