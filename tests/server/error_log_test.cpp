// The error log: nginx's line format and levels, the configuration keys, and a live server
// whose diagnostics (protocol errors, TLS handshake failures, reloads) arrive at the levels
// they belong to and are dropped below the configured one.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <regex>
#include <thread>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "server/error_log.hpp"
#include "server/log_files.hpp"
#include "server/server.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::server {
namespace {

const auto run = &test_support::command_output;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

class ErrorLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-errorlog-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ErrorLogTest, WritesNginxLinesAtOrAboveItsLevel) {
  ErrorLog log;
  ASSERT_TRUE(log.open(dir_ / "error.log", LogLevel::Warn));
  log.write(LogLevel::Debug, "debug line");
  log.write(LogLevel::Info, "info line");
  log.write(LogLevel::Notice, "notice line");
  log.write(LogLevel::Warn, "warn line", 7);
  log.write(LogLevel::Error, "error line");
  log.write(LogLevel::Crit, "crit line");
  const std::string text = read_file(dir_ / "error.log");
  EXPECT_EQ(text.find("debug line"), std::string::npos) << text;
  EXPECT_EQ(text.find("info line"), std::string::npos) << text;
  EXPECT_EQ(text.find("notice line"), std::string::npos) << text;
  const std::regex line(R"(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[warn\] \d+#0: \*7 warn line\n)"
                        R"(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[error\] \d+#0: error line\n)"
                        R"(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[crit\] \d+#0: crit line\n)");
  EXPECT_TRUE(std::regex_match(text, line)) << text;
  EXPECT_FALSE(log.open(dir_ / "missing" / "error.log", LogLevel::Info));
  EXPECT_EQ(log.level(), LogLevel::Warn);  // a failed open keeps the log as it was
}

TEST_F(ErrorLogTest, LevelsAndKeysInTheConfiguration) {
  EXPECT_EQ(*parse_log_level("notice"), LogLevel::Notice);
  EXPECT_FALSE(parse_log_level("warning"));
  const std::string listener =
      "[[listener]]\naddress = \"127.0.0.1\"\nport = 0\nprotocol = \"forward-proxy\"\n";
  std::ofstream(dir_ / "a.toml") << "[server]\nerror_log = { path = \"e.log\", level = \"info\" }\n"
                                    "access_log = \"off\"\n" +
                                        listener;
  auto config = load_config(dir_ / "a.toml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logs.error_log, dir_ / "e.log");
  EXPECT_EQ(config->logs.error_level, LogLevel::Info);
  EXPECT_TRUE(config->logs.access_log_off);
  std::ofstream(dir_ / "b.toml") << "[server]\nerror_log = \"e.log\"\naccess_log = \"a.log\"\n" +
                                        listener;
  auto plain = load_config(dir_ / "b.toml");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->logs.error_level, LogLevel::Notice);
  EXPECT_EQ(plain->logs.access_log, dir_ / "a.log");
  std::ofstream(dir_ / "c.toml") << "[server]\nerror_log = { level = \"loud\" }\n" + listener;
  auto bad = load_config(dir_ / "c.toml");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("c.toml:2: log level 'loud' is not one of"), std::string::npos)
      << bad.error().message;
}

// A real server in this process whose error log is a file.
class ErrorLogLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-errorlog-live-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site/index.html") << "home\n";
    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.example.test"}));
    std::ofstream(dir_ / "server.toml") << R"([server]
error_log = { path = "error.log", level = "info" }
access_log = "off"

[[listener]]
address = "127.0.0.1"
port = 0

[[listener]]
address = "127.0.0.1"
port = 0
protocol = "http"

[[site]]
names = ["www.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)";
    server_ = test_support::start_in_process_server(io_, dir_ / "server.toml", true);
    ASSERT_TRUE(server_);
    thread_ = std::thread([] { io_.run(); });
  }
  static void TearDownTestSuite() {
    if (server_) asio::post(io_, [] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    EXPECT_TRUE(open_logs(LogConfig{}));
    std::filesystem::remove_all(dir_);
  }
  // Runs `work` on the server's thread and waits for it.
  template <class Work>
  static void on_server(Work work) {
    std::promise<void> done;
    asio::post(io_, [&] {
      work();
      done.set_value();
    });
    done.get_future().wait();
  }
  static std::string bad_request() {
    return run("curl -sS --max-time 10 -i -H 'Content-Length: x' http://127.0.0.1:" +
               std::to_string(server_->local_endpoints()[1].port()) + "/ 2>&1");
  }
  static std::string untrusted_handshake() {
    return run("curl -sS --max-time 10 --resolve www.example.test:" +
               std::to_string(server_->local_endpoints()[0].port()) +
               ":127.0.0.1 https://www.example.test:" +
               std::to_string(server_->local_endpoints()[0].port()) + "/ 2>&1");
  }
  // The log once it holds `text` (the server writes after answering), or as it is after a while.
  static std::string log_with(const std::string& text) {
    std::string log;
    for (int i = 0; i < 100; ++i) {
      log = read_file(dir_ / "error.log");
      if (log.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return log;
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<Server> server_;
  static inline std::thread thread_;
};

TEST_F(ErrorLogLiveTest, ProtocolErrorsAndHandshakesAtInfoAreDroppedAtWarn) {
  EXPECT_TRUE(bad_request().starts_with("HTTP/1.1 400")) << bad_request();
  std::string log = log_with("client sent an invalid body");
  EXPECT_NE(log.find("[info]"), std::string::npos) << log;
  EXPECT_NE(log.find("client: 127.0.0.1"), std::string::npos) << log;
  untrusted_handshake();
  log = log_with("TLS handshake failed");
  EXPECT_NE(log.find("TLS handshake failed"), std::string::npos) << log;

  on_server([] {
    LogConfig warn;
    warn.error_log = dir_ / "error.log";
    warn.error_level = LogLevel::Warn;
    warn.access_log_off = true;
    EXPECT_TRUE(open_logs(warn));
  });
  const std::size_t before = read_file(dir_ / "error.log").size();
  bad_request();
  untrusted_handshake();
  // A reload at notice is dropped too; a reload refused is an error and is kept.
  on_server([] { EXPECT_TRUE(server_->reload(dir_ / "server.toml")); });
  std::ofstream(dir_ / "broken.toml") << "[[listener]]\n";
  on_server([] {
    auto refused = server_->reload(dir_ / "broken.toml");
    ASSERT_FALSE(refused);
    log_event(LogLevel::Error, refused.error().message);
  });
  log = log_with("reload refused");
  EXPECT_EQ(log.find("new configuration in use"), std::string::npos) << log;
  EXPECT_EQ(log.substr(before).find("[info]"), std::string::npos) << log;
  EXPECT_NE(log.substr(before).find("[error]"), std::string::npos) << log;
}

}  // namespace
}  // namespace miniweb::server
