#pragma once
// The TLS record layer (RFC 8446 5.1, RFC 5246 6.2) over one direction of a reassembled TCP
// stream: each record's outer content type, version and length, and, for records sent in the
// clear, the handshake messages inside them, put together when one spans records and taken
// apart when several share one. Protected records are counted, never kept.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace miniweb::packets {

namespace tls_content {
inline constexpr std::uint8_t ChangeCipherSpec = 20;
inline constexpr std::uint8_t Alert = 21;
inline constexpr std::uint8_t Handshake = 22;
inline constexpr std::uint8_t ApplicationData = 23;
inline constexpr std::uint8_t Heartbeat = 24;
}  // namespace tls_content

inline constexpr std::size_t kTlsRecordHeaderSize = 5;

struct TlsAlert {
  std::uint8_t level = 0;
  std::uint8_t description = 0;
  std::string to_string() const;  // "warning close_notify"
};

struct TlsRecord {
  std::size_t index = 0;     // records before it in this direction
  std::uint64_t offset = 0;  // stream offset of its 5-byte header
  std::uint8_t content_type = 0;
  std::uint16_t version = 0;  // legacy_record_version
  std::uint16_t length = 0;   // of the fragment after the header
  // Protected: application_data always (TLS 1.3 hides the real type inside), and every record
  // after this direction's ChangeCipherSpec in TLS 1.2.
  bool encrypted = false;
  std::optional<TlsAlert> alert;  // an alert sent in the clear

  std::uint64_t end() const { return offset + kTlsRecordHeaderSize + length; }
  // "handshake TLS 1.2 len 512", "application_data (encrypted) len 24"
  std::string to_string() const;
};

struct TlsHandshakeMessage {
  std::uint8_t type = 0;
  std::uint32_t length = 0;  // of the body, after the 4-byte header
  std::uint64_t offset = 0;  // stream offset of the header's first byte
  std::size_t first_record = 0;
  std::size_t last_record = 0;      // differs from first_record when the message spans records
  std::vector<std::uint8_t> bytes;  // the whole message, header included
};

struct TlsStreamEvents {
  std::vector<TlsRecord> records;
  std::vector<TlsHandshakeMessage> messages;
};

// What stopped the decoder; nothing after it is decoded.
struct TlsStreamProblem {
  std::uint64_t offset = 0;
  std::string message;
};

class TlsRecordDecoder {
 public:
  struct Limits {
    std::size_t max_handshake_message = 1 << 18;  // certificate chains stay far below
  };
  TlsRecordDecoder() = default;
  explicit TlsRecordDecoder(Limits limits) : limits_(limits) {}

  // The direction's bytes in order, `offset` being where they start in the stream (as
  // TcpStreamReassembler hands them on). A jump past the expected offset (a gap) stops it.
  TlsStreamEvents feed(std::uint64_t offset, std::span<const std::uint8_t> bytes);
  // The stream ended: a record or handshake message left unfinished becomes the problem.
  void finish();

  // TLS 1.3 (RFC 8446 D.4) lets a client send ChangeCipherSpec before a second ClientHello
  // that is still in the clear. Told the version the ServerHello chose, the decoder keeps
  // reading handshake records after ChangeCipherSpec when it is TLS 1.3.
  void set_negotiated_version(std::uint16_t version) { negotiated_version_ = version; }

  const std::optional<TlsStreamProblem>& problem() const { return problem_; }
  std::size_t record_count() const { return record_count_; }

 private:
  void start_record(TlsStreamEvents& events);
  void finish_record(TlsStreamEvents& events);
  void add_handshake_bytes(std::span<const std::uint8_t> bytes, std::uint64_t offset,
                           TlsStreamEvents& events);
  void stop(std::uint64_t offset, std::string message);

  Limits limits_;
  std::optional<TlsStreamProblem> problem_;
  std::uint64_t next_offset_ = 0;
  bool started_ = false;
  std::uint16_t negotiated_version_ = 0;
  bool after_change_cipher_spec_ = false;
  std::size_t record_count_ = 0;

  // The record being read: its header, then its fragment (kept only when in the clear).
  std::vector<std::uint8_t> header_;
  std::optional<TlsRecord> record_;
  std::size_t fragment_remaining_ = 0;
  std::vector<std::uint8_t> fragment_;

  // A handshake message being put together across records.
  std::vector<std::uint8_t> handshake_;
  std::uint64_t handshake_offset_ = 0;
  std::size_t handshake_first_record_ = 0;
};

}  // namespace miniweb::packets
