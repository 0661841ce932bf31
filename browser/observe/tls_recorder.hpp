#pragma once
// The TLS handshake as OpenSSL itself saw it (SSL_set_msg_callback): every record's header,
// the inner content type of each encrypted TLS 1.3 record, every handshake message with its
// bytes, alerts and ChangeCipherSpec, in order and in each direction. A capture shows TLS
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
    RecordHeader,      // a record's 5-byte header: its outer type, version, length
    InnerContentType,  // TLS 1.3: what an encrypted record really carried
    Handshake,         // one handshake message, with its 4-byte header
    Alert,             // level and description
    ChangeCipherSpec,
  };
  std::chrono::steady_clock::time_point when;
  bool sent = false;  // by the browser; else received
  Kind kind = Kind::Handshake;
  int content_type = 0;  // the record's for RecordHeader, the inner one for InnerContentType
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
