#include "browser/net/crl_cache.hpp"

#include <openssl/x509v3.h>

#include "browser/net/certificate_text.hpp"
#include "shared/atomic_file.hpp"
#include "shared/read_file.hpp"
#include "shared/tls/ocsp.hpp"

namespace miniweb::browser {
namespace {

// The first URI of the certificate's CRL distribution points (RFC 5280 section 4.2.1.13).
std::string crl_url_of(X509* cert) {
  using DistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, tls::OpenSslDeleter<CRL_DIST_POINTS_free>>;
  DistPointsPtr points(static_cast<CRL_DIST_POINTS*>(
      X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr)));
  for (int i = 0; points && i < sk_DIST_POINT_num(points.get()); ++i) {
    const DIST_POINT* point = sk_DIST_POINT_value(points.get(), i);
    if (!point->distpoint || point->distpoint->type != 0) continue;
    const GENERAL_NAMES* names = point->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, j);
      if (name->type != GEN_URI) continue;
      const ASN1_STRING* uri = name->d.uniformResourceIdentifier;
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                         ASN1_STRING_length(uri));
    }
  }
  return "";
}

std::string revocation_reason(X509_REVOKED* entry) {
  using EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, tls::OpenSslDeleter<ASN1_ENUMERATED_free>>;
  EnumeratedPtr reason(static_cast<ASN1_ENUMERATED*>(
      X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nullptr, nullptr)));
  return tls::revocation_reason_name(reason ? ASN1_ENUMERATED_get(reason.get()) : 0);
}

// Where a CRL is kept in the profile: one DER file per URL.
std::filesystem::path crl_cache_file(const std::filesystem::path& profile, const std::string& url) {
  std::string name = url;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return profile / "crl" / (name + ".der");
}

bool crl_is_current(X509_CRL* crl) {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
  return next && X509_cmp_current_time(next) > 0;
}

// Only a CRL signed by the certificate's own issuer may be believed.
bool crl_signed_by(X509_CRL* crl, X509* issuer) {
  return X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) == 0 &&
         X509_CRL_verify(crl, X509_get0_pubkey(issuer)) == 1;
}

tls::X509CrlPtr parse_crl(const std::string& der_text) {
  const auto* der = reinterpret_cast<const unsigned char*>(der_text.data());
  return tls::X509CrlPtr(d2i_X509_CRL(nullptr, &der, static_cast<long>(der_text.size())));
}

}  // namespace

asio::awaitable<Result<X509_CRL*>> CrlCache::crl_for(const std::string& url_text, X509* issuer,
                                                     Trace& trace) {
  if (auto it = crls_.find(url_text); it != crls_.end()) {
    if (crl_is_current(it->second.get())) co_return it->second.get();
    crls_.erase(it);  // stale: fetch it again
  }
  // The profile keeps CRLs between runs, until their nextUpdate.
  if (!profile_dir_.empty()) {
    auto read = read_file(crl_cache_file(profile_dir_, url_text), ReadLock::Shared);
    const std::string der = read ? std::move(*read) : std::string();
    if (tls::X509CrlPtr cached = parse_crl(der);
        cached && crl_is_current(cached.get()) && crl_signed_by(cached.get(), issuer)) {
      std::size_t step = trace.begin("crl", "CRL " + url_text + " from the profile cache");
      trace.finish(step, "current until " + time_text(X509_CRL_get0_nextUpdate(cached.get())));
      X509_CRL* raw = cached.get();
      crls_[url_text] = std::move(cached);
      co_return raw;
    }
  }
  auto url = Url::parse(url_text);
  if (!url || url->scheme != "http")
    co_return make_error("the CRL URL " + url_text + " is not an http URL");
  std::size_t step = trace.begin("crl", "fetch the CRL " + url_text);
  auto response = co_await fetch_(*url, trace);
  if (!response)
    co_return make_error("cannot fetch the CRL " + url_text + ": " + response.error().message);
  if (response->status != 200)
    co_return make_error("the CRL " + url_text + " answered " + std::to_string(response->status));
  tls::X509CrlPtr crl = parse_crl(response->body);
  if (!crl) co_return make_error("the CRL " + url_text + " is not a DER CRL");
  if (!crl_signed_by(crl.get(), issuer))
    co_return make_error("the CRL " + url_text + " is not signed by the certificate's issuer");
  if (!crl_is_current(crl.get())) co_return make_error("the CRL " + url_text + " is out of date");
  trace.finish(step, "signed by " + name_text(X509_get_subject_name(issuer)) + ", next update " +
                         time_text(X509_CRL_get0_nextUpdate(crl.get())));
  if (!profile_dir_.empty()) {
    const auto file = crl_cache_file(profile_dir_, url_text);
    (void)write_file_atomically(file, response->body, kPublicFileMode, Durability::CacheOnly);
  }
  X509_CRL* raw = crl.get();
  crls_[url_text] = std::move(crl);
  co_return raw;
}

asio::awaitable<Result<std::string>> CrlCache::check(X509* leaf, X509* issuer, Trace& trace) {
  const std::string url = crl_url_of(leaf);
  if (url.empty()) co_return std::string("not checked (the certificate names no CRL)");
  auto crl = co_await crl_for(url, issuer, trace);
  if (!crl) co_return "unknown, " + crl.error().message + " (accepted, as browsers soft-fail)";
  X509_REVOKED* entry = nullptr;
  if (X509_CRL_get0_by_serial(*crl, &entry, X509_get0_serialNumber(leaf)) == 1 && entry) {
    co_return make_error("the CRL of " + name_text(X509_get_subject_name(issuer)) +
                         " lists this certificate since " +
                         time_text(X509_REVOKED_get0_revocationDate(entry)) + " (reason " +
                         revocation_reason(entry) + ")");
  }
  co_return "good, not listed in " + url;
}

}  // namespace miniweb::browser
