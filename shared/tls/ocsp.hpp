#pragma once
// OCSP (RFC 6960) as its clients use it: the URL a certificate names for it, the request for
// one certificate, and the check of a response before anyone believes it. The server asks
// and staples the answer into its handshakes (RFC 6066 section 8); the browser checks the
// staple it is handed.

#include <openssl/x509.h>

#include <ctime>
#include <string>

#include "shared/result.hpp"

namespace miniweb::tls {

// The first OCSP URI of the certificate's Authority Information Access (RFC 5280 section
// 4.2.2.1); empty when it names none.
std::string ocsp_url_of(X509* cert);

// A DER OCSPRequest for `cert`, issued by `issuer`: its CertID with SHA-1 and no nonce, as
// RFC 5019 asks, so that a responder may answer from a cache.
Result<std::string> ocsp_request_for(X509* cert, X509* issuer);

// The CRLReason names of RFC 5280 section 5.3.1, "unspecified" to "aACompromise".
std::string revocation_reason_name(long code);

struct OcspVerdict {
  enum class Status { Good, Revoked, Unknown };
  Status status = Status::Unknown;
  std::time_t produced_at = 0;
  std::time_t this_update = 0;
  std::time_t next_update = 0;
  std::time_t revoked_at = 0;  // when Revoked
  long reason = -1;            // when Revoked: a CRLReason code, -1 when it gave none
};

// Checks a DER OCSPResponse about `cert`: a successful response, signed by `issuer` itself
// (a responder the issuer delegated to is not accepted: the stack's CA signs its own), with a
// single response for this certificate, with a nextUpdate, current at `now` within five minutes'
// leeway for the clocks. An Error says why it cannot be believed.
Result<OcspVerdict> check_ocsp_response(const std::string& der, X509* cert, X509* issuer,
                                        std::time_t now);

}  // namespace miniweb::tls
