#include "server/acme/certificate.hpp"

#include <openssl/pem.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace miniweb::server {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::time_t to_time_t(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return 0;
  return timegm(&parts);
}

}  // namespace

Result<std::string> make_csr_der(const std::vector<std::string>& names, EVP_PKEY* key) {
  tls::X509ReqPtr request(X509_REQ_new());
  if (!request || names.empty()) return make_error("cannot make a certificate request");
  X509_NAME* subject = X509_REQ_get_subject_name(request.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(names.front().c_str()), -1, -1,
                             0);
  X509_REQ_set_pubkey(request.get(), key);
  tls::GeneralNamesPtr alt_names(GENERAL_NAMES_new());
  for (const std::string& name : names) {
    GENERAL_NAME* entry = GENERAL_NAME_new();
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    ASN1_STRING_set(text, name.data(), static_cast<int>(name.size()));
    GENERAL_NAME_set0_value(entry, GEN_DNS, text);
    sk_GENERAL_NAME_push(alt_names.get(), entry);
  }
  tls::X509ExtensionPtr extension(X509V3_EXT_i2d(NID_subject_alt_name, 0, alt_names.get()));
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(extensions, extension.get());
  const bool added = X509_REQ_add_extensions(request.get(), extensions) == 1;
  sk_X509_EXTENSION_free(extensions);  // the extension itself stays owned by `extension`
  if (!added || X509_REQ_sign(request.get(), key, EVP_sha256()) <= 0)
    return make_error("cannot sign the certificate request: " + tls::openssl_error_text());
  std::string der = tls::to_der(request.get(), i2d_X509_REQ);
  if (der.empty()) return make_error("cannot encode the certificate request");
  return der;
}

std::string serial_hex(const X509* certificate) {
  tls::BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  if (!serial) return "";
  char* hex = BN_bn2hex(serial.get());
  std::string text = hex ? hex : "";
  OPENSSL_free(hex);
  return text;
}

Result<CertificateInfo> inspect_chain_pem(const std::string& chain_pem) {
  tls::BioPtr bio(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())));
  tls::X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    ERR_clear_error();
    return make_error("no PEM certificate in the chain");
  }
  CertificateInfo info;
  info.not_before = to_time_t(X509_get0_notBefore(leaf.get()));
  info.not_after = to_time_t(X509_get0_notAfter(leaf.get()));
  info.serial = serial_hex(leaf.get());
  tls::GeneralNamesPtr alt_names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; alt_names && i < sk_GENERAL_NAME_num(alt_names.get()); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(alt_names.get(), i);
    if (entry->type != GEN_DNS) continue;
    const ASN1_IA5STRING* text = entry->d.dNSName;
    info.names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                            static_cast<std::size_t>(ASN1_STRING_length(text)));
  }
  return info;
}

Result<CertificateInfo> check_stored_certificate(const std::filesystem::path& chain,
                                                 const std::filesystem::path& key,
                                                 const std::vector<std::string>& names) {
  if (!std::filesystem::exists(chain) || !std::filesystem::exists(key))
    return make_error("no certificate stored yet");
  const std::string chain_pem = slurp(chain);
  auto info = inspect_chain_pem(chain_pem);
  if (!info) return make_error(chain.string() + ": " + info.error().message);
  for (const std::string& name : names)
    if (std::find(info->names.begin(), info->names.end(), name) == info->names.end())
      return make_error(chain.string() + " does not certify " + name);
  if (info->not_after <= std::time(nullptr)) return make_error(chain.string() + " has expired");
  // The key must be the certificate's.
  const std::string key_pem = slurp(key);
  tls::BioPtr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
  tls::EvpPkeyPtr private_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  tls::BioPtr chain_bio(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())));
  tls::X509Ptr leaf(PEM_read_bio_X509(chain_bio.get(), nullptr, nullptr, nullptr));
  if (!private_key || !leaf || X509_check_private_key(leaf.get(), private_key.get()) != 1) {
    ERR_clear_error();
    return make_error(key.string() + " is not the key of " + chain.string());
  }
  return info;
}

std::time_t renewal_time(const CertificateInfo& info, double window_ratio) {
  const double lifetime = static_cast<double>(info.not_after - info.not_before);
  return info.not_after - static_cast<std::time_t>(lifetime * window_ratio);
}

bool due_for_renewal(const CertificateInfo& info, double window_ratio, std::time_t now) {
  return now >= renewal_time(info, window_ratio);
}

}  // namespace miniweb::server
