// nginx's `return` as [[site.return]] rules: the matching order (exact, then the longest
// prefix, against proxy routes too), the configuration's checks, and a live server driven by
// curl for statuses, redirects, HEAD, keep-alive, error pages and the access log.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "server/log_files.hpp"
#include "server/return_rules.hpp"
#include "server/server.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::server {
namespace {

const auto run = &test_support::command_output;

ReturnRule exact(const std::string& path, int status) {
  ReturnRule rule;
  rule.path = path;
  rule.status = status;
  return rule;
}
ReturnRule under(const std::string& prefix, int status) {
  ReturnRule rule;
  rule.prefix = prefix;
  rule.status = status;
  return rule;
}

TEST(ReturnRules, ExactPathFirstThenTheLongestPrefix) {
  SiteConfig site;
  site.returns = {under("/a/", 410), under("/a/b/", 403), exact("/a/b/c", 200)};
  EXPECT_EQ(match_return(site, "/a/b/c", 0)->status, 200);
  EXPECT_EQ(match_return(site, "/a/b/c/d", 0)->status, 403);
  EXPECT_EQ(match_return(site, "/a/x", 0)->status, 410);
  EXPECT_EQ(match_return(site, "/b", 0), nullptr);
  // A longer proxy prefix wins over a return prefix; an exact path wins over any proxy route.
  EXPECT_EQ(match_return(site, "/a/x/y", 5), nullptr);
  EXPECT_EQ(match_return(site, "/a/x", 3)->status, 410);
  EXPECT_EQ(match_return(site, "/a/b/c", 100)->status, 200);
}

TEST(ReturnRules, ResponsesCarryStatusLocationHeadersAndBody) {
  ReturnRule redirect = exact("/old", 308);
  redirect.location = "https://www.example.test/new";
  http::Response moved = return_response(redirect);
  EXPECT_EQ(moved.status, 308);
  EXPECT_EQ(moved.headers.get("Location"), "https://www.example.test/new");
  EXPECT_NE(moved.body.find("<a href=\"https://www.example.test/new\">"), std::string::npos);
  ReturnRule text = exact("/t", 503);
  text.body = "later";
  text.content_type = "text/plain";
  text.headers = {{"Retry-After", "120"}};
  http::Response busy = return_response(text);
  EXPECT_EQ(busy.body, "later");
  EXPECT_EQ(busy.headers.get("Content-Type"), "text/plain");
  EXPECT_EQ(busy.headers.get("Retry-After"), "120");
  http::Response empty = return_response(exact("/n", 204));
  EXPECT_TRUE(empty.body.empty());
}

class ReturnConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-return-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ReturnConfigTest, RefusesRulesThatCannotBeAnswered) {
  const std::string head =
      "[[listener]]\naddress = \"127.0.0.1\"\nport = 0\nprotocol = \"http\"\n\n[[site]]\n"
      "names = [\"a.test\"]\nredirect_to_https = false\n\n[[site.return]]\n";
  struct Case {
    std::string lines, reason;
  };
  const std::vector<Case> cases = {
      {"path = \"/x\"\nstatus = 100\n", "1xx status is interim"},
      {"path = \"/x\"\nstatus = 600\n", "200 to 599"},
      {"path = \"/x\"\nstatus = 301\n", "a 301 return needs 'location'"},
      {"path = \"/x\"\nprefix = \"/y\"\nstatus = 200\n", "either 'path' (exact) or 'prefix'"},
      {"path = \"x\"\nstatus = 200\n", "starts with '/'"},
      {"path = \"/x\"\nstatus = 200\nheaders = { \"Bad Name\" = \"v\" }\n", "needs a field name"},
      {"path = \"/x\"\nstatus = 200\ntext = \"hi\"\n", "unknown return setting 'text'"},
      {"path = \"/x\"\nstatus = 200\n[[site.early_hints]]\npath = \"/x\"\n",
       "early hints need 'link'"},
      {"path = \"/x\"\nstatus = 200\n[[site.early_hints]]\npath = \"x\"\nlink = [\"<a>\"]\n",
       "early-hints path starts with '/'"},
  };
  for (const Case& c : cases) {
    std::ofstream(dir_ / "server.toml") << head + c.lines;
    auto config = load_config(dir_ / "server.toml");
    ASSERT_FALSE(config) << c.lines;
    EXPECT_NE(config.error().message.find(c.reason), std::string::npos) << config.error().message;
  }
}

class ReturnLiveTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-return-live-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site/errors");
    std::ofstream(dir_ / "site/errors/404.html") << "custom not found\n";
    std::ofstream(dir_ / "server.toml") << R"([server]
access_log = "access.log"

[[listener]]
address = "127.0.0.1"
port = 0
protocol = "http"

[[site]]
names = ["status.test"]
root = "site"
redirect_to_https = false
error_pages = { 404 = "/errors/404.html" }

[[site.return]]
path = "/status/418"
status = 418
body = "<h1>418 I'm a teapot</h1>\n"

[[site.return]]
path = "/redirect/1"
status = 302
location = "/status/200"

[[site.return]]
path = "/status/200"
status = 200
body = "plain text\n"
content_type = "text/plain; charset=utf-8"

[[site.return]]
prefix = "/gone/"
status = 410

[[site.return]]
path = "/gone/but-not-this"
status = 200
body = "still here\n"

[[site.return]]
path = "/status/503"
status = 503
headers = { "Retry-After" = "120" }

[[site.return]]
path = "/status/404"
status = 404

[[site.early_hints]]
path = "/status/200"
link = ["</style.css>; rel=preload; as=style", "</app.js>; rel=preload; as=script"]
)";
    server_ = test_support::start_in_process_server(io_, dir_ / "server.toml", true);
    ASSERT_TRUE(server_);
    port_ = server_->local_endpoints()[0].port();
    thread_ = std::thread([] { io_.run(); });
  }
  static void TearDownTestSuite() {
    if (server_) asio::post(io_, [] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    ASSERT_TRUE(open_logs(LogConfig{}));  // back to standard error before the file goes
    std::filesystem::remove_all(dir_);
  }
  static std::string curl(const std::string& arguments) {
    // HTTP/1.1's wire format is what these tests read; HTTP/2 has tests of its own.
    return run("curl -sS --http1.1 --max-time 10 " + arguments + " 2>&1");
  }
  static std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<Server> server_;
  static inline std::thread thread_;
  static inline unsigned short port_ = 0;
};

TEST_F(ReturnLiveTest, AnswersTheConfiguredStatusAndBody) {
  std::string out = curl("-i " + url("/status/418"));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 418 I'm a teapot\r\n")) << out;
  EXPECT_NE(out.find("Content-Type: text/html; charset=utf-8"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\n\r\n<h1>418 I'm a teapot</h1>\n")) << out;
  std::string plain = curl("-i " + url("/status/200"));
  EXPECT_NE(plain.find("Content-Type: text/plain; charset=utf-8"), std::string::npos) << plain;
  std::string busy = curl("-i " + url("/status/503"));
  EXPECT_TRUE(busy.starts_with("HTTP/1.1 503 Service Unavailable")) << busy;
  EXPECT_NE(busy.find("Retry-After: 120"), std::string::npos) << busy;
  // Any method gets the answer, as with nginx's return.
  std::string posted = curl("-i -X POST -d x=1 " + url("/status/418"));
  EXPECT_TRUE(posted.starts_with("HTTP/1.1 418")) << posted;
}

TEST_F(ReturnLiveTest, RedirectsCarryLocationAndCurlFollows) {
  std::string out = curl("-i " + url("/redirect/1"));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 302 Found")) << out;
  EXPECT_NE(out.find("Location: /status/200"), std::string::npos) << out;
  EXPECT_EQ(curl("-L " + url("/redirect/1")), "plain text\n");
}

TEST_F(ReturnLiveTest, ExactPathBeatsPrefixAndErrorPagesApply) {
  EXPECT_TRUE(curl("-i " + url("/gone/anything")).starts_with("HTTP/1.1 410 Gone"));
  EXPECT_EQ(curl(url("/gone/but-not-this")), "still here\n");
  std::string missing = curl("-i " + url("/status/404"));
  EXPECT_TRUE(missing.starts_with("HTTP/1.1 404")) << missing;
  EXPECT_TRUE(missing.ends_with("custom not found\n")) << missing;
}

TEST_F(ReturnLiveTest, HeadSendsTheLengthWithoutTheBodyAndKeepAliveHolds) {
  std::string head = curl("-I " + url("/status/418"));
  EXPECT_NE(head.find("Content-Length: 26"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  std::string both = curl("-v " + url("/status/418") + " " + url("/status/200"));
  EXPECT_NE(both.find("Re-using existing connection"), std::string::npos) << both;
  EXPECT_NE(both.find("plain text"), std::string::npos) << both;
}

// RFC 8297: a 103 with the Link values comes first, then the final response; an HTTP/1.0
// client, which cannot read interim responses, gets none.
TEST_F(ReturnLiveTest, EarlyHintsPrecedeTheFinalResponse) {
  std::string out = curl("-v " + url("/status/200"));
  const auto early = out.find("< HTTP/1.1 103 Early Hints");
  ASSERT_NE(early, std::string::npos) << out;
  EXPECT_NE(out.find("< Link: </style.css>; rel=preload; as=style"), std::string::npos) << out;
  EXPECT_NE(out.find("< Link: </app.js>; rel=preload; as=script"), std::string::npos) << out;
  const auto final_response = out.find("< HTTP/1.1 200 OK");
  ASSERT_NE(final_response, std::string::npos) << out;
  EXPECT_LT(early, final_response);
  EXPECT_NE(out.find("plain text"), std::string::npos) << out;
  std::string old = curl("-v -0 " + url("/status/200"));
  EXPECT_EQ(old.find("103"), std::string::npos) << old;
  EXPECT_EQ(curl("-v " + url("/status/418")).find("103"), std::string::npos);
}

TEST_F(ReturnLiveTest, AccessLogRecordsTheStatus) {
  curl(url("/status/418"));
  std::string log;
  for (int i = 0; i < 100 && log.find("\"GET /status/418 HTTP/1.1\" 418 26") == std::string::npos;
       ++i) {
    std::ifstream in(dir_ / "access.log");
    log.assign(std::istreambuf_iterator<char>(in), {});
    if (log.find("\"GET /status/418 HTTP/1.1\" 418 26") == std::string::npos)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(log.find("\"GET /status/418 HTTP/1.1\" 418 26"), std::string::npos) << log;
}

}  // namespace
}  // namespace miniweb::server
