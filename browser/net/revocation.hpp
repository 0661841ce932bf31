#pragma once
// Whether the server's certificate is revoked: the OCSP response the server stapled into the
// handshake first (RFC 6066 section 8), believed only when the certificate's issuer signed it,
// it is about this certificate, and it is current; without one, the issuer's CRL (crl_cache).
// A staple that cannot be believed, or says "unknown", is set aside and the CRL decides, as
// when there is none: the certificate is still checked. (Firefox refuses the connection
// instead, unless the staple has only expired; it also takes responses from a responder the
// issuer delegated to, which the stack's CA never uses and this check does not accept.)

#include <openssl/ssl.h>

#include <string>

#include "browser/net/crl_cache.hpp"
#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

// Asks for a staple in the handshake that `ssl` is about to make.
void request_stapled_status(SSL* ssl);

// After a verified handshake. An Error means refuse (it is revoked); a string is the verdict
// the trace and the page's security information show.
asio::awaitable<Result<std::string>> check_revocation(SSL* ssl, CrlCache& crls, Trace& trace);

}  // namespace miniweb::browser
