#include "server/ocsp_staple.hpp"

#include <openssl/crypto.h>
#include <openssl/tls1.h>

namespace miniweb::server {

void OcspStaple::hold(std::string der, std::time_t next_update) {
  der_ = std::move(der);
  next_update_ = next_update;
}

void OcspStaple::drop() {
  der_.clear();
  next_update_ = 0;
}

void OcspStaple::serve_from(SSL_CTX* ctx, OcspStaple* staple) {
  SSL_CTX_set_tlsext_status_cb(ctx, &OcspStaple::on_status_request);
  SSL_CTX_set_tlsext_status_arg(ctx, staple);
}

// OpenSSL calls this on the context the handshake is on once SNI has chosen it.
int OcspStaple::on_status_request(SSL* ssl, void* arg) {
  const auto* staple = static_cast<const OcspStaple*>(arg);
  if (SSL_get_tlsext_status_type(ssl) != TLSEXT_STATUSTYPE_ocsp) return SSL_TLSEXT_ERR_NOACK;
  // Past its nextUpdate a response says nothing any more; the stapler replaces or drops it,
  // and until it has, no staple rather than a stale one.
  if (staple->der_.empty() || std::time(nullptr) >= staple->next_update_)
    return SSL_TLSEXT_ERR_NOACK;
  // OpenSSL takes the buffer and frees it with the connection.
  void* copy = OPENSSL_memdup(staple->der_.data(), staple->der_.size());
  if (!copy) return SSL_TLSEXT_ERR_NOACK;
  SSL_set_tlsext_status_ocsp_resp(ssl, static_cast<unsigned char*>(copy),
                                  static_cast<long>(staple->der_.size()));
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace miniweb::server
