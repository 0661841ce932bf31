#pragma once
// The CA's OCSP responder (RFC 6960), in the lightweight profile of RFC 5019: an OCSPRequest in
// DER, an OCSPResponse in DER out, signed by the issuing CA itself. The status of each
// certificate comes from the issuance database, read once per request, so a revocation (by
// ACME or by `miniweb-ca revoke`) is answered from the next request on.
//
// A plain function of bytes to bytes; the HTTP side (POST, the GET form, caching headers) is
// the plain-HTTP listener's (acme/service.cpp).

#include <cstddef>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/authority.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::ca {

// Single requests in one OCSPRequest. RFC 5019 section 2.1.1 asks clients for one; a server
// stapling asks about its own certificate. More is a request nobody needs, refused as
// malformedRequest before the database is read.
inline constexpr std::size_t kMaxOcspSingleRequests = 8;

// The largest request read: eight CertIDs with SHA-512 hashes and 20-octet serials, and a
// nonce, come to under 2 KiB. A larger one is refused before it is parsed, so that no request
// can make the signed answer (which repeats its CertIDs) large.
inline constexpr std::size_t kMaxOcspRequestBytes = 4096;

// thisUpdate to nextUpdate of every answer. A day: a revocation reaches a browser that trusts
// a staple within a day at most, while a web server that refreshes its staple at half-life
// keeps a current one through a CA restart or an outage of hours (the CA/Browser Forum's
// baseline requirements ask for at least 8 hours and at most 10 days, section 4.9.10).
inline constexpr std::time_t kOcspResponseLifetime = 24 * 60 * 60;

// What one request came to.
struct OcspAnswer {
  std::string der;  // the OCSPResponse, whatever its status
  // responseStatus successful: signed, and good to cache until next_update.
  bool successful = false;
  std::time_t this_update = 0;
  std::time_t next_update = 0;
  // For the CA's log: "successful 1A2B good" or "malformedRequest (not a DER OCSPRequest)".
  std::string summary;
};

class OcspResponder {
 public:
  // Answers for the certificates `authority` issues; it must outlive the responder. Throws
  // when OpenSSL cannot hash the issuer (a start-up failure: out of memory).
  explicit OcspResponder(const Authority& authority);

  // The response to one DER OCSPRequest, at `now` (thisUpdate; nextUpdate is now plus
  // kOcspResponseLifetime). Never fails: what cannot be answered gets the response status
  // RFC 6960 section 2.3 gives it.
  OcspAnswer answer(std::string_view request_der, std::time_t now) const;

 private:
  using CertIdPtr = std::unique_ptr<OCSP_CERTID, tls::OpenSslDeleter<OCSP_CERTID_free>>;

  bool names_our_issuer(OCSP_CERTID* id) const;

  const Authority& authority_;
  // The issuer's CertID under each hash a client may use: SHA-1 (RFC 5019 section 2.1.1) and
  // the SHA-2 family.
  std::vector<CertIdPtr> issuer_ids_;
};

// RFC 6960 appendix A.1: the GET form carries the DER request base64-encoded, then
// URL-encoded, as the path after the responder's URL. `encoded` is that part of the path; the
// DER, or nothing when it is not base64 of anything.
std::optional<std::string> decode_ocsp_get_path(std::string_view encoded);

}  // namespace miniweb::ca
