#pragma once
// The OpenSSL 3 operations the CA needs, each wrapped to return owning pointers and errors as
// values. EVP APIs only.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::ca {

enum class KeyType { ec_p256, rsa };

// RSA moduli the CA accepts, in its own keys and in CSRs. The upper bound keeps a CSR from
// costing minutes of CPU.
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

Result<tls::EvpPkeyPtr> generate_key(KeyType type, int rsa_bits = kMinRsaBits);

// Accepts RSA keys of kMinRsaBits..kMaxRsaBits and EC keys on P-256 or P-384 (the keys the
// CA/Browser Forum baseline requirements allow, §6.1.5), and checks the public key is well
// formed (a point on the curve, a sane modulus).
Status check_public_key(EVP_PKEY* key);

// CSR parsing (PKCS #10, RFC 2986). Refuses trailing data and oversized input.
Result<tls::X509ReqPtr> parse_csr_pem(std::string_view pem);
Result<tls::X509ReqPtr> parse_csr_der(std::span<const std::uint8_t> der);

// Verifies the CSR is signed by the key it carries (proof of possession) and that the key is
// acceptable to check_public_key.
Status verify_csr(X509_REQ* csr);

// The DNS names a CSR asks for: its subject commonName, if any, then the dNSName entries of
// its extensionRequest subjectAltName, as written (not yet validated).
Result<std::vector<std::string>> csr_names(X509_REQ* csr);

// A serial number for a new certificate: 16 random octets from the CSPRNG with the top bit
// cleared (so the DER INTEGER is positive) and not zero: 127 bits of entropy, beyond the 64
// the CA/Browser Forum requires (§7.1) and within RFC 5280's 20 octets (§4.1.2.2).
Result<tls::Asn1IntegerPtr> random_serial();

// Upper-case hex of whole octets, as `openssl x509 -serial` prints it (BN_bn2hex).
std::string serial_hex(const ASN1_INTEGER* serial);

// "CN=www.example.test,O=miniweb" (RFC 2253 order and escaping).
std::string name_text(const X509_NAME* name);

std::string certificate_pem(X509* certificate);
std::string crl_pem(X509_CRL* crl);
std::string crl_der(X509_CRL* crl);

Result<tls::X509Ptr> parse_certificate_pem(std::string_view pem);
Result<tls::X509Ptr> read_certificate(const std::filesystem::path& path);

// PKCS #8 PEM, unencrypted, written with write_file_atomically in mode 0600; the serialized key
// is wiped from memory afterwards.
Status write_private_key(const std::filesystem::path& path, EVP_PKEY* key);
Result<tls::EvpPkeyPtr> read_private_key(const std::filesystem::path& path);

}  // namespace miniweb::ca
