#include "ca/ocsp_responder.hpp"

#include <openssl/ocsp.h>

#include <algorithm>
#include <stdexcept>

#include "ca/crypto.hpp"
#include "ca/database.hpp"
#include "shared/dns/base64.hpp"
#include "shared/url.hpp"

namespace miniweb::ca {

namespace {

using tls::openssl_error_text;
using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, tls::OpenSslDeleter<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, tls::OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, tls::OpenSslDeleter<OCSP_BASICRESP_free>>;

// RFC 8954 section 2.1: nonces are 1 to 32 octets, and a responder may answer a longer one
// without it; so a request cannot make the signed response as large as itself.
constexpr int kMaxNonceOctets = 32;

// The names of RFC 6960 section 4.2.1, for the log (OpenSSL's own are lower-case).
const char* response_status_name(int status) {
  switch (status) {
    case OCSP_RESPONSE_STATUS_SUCCESSFUL:
      return "successful";
    case OCSP_RESPONSE_STATUS_MALFORMEDREQUEST:
      return "malformedRequest";
    case OCSP_RESPONSE_STATUS_INTERNALERROR:
      return "internalError";
    case OCSP_RESPONSE_STATUS_UNAUTHORIZED:
      return "unauthorized";
    default:
      return "other";
  }
}

// A response that is only a status: RFC 6960 section 4.2.1 gives responseBytes to successful
// responses alone, so nothing is signed.
OcspAnswer refusal(int status, const std::string& why) {
  // What a failed parse or signature left in OpenSSL's queue is not the next request's error.
  ERR_clear_error();
  OcspResponsePtr response(OCSP_response_create(status, nullptr));
  OcspAnswer answer;
  if (response) answer.der = tls::to_der(response.get(), i2d_OCSP_RESPONSE);
  answer.summary = std::string(response_status_name(status)) + " (" + why + ")";
  return answer;
}

// Whether the request carries a nonce (RFC 6960 section 4.4.1) short enough to echo.
bool nonce_to_echo(OCSP_REQUEST* request) {
  const int index = OCSP_REQUEST_get_ext_by_NID(request, NID_id_pkix_OCSP_Nonce, -1);
  if (index < 0) return false;
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(request, index));
  // The extnValue is the nonce's own OCTET STRING: a tag and a length octet before it.
  return ASN1_STRING_length(value) <= kMaxNonceOctets + 2;
}

// One certificate's status from its record, as the CRL states it.
struct SingleStatus {
  int status = V_OCSP_CERTSTATUS_UNKNOWN;
  int reason = OCSP_REVOKED_STATUS_NOSTATUS;  // none given
  std::time_t revoked_at = 0;
};

SingleStatus status_of(const CertificateRecord* record, std::time_t now) {
  // RFC 6960 section 2.2: unknown for a serial this CA never issued.
  if (record == nullptr) return {};
  if (record->status != CertificateStatus::revoked) return {.status = V_OCSP_CERTSTATUS_GOOD};
  SingleStatus single{.status = V_OCSP_CERTSTATUS_REVOKED,
                      .revoked_at = record->revoked_at.value_or(now)};
  // The CRL's reason codes; an unspecified reason is left out, as the CRL leaves it out
  // (RFC 5280 section 5.3.1).
  const RevocationReason reason = record->reason.value_or(RevocationReason::unspecified);
  if (reason != RevocationReason::unspecified) single.reason = static_cast<int>(reason);
  return single;
}

}  // namespace

OcspResponder::OcspResponder(const Authority& authority) : authority_(authority) {
  for (const EVP_MD* digest : {EVP_sha1(), EVP_sha256(), EVP_sha384(), EVP_sha512()}) {
    // No subject: the CertID of the issuer alone, its name hash and key hash.
    CertIdPtr id(OCSP_cert_to_id(digest, nullptr, authority.intermediate()));
    if (!id) throw std::runtime_error("cannot hash the CA for OCSP: " + openssl_error_text());
    issuer_ids_.push_back(std::move(id));
  }
}

bool OcspResponder::names_our_issuer(OCSP_CERTID* id) const {
  // Compares the hash algorithm, the issuer name hash and the issuer key hash; the serial is
  // left to the database.
  return std::any_of(issuer_ids_.begin(), issuer_ids_.end(), [id](const CertIdPtr& ours) {
    return OCSP_id_issuer_cmp(ours.get(), id) == 0;
  });
}

OcspAnswer OcspResponder::answer(std::string_view request_der, std::time_t now) const {
  // 1. An OCSPRequest in DER with nothing after it (RFC 6960 section 4.1.1), asking about 1 to
  //    kMaxOcspSingleRequests certificates.
  if (request_der.empty()) {
    return refusal(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "not a DER OCSPRequest");
  }
  if (request_der.size() > kMaxOcspRequestBytes) {
    return refusal(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST,
                   std::to_string(request_der.size()) + " bytes; at most " +
                       std::to_string(kMaxOcspRequestBytes) + " are read");
  }
  const auto* start = reinterpret_cast<const unsigned char*>(request_der.data());
  const unsigned char* next = start;
  OcspRequestPtr request(d2i_OCSP_REQUEST(nullptr, &next, static_cast<long>(request_der.size())));
  if (!request || next != start + request_der.size()) {
    return refusal(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "not a DER OCSPRequest");
  }
  const int count = OCSP_request_onereq_count(request.get());
  if (count < 1 || count > static_cast<int>(kMaxOcspSingleRequests)) {
    return refusal(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST,
                   std::to_string(count) + " certificates asked about; at most " +
                       std::to_string(kMaxOcspSingleRequests) + " are answered");
  }

  // 2. Every certificate asked about has this CA's issuing certificate as its issuer. For any
  //    other this responder has no authoritative record: unauthorized (RFC 5019 section 2.2.3).
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id);
    // RFC 5280 section 4.1.2.2: no serial number is longer than 20 octets.
    if (serial == nullptr || ASN1_STRING_length(serial) > 20) {
      return refusal(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "a serial number of over 20 octets");
    }
    if (!names_our_issuer(id)) {
      return refusal(OCSP_RESPONSE_STATUS_UNAUTHORIZED, "a certificate of another issuer");
    }
  }

  // 3. Each status from the database, read once for all of them; thisUpdate and nextUpdate
  //    the same for all.
  auto state = Database(authority_.dir()).load();
  if (!state) return refusal(OCSP_RESPONSE_STATUS_INTERNALERROR, state.error().message);
  const std::time_t next_update = now + kOcspResponseLifetime;
  OcspBasicPtr basic(OCSP_BASICRESP_new());
  tls::Asn1TimePtr this_update_time(ASN1_TIME_set(nullptr, now));
  tls::Asn1TimePtr next_update_time(ASN1_TIME_set(nullptr, next_update));
  if (!basic || !this_update_time || !next_update_time) {
    return refusal(OCSP_RESPONSE_STATUS_INTERNALERROR, openssl_error_text());
  }
  std::string statuses;
  for (int i = 0; i < count; ++i) {
    OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), i));
    ASN1_INTEGER* serial = nullptr;
    OCSP_id_get0_info(nullptr, nullptr, nullptr, &serial, id);
    const std::string serial_text = serial != nullptr ? serial_hex(serial) : std::string();
    const SingleStatus single = status_of(state->find(serial_text), now);
    tls::Asn1TimePtr revoked_at;
    if (single.status == V_OCSP_CERTSTATUS_REVOKED) {
      revoked_at.reset(ASN1_TIME_set(nullptr, single.revoked_at));
    }
    // The response's CertID is the request's, hash algorithm included: the client matches
    // them (RFC 6960 section 3.2).
    if (OCSP_basic_add1_status(basic.get(), id, single.status, single.reason, revoked_at.get(),
                               this_update_time.get(), next_update_time.get()) == nullptr) {
      return refusal(OCSP_RESPONSE_STATUS_INTERNALERROR, openssl_error_text());
    }
    statuses += " " + serial_text + " " + OCSP_cert_status_str(single.status);
    if (single.reason != OCSP_REVOKED_STATUS_NOSTATUS) {
      statuses += std::string(" (") + OCSP_crl_reason_str(single.reason) + ")";
    }
  }

  // 4. The nonce echoed, then the signature of the issuing CA itself.
  if (nonce_to_echo(request.get()) && OCSP_copy_nonce(basic.get(), request.get()) <= 0) {
    return refusal(OCSP_RESPONSE_STATUS_INTERNALERROR, openssl_error_text());
  }
  if (auto signed_ok = authority_.sign_ocsp_response(basic.get()); !signed_ok) {
    return refusal(OCSP_RESPONSE_STATUS_INTERNALERROR, signed_ok.error().message);
  }
  OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  OcspAnswer answer;
  if (response) answer.der = tls::to_der(response.get(), i2d_OCSP_RESPONSE);
  if (answer.der.empty()) return refusal(OCSP_RESPONSE_STATUS_INTERNALERROR, openssl_error_text());
  answer.successful = true;
  answer.this_update = now;
  answer.next_update = next_update;
  answer.summary = response_status_name(OCSP_RESPONSE_STATUS_SUCCESSFUL) + statuses;
  return answer;
}

std::optional<std::string> decode_ocsp_get_path(std::string_view encoded) {
  // Clients differ in what they escape ('/', '+' and '=' are often left as they are):
  // percent-decoding first takes either.
  auto bytes = dns::base64_decode(percent_decode(encoded));
  if (!bytes || bytes->empty()) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace miniweb::ca
