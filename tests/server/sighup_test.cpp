// A real SIGHUP to a running miniweb-server process: a keep-alive TLS connection opened before
// the reload is answered from the new configuration after it, and a bad file leaves the running
// configuration in place with the reason on standard error.

#include <gtest/gtest.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <fstream>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "tests/server/keep_alive_client.hpp"
#include "tests/server/server_process.hpp"
#include "tests/server/test_certificate.hpp"

namespace miniweb::server {
namespace {

using test_support::KeepAliveClient;
using test_support::ServerProcess;

class ServerSighupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-sighup-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site-a");
    std::filesystem::create_directories(dir_ / "site-b");
    std::ofstream(dir_ / "site-a/index.html") << "site A\n";
    std::ofstream(dir_ / "site-b/index.html") << "site B, after the reload\n";
    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.example.test"}));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write_config(const std::string& root, const std::string& server_name) {
    // Written whole to a new file and renamed, as an administrator's editor or deployment does.
    std::ofstream(dir_ / "server.toml.new") << R"([[listener]]
address = "127.0.0.1"
port = 0

[[site]]
names = ["www.example.test"]
root = ")" << root << R"("
certificate = "chain.pem"
key = "key.pem"

[server]
name = ")" << server_name << R"("
)";
    std::filesystem::rename(dir_ / "server.toml.new", dir_ / "server.toml");
  }

  std::filesystem::path dir_;
};

TEST_F(ServerSighupTest, ReloadsOnARealSignalAndKeepsTheConnectionAndTheOldConfigWhenTheNewIsBad) {
  write_config("site-a", "before");
  ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
  const unsigned short port = server.port("https");
  ASSERT_NE(port, 0) << server.stderr_text();

  KeepAliveClient client(dir_ / "ca/root.pem", port);
  std::string response = client.get("/");
  EXPECT_NE(response.find("site A"), std::string::npos) << response;
  EXPECT_NE(response.find("Server: before"), std::string::npos) << response;

  // A new file, a real SIGHUP: the same connection is answered from the new configuration.
  write_config("site-b", "after");
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(server.wait_for_stderr("reload: new configuration in use")) << server.stderr_text();
  response = client.get("/");
  EXPECT_NE(response.find("site B, after the reload"), std::string::npos) << response;
  EXPECT_NE(response.find("Server: after"), std::string::npos) << response;

  // A bad file: refused with its reason, and the running configuration stays.
  std::ofstream(dir_ / "server.toml")
      << "[[listener]]\naddress = \"127.0.0.1\"\nport = \"not a port\n";
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(server.wait_for_stderr("reload refused")) << server.stderr_text();
  const std::string errors = server.stderr_text();
  EXPECT_NE(errors.find("server.toml"), std::string::npos) << errors;  // it names the file
  response = client.get("/");
  EXPECT_NE(response.find("site B, after the reload"), std::string::npos) << response;
  KeepAliveClient another(dir_ / "ca/root.pem", port);
  EXPECT_NE(another.get("/").find("Server: after"), std::string::npos);

  // A certificate that does not load is refused too.
  write_config("site-a", "broken");
  std::ofstream(dir_ / "key.pem") << "not a key\n";
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  ASSERT_TRUE(server.wait_for_stderr("reload refused", 2)) << server.stderr_text();
  EXPECT_NE(server.stderr_text().find("key.pem"), std::string::npos) << server.stderr_text();
  EXPECT_NE(client.get("/").find("Server: after"), std::string::npos);

  EXPECT_FALSE(server.exited()) << server.stderr_text();
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

}  // namespace
}  // namespace miniweb::server
