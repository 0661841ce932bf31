// The browser's OpenSSL provider (browser/openssl/provider.hpp), in a library context of the
// test's own: the default provider with the ciphers and digests TLS uses and the decoders of the
// keys a server's certificate can have, everything else as the default provider offers it.
// Certificates of each kind of key are made by the openssl command.

#include "browser/openssl/provider.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/memory_tls.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using miniweb::browser::kBrowserProviderCiphers;
using miniweb::browser::kBrowserProviderDigests;
using miniweb::browser::kBrowserProviderGroups;
using miniweb::browser::kBrowserProviderKdfs;
using miniweb::browser::kBrowserProviderKeyExchanges;
using miniweb::browser::kBrowserProviderKeyManagers;
using miniweb::browser::kBrowserProviderMacs;
using miniweb::browser::kBrowserProviderSignatures;
using miniweb::browser::load_browser_provider;
using miniweb::test_support::MemoryTlsPair;
using miniweb::test_support::TempDir;

// A library context that is freed with the test.
struct Library {
  Library() : context(OSSL_LIB_CTX_new()) {}
  ~Library() { OSSL_LIB_CTX_free(context); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  OSSL_LIB_CTX* context;
};

// One library with the browser's provider, one with OpenSSL's default provider.
class OpensslProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    browser_provider_ = load_browser_provider(browser_.context);
    ASSERT_NE(browser_provider_, nullptr);
    default_provider_ = OSSL_PROVIDER_load(default_.context, "default");
    ASSERT_NE(default_provider_, nullptr);
  }
  void TearDown() override {
    if (browser_provider_ != nullptr) OSSL_PROVIDER_unload(browser_provider_);
    if (default_provider_ != nullptr) OSSL_PROVIDER_unload(default_provider_);
  }

  Library browser_;
  Library default_;
  OSSL_PROVIDER* browser_provider_ = nullptr;
  OSSL_PROVIDER* default_provider_ = nullptr;
};

// The first name of each algorithm an operation offers, through its do_all_provided function.
template <typename Method>
std::set<std::string> names_of(OSSL_LIB_CTX* library,
                               void (*do_all)(OSSL_LIB_CTX*, void (*)(Method*, void*), void*),
                               const char* (*name_of)(const Method*)) {
  struct Collect {
    std::set<std::string> names;
    const char* (*name_of)(const Method*);
  } collect{{}, name_of};
  do_all(
      library,
      [](Method* method, void* into) {
        auto* collected = static_cast<Collect*>(into);
        collected->names.insert(collected->name_of(method));
      },
      &collect);
  return collect.names;
}

// A list of provider.hpp's, as the set of names an operation's do_all gives.
template <std::size_t count>
std::set<std::string> set_of(const std::array<std::string_view, count>& names) {
  return std::set<std::string>(names.begin(), names.end());
}

std::vector<std::string> tls_suites(OSSL_LIB_CTX* library) {
  SSL_CTX* context = SSL_CTX_new_ex(library, nullptr, TLS_client_method());
  EXPECT_NE(context, nullptr);
  std::vector<std::string> suites;
  if (context == nullptr) return suites;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(context);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i)
    suites.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  SSL_CTX_free(context);
  return suites;
}

TEST_F(OpensslProviderTest, OffersOnlyTheCiphersTlsUses) {
  const auto ciphers =
      names_of<EVP_CIPHER>(browser_.context, EVP_CIPHER_do_all_provided, EVP_CIPHER_get0_name);
  const std::set<std::string> expected = set_of(kBrowserProviderCiphers);
  EXPECT_EQ(ciphers, expected);
  EXPECT_GT(names_of<EVP_CIPHER>(default_.context, EVP_CIPHER_do_all_provided, EVP_CIPHER_get0_name)
                .size(),
            100U);

  EVP_CIPHER* camellia = EVP_CIPHER_fetch(browser_.context, "CAMELLIA-256-CBC", nullptr);
  EXPECT_EQ(camellia, nullptr) << "a cipher TLS does not use is not offered";
  EVP_CIPHER_free(camellia);
}

TEST_F(OpensslProviderTest, OffersOnlyTheDigestsTlsAndCertificatesUse) {
  const auto digests = names_of<EVP_MD>(browser_.context, EVP_MD_do_all_provided, EVP_MD_get0_name);
  const std::set<std::string> expected = set_of(kBrowserProviderDigests);
  EXPECT_EQ(digests, expected);
  EXPECT_GT(names_of<EVP_MD>(default_.context, EVP_MD_do_all_provided, EVP_MD_get0_name).size(),
            20U);
  // By any of their names, as libssl, X.509 and the KDFs ask for them.
  for (const char* name : {"SHA256", "SHA-384", "SHA2-512", "SHA1", "MD5-SHA1"}) {
    EVP_MD* digest = EVP_MD_fetch(browser_.context, name, nullptr);
    EXPECT_NE(digest, nullptr) << name;
    EVP_MD_free(digest);
  }
  EVP_MD* sha3 = EVP_MD_fetch(browser_.context, "SHA3-256", nullptr);
  EXPECT_EQ(sha3, nullptr) << "a digest neither TLS nor a certificate check uses is not offered";
  EVP_MD_free(sha3);
}

TEST_F(OpensslProviderTest, TlsOffersTheSameSuitesAsWithTheDefaultProvider) {
  const auto suites = tls_suites(browser_.context);
  EXPECT_EQ(suites, tls_suites(default_.context));
  EXPECT_GE(suites.size(), 20U);
}

TEST_F(OpensslProviderTest, OffersOnlyTheKeyDerivationsMacsExchangesAndSignaturesTlsUses) {
  EXPECT_EQ(names_of<EVP_KDF>(browser_.context, EVP_KDF_do_all_provided, EVP_KDF_get0_name),
            set_of(kBrowserProviderKdfs));
  EXPECT_EQ(names_of<EVP_MAC>(browser_.context, EVP_MAC_do_all_provided, EVP_MAC_get0_name),
            set_of(kBrowserProviderMacs));
  EXPECT_EQ(
      names_of<EVP_KEYEXCH>(browser_.context, EVP_KEYEXCH_do_all_provided, EVP_KEYEXCH_get0_name),
      set_of(kBrowserProviderKeyExchanges));
  EXPECT_EQ(names_of<EVP_SIGNATURE>(browser_.context, EVP_SIGNATURE_do_all_provided,
                                    EVP_SIGNATURE_get0_name),
            set_of(kBrowserProviderSignatures));
  // The default provider's lists are longer: each of these is a choice.
  EXPECT_GT(names_of<EVP_KDF>(default_.context, EVP_KDF_do_all_provided, EVP_KDF_get0_name).size(),
            kBrowserProviderKdfs.size());
  EXPECT_GT(names_of<EVP_MAC>(default_.context, EVP_MAC_do_all_provided, EVP_MAC_get0_name).size(),
            kBrowserProviderMacs.size());
  EXPECT_GT(
      names_of<EVP_KEYEXCH>(default_.context, EVP_KEYEXCH_do_all_provided, EVP_KEYEXCH_get0_name)
          .size(),
      kBrowserProviderKeyExchanges.size());
  EXPECT_GT(names_of<EVP_SIGNATURE>(default_.context, EVP_SIGNATURE_do_all_provided,
                                    EVP_SIGNATURE_get0_name)
                .size(),
            kBrowserProviderSignatures.size());
  EVP_KDF* pbkdf2 = EVP_KDF_fetch(browser_.context, "PBKDF2", nullptr);
  EXPECT_EQ(pbkdf2, nullptr) << "a key derivation TLS does not use is not offered";
  EVP_KDF_free(pbkdf2);
}

// Key managers decide which groups and signature algorithms a ClientHello offers (libssl asks
// for each one's key manager as it makes a context): the browser's are the default provider's
// that TLS and certificates use (the ClientHello below is the default provider's all the same).
TEST_F(OpensslProviderTest, OffersOnlyTheKeyManagersTlsAndCertificatesUse) {
  const auto offered =
      names_of<EVP_KEYMGMT>(browser_.context, EVP_KEYMGMT_do_all_provided, EVP_KEYMGMT_get0_name);
  const std::set<std::string> expected = set_of(kBrowserProviderKeyManagers);
  EXPECT_EQ(offered, expected);
  const auto defaults =
      names_of<EVP_KEYMGMT>(default_.context, EVP_KEYMGMT_do_all_provided, EVP_KEYMGMT_get0_name);
  EXPECT_TRUE(std::includes(defaults.begin(), defaults.end(), offered.begin(), offered.end()));
  EXPECT_GT(defaults.size(), offered.size());
}

// The names of the TLS groups a provider tells libssl of (its "TLS-GROUP" capability).
std::set<std::string> tls_groups(OSSL_PROVIDER* provider) {
  std::set<std::string> names;
  OSSL_PROVIDER_get_capabilities(
      provider, "TLS-GROUP",
      [](const OSSL_PARAM group[], void* into) {
        const OSSL_PARAM* name = OSSL_PARAM_locate_const(group, OSSL_CAPABILITY_TLS_GROUP_NAME);
        const char* text = nullptr;
        if (name != nullptr && OSSL_PARAM_get_utf8_string_ptr(name, &text) == 1)
          static_cast<std::set<std::string>*>(into)->insert(text);
        return 1;
      },
      &names);
  return names;
}

// Of the default provider's TLS groups, the browser's tells of those OpenSSL's default list
// offers, which the ClientHello below offers as the default provider's does.
TEST_F(OpensslProviderTest, TellsLibsslOfTheGroupsAClientHelloOffers) {
  const auto told = tls_groups(browser_provider_);
  const std::set<std::string> expected = set_of(kBrowserProviderGroups);
  EXPECT_EQ(told, expected);
  const auto defaults = tls_groups(default_provider_);
  EXPECT_TRUE(std::includes(defaults.begin(), defaults.end(), told.begin(), told.end()));
  EXPECT_GT(defaults.size(), told.size()) << defaults.size();
}

// The ClientHello's supported_groups (10) and signature_algorithms (13) extensions, as a
// client of `library` writes them.
std::map<int, std::string> hello_extensions(OSSL_LIB_CTX* library) {
  std::map<int, std::string> found;
  SSL_CTX* context = SSL_CTX_new_ex(library, nullptr, TLS_client_method());
  if (context == nullptr) return found;
  SSL* ssl = SSL_new(context);
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, BIO_new(BIO_s_mem()), out);
  SSL_set_connect_state(ssl);
  SSL_do_handshake(ssl);  // writes the ClientHello, then wants the server's answer
  char* data = nullptr;
  const long size = BIO_get_mem_data(out, &data);
  const std::string hello(data, static_cast<std::size_t>(size));
  SSL_free(ssl);
  SSL_CTX_free(context);
  // Record header (5), handshake header (4), version (2), random (32), then the session id,
  // the suites and the compression methods, each with its length, then the extensions.
  std::size_t at = 5 + 4 + 2 + 32;
  const auto byte = [&](std::size_t i) {
    return i < hello.size() ? static_cast<unsigned char>(hello[i]) : 0U;
  };
  const auto two = [&](std::size_t i) { return (byte(i) << 8) | byte(i + 1); };
  at += 1 + byte(at);
  at += 2 + two(at);
  at += 1 + byte(at);
  const std::size_t end = at + 2 + two(at);
  for (at += 2; at + 4 <= end && at + 4 <= hello.size();) {
    const int type = static_cast<int>(two(at));
    const std::size_t length = two(at + 2);
    if (type == 10 || type == 13) found[type] = hello.substr(at + 4, length);
    at += 4 + length;
  }
  return found;
}

TEST_F(OpensslProviderTest, TheClientHelloOffersTheDefaultProvidersGroupsAndSignatures) {
  const auto offered = hello_extensions(browser_.context);
  ASSERT_EQ(offered.size(), 2U) << "supported_groups and signature_algorithms";
  EXPECT_EQ(offered, hello_extensions(default_.context));
  EXPECT_GE(offered.at(10).size(), 2U + 2 * 5) << "x25519, the NIST curves, x448, FFDHE";
  EXPECT_GE(offered.at(13).size(), 2U + 2 * 9);
}

// A whole handshake and an exchange of records, the browser's library as the client and the
// default provider's as the server: TLS 1.3 with each kind of group (X25519, a NIST curve,
// finite-field DH), and TLS 1.2 with an AEAD and with AES-CBC, whose records carry HMACs.
TEST_F(OpensslProviderTest, HandshakesWithEveryKindOfGroupAndRecordProtection) {
  const TempDir dir("miniweb-openssl-provider");
  const auto cert = dir.path() / "cert.pem";
  const auto key = dir.path() / "key.pem";
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj /CN=example.test -keyout " +
      key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  struct Setting {
    const char* what;
    int version;
    const char* groups;
    const char* tls12_ciphers;
  };
  for (const Setting setting :
       {Setting{"TLS 1.3, X25519", TLS1_3_VERSION, "X25519", nullptr},
        Setting{"TLS 1.3, P-256", TLS1_3_VERSION, "P-256", nullptr},
        Setting{"TLS 1.3, FFDHE", TLS1_3_VERSION, "ffdhe2048", nullptr},
        Setting{"TLS 1.2, AES-GCM", TLS1_2_VERSION, "P-256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
        Setting{"TLS 1.2, AES-CBC and HMAC", TLS1_2_VERSION, "X25519",
                "ECDHE-ECDSA-AES128-SHA256"}}) {
    SCOPED_TRACE(setting.what);
    SSL_CTX* server_context = SSL_CTX_new_ex(default_.context, nullptr, TLS_server_method());
    SSL_CTX* client_context = SSL_CTX_new_ex(browser_.context, nullptr, TLS_client_method());
    ASSERT_NE(server_context, nullptr);
    ASSERT_NE(client_context, nullptr);
    ASSERT_EQ(SSL_CTX_use_certificate_chain_file(server_context, cert.c_str()), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey_file(server_context, key.c_str(), SSL_FILETYPE_PEM), 1);
    for (SSL_CTX* context : {server_context, client_context}) {
      SSL_CTX_set_min_proto_version(context, setting.version);
      SSL_CTX_set_max_proto_version(context, setting.version);
    }
    ASSERT_EQ(SSL_CTX_set1_groups_list(server_context, setting.groups), 1);
    if (setting.tls12_ciphers != nullptr) {
      ASSERT_EQ(SSL_CTX_set_cipher_list(server_context, setting.tls12_ciphers), 1);
    }
    MemoryTlsPair pair(client_context, server_context);
    SSL* client = pair.client;
    SSL* server = pair.server;
    ASSERT_EQ(pair.finish(), "");
    EXPECT_EQ(SSL_version(client), setting.version);
    if (setting.tls12_ciphers != nullptr) {
      EXPECT_STREQ(SSL_get_cipher_name(client), setting.tls12_ciphers);
    }
    const std::string request = "GET / HTTP/1.1\r\n\r\n";
    const std::string answer = "HTTP/1.1 204 No Content\r\n\r\n";
    char buffer[64] = {};
    ASSERT_EQ(SSL_write(client, request.data(), static_cast<int>(request.size())),
              static_cast<int>(request.size()));
    ASSERT_EQ(SSL_read(server, buffer, sizeof buffer), static_cast<int>(request.size()));
    EXPECT_EQ(std::string(buffer, request.size()), request);
    ASSERT_EQ(SSL_write(server, answer.data(), static_cast<int>(answer.size())),
              static_cast<int>(answer.size()));
    ASSERT_EQ(SSL_read(client, buffer, sizeof buffer), static_cast<int>(answer.size()));
    EXPECT_EQ(std::string(buffer, answer.size()), answer);
    SSL_CTX_free(client_context);
    SSL_CTX_free(server_context);
  }
}

// A self-signed certificate for each kind of key a server may have: its public key decodes,
// and its own signature verifies with it.
TEST_F(OpensslProviderTest, DecodesTheKeyOfEveryKindOfCertificate) {
  const TempDir dir("miniweb-openssl-provider");
  struct Kind {
    const char* key_option;
    int base_id;
  };
  for (const Kind kind : {Kind{"ec -pkeyopt ec_paramgen_curve:P-256", EVP_PKEY_EC},
                          Kind{"ec -pkeyopt ec_paramgen_curve:P-384", EVP_PKEY_EC},
                          Kind{"rsa:2048", EVP_PKEY_RSA}, Kind{"rsa-pss", EVP_PKEY_RSA_PSS},
                          Kind{"ed25519", EVP_PKEY_ED25519}, Kind{"ed448", EVP_PKEY_ED448}}) {
    SCOPED_TRACE(kind.key_option);
    const auto cert = dir.path() / "cert.pem";
    const auto key = dir.path() / "key.pem";
    const std::string command = "openssl req -x509 -newkey " + std::string(kind.key_option) +
                                " -nodes -days 2 -subj /CN=example.test -keyout " + key.string() +
                                " -out " + cert.string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;

    FILE* file = std::fopen(cert.c_str(), "r");
    ASSERT_NE(file, nullptr);
    X509* certificate = X509_new_ex(browser_.context, nullptr);
    ASSERT_NE(PEM_read_X509(file, &certificate, nullptr, nullptr), nullptr);
    std::fclose(file);
    EVP_PKEY* public_key = X509_get0_pubkey(certificate);
    ASSERT_NE(public_key, nullptr);
    EXPECT_EQ(EVP_PKEY_get_base_id(public_key), kind.base_id);
    EXPECT_EQ(X509_verify(certificate, public_key), 1);
    X509_free(certificate);
  }
}

// A key that cannot sign a TLS 1.3 handshake, in a certificate: DSA's. The default provider
// decodes it; the browser's does not, so the certificate has no key to check a chain with.
TEST_F(OpensslProviderTest, DecodesNoKeyThatCannotSignAHandshake) {
  const TempDir dir("miniweb-openssl-provider");
  const auto parameters = dir.path() / "dsa.pem";
  const auto cert = dir.path() / "cert.pem";
  const std::string command =
      "openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out " +
      parameters.string() +
      " >/dev/null 2>&1 && openssl req -x509 -newkey dsa:" + parameters.string() +
      " -nodes -days 2 -subj /CN=example.test -keyout " + (dir.path() / "key.pem").string() +
      " -out " + cert.string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  for (OSSL_LIB_CTX* library : {browser_.context, default_.context}) {
    FILE* file = std::fopen(cert.c_str(), "r");
    ASSERT_NE(file, nullptr);
    X509* certificate = X509_new_ex(library, nullptr);
    ASSERT_NE(PEM_read_X509(file, &certificate, nullptr, nullptr), nullptr);
    std::fclose(file);
    if (library == browser_.context)
      EXPECT_EQ(X509_get0_pubkey(certificate), nullptr) << "the browser's provider";
    else
      EXPECT_NE(X509_get0_pubkey(certificate), nullptr) << "the default provider";
    X509_free(certificate);
  }
}

}  // namespace
