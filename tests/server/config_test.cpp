#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "server/config.hpp"

namespace miniweb::server {
namespace {

class ServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("miniweb-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ServerConfig> load(const std::string& text) {
    std::ofstream(dir_ / "server.toml") << text;
    return load_config(dir_ / "server.toml");
  }

  std::filesystem::path dir_;
};

constexpr const char* kGood = R"([server]
name = "test"

[limits]
header_timeout = 3
max_body_bytes = 1000

[[listener]]
address = "127.0.0.1"
port = 8443

[[listener]]
address = "127.0.0.1"
port = 8080
protocol = "http"

[[site]]
names = ["WWW.Example.TEST", "example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)";

TEST_F(ServerConfigTest, ReadsAGoodFile) {
  auto config = load(kGood);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server_name, "test");
  ASSERT_EQ(config->listeners.size(), 2u);
  EXPECT_EQ(config->listeners[1].kind, ListenerKind::Http);
  ASSERT_EQ(config->sites.size(), 1u);
  EXPECT_EQ(config->sites[0].names[0], "www.example.test");  // lower-cased
  EXPECT_EQ(config->sites[0].root, dir_ / "site");           // relative to the file
  EXPECT_EQ(config->limits.header_timeout, std::chrono::seconds(3));
  EXPECT_EQ(config->limits.http.max_body_bytes, 1000u);
}

TEST_F(ServerConfigTest, ErrorsNameTheFileTheLineAndTheReason) {
  struct Case {
    std::string text;
    std::string line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = \"x\"\n", ":3:", "wrong type"},
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = 70000\n", ":3:", "0 to 65535"},
      {"[[listener]]\naddress = \n", ":2:", ""},
      {std::string(kGood) + "\n[oops]\nx = 1\n", ":23:", "unknown section 'oops'"},
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = 1\nprotocol = \"ftp\"\n", ":4:", "\"https\" or \"http\""},
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = 1\n[[site]]\nnames = []\n", ":4:", "non-empty list"},
      {"[limits]\nheader_timeout = -1\n", ":2:", "must be positive"},
  };
  for (const Case& c : cases) {
    auto config = load(c.text);
    ASSERT_FALSE(config) << c.text;
    const std::string& message = config.error().message;
    EXPECT_NE(message.find("server.toml" + c.line), std::string::npos) << message;
    EXPECT_NE(message.find(c.reason), std::string::npos) << message;
  }
}

TEST_F(ServerConfigTest, RefusesAFileWithoutListenersOrSites) {
  auto none = load("[server]\nname = \"x\"\n");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no [[listener]]"), std::string::npos);
}

}  // namespace
}  // namespace miniweb::server
