#pragma once
// The server's OpenSSL provider: OpenSSL's default provider, every algorithm as it offers it,
// but X25519's key manager, which hands a handshake a key pair made ahead
// (shared/openssl/key_share_ahead.hpp). The server makes the next one a millisecond after a
// handshake ends, once that connection's first requests are answered (Server::
// make_key_share_when_quiet): the ServerHello no longer waits for it, 0.57 of the 2 million
// instructions a resumed handshake ran before its ServerHello (callgrind), 0.04 ms of the 0.23
// between a browser's ClientHello and the server's answer on loopback. Made as a connection was
// accepted instead, it ran while the browser's two threads were busy making their first flight,
// and took as long from them as it gave (measured in turns).

#include <openssl/types.h>

namespace miniweb::server {

inline constexpr const char* kServerProviderName = "miniweb-server";

// Loads it into OpenSSL's default library context (or `library`), in place of the default
// provider OpenSSL would load at its first fetch: before anything fetches (main). nullptr if
// OpenSSL refused it: the default provider then loads as it would have, and nothing is made
// ahead.
OSSL_PROVIDER* load_server_provider(OSSL_LIB_CTX* library = nullptr);

}  // namespace miniweb::server
