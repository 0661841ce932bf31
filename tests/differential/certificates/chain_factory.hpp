#pragma once
// Certificate chains made for the differential suite with OpenSSL's C API: a root, its
// intermediates and a leaf, each described by a plain value (key, names, dates, extensions,
// digest) that a case changes in one place, written as PEM files into a folder of the test's.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace miniweb::differential {

enum class KeyKind { EcP256, Rsa1024, Rsa1536, Rsa2048, Dsa2048 };

struct CertificateSpec {
  std::string common_name;
  KeyKind key = KeyKind::EcP256;
  // X509V3 configuration values by NID ("critical,CA:TRUE"), as openssl.cnf spells them.
  std::map<int, std::string> extensions;
  // A critical extension of a private OID nobody implements (RFC 5280 section 4.2: a verifier
  // that does not recognise a critical extension MUST reject the certificate).
  bool unknown_critical_extension = false;
  int not_before_days = -1;  // validity, in days from now
  int not_after_days = 90;
  std::string digest = "SHA256";     // the issuer's signature over this certificate
  bool flip_signature_byte = false;  // a byte of the signature value changed after signing
};

// Who signs the chain's top certificate, and who the verifiers trust.
enum class Anchor {
  TrustedRoot,    // the root the verifiers are given
  UntrustedRoot,  // another root of the same shape, not given to the verifiers
  LeafItself,     // no chain: the leaf signs itself
};

struct ChainSpec {
  std::string host;  // the name the verifiers check
  CertificateSpec root;
  std::vector<CertificateSpec> intermediates;  // the first is signed by the root
  CertificateSpec leaf;                        // signed by the last intermediate
  Anchor anchor = Anchor::TrustedRoot;
};

// A chain as the stack's CA issues one: a P-256 root and intermediate, a P-256 leaf for
// www.diffcert.test with serverAuth, digitalSignature, SKID/AKID, valid from yesterday for 90
// days, all signed with SHA-256.
ChainSpec good_chain();

// The files both verifiers read.
struct ChainFiles {
  std::filesystem::path trusted_root;   // root.pem: the only trust anchor
  std::filesystem::path intermediates;  // untrusted.pem: what the server sends after its leaf
  std::filesystem::path leaf;           // leaf.pem
  std::filesystem::path leaf_key;       // leaf.key (PKCS#8 PEM)
  bool has_intermediates = false;
};

// Issues `spec` into `dir` (created). Keys are made once per role and kind and kept for the
// process, so that a suite of twenty chains costs a few RSA key generations. Throws
// std::runtime_error with OpenSSL's reason when OpenSSL cannot build what was asked.
ChainFiles write_chain(const ChainSpec& spec, const std::filesystem::path& dir);

}  // namespace miniweb::differential
