// The ClientHello's key share made ahead (browser/openssl/key_share_ahead.hpp), with OpenSSL set
// up as the browser sets it up: a key pair made on any thread is the next X25519 key
// generation's, the ClientHello's when a handshake comes next, and no other library context's.
// Handshakes in memory, between OpenSSL's client and server.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include <string>
#include <thread>
#include <vector>

#include "browser/net/tls_context.hpp"
#include "browser/openssl/provider.hpp"
#include "tests/browser/localhost_certificate.hpp"
#include "tests/support/memory_tls.hpp"

namespace miniweb::browser {
namespace {

using test::LocalhostCertificate;
using test_support::MemoryTlsPair;

std::vector<unsigned char> public_key_of(EVP_PKEY* key) {
  std::vector<unsigned char> bytes(32);
  std::size_t length = bytes.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, bytes.data(), &length), 1);
  bytes.resize(length);
  return bytes;
}

std::vector<unsigned char> new_x25519_public_key(OSSL_LIB_CTX* library = nullptr) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(library, nullptr, "X25519");
  EXPECT_NE(key, nullptr);
  if (key == nullptr) return {};
  auto bytes = public_key_of(key);
  EVP_PKEY_free(key);
  return bytes;
}

// A server's context with the certificate, for a pair to take as it is made.
SSL_CTX* server_context(const LocalhostCertificate& certificate) {
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  EXPECT_EQ(SSL_CTX_use_certificate_chain_file(context, certificate.cert.c_str()), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey_file(context, certificate.key.c_str(), SSL_FILETYPE_PEM), 1);
  return context;
}

// A client and a server of the browser's OpenSSL, talking through memory.
class Handshake {
 public:
  explicit Handshake(const LocalhostCertificate& certificate)
      : client_context_(SSL_CTX_new(TLS_client_method())),
        server_context_(server_context(certificate)) {}
  ~Handshake() {
    SSL_CTX_free(client_context_);
    SSL_CTX_free(server_context_);
  }
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  // The client's first step: its ClientHello written.
  void client_hello() { EXPECT_EQ(SSL_do_handshake(pair_.client), -1); }
  // Both sides to the end.
  std::string finish() { return pair_.finish(); }
  // The key share the client offered, as the server took it.
  std::vector<unsigned char> client_key_share() {
    EVP_PKEY* key = nullptr;
    EXPECT_EQ(SSL_get_peer_tmp_key(pair_.server, &key), 1);
    if (key == nullptr) return {};
    EXPECT_TRUE(EVP_PKEY_is_a(key, "X25519"));
    auto bytes = public_key_of(key);
    EVP_PKEY_free(key);
    return bytes;
  }

 private:
  SSL_CTX* client_context_;
  SSL_CTX* server_context_;
  MemoryTlsPair pair_{client_context_, server_context_};
};

TEST(KeyShareAhead, TheNextX25519KeyMadeIsTheOneMadeAhead) {
  ASSERT_FALSE(key_share_ahead_waiting());
  const auto made = make_key_share_ahead();
  ASSERT_TRUE(made.has_value());
  EXPECT_TRUE(made->made_here);
  EXPECT_TRUE(key_share_ahead_waiting());
  // One waits at a time: asked again, nothing more is made.
  const auto again = make_key_share_ahead();
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->made_here);
  const auto taken = new_x25519_public_key();
  EXPECT_FALSE(key_share_ahead_waiting()) << "the generation took the key made ahead";
  // With none waiting, a generation makes its own; and each made ahead is a fresh one.
  const auto made_then = new_x25519_public_key();
  ASSERT_TRUE(make_key_share_ahead().has_value());
  const auto taken_again = new_x25519_public_key();
  EXPECT_FALSE(key_share_ahead_waiting());
  EXPECT_EQ(taken.size(), 32U);
  EXPECT_NE(taken, made_then);
  EXPECT_NE(taken, taken_again);
  EXPECT_NE(made_then, taken_again);
}

// As the head start's thread makes it for the load's thread's ClientHello.
TEST(KeyShareAhead, AClientHelloOnAnotherThreadOffersIt) {
  const LocalhostCertificate certificate("key-share-ahead");
  std::thread maker([] { EXPECT_TRUE(make_key_share_ahead().has_value()); });
  maker.join();
  ASSERT_TRUE(key_share_ahead_waiting());
  Handshake first(certificate);
  first.client_hello();
  EXPECT_FALSE(key_share_ahead_waiting()) << "the ClientHello's key share took it";
  ASSERT_EQ(first.finish(), "");

  // Made ahead here, a handshake on another thread takes it, and the next makes its own.
  ASSERT_TRUE(make_key_share_ahead().has_value());
  std::vector<unsigned char> elsewhere;
  std::thread other([&] {
    Handshake there(certificate);
    there.client_hello();
    EXPECT_FALSE(key_share_ahead_waiting());
    EXPECT_EQ(there.finish(), "");
    elsewhere = there.client_key_share();
  });
  other.join();
  Handshake second(certificate);
  second.client_hello();
  EXPECT_FALSE(key_share_ahead_waiting());
  ASSERT_EQ(second.finish(), "");
  const auto offered = second.client_key_share();
  EXPECT_EQ(offered.size(), 32U);
  EXPECT_EQ(elsewhere.size(), 32U);
  EXPECT_NE(offered, first.client_key_share());
  EXPECT_NE(offered, elsewhere);
  EXPECT_NE(elsewhere, first.client_key_share());
}

TEST(KeyShareAhead, AnotherLibraryContextMakesItsOwn) {
  OSSL_LIB_CTX* library = OSSL_LIB_CTX_new();
  ASSERT_NE(library, nullptr);
  OSSL_PROVIDER* provider = load_browser_provider(library);
  ASSERT_NE(provider, nullptr);
  ASSERT_TRUE(make_key_share_ahead().has_value());
  EXPECT_EQ(new_x25519_public_key(library).size(), 32U);
  EXPECT_TRUE(key_share_ahead_waiting()) << "made for the default library context's handshakes";
  EXPECT_EQ(new_x25519_public_key().size(), 32U);
  EXPECT_FALSE(key_share_ahead_waiting());
  OSSL_PROVIDER_unload(provider);
  OSSL_LIB_CTX_free(library);
}

}  // namespace
}  // namespace miniweb::browser
