#pragma once
// How the browser's programs set OpenSSL up, before anything else touches it. miniweb-browser
// does it as its OpenSSL module loads (browser/openssl/module.cpp); the window's program first
// thing in main.

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "browser/openssl/provider.hpp"

namespace miniweb::browser {

// - No cleanup at exit: OpenSSL would free every table it built, 0.2 ms at the end of each
//   page load; the kernel frees them with the process.
// - The host's openssl.cnf is not read (0.4 ms of each start, 0.45 ms off a warm page load
//   once the provider loading it does moves to first use): as Chromium with BoringSSL, the
//   browser's TLS policy is its own, set in code (tls_context.cpp and certificate_policy.cpp),
//   the same on every host.
// - No table of legacy cipher names: only EVP_get_cipherbyname reads it (encrypted PEM keys,
//   PKCS#12), which the browser never calls, and OpenSSL 3.0 copies all of it into its name
//   map at the first fetch of anything: 2.3 of the 15 million instructions a context's thread
//   ran (callgrind). TLS fetches its ciphers by name from the provider.
// - A table of legacy digest names holding only the digests a certificate's, a CRL's or an OCSP
//   response's signature can name that the browser judges: X509_verify and the security level's
//   check find the signature's digest through it (EVP_get_digestbynid), SHA-2 to accept, MD5
//   and SHA-1 to refuse as too weak rather than as unknown. OpenSSL's own table (every digest it
//   has, SHA-3, BLAKE2, SM3, Whirlpool... and their aliases) is copied into its name map at the
//   first fetch: 0.64 of the 3.4 million instructions of the context's making (callgrind).
// - The browser's provider in place of the default one (browser/openssl/provider.hpp).
// - Its error strings, when miniweb-browser's module loads it (WhenFirstRead): not until the
//   program first reads one (browser/openssl/module.cpp). OpenSSL loads all of them into its
//   table as a thread first uses its error queue, which SSL_CTX_new does: 1.06 million
//   instructions, 0.2 ms of the TLS context's head start. Only a failure's message reads them.
// - The random generators made on the thread that starts OpenSSL (OpenSSL's primary one, and
//   that thread's public and private ones): in miniweb-browser, before the head start's thread
//   begins the TLS context. The load's thread first used them for its ClientHello (its random,
//   and before the key share was made ahead, its key pair); made while the head start's thread
//   made the context, each waited for the other's locks (random bytes in 22 to 440 us, against
//   7 to 11 once made here).
enum class ErrorStrings { AsOpenSslDoes, WhenFirstRead };

inline void start_openssl(ErrorStrings error_strings = ErrorStrings::AsOpenSslDoes) {
  const bool later = error_strings == ErrorStrings::WhenFirstRead;
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG |
                          OPENSSL_INIT_NO_ADD_ALL_CIPHERS | OPENSSL_INIT_NO_ADD_ALL_DIGESTS |
                          (later ? OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS : 0),
                      nullptr);
  for (const EVP_MD* digest :
       {EVP_md5(), EVP_sha1(), EVP_sha224(), EVP_sha256(), EVP_sha384(), EVP_sha512()})
    EVP_add_digest(digest);
  if (later)
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_SSL_STRINGS | OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  load_browser_provider();
  // A failure shows where random bytes are used.
  unsigned char first_bytes[1];
  (void)RAND_bytes(first_bytes, sizeof first_bytes);
  (void)RAND_priv_bytes(first_bytes, sizeof first_bytes);
}

}  // namespace miniweb::browser
