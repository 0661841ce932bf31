#include "tests/differential/certificates/certificate_cases.hpp"

#include <openssl/objects.h>

namespace miniweb::differential {
namespace {

constexpr auto kAccept = Expect::Accept;
constexpr auto kRefuse = Expect::Refuse;

// The names a browser gives its refusals (Chromium's net_error_list.h).
const std::string kDate = "NET::ERR_CERT_DATE_INVALID";
const std::string kName = "NET::ERR_CERT_COMMON_NAME_INVALID";
const std::string kAuthority = "NET::ERR_CERT_AUTHORITY_INVALID";
const std::string kInvalid = "NET::ERR_CERT_INVALID";
const std::string kWeakKey = "NET::ERR_CERT_WEAK_KEY";
const std::string kWeakSignature = "NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM";

void set_names(ChainSpec& chain, const std::string& san, const std::string& host) {
  chain.leaf.extensions[NID_subject_alt_name] = san;
  chain.host = host;
}

CertificateSpec& intermediate(ChainSpec& chain) {
  return chain.intermediates.front();
}

std::vector<CertificateCase> make_cases() {
  return {
      // The control: both must accept it, or the suite proves nothing about refusals.
      {"Good", [](ChainSpec&) {}, kAccept, kAccept, "", "as the stack's CA issues"},
      {"GoodWildcard",
       [](ChainSpec& c) { set_names(c, "DNS:*.diffcert.test", "www.diffcert.test"); }, kAccept,
       kAccept, "", "a wildcard as the whole leftmost label matches one label (RFC 6125 6.4.3)"},

      // Dates (RFC 5280 section 6.1.3 (a)(2)).
      {"Expired",
       [](ChainSpec& c) {
         c.leaf.not_before_days = -400;
         c.leaf.not_after_days = -10;
       },
       kRefuse, kRefuse, kDate, "notAfter passed"},
      {"NotYetValid",
       [](ChainSpec& c) {
         c.leaf.not_before_days = 10;
         c.leaf.not_after_days = 100;
       },
       kRefuse, kRefuse, kDate, "notBefore to come"},
      {"IntermediateExpired",
       [](ChainSpec& c) {
         intermediate(c).not_before_days = -400;
         intermediate(c).not_after_days = -10;
       },
       kRefuse, kRefuse, kDate, "the intermediate's notAfter passed"},

      // Names (RFC 6125 section 6.4).
      {"SanMismatch",
       [](ChainSpec& c) { set_names(c, "DNS:other.diffcert.test", "www.diffcert.test"); }, kRefuse,
       kRefuse, kName, "subjectAltName names another host"},
      {"WildcardOverTopLevelLabel", [](ChainSpec& c) { set_names(c, "DNS:*.test", "a.test"); },
       kRefuse, kRefuse, kName, "*.test: a wildcard needs two labels after it"},
      {"WildcardNotLeftmost",
       [](ChainSpec& c) { set_names(c, "DNS:a.*.diffcert.test", "a.b.diffcert.test"); }, kRefuse,
       kRefuse, kName, "a.*.diffcert.test: a wildcard only in the leftmost label"},
      {"WildcardTwoLevelsDeep",
       [](ChainSpec& c) { set_names(c, "DNS:*.diffcert.test", "a.www.diffcert.test"); }, kRefuse,
       kRefuse, kName, "*.diffcert.test matches one label, not two"},
      {"WildcardPartialLabel",
       [](ChainSpec& c) { set_names(c, "DNS:w*.diffcert.test", "www.diffcert.test"); }, kAccept,
       kRefuse, kName,
       "w*.diffcert.test: openssl verify matches partial-label wildcards (RFC 6125 6.4.3 allows "
       "them); the Baseline Requirements' Wildcard Domain Name (section 1.6.1) is '*.' and a "
       "domain name, and Chromium matches '*' only as the whole leftmost label"},
      {"CommonNameOnly", [](ChainSpec& c) { c.leaf.extensions.erase(NID_subject_alt_name); },
       kAccept, kRefuse, kName,
       "no subjectAltName: openssl falls back to the subject's CN (RFC 6125 6.4.4); Baseline "
       "Requirements 7.1.2.7.12 require subjectAltName and Chromium 58 dropped the CN fallback"},

      // Purpose (RFC 5280 sections 4.2.1.3, 4.2.1.12).
      {"ExtendedKeyUsageClientOnly",
       [](ChainSpec& c) { c.leaf.extensions[NID_ext_key_usage] = "clientAuth"; }, kRefuse, kRefuse,
       kInvalid, "extendedKeyUsage without serverAuth"},
      {"IntermediateExtendedKeyUsageClientOnly",
       [](ChainSpec& c) { intermediate(c).extensions[NID_ext_key_usage] = "clientAuth"; }, kRefuse,
       kRefuse, kInvalid, "the intermediate's extendedKeyUsage excludes serverAuth"},
      {"KeyUsageCertSignOnly",
       [](ChainSpec& c) { c.leaf.extensions[NID_key_usage] = "critical,keyCertSign"; }, kRefuse,
       kRefuse, kInvalid, "a leaf whose key may only sign certificates"},
      {"EcdsaKeyUsageWithoutDigitalSignature",
       [](ChainSpec& c) { c.leaf.extensions[NID_key_usage] = "critical,keyAgreement"; }, kAccept,
       kRefuse, kInvalid,
       "ECDSA leaf with keyAgreement only: openssl's sslserver purpose takes any of "
       "digitalSignature, keyEncipherment, keyAgreement; a TLS 1.3 server signs, so "
       "digitalSignature MUST be set (RFC 8446 4.4.2.2), and BoringSSL (Chromium) refuses an "
       "ECDSA leaf without it (ssl_cert_check_key_usage)"},

      // Keys (Baseline Requirements section 6.1.5: RSA moduli of 2048 bits at least).
      {"LeafRsa1024", [](ChainSpec& c) { c.leaf.key = KeyKind::Rsa1024; }, kAccept, kRefuse,
       kWeakKey,
       "RSA 1024: openssl verify checks no key size; Baseline Requirements 6.1.5 and Chromium "
       "(ERR_CERT_WEAK_KEY) want 2048 bits"},
      {"LeafRsa1536", [](ChainSpec& c) { c.leaf.key = KeyKind::Rsa1536; }, kAccept, kRefuse,
       kWeakKey, "RSA 1536, under 2048 bits: Baseline Requirements 6.1.5, Chromium"},
      {"IntermediateRsa1024", [](ChainSpec& c) { intermediate(c).key = KeyKind::Rsa1024; }, kAccept,
       kRefuse, kWeakKey, "an intermediate's RSA 1024: Baseline Requirements 6.1.5"},
      {"LeafRsa2048", [](ChainSpec& c) { c.leaf.key = KeyKind::Rsa2048; }, kAccept, kAccept, "",
       "RSA 2048, the smallest size allowed (the weak-key rule's other side)"},
      {"IntermediateDsa", [](ChainSpec& c) { intermediate(c).key = KeyKind::Dsa2048; }, kAccept,
       kRefuse, kAuthority,
       "an intermediate's DSA 2048 key: openssl verify takes DSA; no TLS 1.3 handshake is signed "
       "with one (RFC 8446 4.2.3), Chromium takes RSA and ECDSA keys only, and the browser's "
       "provider decodes no DSA key"},

      // Signatures (RFC 5280 section 6.1.3 (a)(1)).
      {"LeafSignatureFlipped", [](ChainSpec& c) { c.leaf.flip_signature_byte = true; }, kRefuse,
       kRefuse, kInvalid, "a byte of the leaf's signature changed"},
      {"IntermediateSignatureFlipped",
       [](ChainSpec& c) { intermediate(c).flip_signature_byte = true; }, kRefuse, kRefuse, kInvalid,
       "a byte of the intermediate's signature changed"},
      {"LeafSha1", [](ChainSpec& c) { c.leaf.digest = "SHA1"; }, kAccept, kRefuse, kWeakSignature,
       "ecdsa-with-SHA1: openssl verify checks no digest strength; Baseline Requirements 7.1.3.2 "
       "forbid SHA-1 and Chromium 57 refuses it (ERR_CERT_WEAK_SIGNATURE_ALGORITHM)"},
      {"IntermediateSha1", [](ChainSpec& c) { intermediate(c).digest = "SHA1"; }, kAccept, kRefuse,
       kWeakSignature, "the root's SHA-1 signature over the intermediate: as LeafSha1"},
      {"LeafMd5UnderRsaIntermediate",
       [](ChainSpec& c) {
         intermediate(c).key = KeyKind::Rsa2048;
         c.leaf.digest = "MD5";
       },
       kAccept, kRefuse, kWeakSignature,
       "md5WithRSAEncryption: collisions since 2004 (RFC 6151); Chromium refuses MD5 "
       "(ERR_CERT_WEAK_SIGNATURE_ALGORITHM)"},

      // Paths (RFC 5280 section 6.1.4 (k), (l), (m)).
      {"PathLengthExceeded",
       [](ChainSpec& c) {
         CertificateSpec second = intermediate(c);
         second.common_name = "Diffcert Second Intermediate";
         second.extensions[NID_basic_constraints] = "critical,CA:TRUE";
         c.intermediates.push_back(second);
       },
       kRefuse, kRefuse, kInvalid, "pathlen:0 followed by another CA"},
      {"IntermediateNotCa",
       [](ChainSpec& c) {
         intermediate(c).extensions[NID_basic_constraints] = "critical,CA:FALSE";
       },
       kRefuse, kRefuse, kInvalid, "the intermediate says CA:FALSE"},
      {"IntermediateWithoutBasicConstraints",
       [](ChainSpec& c) { intermediate(c).extensions.erase(NID_basic_constraints); }, kRefuse,
       kRefuse, kInvalid, "the intermediate has no basicConstraints"},
      {"SelfSignedLeaf", [](ChainSpec& c) { c.anchor = Anchor::LeafItself; }, kRefuse, kRefuse,
       kAuthority, "the leaf signs itself"},
      {"UntrustedRoot", [](ChainSpec& c) { c.anchor = Anchor::UntrustedRoot; }, kRefuse, kRefuse,
       kAuthority, "the chain ends at a root the verifiers do not trust"},

      // Extensions (RFC 5280 section 4.2).
      {"LeafUnknownCriticalExtension",
       [](ChainSpec& c) { c.leaf.unknown_critical_extension = true; }, kRefuse, kRefuse, kInvalid,
       "a critical extension nobody knows, in the leaf"},
      {"IntermediateUnknownCriticalExtension",
       [](ChainSpec& c) { intermediate(c).unknown_critical_extension = true; }, kRefuse, kRefuse,
       kInvalid, "a critical extension nobody knows, in the intermediate"},

      // What -x509_strict adds (RFC 5280's MUSTs that OpenSSL checks only when strict).
      {"IntermediateBasicConstraintsNotCritical",
       [](ChainSpec& c) {
         intermediate(c).extensions[NID_basic_constraints] = "CA:TRUE,pathlen:0";
       },
       kRefuse, kRefuse, kInvalid, "a CA's basicConstraints MUST be critical (RFC 5280 4.2.1.9)"},
      {"LeafWithoutAuthorityKeyIdentifier",
       [](ChainSpec& c) { c.leaf.extensions.erase(NID_authority_key_identifier); }, kRefuse,
       kRefuse, kInvalid, "authorityKeyIdentifier MUST be present (RFC 5280 4.2.1.1)"},
      {"IssuerWithoutSubjectKeyIdentifier",
       [](ChainSpec& c) {
         intermediate(c).extensions.erase(NID_subject_key_identifier);
         c.leaf.extensions[NID_authority_key_identifier] = "issuer:always";
       },
       kRefuse, kRefuse, kInvalid,
       "the intermediate has no subjectKeyIdentifier (RFC 5280 4.2.1.2), so the leaf's AKID "
       "has no keyIdentifier (4.2.1.1); strict openssl flags the leaf first"},
      {"LeafKeyCertSignWithoutCa",
       [](ChainSpec& c) {
         c.leaf.extensions[NID_key_usage] = "critical,digitalSignature,keyCertSign";
       },
       kRefuse, kRefuse, kInvalid, "keyCertSign in a certificate that is not a CA (4.2.1.3)"},
  };
}

}  // namespace

const std::vector<CertificateCase>& certificate_cases() {
  static const std::vector<CertificateCase> cases = make_cases();
  return cases;
}

ChainSpec combined_chain(const CertificateCase& a, const CertificateCase& b) {
  ChainSpec chain = good_chain();
  a.change(chain);
  b.change(chain);
  return chain;
}

}  // namespace miniweb::differential
