#pragma once
// The TLS handshake as OpenSSL itself saw it (SSL_set_msg_callback): the inner content type of
// each encrypted TLS 1.3 record, every handshake message with its bytes, and the alerts, in
// order and in each direction. A capture shows TLS
// 1.3's later messages only as encrypted records; this says what was inside them.

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace miniweb::browser::observe {

struct TlsEvent {
  enum class Kind {
    InnerContentType,  // TLS 1.3: what an encrypted record really carried
    Handshake,         // one handshake message, with its 4-byte header
    Alert,             // level and description
  };
  bool sent = false;  // by the browser; else received
  Kind kind = Kind::Handshake;
  int content_type = 0;  // InnerContentType: the record's real type
  std::string bytes;     // as OpenSSL handed them over (a large Certificate is cut short)
};

class TlsRecorder {
 public:
  // Records what OpenSSL does on `ssl` as connection `connection`, until the SSL is freed.
  // The recorder outlives `ssl`'s handshake.
  void attach(SSL* ssl, int connection);
  const std::map<int, std::vector<TlsEvent>>& events() const { return events_; }

 private:
  static void on_message(int write_p, int version, int content_type, const void* buf,
                         std::size_t len, SSL* ssl, void* self);
  std::map<const SSL*, int> connections_;
  std::map<int, std::vector<TlsEvent>> events_;  // by connection number
};

}  // namespace miniweb::browser::observe
