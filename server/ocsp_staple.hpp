#pragma once
// The OCSP response that one certificate's handshakes staple: the server's answer to a client's
// status_request (RFC 6066 section 8). The stapler (ocsp_stapler.hpp) fills it; the TLS
// contexts of every configuration serving the certificate hand it out, so a refresh reaches
// handshakes under an older configuration too.
//
// The server runs on one thread (main.cpp), its handshakes and the stapler's refreshes with it:
// a handshake's callback and a refresh never overlap, so the slot needs no lock.

#include <openssl/ssl.h>

#include <ctime>
#include <string>

namespace miniweb::server {

class OcspStaple {
 public:
  // Staples `der` (a checked OCSPResponse) until `next_update`, its nextUpdate.
  void hold(std::string der, std::time_t next_update);
  void drop();
  bool held() const { return !der_.empty(); }
  std::time_t next_update() const { return next_update_; }

  // Makes the handshakes on `ctx` staple what `staple` holds; `staple` outlives the context.
  static void serve_from(SSL_CTX* ctx, OcspStaple* staple);

 private:
  static int on_status_request(SSL* ssl, void* staple);

  std::string der_;
  std::time_t next_update_ = 0;
};

}  // namespace miniweb::server
