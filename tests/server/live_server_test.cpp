// The server on a real socket, driven by real clients: curl and openssl s_client.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"
#include "server/server.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/raw_exchange.hpp"

namespace miniweb::server {
namespace {

const auto run = &test_support::command_output;

class LiveServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("miniweb-live-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site/sub");
    std::ofstream(dir_ / "site/index.html") << "<h1>home</h1>\n";
    std::ofstream(dir_ / "site/sub/note.txt") << "a note\n";
    std::ofstream(dir_ / "outside.txt") << "secret\n";
    std::filesystem::create_symlink(dir_ / "outside.txt", dir_ / "site/escape.txt");

    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.example.test"}));

    std::ofstream(dir_ / "server.toml") << R"([[listener]]
address = "127.0.0.1"
port = 0

[[listener]]
address = "127.0.0.1"
port = 0
protocol = "http"

[limits]
header_timeout = 1
max_body_bytes = 100

[[site]]
names = ["www.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)";
    server_ = test_support::start_in_process_server(io_, dir_ / "server.toml");
    ASSERT_TRUE(server_);
    https_port_ = server_->local_endpoints()[0].port();
    http_port_ = server_->local_endpoints()[1].port();
    thread_ = std::thread([] { io_.run(); });
  }

  static void TearDownTestSuite() {
    if (server_) asio::post(io_, [] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // HTTP/1.1's wire format is what these tests read; HTTP/2 has tests of its own.
  static std::string curl(const std::string& arguments) {
    const std::string port = std::to_string(https_port_);
    return run("curl -sS --http1.1 --max-time 5 --cacert " + (dir_ / "ca/root.pem").string() +
               " --resolve www.example.test:" + port + ":127.0.0.1 " + arguments + " 2>&1");
  }
  static std::string url(const std::string& path) {
    return "https://www.example.test:" + std::to_string(https_port_) + path;
  }
  // Raw bytes over TLS, for requests no well-behaved client would send.
  static std::string raw(const std::string& bytes) {
    const std::filesystem::path file = dir_ / "raw-request";
    std::ofstream(file, std::ios::binary) << bytes;
    return run(
        "timeout 5 openssl s_client -quiet -connect 127.0.0.1:" + std::to_string(https_port_) +
        " -servername www.example.test < " + file.string() + " 2>/dev/null");
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<Server> server_;
  static inline std::thread thread_;
  static inline unsigned short https_port_ = 0;
  static inline unsigned short http_port_ = 0;
};

TEST_F(LiveServerTest, ServesAFileOverTls13WithTheHeadersBrowsersExpect) {
  std::string out = curl("-i --tlsv1.3 " + url("/"));
  EXPECT_NE(out.find("HTTP/1.1 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Type: text/html; charset=utf-8"), std::string::npos) << out;
  EXPECT_NE(out.find("Content-Length: 14"), std::string::npos) << out;
  EXPECT_NE(out.find("Strict-Transport-Security: max-age="), std::string::npos) << out;
  EXPECT_NE(out.find("Date: "), std::string::npos) << out;
  EXPECT_NE(out.find("ETag: \""), std::string::npos) << out;
  EXPECT_NE(out.find("<h1>home</h1>"), std::string::npos) << out;
}

// TLS 1.3's suite is the server's pick (shared/tls/cipher_suites.hpp): AES-128-GCM for a client
// that offers AES-256-GCM first (OpenSSL's default order, s_client's), as Caddy picks; a client
// that offers only ChaCha20-Poly1305 still gets it.
TEST_F(LiveServerTest, PicksAes128GcmInTls13WhateverTheClientsOrder) {
  const auto suite_for = [](const std::string& offered) {
    return run(
        "echo | timeout 5 openssl s_client -connect 127.0.0.1:" + std::to_string(https_port_) +
        " -servername www.example.test -tls1_3 -ciphersuites " + offered +
        " 2>&1 | grep -o 'Cipher is [A-Z0-9_]*'");
  };
  EXPECT_EQ(suite_for("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"),
            "Cipher is TLS_AES_128_GCM_SHA256\n");
  EXPECT_EQ(suite_for("TLS_CHACHA20_POLY1305_SHA256"), "Cipher is TLS_CHACHA20_POLY1305_SHA256\n");
}

// TLS 1.3 session tickets leave as the handshake ends, before any request, as nginx sends
// them. Held back for the first response, they left the client's Finished unacknowledged,
// and a client without TCP_NODELAY (Python's, Java's) then held its request under Nagle's
// algorithm until the server's delayed ACK: 40 ms on every new connection.
TEST_F(LiveServerTest, SessionTicketsLeaveBeforeTheFirstRequest) {
  const int fd = test_support::connect_to_loopback(https_port_);
  ASSERT_GE(fd, 0);
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
  SSL* ssl = SSL_new(context);
  SSL_set_fd(ssl, fd);
  SSL_set_tlsext_host_name(ssl, "www.example.test");
  ASSERT_EQ(SSL_connect(ssl), 1);
  // Nothing is sent; the tickets must arrive anyway (the wait is only a guard).
  pollfd readable{fd, POLLIN, 0};
  EXPECT_EQ(::poll(&readable, 1, 5000), 1) << "nothing arrived after the handshake";
  // What arrived is tickets on a live connection: OpenSSL takes them and finds no data. (The
  // old server sent them only when its header timeout closed the connection: a close_notify.)
  ASSERT_EQ(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
  char byte = 0;
  EXPECT_EQ(SSL_get_error(ssl, SSL_read(ssl, &byte, 1)), SSL_ERROR_WANT_READ);
  SSL_SESSION* session = SSL_get1_session(ssl);
  ASSERT_NE(session, nullptr);
  EXPECT_TRUE(SSL_SESSION_is_resumable(session)) << "no session ticket";
  SSL_SESSION_free(session);
  SSL_free(ssl);
  SSL_CTX_free(context);
  ::close(fd);
}

TEST_F(LiveServerTest, KeepsTheConnectionAliveAcrossRequests) {
  std::string out = curl("-o /dev/null -o /dev/null -w '%{http_code} %{num_connects}\\n' " +
                         url("/") + " " + url("/sub/note.txt"));
  EXPECT_EQ(out, "200 1\n200 0\n");
}

TEST_F(LiveServerTest, AnswersMissingForbiddenAndWrongMethods) {
  EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' " + url("/missing")), "404");
  EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' " + url("/escape.txt")), "403");
  EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' --path-as-is " + url("/../outside.txt")), "400");
  EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' --path-as-is " + url("/%2e%2e/outside.txt")),
            "400");
  std::string post = curl("-i -X DELETE " + url("/"));
  EXPECT_NE(post.find("HTTP/1.1 405"), std::string::npos) << post;
  EXPECT_NE(post.find("Allow: GET, HEAD, OPTIONS"), std::string::npos) << post;
  std::string head = curl("-I " + url("/"));
  EXPECT_NE(head.find("Content-Length: 14"), std::string::npos) << head;
}

TEST_F(LiveServerTest, RedirectsADirectoryAndAnswersConditionalRequests) {
  std::string dir = curl("-i " + url("/sub"));
  EXPECT_NE(dir.find("HTTP/1.1 301"), std::string::npos) << dir;
  EXPECT_NE(dir.find("Location: /sub/"), std::string::npos) << dir;
  std::string head = curl("-I " + url("/"));
  auto at = head.find("ETag: ");
  ASSERT_NE(at, std::string::npos);
  std::string etag = head.substr(at + 6, head.find('\r', at) - at - 6);
  EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' -H 'If-None-Match: " + etag + "' " + url("/")),
            "304");
}

TEST_F(LiveServerTest, PlainHttpRedirectsToHttps) {
  std::string out = run("curl -sS -i http://127.0.0.1:" + std::to_string(http_port_) +
                        "/sub/note.txt -H 'Host: www.example.test' 2>&1");
  EXPECT_NE(out.find("HTTP/1.1 301"), std::string::npos) << out;
  EXPECT_NE(out.find("Location: https://www.example.test/sub/note.txt"), std::string::npos) << out;
}

TEST_F(LiveServerTest, ClosesSmugglingAttemptsWith400) {
  std::string out = raw(
      "POST / HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 4\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /sub/note.txt HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 400"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(out.find("a note"), std::string::npos) << "the smuggled request was answered";
}

// RFC 9112 section 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; what follows the
// request must not be read as another one, over TLS and over plain HTTP.
TEST_F(LiveServerTest, ClosesHttp10RequestsWithTransferEncodingWith400) {
  const std::string smuggling =
      "POST / HTTP/1.0\r\nHost: www.example.test\r\nConnection: keep-alive\r\n"
      "Transfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\nGET /sub/note.txt HTTP/1.1\r\nHost: www.example.test\r\n\r\n";
  std::string out = raw(smuggling);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(test_support::count_responses(out), 1u) << out;
  EXPECT_EQ(out.find("a note"), std::string::npos) << "the smuggled request was answered";
  out = test_support::raw_exchange(http_port_, smuggling);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_EQ(test_support::count_responses(out), 1u) << out;
}

TEST_F(LiveServerTest, AnswersPipelinedRequestsInOrder) {
  std::string out =
      raw("GET /sub/note.txt HTTP/1.1\r\nHost: www.example.test\r\n\r\n"
          "POST / HTTP/1.1\r\nHost: www.example.test\r\nTransfer-Encoding: "
          "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
          "GET / HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n");
  auto first = out.find("a note");
  auto second = out.find("HTTP/1.1 405");
  auto third = out.find("<h1>home</h1>");
  ASSERT_NE(first, std::string::npos) << out;
  ASSERT_NE(second, std::string::npos) << out;
  ASSERT_NE(third, std::string::npos) << out;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

// Refusals arrive whole: the error page its Content-Length announces, even when no request
// could be parsed (414, 431) and while the client still has bytes on the way.
TEST_F(LiveServerTest, RefusalsReachClientsThatAreStillSending) {
  const std::string big_header = std::string(40000, 'a');
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' " + url("/" + std::string(9000, 'a'))), "414");
    EXPECT_EQ(curl("-o /dev/null -w '%{http_code}' -H 'X-Big: " + big_header + "' " + url("/")),
              "431");
    EXPECT_EQ(
        curl("-o /dev/null -w '%{http_code}' -X POST -H 'Content-Length: 99999999' --data x " +
             url("/")),
        "413");
  }
}

TEST_F(LiveServerTest, RefusesOversizedBodiesAndStalledHeaders) {
  std::string big =
      raw("POST / HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_NE(big.find("HTTP/1.1 413"), std::string::npos) << big;
  // Announced too large and waiting for permission: 413 at once, never 100 Continue first.
  std::string asked =
      raw("POST / HTTP/1.1\r\nHost: www.example.test\r\nExpect: 100-continue\r\n"
          "Content-Length: 1000\r\n\r\n");
  EXPECT_EQ(asked.find("HTTP/1.1 100"), std::string::npos) << asked;
  EXPECT_NE(asked.find("HTTP/1.1 413"), std::string::npos) << asked;
  // A request head that never ends: 408 once the header timeout (1 s here) passes.
  std::string stalled =
      run("(printf 'GET / HTTP/1.1\\r\\nHost: www.example.test\\r\\n'; sleep 3) | timeout 6 "
          "openssl s_client -quiet -connect 127.0.0.1:" +
          std::to_string(https_port_) + " -servername www.example.test 2>/dev/null");
  EXPECT_NE(stalled.find("HTTP/1.1 408"), std::string::npos) << stalled;
}

}  // namespace
}  // namespace miniweb::server
