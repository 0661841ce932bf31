#pragma once
// Revocation as browsers checked it before CRLite: the leaf's CRL (RFC 5280 section 6.3),
// fetched over plain HTTP from the URL the certificate names, believed only when its issuer
// signed it, and kept until its nextUpdate, in memory and in the profile (one DER file a URL).

#include <openssl/x509.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/message.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

class CrlCache {
 public:
  // Fetches a CRL: the loader's own GET (no cookies, as browsers send none with these).
  using Fetch = std::function<asio::awaitable<Result<http::Response>>(const Url&, Trace&)>;

  // `profile_dir` empty: in memory only.
  CrlCache(std::filesystem::path profile_dir, Fetch fetch)
      : profile_dir_(std::move(profile_dir)), fetch_(std::move(fetch)) {}

  // Checks a verified chain's leaf against its issuer's CRL. An Error means refuse (it is
  // revoked); a string is what the trace says, "unknown" included when the CRL cannot be had
  // (a soft fail, as browsers do).
  asio::awaitable<Result<std::string>> check(X509* leaf, X509* issuer, Trace& trace);

 private:
  asio::awaitable<Result<X509_CRL*>> crl_for(const std::string& url, X509* issuer, Trace& trace);

  std::filesystem::path profile_dir_;
  Fetch fetch_;
  std::map<std::string, tls::X509CrlPtr> crls_;  // by URL, kept until nextUpdate
};

}  // namespace miniweb::browser
