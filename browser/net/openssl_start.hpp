#pragma once
// How the browser's programs set OpenSSL up, before anything else touches it. miniweb-browser
// does it as its OpenSSL module loads (browser/openssl/module.cpp); the window's program first
// thing in main.

#include <openssl/crypto.h>

namespace miniweb::browser {

// - No cleanup at exit: OpenSSL would free every table it built, 0.2 ms at the end of each
//   page load; the kernel frees them with the process.
// - The host's openssl.cnf is not read (0.4 ms of each start, 0.45 ms off a warm page load
//   once the provider loading it does moves to first use): as Chromium with BoringSSL, the
//   browser's TLS policy is its own, set in code (tls_context.cpp and certificate_policy.cpp),
//   the same on every host.
inline void start_openssl() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT | OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
}

}  // namespace miniweb::browser
