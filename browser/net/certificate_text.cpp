#include "browser/net/certificate_text.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace miniweb::browser {

std::string name_text(X509_NAME* name) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string time_text(const ASN1_TIME* time) {
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(bio.get(), time);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string dns_names(X509* cert) {
  std::string names;
  tls::GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_STRING* dns = name->d.dNSName;
    names += (names.empty() ? "" : ", ") +
             std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                         ASN1_STRING_length(dns));
  }
  return names;
}

bool has_subject_alt_name(X509* cert) {
  return X509_get_ext_by_NID(cert, NID_subject_alt_name, -1) >= 0;
}

EVP_PKEY* key_if_decoded(X509* cert) {
  ERR_set_mark();
  EVP_PKEY* key = X509_get0_pubkey(cert);
  ERR_pop_to_mark();
  return key;
}

namespace {

// The kind of key the certificate holds, from its SubjectPublicKeyInfo's algorithm, whether or
// not the key decoded: "DSA", "X25519", or the OID's digits when OpenSSL knows no name for it.
std::string key_algorithm_name(X509* cert) {
  ASN1_OBJECT* algorithm = nullptr;
  if (X509_PUBKEY_get0_param(&algorithm, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(cert)) !=
          1 ||
      algorithm == nullptr)
    return "?";
  if (const int nid = OBJ_obj2nid(algorithm); nid != NID_undef) return OBJ_nid2sn(nid);
  char digits[128];
  return OBJ_obj2txt(digits, sizeof digits, algorithm, 1) > 0 ? digits : "?";
}

// Why a certificate whose key did not decode cannot be used.
std::string unsupported_key(X509* cert) {
  return "unsupported key: " + name_text(X509_get_subject_name(cert)) + " has a " +
         key_algorithm_name(cert) +
         " key, which cannot sign a TLS 1.3 handshake (RFC 8446 section 4.2.3 allows RSA, ECDSA "
         "and EdDSA keys) and which browsers do not take";
}

}  // namespace

std::string describe_certificate(X509* cert) {
  std::string text = "subject " + name_text(X509_get_subject_name(cert)) + "; issuer " +
                     name_text(X509_get_issuer_name(cert)) + "; valid " +
                     time_text(X509_get0_notBefore(cert)) + " to " +
                     time_text(X509_get0_notAfter(cert)) + "; signed with " +
                     OBJ_nid2ln(X509_get_signature_nid(cert));
  if (const std::string names = dns_names(cert); !names.empty()) text += "; names " + names;
  return text;
}

// How a browser names the reason it refused a certificate.
std::string browser_error_name(long verify_result) {
  switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "NET::ERR_CERT_DATE_INVALID";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "NET::ERR_CERT_COMMON_NAME_INVALID";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      return "NET::ERR_CERT_AUTHORITY_INVALID";
    case X509_V_ERR_CERT_REVOKED:
      return "NET::ERR_CERT_REVOKED";
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
      return "NET::ERR_CERT_WEAK_KEY";
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return "NET::ERR_CERT_WEAK_SIGNATURE_ALGORITHM";
    default:
      return "NET::ERR_CERT_INVALID";
  }
}

std::string explain_refusal(long result, const VerifyObservation& seen, const std::string& host) {
  X509* leaf = seen.leaf.get();
  X509* top = seen.top ? seen.top.get() : leaf;
  const std::string top_name = top ? name_text(X509_get_subject_name(top)) : "?";
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "expired: the certificate was valid until " +
             (leaf ? time_text(X509_get0_notAfter(leaf)) : "?");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "not yet valid: the certificate is valid from " +
             (leaf ? time_text(X509_get0_notBefore(leaf)) : "?");
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
      // RFC 6125 section 6.4.4 let a client fall back to the subject's CN when there is no
      // subjectAltName; browsers stopped (Chrome 58, Firefox 48) and so does this one.
      if (leaf && !has_subject_alt_name(leaf))
        return "no subjectAltName: the certificate names its host only in the subject's common "
               "name (" +
               name_text(X509_get_subject_name(leaf)) +
               "), which browsers have not accepted since 2017; a certificate must list " + host +
               " in subjectAltName";
      const std::string names = leaf ? dns_names(leaf) : "?";
      return "wrong host: the certificate is for " + (names.empty() ? "no DNS names" : names) +
             ", not " + host;
    }
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      return "self-signed: the certificate is signed by its own key and no trusted authority "
             "vouches for it";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "untrusted root: the chain ends at " + top_name + ", which is not a trusted root";
    case X509_V_ERR_CERT_REVOKED:
      return "revoked: the issuer's CRL lists this certificate";
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL: {
      const EVP_PKEY* key = top ? key_if_decoded(top) : nullptr;
      if (top && key == nullptr) return unsupported_key(top);
      // Security level 2 (certificate_policy): 112 bits of strength, RSA 2048.
      return "weak key: " + top_name + " has a " +
             (key ? std::to_string(EVP_PKEY_get_bits(key)) : "?") +
             "-bit key; browsers want RSA keys of 2048 bits at least (Baseline Requirements "
             "6.1.5)";
    }
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return "weak signature: " + top_name + " is signed with " +
             (top ? OBJ_nid2ln(X509_get_signature_nid(top)) : "?") +
             ", which browsers no longer accept (SHA-1 and MD5 forge collisions)";
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
      return "key usage: the certificate's ECDSA key may not sign, but a TLS server signs the "
             "handshake (RFC 8446 section 4.4.2.2): keyUsage lacks digitalSignature";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
      if (seen.issuer_without_key)
        return unsupported_key(seen.issuer_without_key.get()) + ", and it issued " + top_name +
               ": the chain goes no further";
      if (seen.sent_intermediates == 0 && leaf && X509_check_issued(leaf, leaf) != X509_V_OK)
        return "incomplete chain: the server sent its certificate without the intermediate that "
               "issued it (" +
               name_text(X509_get_issuer_name(leaf)) + ")";
      return "untrusted issuer: the chain leads to " +
             (top ? name_text(X509_get_issuer_name(top)) : "?") +
             ", which is not a trusted authority";
    default:
      return X509_verify_cert_error_string(result);
  }
}

}  // namespace miniweb::browser
