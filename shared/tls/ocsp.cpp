#include "shared/tls/ocsp.hpp"

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <memory>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::tls {
namespace {

using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, OpenSslDeleter<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, OpenSslDeleter<OCSP_BASICRESP_free>>;
using OcspCertIdPtr = std::unique_ptr<OCSP_CERTID, OpenSslDeleter<OCSP_CERTID_free>>;
using AccessPtr =
    std::unique_ptr<AUTHORITY_INFO_ACCESS, OpenSslDeleter<AUTHORITY_INFO_ACCESS_free>>;
// sk_X509_free is a macro: a stack that owns none of its certificates.
struct CertStackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using CertStackPtr = std::unique_ptr<STACK_OF(X509), CertStackDeleter>;

// Five minutes either way, for clocks that disagree (OpenSSL's own `ocsp` uses the same).
constexpr std::time_t kClockLeeway = 5 * 60;

std::time_t seconds_of(const ASN1_GENERALIZEDTIME* time) {
  std::tm parts{};
  if (!time || ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return timegm(&parts);
}

}  // namespace

std::string ocsp_url_of(X509* cert) {
  AccessPtr access(static_cast<AUTHORITY_INFO_ACCESS*>(
      X509_get_ext_d2i(cert, NID_info_access, nullptr, nullptr)));
  for (int i = 0; access && i < sk_ACCESS_DESCRIPTION_num(access.get()); ++i) {
    const ACCESS_DESCRIPTION* entry = sk_ACCESS_DESCRIPTION_value(access.get(), i);
    if (OBJ_obj2nid(entry->method) != NID_ad_OCSP || entry->location->type != GEN_URI) continue;
    const ASN1_STRING* uri = entry->location->d.uniformResourceIdentifier;
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                       static_cast<std::size_t>(ASN1_STRING_length(uri)));
  }
  return "";
}

Result<std::string> ocsp_request_for(X509* cert, X509* issuer) {
  OcspRequestPtr request(OCSP_REQUEST_new());
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
  if (!request || !id || !OCSP_request_add0_id(request.get(), id)) {
    OCSP_CERTID_free(id);
    return make_error("cannot build an OCSP request");
  }
  std::string der = to_der(request.get(), i2d_OCSP_REQUEST);
  if (der.empty()) return make_error("cannot encode an OCSP request");
  return der;
}

std::string revocation_reason_name(long code) {
  static constexpr const char* kReasons[] = {
      "unspecified",   "keyCompromise",        "cACompromise",    "affiliationChanged",
      "superseded",    "cessationOfOperation", "certificateHold", "unused",
      "removeFromCRL", "privilegeWithdrawn",   "aACompromise"};
  return code >= 0 && code <= 10 ? kReasons[code] : "unknown";
}

Result<OcspVerdict> check_ocsp_response(const std::string& der, X509* cert, X509* issuer,
                                        std::time_t now) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &bytes, static_cast<long>(der.size())));
  if (!response) return make_error("not a DER OCSP response");
  if (const int status = OCSP_response_status(response.get());
      status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return make_error(std::string("the responder answered ") + OCSP_response_status_str(status));
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) return make_error("the OCSP response holds no basic response");

  // The signer must be the issuer, found among `signers` alone (OCSP_NOINTERN: never a
  // certificate the response brings along), and is then trusted as the issuer already is.
  CertStackPtr signers(sk_X509_new_null());
  if (!signers || !sk_X509_push(signers.get(), issuer))
    return make_error("cannot check the OCSP response's signature");
  X509StorePtr unused_store(X509_STORE_new());
  if (OCSP_basic_verify(basic.get(), signers.get(), unused_store.get(),
                        OCSP_NOINTERN | OCSP_TRUSTOTHER) != 1)
    return make_error("the OCSP response is not signed by the certificate's issuer");

  // The responder answers with the CertID it was asked with: SHA-1 from us, maybe SHA-256.
  int index = -1;
  for (const EVP_MD* digest : {EVP_sha1(), EVP_sha256()}) {
    OcspCertIdPtr id(OCSP_cert_to_id(digest, cert, issuer));
    if (id && (index = OCSP_resp_find(basic.get(), id.get(), -1)) >= 0) break;
  }
  if (index < 0) return make_error("the OCSP response is about another certificate");
  OCSP_SINGLERESP* single = OCSP_resp_get0(basic.get(), index);

  OcspVerdict verdict;
  int reason = -1;
  ASN1_GENERALIZEDTIME *revoked_at = nullptr, *this_update = nullptr, *next_update = nullptr;
  const int status =
      OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
  verdict.produced_at = seconds_of(OCSP_resp_get0_produced_at(basic.get()));
  verdict.this_update = seconds_of(this_update);
  verdict.next_update = seconds_of(next_update);
  if (verdict.this_update == 0) return make_error("the OCSP response has no valid thisUpdate");
  if (verdict.this_update > now + kClockLeeway)
    return make_error("the OCSP response is from the future");
  // RFC 5019 section 2.2.4: a response without nextUpdate could be stale the moment it is made.
  if (verdict.next_update == 0) return make_error("the OCSP response names no nextUpdate");
  if (verdict.next_update < now - kClockLeeway)
    return make_error("the OCSP response is out of date");
  switch (status) {
    case V_OCSP_CERTSTATUS_GOOD:
      verdict.status = OcspVerdict::Status::Good;
      break;
    case V_OCSP_CERTSTATUS_REVOKED:
      verdict.status = OcspVerdict::Status::Revoked;
      verdict.revoked_at = seconds_of(revoked_at);
      verdict.reason = reason;
      break;
    default:
      verdict.status = OcspVerdict::Status::Unknown;
  }
  return verdict;
}

}  // namespace miniweb::tls
