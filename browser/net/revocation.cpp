#include "browser/net/revocation.hpp"

#include <ctime>
#include <optional>

#include "browser/net/certificate_text.hpp"
#include "shared/tls/ocsp.hpp"

namespace miniweb::browser {
namespace {

std::string time_text(std::time_t when) {
  tls::Asn1TimePtr time(ASN1_TIME_set(nullptr, when));
  return time ? browser::time_text(time.get()) : "an unreadable time";
}

// The staple's verdict, or nothing when there is no staple to believe (the trace says why):
// then the CRL decides, as without a staple.
std::optional<Result<std::string>> check_staple(SSL* ssl, X509* leaf, X509* issuer, Trace& trace) {
  const unsigned char* der = nullptr;
  const long length = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
  if (length <= 0 || !der) return std::nullopt;
  const std::string issuer_name = name_text(X509_get_subject_name(issuer));
  std::size_t step = trace.begin("ocsp", "the OCSP response the server stapled (" +
                                             std::to_string(length) + " bytes in the handshake)");
  auto verdict = tls::check_ocsp_response(
      std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length)), leaf,
      issuer, std::time(nullptr));
  if (!verdict) {
    trace.finish(step, "not believed: " + verdict.error().message + "; the CRL decides");
    return std::nullopt;
  }
  const std::string signed_by = "signed by " + issuer_name + ", produced " +
                                time_text(verdict->produced_at) + ", next update " +
                                time_text(verdict->next_update);
  switch (verdict->status) {
    case tls::OcspVerdict::Status::Good:
      trace.finish(step, "good, " + signed_by);
      return Result<std::string>("good, stapled OCSP response " + signed_by);
    case tls::OcspVerdict::Status::Revoked: {
      const std::string reason = tls::revocation_reason_name(verdict->reason);
      trace.finish(step, "revoked, " + signed_by);
      return Result<std::string>(
          make_error("the stapled OCSP response of " + issuer_name + " says revoked since " +
                     time_text(verdict->revoked_at) + " (reason " + reason + ")"));
    }
    case tls::OcspVerdict::Status::Unknown:
      break;
  }
  trace.finish(step, "unknown to the responder, " + signed_by + "; the CRL decides");
  return std::nullopt;
}

}  // namespace

void request_stapled_status(SSL* ssl) {
  SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
}

asio::awaitable<Result<std::string>> check_revocation(SSL* ssl, CrlCache& crls, Trace& trace) {
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (!chain || sk_X509_num(chain) < 2)
    co_return std::string("not checked (no issuer in the chain)");
  X509* leaf = sk_X509_value(chain, 0);
  X509* issuer = sk_X509_value(chain, 1);
  if (auto stapled = check_staple(ssl, leaf, issuer, trace)) co_return std::move(*stapled);
  co_return co_await crls.check(leaf, issuer, trace);
}

}  // namespace miniweb::browser
