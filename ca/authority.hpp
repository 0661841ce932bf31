#pragma once
// The certificate authority: a root, an intermediate that signs, and the issuance database,
// all in one directory:
//
//   root.pem root.key               self-signed root, the browser's only trust anchor
//   intermediate.pem .key           signed by the root, pathlen:0; signs leaves, CRLs and OCSP
//   ca.json                         settings (base URL for the CRL, OCSP and AIA URLs)
//   db.json db.lock                 issuance database (see database.hpp)
//
// The library does the offline work; the command line (main.cpp) and, later, the ACME
// service call the same `issue`, `revoke` and `make_crl`.

#include <openssl/ocsp.h>

#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "ca/crypto.hpp"
#include "ca/database.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::ca {

// Longest leaf validity: the CA/Browser Forum limit (398 days) less a margin, as Let's
// Encrypt and most CAs apply it.
inline constexpr int kMaxLeafDays = 397;
inline constexpr int kDefaultLeafDays = 90;
inline constexpr int kMaxNamesPerCertificate = 100;
inline constexpr int kRootYears = 10;
inline constexpr int kIntermediateYears = 5;

struct InitOptions {
  KeyType key_type = KeyType::ec_p256;
  int rsa_bits = 2048;
  std::string root_name = "miniweb Root CA";
  std::string intermediate_name = "miniweb Intermediate CA";
  std::string base_url = "http://ca.test";
};

struct Settings {
  std::string base_url;  // no trailing slash
  std::string crl_url() const { return base_url + "/crl"; }
  std::string ocsp_url() const { return base_url + "/ocsp"; }
  std::string intermediate_url() const { return base_url + "/intermediate.der"; }
};

// Whether the validity period is current, or lies entirely in the past (for the badssl-style
// `expired.` demo host; never the default).
enum class ValidityWindow { current, expired };

struct IssueRequest {
  // Names to certify. With a CSR they may be empty (the CSR's names are used); otherwise the
  // CSR's names, if it has any, must equal these.
  std::vector<std::string> names;
  int days = kDefaultLeafDays;
  // The applicant's request; null to have the CA generate an ECDSA P-256 key pair.
  tls::X509ReqPtr csr;
  ValidityWindow window = ValidityWindow::current;
};

struct IssuedCertificate {
  std::string serial;  // as in the database
  std::vector<std::string> names;
  tls::X509Ptr certificate;
  std::string certificate_pem;
  std::string chain_pem;        // leaf + intermediate: what a server presents
  tls::EvpPkeyPtr private_key;  // only when the CA generated the key pair
};

class Authority {
 public:
  // Creates a new CA in `dir` (created if missing). Refuses when `dir` already holds one.
  static Result<Authority> init(const std::filesystem::path& dir, const InitOptions& options);
  // Loads an existing CA.
  static Result<Authority> open(const std::filesystem::path& dir);

  // Validates the request, signs a leaf with the intermediate, records it. Nothing is
  // recorded when anything fails.
  Result<IssuedCertificate> issue(IssueRequest request);

  // Marks a valid certificate revoked (now). The next CRL lists it.
  Status revoke(std::string_view serial, RevocationReason reason);

  // A v2 CRL signed by the intermediate (RFC 5280 §5): CRL number (one more than the last,
  // stored), AKI, thisUpdate = now, nextUpdate = now + days, and each revoked certificate
  // with its revocation date and reason code.
  Result<tls::X509CrlPtr> make_crl(int days);

  // Signs an OCSP response as the intermediate itself (RFC 6960 section 4.2.2.2: the CA that
  // issued the certificates, no delegated responder), SHA-256, responder ID by key hash,
  // without certificates: the client checks the signature with the issuer it already has.
  Status sign_ocsp_response(OCSP_BASICRESP* response) const;

  Result<std::vector<CertificateRecord>> list() const;
  Result<CertificateRecord> find(std::string_view serial) const;

  const Settings& settings() const { return settings_; }
  const std::filesystem::path& dir() const { return dir_; }
  X509* root() const { return root_.get(); }
  X509* intermediate() const { return intermediate_.get(); }
  const std::string& root_pem() const { return root_pem_; }
  const std::string& intermediate_pem() const { return intermediate_pem_; }

 private:
  Authority() = default;

  std::filesystem::path dir_;
  Settings settings_;
  tls::X509Ptr root_;
  tls::X509Ptr intermediate_;
  tls::EvpPkeyPtr intermediate_key_;
  std::string root_pem_;
  std::string intermediate_pem_;
};

// Checks a base URL can be written into certificates: http:// or https://, a host, and only
// characters that need no escaping.
Result<std::string> normalize_base_url(std::string_view url);

}  // namespace miniweb::ca
