// The browser's OpenSSL provider (browser/openssl/provider.hpp), in a library context of the
// test's own: the default provider with the ciphers and digests TLS uses and the decoders of the
// keys a server's certificate can have, everything else as the default provider offers it.
// Certificates of each kind of key are made by the openssl command.

#include "browser/openssl/provider.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace {

using miniweb::browser::kBrowserProviderCiphers;
using miniweb::browser::kBrowserProviderDigests;
using miniweb::browser::load_browser_provider;
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
  const std::set<std::string> expected(kBrowserProviderCiphers.begin(),
                                       kBrowserProviderCiphers.end());
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
  const std::set<std::string> expected(kBrowserProviderDigests.begin(),
                                       kBrowserProviderDigests.end());
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

TEST_F(OpensslProviderTest, EveryOtherOperationIsTheDefaultProviders) {
  EXPECT_EQ(
      names_of<EVP_KEYMGMT>(browser_.context, EVP_KEYMGMT_do_all_provided, EVP_KEYMGMT_get0_name),
      names_of<EVP_KEYMGMT>(default_.context, EVP_KEYMGMT_do_all_provided, EVP_KEYMGMT_get0_name));
  EXPECT_EQ(names_of<EVP_SIGNATURE>(browser_.context, EVP_SIGNATURE_do_all_provided,
                                    EVP_SIGNATURE_get0_name),
            names_of<EVP_SIGNATURE>(default_.context, EVP_SIGNATURE_do_all_provided,
                                    EVP_SIGNATURE_get0_name));
  EXPECT_EQ(
      names_of<EVP_KEYEXCH>(browser_.context, EVP_KEYEXCH_do_all_provided, EVP_KEYEXCH_get0_name),
      names_of<EVP_KEYEXCH>(default_.context, EVP_KEYEXCH_do_all_provided, EVP_KEYEXCH_get0_name));
  EXPECT_EQ(names_of<EVP_KDF>(browser_.context, EVP_KDF_do_all_provided, EVP_KDF_get0_name),
            names_of<EVP_KDF>(default_.context, EVP_KDF_do_all_provided, EVP_KDF_get0_name));
  EXPECT_EQ(names_of<EVP_MAC>(browser_.context, EVP_MAC_do_all_provided, EVP_MAC_get0_name),
            names_of<EVP_MAC>(default_.context, EVP_MAC_do_all_provided, EVP_MAC_get0_name));
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
