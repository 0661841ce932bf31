// A listener with `deferred = true` (nginx's `listen ... deferred`, TCP_DEFER_ACCEPT): the
// kernel completes a client's TCP handshake as always, but the server's side of the connection
// stays a request in SYN_RECV, not accepted, until the client's first bytes come; then it is
// accepted and answered at once. Without it, the connection is established on both sides as
// soon as the handshake completes. The kernel's own table (/proc/net/tcp) says which.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "server/server.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/support/raw_exchange.hpp"
#include "tests/support/temp_dir.hpp"

namespace miniweb::server {
namespace {

// The state /proc/net/tcp gives the socket whose local port is `local` and remote port
// `remote` ("01" ESTABLISHED, "03" SYN_RECV); empty when there is none.
std::string kernel_state(std::uint16_t local, std::uint16_t remote) {
  std::ifstream table("/proc/net/tcp");
  std::string line;
  std::getline(table, line);  // the heading
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local_address, remote_address, state;
    fields >> slot >> local_address >> remote_address >> state;
    const auto port_of = [](const std::string& address) {
      return static_cast<std::uint16_t>(
          std::stoul(address.substr(address.find(':') + 1), nullptr, 16));
    };
    if (port_of(local_address) == local && port_of(remote_address) == remote) return state;
  }
  return "";
}

class DeferredAcceptTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "site");
    std::ofstream(dir_.path() / "site" / "index.html") << "hello\n";
    std::ofstream(dir_.path() / "server.toml")
        << "[[listener]]\naddress = \"127.0.0.1\"\nport = 0\nprotocol = \"http\"\ndeferred = "
        << (GetParam() ? "true" : "false") << "\n\n[[site]]\nnames = [\"localhost\"]\nroot = \""
        << (dir_.path() / "site").string() << "\"\nredirect_to_https = false\n";
    server_ = test_support::start_in_process_server(io_, dir_.path() / "server.toml");
    ASSERT_TRUE(server_);
    port_ = server_->local_endpoints()[0].port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (server_) asio::post(io_, [this] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
  }

  test_support::TempDir dir_{"miniweb-deferred"};
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::uint16_t port_ = 0;
};

TEST_P(DeferredAcceptTest, TheServerTakesAConnectionWhenItsFirstBytesCome) {
  const bool deferred = GetParam();
  const int client = test_support::connect_to_loopback(port_);
  ASSERT_GE(client, 0);
  sockaddr_in local{};
  socklen_t length = sizeof local;
  ASSERT_EQ(::getsockname(client, reinterpret_cast<sockaddr*>(&local), &length), 0);
  const std::uint16_t client_port = ntohs(local.sin_port);

  // The client's side is established either way; the server's is not, deferred, however long
  // the client waits (here a tenth of a second; the kernel's deferral is a second).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(kernel_state(client_port, port_), "01");
  EXPECT_EQ(kernel_state(port_, client_port), deferred ? "03" : "01");

  const std::string response = test_support::exchange_on(
      client, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(response.starts_with("HTTP/1.1 200 OK\r\n")) << response;
  EXPECT_TRUE(response.ends_with("\r\n\r\nhello\n")) << response;
}

INSTANTIATE_TEST_SUITE_P(Listeners, DeferredAcceptTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Deferred" : "NotDeferred";
                         });

}  // namespace
}  // namespace miniweb::server
