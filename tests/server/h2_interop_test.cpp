// HTTP/2 from a real miniweb-server process to the clients people use: curl --http2, nghttp
// (nghttp2's client) and headless Chromium. Static files keep every header they have over
// HTTP/1.1 (ETag, Range, gzip), HEAD and error pages work, a POST's body reaches a proxied
// backend (which stays HTTP/1.1), and the access log names the protocol "HTTP/2.0".

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "tests/server/h2_test_config.hpp"
#include "tests/server/server_process.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::server {
namespace {

const auto run = &test_support::command_output;

// A plain-HTTP/1.1 backend that answers each request with the request it received (head and
// body), one connection at a time, closing each: enough to see what the proxy forwarded.
class EchoBackend {
 public:
  EchoBackend() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      return;
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  EchoBackend(const EchoBackend&) = delete;
  EchoBackend& operator=(const EchoBackend&) = delete;
  ~EchoBackend() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes the accept
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  unsigned short port() const { return port_; }

 private:
  void serve() {
    while (true) {
      const int connection = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) return;
      answer(connection);
      ::close(connection);
    }
  }
  static void answer(int connection) {
    std::string request;
    char chunk[4096];
    std::size_t head_end = std::string::npos;
    std::size_t body_length = 0;
    while (head_end == std::string::npos || request.size() < head_end + 4 + body_length) {
      const ssize_t n = ::read(connection, chunk, sizeof chunk);
      if (n <= 0) return;
      request.append(chunk, static_cast<std::size_t>(n));
      if (head_end == std::string::npos &&
          (head_end = request.find("\r\n\r\n")) != std::string::npos) {
        std::smatch match;
        const std::string head = request.substr(0, head_end);
        static const std::regex length(R"(\r\n[Cc]ontent-[Ll]ength: *(\d+))");
        if (std::regex_search(head, match, length)) body_length = std::stoul(match[1]);
      }
    }
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                              std::to_string(request.size()) + "\r\nConnection: close\r\n\r\n" +
                              request;
    for (std::size_t sent = 0; sent < reply.size();) {
      const ssize_t n = ::write(connection, reply.data() + sent, reply.size() - sent);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  int fd_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
};

class H2InteropTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("miniweb-h2-interop-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site/errors");
    std::ofstream(dir_ / "site/index.html") << "<h1>over h2</h1>\n";
    std::ofstream(dir_ / "site/digits.txt") << "0123456789";
    std::ofstream(dir_ / "site/errors/404.html") << "<p>custom not found</p>\n";
    std::string long_text;
    for (int i = 0; i < 200; ++i) long_text += "a line of text that compresses well\n";
    std::ofstream(dir_ / "site/long.txt") << long_text;
    // Numbered lines, 300 KiB: each response spans several of the connection's output pieces
    // (64 KiB), and a line out of place or missing shows in a comparison.
    std::string numbered;
    for (int i = 0; numbered.size() < kLargeFileBytes; ++i) {
      char line[48];
      std::snprintf(line, sizeof line, "line %08d of the large file\n", i);
      numbered += line;
    }
    numbered.resize(kLargeFileBytes);
    std::ofstream(dir_ / "site/large.txt") << numbered;
    ASSERT_TRUE(
        test_support::issue_test_certificate(dir_, {"www.example.test", "app.example.test"}));
    backend_ = std::make_unique<EchoBackend>();
    ASSERT_NE(backend_->port(), 0);
    std::ofstream(dir_ / "server.toml")
        << test_support::h2_test_config("[server]\nhttp2 = true\naccess_log = \"access.log\"\n",
                                        R"(error_pages = { 404 = "/errors/404.html" }

[[site]]
names = ["app.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"

[[site.proxy]]
prefix = "/"
upstream = "echo"

[[upstream]]
name = "echo"
[[upstream.server]]
address = "127.0.0.1:)" + std::to_string(backend_->port()) +
                                            "\"\n");
    server_ = std::make_unique<test_support::ServerProcess>(
        MINIWEB_SERVER_BINARY, dir_ / "server.toml", dir_ / "stderr.txt");
    port_ = server_->port("https");
    ASSERT_NE(port_, 0) << server_->stderr_text();
  }

  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->stop(), 0);
    }
    server_.reset();
    backend_.reset();
    std::filesystem::remove_all(dir_);
  }

  static std::string resolve() {
    const std::string port = std::to_string(port_);
    return " --resolve www.example.test:" + port + ":127.0.0.1 --resolve app.example.test:" + port +
           ":127.0.0.1 ";
  }
  // curl over HTTP/2 with its verbose trace (standard error) and the body, together.
  static std::string curl(const std::string& arguments) {
    return run("curl --http2 -sS -v --max-time 10 --cacert " + (dir_ / "ca/root.pem").string() +
               resolve() + arguments + " 2>&1");
  }
  static std::string url(const std::string& path, const std::string& host = "www") {
    return "https://" + host + ".example.test:" + std::to_string(port_) + path;
  }
  // The access log's lines, waiting briefly for `needle` (the line is written as the
  // response ends, which the client may see first).
  static std::string access_log_with(const std::string& needle) {
    std::string log;
    for (int i = 0; i < 100; ++i) {
      log = test_support::read_file(dir_ / "access.log");
      if (log.find(needle) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return log;
  }

  static constexpr std::size_t kLargeFileBytes = 300 * 1024;
  static inline std::filesystem::path dir_;
  static inline std::unique_ptr<EchoBackend> backend_;
  static inline std::unique_ptr<test_support::ServerProcess> server_;
  static inline unsigned short port_ = 0;
};

TEST_F(H2InteropTest, CurlGetsAPageOverHttp2) {
  const std::string out = curl(url("/"));
  EXPECT_NE(out.find("ALPN: server accepted h2"), std::string::npos) << out;
  EXPECT_NE(out.find("using HTTP/2"), std::string::npos) << out;
  EXPECT_NE(out.find("< HTTP/2 200"), std::string::npos) << out;
  EXPECT_NE(out.find("< content-type: text/html; charset=utf-8"), std::string::npos) << out;
  EXPECT_NE(out.find("< content-length: 17"), std::string::npos) << out;
  EXPECT_NE(out.find("< strict-transport-security: max-age="), std::string::npos) << out;
  EXPECT_NE(out.find("<h1>over h2</h1>"), std::string::npos) << out;
  // Connection-specific headers are forbidden in HTTP/2 (RFC 9113 8.2.2); curl refuses them.
  EXPECT_EQ(out.find("< connection:"), std::string::npos) << out;
  EXPECT_EQ(out.find("< keep-alive:"), std::string::npos) << out;
}

// Many large responses at once, on several connections, each of whose streams the server
// interleaves in pieces and between which it takes turns: every body arrives whole, to h2load
// (its data bytes, counted frame by frame) and to curl (the bytes themselves).
TEST_F(H2InteropTest, ManyLargeResponsesAtOnceAllArriveWhole) {
  constexpr int kRequests = 96;
  const std::string out = run("timeout 30 h2load -n " + std::to_string(kRequests) +
                              " -c 3 -m 32 -H ':authority: www.example.test' https://127.0.0.1:" +
                              std::to_string(port_) + "/large.txt 2>&1");
  EXPECT_NE(out.find("Application protocol: h2"), std::string::npos) << out;
  EXPECT_NE(out.find(std::to_string(kRequests) + " succeeded, 0 failed, 0 errored"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("status codes: " + std::to_string(kRequests) + " 2xx"), std::string::npos)
      << out;
  EXPECT_NE(out.find("(" + std::to_string(kRequests * kLargeFileBytes) + ") data"),
            std::string::npos)
      << out;

  const std::filesystem::path fetched = dir_ / "large-fetched.txt";
  const std::string curl_out =
      run("curl --http2 -sS --max-time 10 --cacert " + (dir_ / "ca/root.pem").string() + resolve() +
          "-o " + fetched.string() + " " + url("/large.txt") + " 2>&1");
  EXPECT_EQ(curl_out, "");
  EXPECT_EQ(test_support::read_file(fetched), test_support::read_file(dir_ / "site/large.txt"));
}

TEST_F(H2InteropTest, ETagAnswersAConditionalRequestWith304) {
  const std::string first = curl(url("/digits.txt"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(first, match, std::regex("< etag: (\"[^\"]+\")"))) << first;
  const std::string again =
      curl("-H 'If-None-Match: " + match[1].str() + "' " + url("/digits.txt"));
  EXPECT_NE(again.find("< HTTP/2 304"), std::string::npos) << again;
}

TEST_F(H2InteropTest, RangeGives206WithContentRange) {
  const std::string out = curl("-r 2-5 " + url("/digits.txt"));
  EXPECT_NE(out.find("< HTTP/2 206"), std::string::npos) << out;
  EXPECT_NE(out.find("< content-range: bytes 2-5/10"), std::string::npos) << out;
  EXPECT_NE(out.find("< content-length: 4"), std::string::npos) << out;
  EXPECT_NE(out.find("\n2345"), std::string::npos) << out;
}

TEST_F(H2InteropTest, GzipWhenTheClientAcceptsIt) {
  const std::string out = curl("--compressed " + url("/long.txt"));
  EXPECT_NE(out.find("< HTTP/2 200"), std::string::npos) << out;
  EXPECT_NE(out.find("< content-encoding: gzip"), std::string::npos) << out;
  EXPECT_NE(out.find("< vary: Accept-Encoding"), std::string::npos) << out;
  EXPECT_NE(out.find("a line of text that compresses well"), std::string::npos) << out;
}

TEST_F(H2InteropTest, HeadHasTheHeadersAndNoBody) {
  const std::string out = curl("-I " + url("/"));
  EXPECT_NE(out.find("HTTP/2 200"), std::string::npos) << out;
  EXPECT_NE(out.find("content-length: 17"), std::string::npos) << out;
  EXPECT_EQ(out.find("<h1>"), std::string::npos) << out;
}

TEST_F(H2InteropTest, AMissingPageGetsTheSitesErrorPage) {
  const std::string out = curl(url("/missing"));
  EXPECT_NE(out.find("< HTTP/2 404"), std::string::npos) << out;
  EXPECT_NE(out.find("<p>custom not found</p>"), std::string::npos) << out;
}

TEST_F(H2InteropTest, APostBodyReachesTheProxiedBackend) {
  const std::string out = curl("--data-binary 'name=value&more=1' " + url("/form", "app"));
  EXPECT_NE(out.find("< HTTP/2 200"), std::string::npos) << out;
  // The backend echoes the HTTP/1.1 request the proxy made of the h2 stream.
  EXPECT_NE(out.find("POST /form HTTP/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Length: 17"), std::string::npos) << out;
  EXPECT_NE(out.find("name=value&more=1"), std::string::npos) << out;
}

TEST_F(H2InteropTest, NghttpSeesTheSettingsExchangeAnd200) {
  const std::string out =
      run("timeout 20 nghttp -nv https://127.0.0.1:" + std::to_string(port_) +
          "/ -H ':authority: www.example.test:" + std::to_string(port_) + "' 2>&1");
  EXPECT_NE(out.find("recv SETTINGS frame"), std::string::npos) << out;
  // nghttp's own ACK of the server's settings is not asserted: when the whole answer comes in
  // the read that carries the settings, nghttp may finish and leave before it writes the ACK.
  EXPECT_NE(out.find("recv SETTINGS frame <length=0, flags=0x01, stream_id=0>"), std::string::npos)
      << "the server did not ACK the client's settings\n"
      << out;
  EXPECT_NE(out.find(":status: 200"), std::string::npos) << out;
  EXPECT_NE(out.find("END_STREAM"), std::string::npos) << out;
}

TEST_F(H2InteropTest, TheAccessLogSaysHttp20) {
  const std::string out = curl("-A 'h2-interop-agent' " + url("/digits.txt?log"));
  ASSERT_NE(out.find("< HTTP/2 200"), std::string::npos) << out;
  const std::string log = access_log_with("h2-interop-agent");
  EXPECT_NE(log.find("\"GET /digits.txt?log HTTP/2.0\" 200 10"), std::string::npos) << log;
}

// A client that offers only http/1.0 by ALPN (curl --http1.0) is served, as nginx serves it,
// not refused with no_application_protocol.
TEST_F(H2InteropTest, CurlOfferingOnlyHttp10IsServed) {
  const std::string out = curl("--http1.0 " + url("/"));
  EXPECT_NE(out.find("ALPN: server accepted http/1.0"), std::string::npos) << out;
  EXPECT_NE(out.find("< HTTP/1.1 200 OK"), std::string::npos) << out;
}

// [server] http2 = false: ALPN offers http/1.1 (and 1.0) alone, and curl --http2 falls back to it.
TEST_F(H2InteropTest, WithHttp2OffCurlGetsHttp11) {
  std::ofstream(dir_ / "http1.toml") << test_support::h2_test_config("[server]\nhttp2 = false\n");
  test_support::ServerProcess http1(MINIWEB_SERVER_BINARY, dir_ / "http1.toml",
                                    dir_ / "http1-stderr.txt");
  const unsigned short port = http1.port("https");
  ASSERT_NE(port, 0) << http1.stderr_text();
  const std::string out =
      run("curl --http2 -sS -v --max-time 10 --cacert " + (dir_ / "ca/root.pem").string() +
          " --resolve www.example.test:" + std::to_string(port) +
          ":127.0.0.1 https://www.example.test:" + std::to_string(port) + "/ 2>&1");
  EXPECT_NE(out.find("ALPN: server accepted http/1.1"), std::string::npos) << out;
  EXPECT_NE(out.find("< HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_EQ(http1.stop(), 0);
}

// Chromium chooses its protocol by ALPN like any browser: its net log records the protocol
// negotiated, and the server's log the request's protocol with Chromium's User-Agent.
TEST_F(H2InteropTest, HeadlessChromiumLoadsThePageOverH2) {
  const auto home = dir_ / "chromium-home";
  std::filesystem::create_directories(home);
  const std::string dom = run(
      "HOME=" + home.string() + " timeout 60 chromium --headless=new --no-sandbox --disable-gpu" +
      " --ignore-certificate-errors --user-data-dir=" + (home / "profile").string() +
      " --host-resolver-rules='MAP www.example.test 127.0.0.1' --log-net-log=" +
      (home / "net.json").string() + " --dump-dom " + url("/index.html?chromium") + " 2>/dev/null");
  EXPECT_NE(dom.find("<h1>over h2</h1>"), std::string::npos) << dom;
  const std::string net_log = test_support::read_file(home / "net.json");
  EXPECT_NE(net_log.find("\"negotiated_protocol\":\"h2\""), std::string::npos)
      << "Chromium's net log names no h2 connection";
  const std::string log = access_log_with("/index.html?chromium");
  static const std::regex line(R"("GET /index.html\?chromium HTTP/2\.0" 200 .*HeadlessChrome)");
  EXPECT_TRUE(std::regex_search(log, line)) << log;
}

}  // namespace
// A graceful goodbye (RFC 9113 section 6.8) on reload and on stop: GOAWAY NO_ERROR naming the
// last stream answered, then the close, while the client still reads.
class H2GoawayTest : public H2InteropTest {
 protected:
  static std::string goodbye(test_support::ServerProcess& server, const std::string& signal) {
    return run("timeout 20 /usr/bin/python3 -B " MINIWEB_H2_ATTACKS_DIR "/h2_goaway.py --port " +
               std::to_string(server.port("https")) + " --pid " + std::to_string(server.pid()) +
               " --signal " + signal + " 2>&1");
  }
};

TEST_F(H2GoawayTest, AReloadSendsGoawayAndTheServerGoesOn) {
  std::ofstream(dir_ / "reload.toml") << test_support::h2_test_config("");
  test_support::ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "reload.toml",
                                     dir_ / "reload-stderr.txt");
  ASSERT_NE(server.port("https"), 0) << server.stderr_text();
  const std::string out = goodbye(server, "HUP");
  EXPECT_NE(out.find("RESPONSE status=200"), std::string::npos) << out;
  EXPECT_NE(out.find("GOAWAY code=NO_ERROR last_stream=1 "), std::string::npos) << out;
  EXPECT_EQ(out.find("CLOSED no"), std::string::npos) << out;
  EXPECT_FALSE(server.exited()) << server.stderr_text();
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(H2GoawayTest, AStopSendsGoawayBeforeTheClose) {
  std::ofstream(dir_ / "stop.toml") << test_support::h2_test_config("");
  test_support::ServerProcess server(MINIWEB_SERVER_BINARY, dir_ / "stop.toml",
                                     dir_ / "stop-stderr.txt");
  ASSERT_NE(server.port("https"), 0) << server.stderr_text();
  const std::string out = goodbye(server, "TERM");
  EXPECT_NE(out.find("RESPONSE status=200"), std::string::npos) << out;
  EXPECT_NE(out.find("GOAWAY code=NO_ERROR last_stream=1 "), std::string::npos) << out;
  EXPECT_EQ(out.find("CLOSED no"), std::string::npos) << out;
}

}  // namespace miniweb::server
