#pragma once
// How the browser's programs set OpenSSL up, before anything else touches it. miniweb-browser
// does it as its OpenSSL module loads (browser/openssl/module.cpp); the window's program first
// thing in main.

#include <openssl/crypto.h>

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
//   ran (callgrind). TLS fetches its ciphers by name from the provider. The digests' table
//   stays: X509_verify finds the signature's digest through it.
// - The browser's provider in place of the default one (browser/openssl/provider.hpp).
inline void start_openssl() {
  OPENSSL_init_crypto(
      OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS,
      nullptr);
  load_browser_provider();
}

}  // namespace miniweb::browser
