#include "tests/differential/certificates/chain_factory.hpp"

#include <openssl/dsa.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <stdexcept>
#include <utility>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::differential {
namespace {

using tls::BioPtr;
using tls::EvpPkeyPtr;
using tls::X509ExtensionPtr;
using tls::X509Ptr;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + tls::openssl_error_text());
}

// DSA: parameters first (2048-bit p, 256-bit q), then a key with them.
EVP_PKEY* make_dsa_key() {
  EVP_PKEY* parameters = nullptr;
  EVP_PKEY* key = nullptr;
  tls::EvpPkeyCtxPtr making(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
  if (making && EVP_PKEY_paramgen_init(making.get()) == 1 &&
      EVP_PKEY_CTX_set_dsa_paramgen_bits(making.get(), 2048) == 1 &&
      EVP_PKEY_paramgen(making.get(), &parameters) == 1) {
    tls::EvpPkeyCtxPtr keying(EVP_PKEY_CTX_new_from_pkey(nullptr, parameters, nullptr));
    if (keying && EVP_PKEY_keygen_init(keying.get()) == 1) EVP_PKEY_keygen(keying.get(), &key);
  }
  EVP_PKEY_free(parameters);
  return key;
}

EVP_PKEY* make_key(KeyKind kind) {
  switch (kind) {
    case KeyKind::EcP256:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    case KeyKind::Rsa1024:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024});
    case KeyKind::Rsa1536:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1536});
    case KeyKind::Rsa2048:
      return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048});
    case KeyKind::Dsa2048:
      return make_dsa_key();
  }
  return nullptr;
}

// One key per role ("root", "intermediate 1", "leaf") and kind, for the whole process: a chain
// differs from the good one only where its case says so.
EVP_PKEY* key_for(const std::string& role, KeyKind kind) {
  static std::map<std::pair<std::string, KeyKind>, EvpPkeyPtr> keys;
  EvpPkeyPtr& key = keys[{role, kind}];
  if (!key) key.reset(make_key(kind));
  if (!key) fail("cannot generate the key of " + role);
  return key.get();
}

void add_extension(X509* cert, X509V3_CTX& context, int nid, const std::string& value) {
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1)
    fail(std::string("cannot add ") + OBJ_nid2sn(nid) + "=" + value);
}

void add_unknown_critical_extension(X509* cert) {
  // 1.3.6.1.4.1.55555 is no one's arc in the IANA registry's sense for this suite; its value
  // is a DER NULL.
  std::unique_ptr<ASN1_OBJECT, tls::OpenSslDeleter<ASN1_OBJECT_free>> oid(
      OBJ_txt2obj("1.3.6.1.4.1.55555.19.1", 1));
  std::unique_ptr<ASN1_OCTET_STRING, tls::OpenSslDeleter<ASN1_OCTET_STRING_free>> value(
      ASN1_OCTET_STRING_new());
  static constexpr unsigned char kDerNull[] = {0x05, 0x00};
  if (!oid || !value || ASN1_OCTET_STRING_set(value.get(), kDerNull, sizeof kDerNull) != 1)
    fail("cannot build the unknown extension");
  X509ExtensionPtr extension(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 1, value.get()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1)
    fail("cannot add the unknown extension");
}

// The DER re-read with one byte of the signature value changed: its last byte, inside the
// BIT STRING that closes the certificate (RFC 5280 section 4.1.1.3).
X509Ptr with_flipped_signature_byte(X509* cert) {
  const int length = i2d_X509(cert, nullptr);
  std::string der(static_cast<std::size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_X509(cert, &out);
  der.back() = static_cast<char>(der.back() ^ 0x01);
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr flipped(d2i_X509(nullptr, &in, length));
  if (!flipped) fail("cannot re-read the certificate with a flipped byte");
  return flipped;
}

// `spec` for `key`, signed by `issuer_key` as `issuer` (nullptr: by itself).
X509Ptr issue(const CertificateSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  static long serial = 0x1900;
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 86400L * spec.not_before_days);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400L * spec.not_after_days);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("miniweb diffcert"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
  X509_set_pubkey(cert.get(), key);

  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer ? issuer : cert.get(), cert.get(), nullptr, nullptr, 0);
  // The map's order puts subjectKeyIdentifier (82) before authorityKeyIdentifier (90), which a
  // self-signed certificate's AKID reads.
  for (const auto& [nid, value] : spec.extensions)
    if (!value.empty()) add_extension(cert.get(), context, nid, value);
  if (spec.unknown_critical_extension) add_unknown_critical_extension(cert.get());

  const EVP_MD* digest = EVP_get_digestbyname(spec.digest.c_str());
  if (!digest) fail("no digest " + spec.digest);
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, digest) <= 0)
    fail("cannot sign " + spec.common_name + " with " + spec.digest);
  return spec.flip_signature_byte ? with_flipped_signature_byte(cert.get()) : std::move(cert);
}

BioPtr open_for_writing(const std::filesystem::path& path) {
  BioPtr file(BIO_new_file(path.c_str(), "w"));
  if (!file) fail("cannot write " + path.string());
  return file;
}

void write_certificates(const std::filesystem::path& path, const std::vector<X509*>& certs) {
  BioPtr file = open_for_writing(path);
  for (X509* cert : certs)
    if (PEM_write_bio_X509(file.get(), cert) != 1) fail("cannot write " + path.string());
}

}  // namespace

ChainSpec good_chain() {
  ChainSpec chain;
  chain.host = "www.diffcert.test";
  chain.root.common_name = "Diffcert Root";
  chain.root.not_before_days = -30;
  chain.root.not_after_days = 3650;
  chain.root.extensions = {{NID_basic_constraints, "critical,CA:TRUE"},
                           {NID_key_usage, "critical,keyCertSign,cRLSign"},
                           {NID_subject_key_identifier, "hash"}};
  CertificateSpec intermediate;
  intermediate.common_name = "Diffcert Intermediate";
  intermediate.not_before_days = -30;
  intermediate.not_after_days = 1825;
  intermediate.extensions = {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                             {NID_key_usage, "critical,keyCertSign,cRLSign"},
                             {NID_subject_key_identifier, "hash"},
                             {NID_authority_key_identifier, "keyid:always"}};
  chain.intermediates = {intermediate};
  chain.leaf.common_name = chain.host;
  chain.leaf.extensions = {{NID_basic_constraints, "critical,CA:FALSE"},
                           {NID_key_usage, "critical,digitalSignature"},
                           {NID_ext_key_usage, "serverAuth"},
                           {NID_subject_key_identifier, "hash"},
                           {NID_authority_key_identifier, "keyid:always"},
                           {NID_subject_alt_name, "DNS:" + chain.host}};
  return chain;
}

ChainFiles write_chain(const ChainSpec& spec, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  ChainFiles files{dir / "root.pem", dir / "untrusted.pem", dir / "leaf.pem", dir / "leaf.key",
                   false};

  EVP_PKEY* root_key = key_for("root", spec.root.key);
  X509Ptr trusted_root = issue(spec.root, root_key, nullptr, nullptr);
  write_certificates(files.trusted_root, {trusted_root.get()});

  X509Ptr other_root;
  X509* issuer = trusted_root.get();
  EVP_PKEY* issuer_key = root_key;
  if (spec.anchor == Anchor::UntrustedRoot) {
    CertificateSpec other = spec.root;
    other.common_name = "Diffcert Untrusted Root";
    issuer_key = key_for("untrusted root", other.key);
    other_root = issue(other, issuer_key, nullptr, nullptr);
    issuer = other_root.get();
  }

  std::vector<X509Ptr> intermediates;
  std::vector<X509*> sent;
  EVP_PKEY* leaf_key = key_for("leaf", spec.leaf.key);
  X509Ptr leaf;
  if (spec.anchor == Anchor::LeafItself) {
    leaf = issue(spec.leaf, leaf_key, nullptr, nullptr);
  } else {
    for (std::size_t i = 0; i < spec.intermediates.size(); ++i) {
      const CertificateSpec& intermediate = spec.intermediates[i];
      EVP_PKEY* key = key_for("intermediate " + std::to_string(i), intermediate.key);
      intermediates.push_back(issue(intermediate, key, issuer, issuer_key));
      issuer = intermediates.back().get();
      issuer_key = key;
    }
    leaf = issue(spec.leaf, leaf_key, issuer, issuer_key);
  }
  // The server sends its intermediates nearest first (RFC 8446 section 4.4.2).
  for (auto it = intermediates.rbegin(); it != intermediates.rend(); ++it)
    sent.push_back(it->get());
  files.has_intermediates = !sent.empty();
  if (files.has_intermediates) write_certificates(files.intermediates, sent);
  write_certificates(files.leaf, {leaf.get()});
  BioPtr key_file = open_for_writing(files.leaf_key);
  if (PEM_write_bio_PrivateKey(key_file.get(), leaf_key, nullptr, nullptr, 0, nullptr, nullptr) !=
      1)
    fail("cannot write " + files.leaf_key.string());
  return files;
}

}  // namespace miniweb::differential
