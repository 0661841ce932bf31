// bench/pageload's floor under a page load: what OpenSSL alone costs, with no miniweb code.
// A bare client sets OpenSSL up as the browser does (no openssl.cnf, no cleanup at exit),
// builds a client context that trusts the stack's root, connects, completes the handshake with
// the certificate verified against the name, sends one HTTP/1.1 GET and reads the answer to its
// end. No DNS, no parse, no layout, no output but its times: the least any client linked
// against this OpenSSL waits for the same page. It prints one line, in ms from its main:
//   context MS handshake MS response MS total MS bytes N [again MS]
// With --again it then makes a second handshake in the same process, after the times above
// are taken, and adds its time (whole-process timings run it without). With --session FILE it
// offers the session FILE holds (PEM, as `openssl s_client -sess_out` writes one), if any, and
// keeps in FILE the newest one the server issued: the floor under a load that resumes a session
// kept between runs, as the browser's profile keeps them. It then adds whether it resumed.
// Usage: miniweb-tls-floor ADDRESS PORT SERVER_NAME CA_FILE [--again] [--session FILE]

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "miniweb-tls-floor: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

int connect_to(const char* address, const char* port) {
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<std::uint16_t>(std::atoi(port)));
  if (inet_pton(AF_INET, address, &peer.sin_addr) != 1) fail("the address is not IPv4");
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("cannot open a socket");
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // as the browser sets it
  if (connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0)
    fail("cannot connect");
  return fd;
}

// The newest session the server issued (OpenSSL's new-session callback hands it over).
SSL_SESSION* newest_session = nullptr;
int keep_session(SSL*, SSL_SESSION* session) {
  if (newest_session != nullptr) SSL_SESSION_free(newest_session);
  newest_session = session;
  return 1;
}

SSL_SESSION* read_session(const char* file) {
  FILE* in = std::fopen(file, "r");
  if (in == nullptr) return nullptr;  // none yet: a full handshake
  SSL_SESSION* session = PEM_read_SSL_SESSION(in, nullptr, nullptr, nullptr);
  std::fclose(in);
  return session;
}

void write_session(const char* file, SSL_SESSION* session) {
  const int fd = ::open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  FILE* out = fd >= 0 ? ::fdopen(fd, "w") : nullptr;
  if (out == nullptr || PEM_write_SSL_SESSION(out, session) != 1) fail("cannot keep the session");
  std::fclose(out);
}

// A TCP connection to ADDRESS:PORT and a TLS handshake over it, the name verified as the
// browser verifies it, offering `session` when there is one; fails the program when the
// handshake does.
SSL* connect_securely(SSL_CTX* context, const char* address, const char* port,
                      const char* server_name, SSL_SESSION* session = nullptr) {
  SSL* connection = SSL_new(context);
  SSL_set_fd(connection, connect_to(address, port));
  SSL_set_tlsext_host_name(connection, server_name);
  SSL_set1_host(connection, server_name);
  if (session != nullptr) SSL_set_session(connection, session);
  if (SSL_connect(connection) != 1) fail("the handshake failed");
  return connection;
}

}  // namespace

int main(int argc, char** argv) {
  const auto start = Clock::now();
  bool again_too = false;
  const char* session_file = nullptr;
  bool usage = argc < 5;
  for (int i = 5; i < argc && !usage; ++i) {
    if (std::string(argv[i]) == "--again")
      again_too = true;
    else if (std::string(argv[i]) == "--session" && i + 1 < argc)
      session_file = argv[++i];
    else
      usage = true;
  }
  if (usage) {
    std::fprintf(stderr,
                 "usage: miniweb-tls-floor ADDRESS PORT SERVER_NAME CA_FILE [--again] "
                 "[--session FILE]\n");
    return 2;
  }
  const char* server_name = argv[3];

  OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) fail("cannot make a client context");
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_file(context, argv[4]) != 1) fail("cannot load the CA file");
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(context, kHttp11, sizeof kHttp11);
  SSL_SESSION* offered = nullptr;
  if (session_file != nullptr) {
    SSL_CTX_set_session_cache_mode(context,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context, &keep_session);
    offered = read_session(session_file);
  }
  const auto context_ready = Clock::now();

  SSL* connection = connect_securely(context, argv[1], argv[2], server_name, offered);
  const auto handshake_done = Clock::now();
  const bool resumed = SSL_session_reused(connection) == 1;

  const std::string request =
      std::string("GET / HTTP/1.1\r\nHost: ") + server_name + "\r\nConnection: close\r\n\r\n";
  if (SSL_write(connection, request.data(), static_cast<int>(request.size())) <= 0)
    fail("cannot send the request");
  std::size_t received = 0;
  char buffer[16384];
  for (int n; (n = SSL_read(connection, buffer, sizeof buffer)) > 0;)
    received += static_cast<std::size_t>(n);
  if (received == 0) fail("no response");
  const auto response_read = Clock::now();
  close(SSL_get_fd(connection));
  // Kept once the times are taken, as the browser keeps its sessions at the end of its run.
  if (session_file != nullptr && newest_session != nullptr)
    write_session(session_file, newest_session);

  std::printf("context %.3f handshake %.3f response %.3f total %.3f bytes %zu",
              ms_between(start, context_ready), ms_between(context_ready, handshake_done),
              ms_between(handshake_done, response_read), ms_between(start, response_read),
              received);
  if (again_too) {
    // The same handshake again in this process, on a new connection (no session resumed):
    // what it costs once OpenSSL's first use is behind it, which a one-shot client never is.
    const auto again_start = Clock::now();
    SSL* again = connect_securely(context, argv[1], argv[2], server_name);
    std::printf(" again %.3f", ms_between(again_start, Clock::now()));
    close(SSL_get_fd(again));
    SSL_free(again);
  }
  if (session_file != nullptr) std::printf(" resumed %d", resumed ? 1 : 0);
  std::printf("\n");
  return 0;
}
