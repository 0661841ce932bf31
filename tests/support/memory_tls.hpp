#pragma once
// An OpenSSL client and server joined in memory (a BIO pair): a TLS handshake with no socket,
// for tests of what OpenSSL does as the browser sets it up.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <string>

namespace miniweb::test_support {

class MemoryTlsPair {
 public:
  MemoryTlsPair(SSL_CTX* client_context, SSL_CTX* server_context)
      : client(SSL_new(client_context)), server(SSL_new(server_context)) {
    BIO* client_end = nullptr;
    BIO* server_end = nullptr;
    if (client != nullptr && server != nullptr &&
        BIO_new_bio_pair(&client_end, 0, &server_end, 0) == 1) {
      SSL_set_bio(client, client_end, client_end);
      SSL_set_bio(server, server_end, server_end);
    }
    if (client != nullptr) SSL_set_connect_state(client);
    if (server != nullptr) SSL_set_accept_state(server);
  }
  ~MemoryTlsPair() {
    SSL_free(client);
    SSL_free(server);
  }
  MemoryTlsPair(const MemoryTlsPair&) = delete;
  MemoryTlsPair& operator=(const MemoryTlsPair&) = delete;

  // Both sides' handshakes stepped in turns to their end: empty, or what stopped one of them.
  std::string finish() {
    for (int round = 0; round < 20; ++round) {
      int done = 0;
      for (SSL* ssl : {client, server}) {
        const int result = SSL_do_handshake(ssl);
        if (result == 1) {
          ++done;
        } else if (SSL_get_error(ssl, result) != SSL_ERROR_WANT_READ) {
          return std::string(ssl == client ? "the client: " : "the server: ") +
                 ERR_error_string(ERR_get_error(), nullptr);
        }
      }
      if (done == 2) return {};
    }
    return "the handshake did not end in 20 rounds";
  }

  SSL* client;
  SSL* server;
};

}  // namespace miniweb::test_support
