#include "ca/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <memory>

#include "ca/files.hpp"

namespace miniweb::ca {

namespace {

using tls::openssl_error_text;

// A CSR for a few names is well under 8 KiB even with an 8192-bit key.
constexpr size_t kMaxCsrBytes = 64 * 1024;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return length > 0 ? std::string(data, static_cast<size_t>(length)) : std::string();
}

tls::BioPtr memory_bio() {
  return tls::BioPtr(BIO_new(BIO_s_mem()));
}

tls::BioPtr read_only_bio(std::string_view data) {
  return tls::BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

}  // namespace

Result<tls::EvpPkeyPtr> generate_key(KeyType type, int rsa_bits) {
  EVP_PKEY* key = nullptr;
  if (type == KeyType::ec_p256) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else {
    if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits) {
      return make_error("RSA keys must have " + std::to_string(kMinRsaBits) + " to " +
                        std::to_string(kMaxRsaBits) + " bits, not " + std::to_string(rsa_bits));
    }
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
  }
  if (key == nullptr) return make_error("key generation failed: " + openssl_error_text());
  return tls::EvpPkeyPtr(key);
}

Status check_public_key(EVP_PKEY* key) {
  if (key == nullptr) return make_error("no public key");
  const int id = EVP_PKEY_get_base_id(key);
  if (id == EVP_PKEY_RSA) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return make_error("RSA key of " + std::to_string(bits) + " bits is too weak (minimum " +
                        std::to_string(kMinRsaBits) + ")");
    }
    if (bits > kMaxRsaBits) {
      return make_error("RSA key of " + std::to_string(bits) + " bits is larger than " +
                        std::to_string(kMaxRsaBits) + " bits");
    }
  } else if (id == EVP_PKEY_EC) {
    std::array<char, 64> group{};
    size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &length) != 1) {
      ERR_clear_error();
      return make_error("EC key with explicit or unknown curve parameters is not accepted");
    }
    const std::string_view name(group.data(), length);
    if (name != "prime256v1" && name != "secp384r1") {
      return make_error("EC key on curve " + std::string(name) +
                        " is not accepted (use P-256 or P-384)");
    }
  } else {
    const char* type = EVP_PKEY_get0_type_name(key);
    return make_error(std::string("key type ") + (type ? type : "unknown") +
                      " is not accepted (use ECDSA P-256/P-384 or RSA >= 2048 bits)");
  }
  tls::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
    ERR_clear_error();
    return make_error("the public key is malformed (failed the public key check)");
  }
  return Ok{};
}

Result<tls::X509ReqPtr> parse_csr_pem(std::string_view pem) {
  if (pem.size() > kMaxCsrBytes) return make_error("CSR is larger than 64 KiB");
  tls::BioPtr bio = read_only_bio(pem);
  tls::X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  if (!csr) {
    ERR_clear_error();
    return make_error(
        "not a PEM certificate request (expected -----BEGIN CERTIFICATE REQUEST-----)");
  }
  return csr;
}

Result<tls::X509ReqPtr> parse_csr_der(std::span<const std::uint8_t> der) {
  if (der.size() > kMaxCsrBytes) return make_error("CSR is larger than 64 KiB");
  const unsigned char* p = der.data();
  tls::X509ReqPtr csr(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!csr) {
    ERR_clear_error();
    return make_error("malformed certificate request (not DER PKCS #10)");
  }
  if (p != der.data() + der.size())
    return make_error("trailing data after the certificate request");
  return csr;
}

Status verify_csr(X509_REQ* csr) {
  EVP_PKEY* key = X509_REQ_get0_pubkey(csr);  // owned by the request
  if (key == nullptr) {
    ERR_clear_error();
    return make_error("the certificate request carries no usable public key");
  }
  if (auto status = check_public_key(key); !status) return status;
  if (X509_REQ_verify(csr, key) != 1) {
    ERR_clear_error();
    return make_error("the certificate request's signature does not verify with its own key");
  }
  return Ok{};
}

Result<std::vector<std::string>> csr_names(X509_REQ* csr) {
  std::vector<std::string> names;
  const X509_NAME* subject = X509_REQ_get_subject_name(csr);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    unsigned char* utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, data);
    if (length < 0) return make_error("the request's common name is not a valid string");
    names.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
    OPENSSL_free(utf8);
  }
  using ExtensionStack = STACK_OF(X509_EXTENSION);
  struct ExtensionsFree {
    void operator()(ExtensionStack* s) const { sk_X509_EXTENSION_pop_free(s, X509_EXTENSION_free); }
  };
  std::unique_ptr<ExtensionStack, ExtensionsFree> extensions(X509_REQ_get_extensions(csr));
  ERR_clear_error();  // a request without extensions is fine
  if (extensions) {
    int critical = 0;
    tls::GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
        X509V3_get_d2i(extensions.get(), NID_subject_alt_name, &critical, nullptr)));
    if (!sans && critical == -2) {
      return make_error("the request has more than one subjectAltName extension");
    }
    if (!sans && critical >= 0) return make_error("the request's subjectAltName is malformed");
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
      if (name->type != GEN_DNS) {
        return make_error("the request asks for a subjectAltName that is not a DNS name");
      }
      const ASN1_IA5STRING* dns = name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                         static_cast<size_t>(ASN1_STRING_length(dns)));
    }
  }
  return names;
}

Result<tls::Asn1IntegerPtr> random_serial() {
  std::array<unsigned char, 16> bytes{};
  do {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      return make_error("the random generator failed: " + openssl_error_text());
    }
    bytes[0] &= 0x7f;
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  tls::BignumPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn) return make_error(openssl_error_text());
  tls::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return make_error(openssl_error_text());
  return serial;
}

std::string serial_hex(const ASN1_INTEGER* serial) {
  tls::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "";
  char* hex = BN_bn2hex(bn.get());
  std::string text = hex ? hex : "";
  OPENSSL_free(hex);
  return text;
}

std::string name_text(const X509_NAME* name) {
  tls::BioPtr bio = memory_bio();
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return bio_text(bio.get());
}

std::string certificate_pem(X509* certificate) {
  tls::BioPtr bio = memory_bio();
  PEM_write_bio_X509(bio.get(), certificate);
  return bio_text(bio.get());
}

std::string crl_pem(X509_CRL* crl) {
  tls::BioPtr bio = memory_bio();
  PEM_write_bio_X509_CRL(bio.get(), crl);
  return bio_text(bio.get());
}

std::string crl_der(X509_CRL* crl) {
  tls::BioPtr bio = memory_bio();
  i2d_X509_CRL_bio(bio.get(), crl);
  return bio_text(bio.get());
}

Result<tls::X509Ptr> parse_certificate_pem(std::string_view pem) {
  tls::BioPtr bio = read_only_bio(pem);
  tls::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) {
    ERR_clear_error();
    return make_error("not a PEM certificate");
  }
  return certificate;
}

Result<tls::X509Ptr> read_certificate(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  auto certificate = parse_certificate_pem(*text);
  if (!certificate) return make_error(path.string() + ": " + certificate.error().message);
  return certificate;
}

Status write_private_key(const std::filesystem::path& path, EVP_PKEY* key) {
  tls::BioPtr bio = memory_bio();
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error("cannot serialize the private key: " + openssl_error_text());
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  Status status = write_file_atomically(path, std::string_view(data, static_cast<size_t>(length)),
                                        kPrivateFileMode);
  OPENSSL_cleanse(data, static_cast<size_t>(length));
  return status;
}

Result<tls::EvpPkeyPtr> read_private_key(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return text.error();
  tls::BioPtr bio = read_only_bio(*text);
  tls::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  OPENSSL_cleanse(text->data(), text->size());
  if (!key) {
    ERR_clear_error();
    return make_error(path.string() + " does not hold an unencrypted PEM private key");
  }
  return key;
}

}  // namespace miniweb::ca
