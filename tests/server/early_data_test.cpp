// TLS 1.3 early data (0-RTT) against the server on a real socket: a resumed client's safe
// request answered with the server's first flight, before the client's Finished; a ticket that
// brings early data a second time refused it; an unsafe method answered 425 Too Early; and
// openssl s_client, a client from Debian's packages, doing the same.

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>

#include "server/early_data.hpp"
#include "server/server.hpp"
#include "shared/tls/openssl_ptr.hpp"
#include "tests/server/h2_test_config.hpp"
#include "tests/server/in_process_server.hpp"
#include "tests/server/test_certificate.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/raw_exchange.hpp"

namespace miniweb::server {
namespace {

constexpr std::string_view kGet =
    "GET / HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n";

class EarlyDataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("miniweb-early-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "site");
    std::ofstream(dir_ / "site/index.html") << "<h1>home</h1>\n";
    ASSERT_TRUE(test_support::issue_test_certificate(dir_, {"www.example.test"}));
    std::ofstream(dir_ / "server.toml") << test_support::h2_test_config("");
    server_ = test_support::start_in_process_server(io_, dir_ / "server.toml");
    ASSERT_TRUE(server_);
    port_ = server_->local_endpoints()[0].port();
    thread_ = std::thread([] { io_.run(); });
  }

  static void TearDownTestSuite() {
    if (server_) asio::post(io_, [] { server_->stop(); });
    if (thread_.joinable()) thread_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static int connect_to_server() {
    const int fd = test_support::connect_to_loopback(port_);
    EXPECT_GE(fd, 0);
    return fd;
  }

  static SSL_CTX* client_context() {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(context, TLS1_3_VERSION);
    SSL_CTX_load_verify_file(context, (dir_ / "ca/root.pem").c_str());
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    static constexpr unsigned char kHttp11[] = "\x08http/1.1";
    SSL_CTX_set_alpn_protos(context, kHttp11, sizeof kHttp11 - 1);
    return context;
  }

  // A full handshake and one request; the session its server issued (a ticket), or null.
  static SSL_SESSION* fresh_session(SSL_CTX* context) {
    const int fd = connect_to_server();
    SSL* ssl = SSL_new(context);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "www.example.test");
    EXPECT_EQ(SSL_connect(ssl), 1);
    EXPECT_EQ(SSL_write(ssl, kGet.data(), static_cast<int>(kGet.size())), int(kGet.size()));
    char buffer[4096];
    while (SSL_read(ssl, buffer, sizeof buffer) > 0) {
    }
    SSL_SESSION* session = SSL_get1_session(ssl);
    SSL_shutdown(ssl);  // freed without one, OpenSSL marks the session not resumable
    SSL_free(ssl);
    ::close(fd);
    return session;
  }

  // A resumed connection whose client sends `early` with its ClientHello, then holds back its
  // own Finished, so that what the server sends meanwhile shows what it answered before the
  // handshake was complete. OpenSSL works in memory here; the test moves the bytes.
  struct EarlyConnection {
    int fd = -1;
    SSL* ssl = nullptr;
    BIO* from_server = nullptr;  // what the test read from the socket, for OpenSSL
    BIO* to_server = nullptr;    // what OpenSSL wrote, for the test to send
    std::string first_flight;    // the ClientHello and the early data, as sent
    std::size_t received = 0;    // bytes read from the socket

    ~EarlyConnection() {
      SSL_free(ssl);  // frees both BIOs
      if (fd >= 0) ::close(fd);
    }
    void send_pending(std::string* copy = nullptr) {
      char* data = nullptr;
      const long size = BIO_get_mem_data(to_server, &data);
      if (size <= 0) return;
      if (copy) copy->assign(data, static_cast<std::size_t>(size));
      ASSERT_EQ(::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL), size);
      (void)BIO_reset(to_server);
    }
    // Reads what the server sends and hands it to OpenSSL until `enough` says the plaintext
    // read holds what was awaited, or the server is quiet for `quiet`.
    std::string read_plaintext(std::chrono::milliseconds quiet,
                               const std::function<bool(const std::string&)>& enough) {
      std::string plaintext;
      for (;;) {
        char buffer[16384];
        std::size_t got = 0;
        while (SSL_read_ex(ssl, buffer, sizeof buffer, &got) == 1) plaintext.append(buffer, got);
        if (enough(plaintext)) return plaintext;
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, static_cast<int>(quiet.count())) != 1) return plaintext;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return plaintext;
        received += static_cast<std::size_t>(n);
        BIO_write(from_server, buffer, static_cast<int>(n));
      }
    }
  };

  static std::unique_ptr<EarlyConnection> send_early(SSL_CTX* context, SSL_SESSION* session,
                                                     std::string_view early) {
    auto connection = std::make_unique<EarlyConnection>();
    connection->fd = connect_to_server();
    connection->ssl = SSL_new(context);
    connection->from_server = BIO_new(BIO_s_mem());
    connection->to_server = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(connection->from_server, -1);  // empty: "try again", not EOF
    SSL_set_bio(connection->ssl, connection->from_server, connection->to_server);
    SSL_set_tlsext_host_name(connection->ssl, "www.example.test");
    EXPECT_EQ(SSL_set_session(connection->ssl, session), 1);
    SSL_set_connect_state(connection->ssl);
    std::size_t written = 0;
    EXPECT_EQ(SSL_write_early_data(connection->ssl, early.data(), early.size(), &written), 1)
        << tls::openssl_error_text();
    EXPECT_EQ(written, early.size());
    connection->send_pending(&connection->first_flight);
    return connection;
  }

  using SessionPtr = std::unique_ptr<SSL_SESSION, tls::OpenSslDeleter<SSL_SESSION_free>>;
  // A client context and a session (a ticket) its server issued, for early connections to resume.
  struct Resumable {
    tls::SslCtxPtr context{client_context()};
    SessionPtr session{fresh_session(context.get())};
  };

  static bool whole_response(const std::string& text) {
    return text.find("<h1>home</h1>") != std::string::npos ||
           text.find("</html>") != std::string::npos ||
           text.find("425 Too Early") != std::string::npos;
  }

  static inline std::filesystem::path dir_;
  static inline asio::io_context io_;
  static inline std::unique_ptr<Server> server_;
  static inline std::thread thread_;
  static inline unsigned short port_ = 0;
};

TEST_F(EarlyDataTest, ASafeRequestIsAnsweredBeforeTheClientsFinished) {
  const Resumable resumable;
  ASSERT_NE(resumable.session, nullptr);
  EXPECT_EQ(SSL_SESSION_get_max_early_data(resumable.session.get()), kMaxEarlyData)
      << "the ticket allows none";

  auto connection = send_early(resumable.context.get(), resumable.session.get(), kGet);
  const std::string answer =
      connection->read_plaintext(std::chrono::seconds(5), &EarlyDataTest::whole_response);
  // The client has not even made its EndOfEarlyData and Finished yet (OpenSSL makes them when
  // the handshake is driven on): the server answered the request with its own first flight.
  EXPECT_FALSE(SSL_is_init_finished(connection->ssl));
  EXPECT_EQ(BIO_ctrl_pending(connection->to_server), 0u) << "the client sent something";
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
  EXPECT_NE(answer.find("<h1>home</h1>"), std::string::npos) << answer;
  EXPECT_EQ(SSL_get_early_data_status(connection->ssl), SSL_EARLY_DATA_ACCEPTED);
  EXPECT_TRUE(SSL_session_reused(connection->ssl));
  // The handshake completed, as a client would.
  EXPECT_EQ(SSL_do_handshake(connection->ssl), 1);
  connection->send_pending();
}

// RFC 8446 section 8: whoever captured a ClientHello with early data can send it again. The
// same bytes a second time get the server's handshake (resumption is not refused) but their
// early data is skipped: no answer comes, and the replay can go no further (it cannot make
// the client's Finished). A legitimate client reusing a ticket for early data meets the same.
TEST_F(EarlyDataTest, ATicketBringsEarlyDataOnceAndAReplayGetsNoAnswer) {
  const Resumable resumable;
  ASSERT_NE(resumable.session, nullptr);
  auto first = send_early(resumable.context.get(), resumable.session.get(), kGet);
  const std::string answered =
      first->read_plaintext(std::chrono::seconds(5), &EarlyDataTest::whole_response);
  ASSERT_TRUE(answered.starts_with("HTTP/1.1 200 OK\r\n")) << answered;

  // The captured first flight, byte for byte, on a new connection: the server answers with its
  // flight and then waits for a Finished no replay can make.
  const int replay = connect_to_server();
  ASSERT_EQ(::send(replay, first->first_flight.data(), first->first_flight.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(first->first_flight.size()));
  std::string from_server;
  for (;;) {
    pollfd readable{replay, POLLIN, 0};
    if (::poll(&readable, 1, 500) != 1) break;
    char buffer[16384];
    const ssize_t n = ::recv(replay, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    from_server.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(replay);
  // The server's flight came, and no answer after it: the accepted connection's bytes were its
  // flight and the response (more than a hundred bytes: a status line, headers and a body).
  EXPECT_FALSE(from_server.empty()) << "the server did not answer the ClientHello";
  EXPECT_LT(from_server.size() + 100, first->received)
      << "the replay got " << from_server.size() << " bytes, the first connection "
      << first->received;
  // A real client with the same ticket again, which can read what the server says.
  auto again = send_early(resumable.context.get(), resumable.session.get(), kGet);
  const std::string early_answer = again->read_plaintext(
      std::chrono::milliseconds(500), [](const std::string& text) { return !text.empty(); });
  EXPECT_EQ(early_answer, "") << "answered early data a ticket had brought before";
  EXPECT_EQ(SSL_get_early_data_status(again->ssl), SSL_EARLY_DATA_REJECTED);
  EXPECT_TRUE(SSL_session_reused(again->ssl)) << "resumption itself is still allowed";
}

// RFC 8470 section 5.2: what a replay could make happen twice is not answered from early data.
TEST_F(EarlyDataTest, AnUnsafeMethodInEarlyDataGets425TooEarly) {
  const Resumable resumable;
  ASSERT_NE(resumable.session, nullptr);
  auto connection =
      send_early(resumable.context.get(), resumable.session.get(),
                 "POST /form HTTP/1.1\r\nHost: www.example.test\r\nContent-Length: 2\r\n\r\nhi");
  const std::string answer =
      connection->read_plaintext(std::chrono::seconds(5), &EarlyDataTest::whole_response);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 425 Too Early\r\n")) << answer;
}

// The same with Debian's openssl s_client: -early_data sends the file's bytes as early data
// with a session it kept (-sess_out, then -sess_in), and says what the server did with them.
TEST_F(EarlyDataTest, OpensslSClientSendsEarlyDataAndTheServerAcceptsItOnce) {
  const std::string request = (dir_ / "request.txt").string();
  std::ofstream(request, std::ios::binary) << kGet;
  const std::string client =
      "timeout 5 openssl s_client -connect 127.0.0.1:" + std::to_string(port_) +
      " -servername www.example.test -alpn http/1.1 -CAfile " + (dir_ / "ca/root.pem").string() +
      " ";
  const std::string session = (dir_ / "session.pem").string();
  // -ign_eof: read on until the server closes (the request says Connection: close).
  test_support::command_output(client + "-ign_eof -sess_out " + session + " < " + request +
                               " 2>&1");
  const std::string early = test_support::command_output(
      client + "-ign_eof -sess_in " + session + " -early_data " + request + " < /dev/null 2>&1");
  EXPECT_NE(early.find("Early data was accepted"), std::string::npos) << early;
  EXPECT_NE(early.find("HTTP/1.1 200 OK"), std::string::npos) << early;
  // Skipped, the early data brings no request: s_client leaves once it has said so.
  const std::string replayed = test_support::command_output(
      client + "-sess_in " + session + " -early_data " + request + " < /dev/null 2>&1");
  EXPECT_NE(replayed.find("Early data was rejected"), std::string::npos) << replayed;
}

TEST(EarlyDataTickets, RemembersEachTicketForItsWindowAndNoMoreThanItsBound) {
  EarlyDataTickets tickets;
  const auto start = std::chrono::steady_clock::now();
  const EarlyDataTickets::Key one{1}, two{2};
  EXPECT_TRUE(tickets.first_use(one, start));
  EXPECT_FALSE(tickets.first_use(one, start + std::chrono::seconds(1))) << "a replay";
  EXPECT_TRUE(tickets.first_use(two, start + std::chrono::seconds(1)));
  // Past the window OpenSSL's ticket age check refuses a replay itself; the entry is swept.
  EXPECT_TRUE(tickets.first_use(one, start + EarlyDataTickets::kWindow + std::chrono::seconds(2)));
  EXPECT_EQ(tickets.remembered(), 1u) << "two was swept, one remembered again";
  // Full: refused (no early data, the handshake goes on), and the table stays at its bound.
  EarlyDataTickets full;
  EarlyDataTickets::Key key{};
  std::size_t accepted = 0;
  for (std::size_t i = 0; i <= EarlyDataTickets::kMaxRemembered; ++i) {
    std::memcpy(key.data(), &i, sizeof i);
    accepted += full.first_use(key, start) ? 1 : 0;
  }
  EXPECT_EQ(accepted, EarlyDataTickets::kMaxRemembered);
  EXPECT_EQ(full.remembered(), EarlyDataTickets::kMaxRemembered);
}

TEST(EarlyDataTickets, OnlySafeMethodsAreAnsweredEarly) {
  EXPECT_TRUE(answerable_early("GET"));
  EXPECT_TRUE(answerable_early("HEAD"));
  EXPECT_TRUE(answerable_early("OPTIONS"));
  EXPECT_FALSE(answerable_early("POST"));
  EXPECT_FALSE(answerable_early("PUT"));
  EXPECT_FALSE(answerable_early("DELETE"));
  EXPECT_FALSE(answerable_early("get")) << "methods are case-sensitive (RFC 9110 section 9.1)";
  EXPECT_FALSE(in_early_data(nullptr));
}

}  // namespace
}  // namespace miniweb::server
