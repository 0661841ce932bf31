#pragma once
// The TLS 1.3 cipher suites, in one order for the web server and the browser.

namespace miniweb::tls {

// AES-128-GCM first, then AES-256-GCM, then ChaCha20-Poly1305: the order Chromium offers on a
// CPU with AES instructions, and the one Caddy (Go's crypto/tls) prefers there; nginx, whose
// default leaves the choice to the client, agrees AES-128-GCM with Chromium. OpenSSL's own
// default puts AES-256-GCM first, whose SHA-384 key schedule and transcript cost a handshake
// more than SHA-256 (which has its own instructions on x86-64) and buy no strength a 128-bit
// curve (X25519, P-256) leaves to gain. The server picks by this order (it keeps the choice, as
// for TLS 1.2); the browser offers it.
inline constexpr const char* kTls13CipherSuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

}  // namespace miniweb::tls
