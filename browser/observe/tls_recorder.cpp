#include "browser/observe/tls_recorder.hpp"

#include <algorithm>

namespace miniweb::browser::observe {
namespace {

// A Certificate message can be several KiB; its chain is described from the verifier already,
// so what is kept of a message is bounded.
constexpr std::size_t kMaxKeptBytes = 16384;

}  // namespace

void TlsRecorder::attach(SSL* ssl, int connection) {
  connections_[ssl] = connection;
  SSL_set_msg_callback(ssl, &TlsRecorder::on_message);
  SSL_set_msg_callback_arg(ssl, this);
}

void TlsRecorder::on_message(int write_p, int /*version*/, int content_type, const void* buf,
                             std::size_t len, SSL* ssl, void* self) {
  auto& recorder = *static_cast<TlsRecorder*>(self);
  auto connection = recorder.connections_.find(ssl);
  if (connection == recorder.connections_.end()) return;
  TlsEvent event;
  event.sent = write_p != 0;
  const auto* bytes = static_cast<const char*>(buf);
  switch (content_type) {
    case SSL3_RT_INNER_CONTENT_TYPE:
      event.kind = TlsEvent::Kind::InnerContentType;
      event.content_type = len > 0 ? static_cast<unsigned char>(bytes[0]) : 0;
      break;
    case SSL3_RT_HANDSHAKE:
      event.kind = TlsEvent::Kind::Handshake;
      event.content_type = content_type;
      break;
    case SSL3_RT_ALERT:
      event.kind = TlsEvent::Kind::Alert;
      event.content_type = content_type;
      break;
    default:
      return;  // record headers and ChangeCipherSpec: the capture shows those itself
  }
  event.bytes.assign(bytes, std::min(len, kMaxKeptBytes));
  recorder.events_[connection->second].push_back(std::move(event));
}

}  // namespace miniweb::browser::observe
