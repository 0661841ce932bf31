#pragma once
// What the ACME client needs to know about certificates: the request it sends (a CSR, RFC 2986,
// names in subjectAltName), what a stored chain certifies and until when, and whether it is
// due for renewal.

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {

// DER of a CSR for `names` (the first is also the CN), signed by `key`.
Result<std::string> make_csr_der(const std::vector<std::string>& names, EVP_PKEY* key);

struct CertificateInfo {
  std::string serial;  // hex
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  std::vector<std::string> names;  // DNS subjectAltNames
};

// A certificate's serial number in hex, as the CA's database and logs write it.
std::string serial_hex(const X509* certificate);

// The leaf (first certificate) of a PEM chain.
Result<CertificateInfo> inspect_chain_pem(const std::string& chain_pem);

// Reads the chain and key files of a site and checks that they belong together, certify every
// one of `names` and have not expired. Anything else is an error saying what is wrong.
Result<CertificateInfo> check_stored_certificate(const std::filesystem::path& chain,
                                                 const std::filesystem::path& key,
                                                 const std::vector<std::string>& names);

// Let's Encrypt's and Caddy's rule: renew once less than `window_ratio` of the lifetime remains.
bool due_for_renewal(const CertificateInfo& info, double window_ratio, std::time_t now);

// When that point comes.
std::time_t renewal_time(const CertificateInfo& info, double window_ratio);

}  // namespace miniweb::server
