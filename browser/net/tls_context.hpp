#pragma once
// The browser's TLS client context, and OpenSSL's own tables behind a handshake. OpenSSL 3
// builds its tables of algorithms lazily, each kind (ciphers, key exchanges, signatures, key
// derivations, decoders) at its first use: about 1.5 ms for the context and as much again
// inside the first handshake, on this team's machine. A page load over https starts building
// all of it on a thread of its own as the browser starts (prepare_client_context), while the
// profile is read, the name resolved and the TCP connection made; the first handshake takes
// the result, waiting only for what is not done yet.

#include <asio/ssl.hpp>

#include <filesystem>
#include <future>
#include <memory>

#include "shared/result.hpp"

namespace miniweb::browser {

enum class HttpVersions;

using ClientContext = Result<std::unique_ptr<asio::ssl::context>>;

// A context that trusts only `ca_file` (PEM), TLS 1.2 at least, verifying the peer, offering
// `versions` by ALPN. Then the algorithms of a TLS 1.3 handshake with the stack's servers are
// used once (an X25519 key share, the root's own ECDSA signature checked with SHA-256, the
// TLS 1.3 key derivation and HMAC), so that the handshake finds OpenSSL's tables built.
ClientContext build_client_context(const std::filesystem::path& ca_file, HttpVersions versions);

// build_client_context on a thread of its own; the future's destructor waits for it.
std::future<ClientContext> prepare_client_context(const std::filesystem::path& ca_file,
                                                  HttpVersions versions);

}  // namespace miniweb::browser
