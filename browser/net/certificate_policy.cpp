#include "browser/net/certificate_policy.hpp"

#include <openssl/x509v3.h>

#include "browser/net/certificate_text.hpp"

namespace miniweb::browser {

void apply_certificate_policy(SSL_CTX* context) {
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(context), X509_V_FLAG_X509_STRICT);
  SSL_CTX_set_security_level(context, 2);
}

int browser_rule_violation(X509_STORE_CTX* store) {
  if (X509_STORE_CTX_get_error_depth(store) != 0) return X509_V_OK;
  X509* leaf = X509_STORE_CTX_get_current_cert(store);
  if (!leaf) return X509_V_OK;
  // No key when it did not decode (a kind the browser's provider leaves out, an unknown one).
  const EVP_PKEY* key = key_if_decoded(leaf);
  const bool ecdsa = key != nullptr && EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
  // X509_get_key_usage answers all bits set when the extension is absent (RFC 5280 4.2.1.3:
  // no keyUsage, no restriction).
  if (ecdsa && (X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE) == 0)
    return X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
  return X509_V_OK;
}

}  // namespace miniweb::browser
