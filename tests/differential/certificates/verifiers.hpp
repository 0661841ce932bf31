#pragma once
// The two verifiers the suite compares over one chain: `openssl verify` as the floor, and the
// browser's own TLS client (browser/net/tls_client) in a real handshake with `openssl s_server`
// serving the chain on loopback, since the browser verifies a chain only inside a handshake.

#include <cstdint>
#include <string>

#include "tests/differential/certificates/chain_factory.hpp"

namespace miniweb::differential {

struct Verdict {
  bool accepted = false;
  std::string detail;  // openssl's error line, or the browser's NET:: error and reason
};

// openssl verify -x509_strict -purpose sslserver -verify_hostname HOST -CAfile root.pem
//   [-untrusted untrusted.pem] leaf.pem
Verdict openssl_verify(const ChainFiles& files, const std::string& host);

// The browser's TlsClient, trusting only root.pem, in a handshake with `host` (SNI and the
// name check) against `openssl s_server` serving the leaf and its intermediates on
// address:port. A refusal counts only as a certificate refusal (the browser's exit code for
// certificates): any other failure of the handshake throws, so that a chain the server could
// not use is never mistaken for a chain the browser refused.
Verdict browser_verify(const ChainFiles& files, const std::string& host, const std::string& address,
                       std::uint16_t port);

}  // namespace miniweb::differential
