// The server's key shares made ahead (server/openssl_provider.hpp), in a process set up as
// miniweb-server's main sets it up (its provider loaded before anything of OpenSSL's): a real
// Server on loopback makes a key pair once it has been quiet a moment, its next X25519
// handshake's ServerHello takes it, and it makes the next once quiet again. The clients work in
// a library context of their own, so that only the server's handshakes can take what it made.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "server/openssl_provider.hpp"
#include "server/server.hpp"
#include "shared/openssl/key_share_ahead.hpp"
#include "tests/server/in_process_server.hpp"

namespace miniweb::server {
namespace {

class AsMiniwebServer : public ::testing::Environment {
 public:
  void SetUp() override {
    ASSERT_NE(load_server_provider(), nullptr);
    ASSERT_EQ(OSSL_PROVIDER_available(nullptr, kServerProviderName), 1);
  }
};
const auto* const kAsMiniwebServer = ::testing::AddGlobalTestEnvironment(new AsMiniwebServer);

// Whether `holds` became true within a second.
template <typename Condition>
bool within_a_second(Condition holds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (!holds()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class ServerKeyShareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-key-share-" + std::to_string(::getpid()));
    server_ = test_support::start_home_site_server(io_, dir_);
    ASSERT_TRUE(server_);
    port_ = server_->local_endpoints()[0].port();
    thread_ = std::thread([this] { io_.run(); });
    clients_ = OSSL_LIB_CTX_new();
    clients_provider_ = OSSL_PROVIDER_load(clients_, "default");
    ASSERT_NE(clients_provider_, nullptr);
  }
  void TearDown() override {
    if (server_) asio::post(io_, [this] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    if (clients_provider_ != nullptr) OSSL_PROVIDER_unload(clients_provider_);
    OSSL_LIB_CTX_free(clients_);
    std::filesystem::remove_all(dir_);
  }

  // A TLS 1.3 handshake with the server offering only `group`; whether it ended well.
  bool handshake(const char* group) {
    SSL_CTX* context = SSL_CTX_new_ex(clients_, nullptr, TLS_client_method());
    SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
    SSL_CTX_set1_groups_list(context, group);
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool done = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "www.example.test");
    done = done && SSL_connect(ssl) == 1;
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(context);
    ::close(fd);
    return done;
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  OSSL_LIB_CTX* clients_ = nullptr;
  OSSL_PROVIDER* clients_provider_ = nullptr;
};

TEST_F(ServerKeyShareTest, AQuietServerMakesTheNextServerHellosKeyPair) {
  ASSERT_TRUE(within_a_second([] { return miniweb_module_key_share_waiting() == 1; }))
      << "made once the server had started and been quiet a moment";
  const unsigned long before = miniweb_module_key_shares_taken();
  ASSERT_TRUE(handshake("X25519"));
  EXPECT_EQ(miniweb_module_key_shares_taken(), before + 1) << "the ServerHello took it";
  EXPECT_TRUE(within_a_second([] { return miniweb_module_key_share_waiting() == 1; }))
      << "the next made once the server was quiet again";

  // A handshake over another group leaves it for the next X25519 one.
  ASSERT_TRUE(handshake("P-256"));
  EXPECT_EQ(miniweb_module_key_shares_taken(), before + 1);
  EXPECT_EQ(miniweb_module_key_share_waiting(), 1);
  ASSERT_TRUE(handshake("X25519"));
  EXPECT_EQ(miniweb_module_key_shares_taken(), before + 2);
}

}  // namespace
}  // namespace miniweb::server
