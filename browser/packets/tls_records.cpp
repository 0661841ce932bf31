#include "browser/packets/tls_records.hpp"

#include <algorithm>

#include "browser/packets/byte_reader.hpp"
#include "browser/packets/tls_hello.hpp"
#include "browser/packets/tls_names.hpp"

namespace miniweb::packets {
namespace {

// RFC 8446 5.1 and 5.2: a plaintext fragment carries at most 2^14 bytes; a protected one up
// to 2^14 + 256 in TLS 1.3, 2^14 + 2048 in TLS 1.2 (RFC 5246 6.2.3), the larger taken here.
constexpr std::size_t kMaxPlaintextFragment = 1 << 14;
constexpr std::size_t kMaxProtectedFragment = (1 << 14) + 2048;
constexpr std::uint16_t kTls13 = 0x0304;

bool known_content_type(std::uint8_t type) {
  return type >= tls_content::ChangeCipherSpec && type <= tls_content::Heartbeat;
}

std::uint32_t handshake_body_length(const std::vector<std::uint8_t>& header) {
  return ByteReader(std::span(header).subspan(1, 3)).u24();
}

}  // namespace

std::string TlsAlert::to_string() const {
  return tls_alert_level_name(level) + " " + tls_alert_description_name(description);
}

std::string TlsRecord::to_string() const {
  std::string text = tls_content_type_name(content_type);
  if (encrypted) text += " (encrypted)";
  text += " " + tls_version_name(version) + " len " + std::to_string(length);
  if (alert) text += " " + alert->to_string();
  return text;
}

TlsStreamEvents TlsRecordDecoder::feed(std::uint64_t offset, std::span<const std::uint8_t> bytes) {
  TlsStreamEvents events;
  if (problem_) return events;
  if (!started_) {
    started_ = true;
    next_offset_ = offset;
  }
  if (offset != next_offset_) {
    stop(next_offset_, "the stream skips from byte " + std::to_string(next_offset_) + " to " +
                           std::to_string(offset) + ": record boundaries are lost");
    return events;
  }
  std::size_t at = 0;
  while (at < bytes.size() && !problem_) {
    if (!record_) {
      const std::size_t take = std::min(kTlsRecordHeaderSize - header_.size(), bytes.size() - at);
      header_.insert(header_.end(), bytes.begin() + at, bytes.begin() + at + take);
      at += take;
      next_offset_ += take;
      if (header_.size() == kTlsRecordHeaderSize) start_record(events);
      continue;
    }
    const std::size_t take = std::min(fragment_remaining_, bytes.size() - at);
    if (!record_->encrypted)
      fragment_.insert(fragment_.end(), bytes.begin() + at, bytes.begin() + at + take);
    at += take;
    next_offset_ += take;
    fragment_remaining_ -= take;
    if (fragment_remaining_ == 0) finish_record(events);
  }
  return events;
}

void TlsRecordDecoder::start_record(TlsStreamEvents& events) {
  ByteReader reader(header_);
  TlsRecord record;
  record.index = record_count_;
  record.offset = next_offset_ - kTlsRecordHeaderSize;
  record.content_type = reader.u8();
  record.version = reader.u16();
  record.length = reader.u16();
  header_.clear();
  if (!known_content_type(record.content_type))
    return stop(record.offset,
                "not a TLS record: content type " + tls_content_type_name(record.content_type));
  if (record.version >> 8 != 3)
    return stop(record.offset, "not a TLS record: version " + tls_version_name(record.version));
  // After ChangeCipherSpec every record is protected (RFC 5246 7.1), except a TLS 1.3
  // client's second ClientHello (RFC 8446 D.4); application_data always is.
  record.encrypted =
      record.content_type == tls_content::ApplicationData ||
      (after_change_cipher_spec_ &&
       !(negotiated_version_ == kTls13 && record.content_type == tls_content::Handshake));
  const std::size_t limit = record.encrypted ? kMaxProtectedFragment : kMaxPlaintextFragment;
  if (record.length > limit)
    return stop(record.offset, tls_content_type_name(record.content_type) + " record says " +
                                   std::to_string(record.length) + " bytes, more than the " +
                                   std::to_string(limit) + " a record may carry");
  ++record_count_;
  record_ = record;
  fragment_remaining_ = record.length;
  fragment_.clear();
  if (fragment_remaining_ == 0) finish_record(events);
}

void TlsRecordDecoder::finish_record(TlsStreamEvents& events) {
  const TlsRecord record = *record_;
  record_.reset();
  if (!handshake_.empty() && record.content_type != tls_content::Handshake) {
    // RFC 8446 5.1: a handshake message spans only handshake records.
    events.records.push_back(record);
    return stop(record.offset, "a " + tls_content_type_name(record.content_type) +
                                   " record came inside an unfinished " +
                                   tls_handshake_type_name(handshake_.front()) + " message");
  }
  TlsRecord& kept = events.records.emplace_back(record);
  if (record.encrypted) return;
  switch (record.content_type) {
    case tls_content::ChangeCipherSpec:
      after_change_cipher_spec_ = true;
      break;
    case tls_content::Alert:
      // RFC 8446 5.1: one alert per record, never fragmented.
      if (fragment_.size() == 2) kept.alert = TlsAlert{fragment_[0], fragment_[1]};
      break;
    case tls_content::Handshake:
      add_handshake_bytes(fragment_, record.offset + kTlsRecordHeaderSize, events);
      break;
    default:
      break;
  }
}

void TlsRecordDecoder::add_handshake_bytes(std::span<const std::uint8_t> bytes,
                                           std::uint64_t offset, TlsStreamEvents& events) {
  const std::size_t record_index = record_count_ - 1;
  std::size_t at = 0;
  while (at < bytes.size() && !problem_) {
    if (handshake_.empty()) {
      handshake_offset_ = offset + at;
      handshake_first_record_ = record_index;
    }
    const std::size_t wanted =
        handshake_.size() < kTlsHandshakeHeaderSize
            ? kTlsHandshakeHeaderSize - handshake_.size()
            : kTlsHandshakeHeaderSize + handshake_body_length(handshake_) - handshake_.size();
    const std::size_t take = std::min(wanted, bytes.size() - at);
    handshake_.insert(handshake_.end(), bytes.begin() + at, bytes.begin() + at + take);
    at += take;
    if (handshake_.size() < kTlsHandshakeHeaderSize) break;
    const std::uint32_t length = handshake_body_length(handshake_);
    if (length > limits_.max_handshake_message)
      return stop(handshake_offset_, tls_handshake_type_name(handshake_.front()) + " says " +
                                         std::to_string(length) +
                                         " bytes, more than the limit of " +
                                         std::to_string(limits_.max_handshake_message));
    if (handshake_.size() < kTlsHandshakeHeaderSize + length) continue;
    TlsHandshakeMessage message{handshake_.front(),      length,       handshake_offset_,
                                handshake_first_record_, record_index, std::move(handshake_)};
    handshake_.clear();
    if (message.type == tls_handshake::ServerHello)
      if (auto hello = parse_server_hello(message.bytes)) negotiated_version_ = hello->version();
    events.messages.push_back(std::move(message));
  }
}

void TlsRecordDecoder::finish() {
  if (problem_) return;
  if (record_) {
    const std::size_t came = record_->length - fragment_remaining_;
    return stop(record_->offset, "the stream ended inside a " +
                                     tls_content_type_name(record_->content_type) +
                                     " record that says " + std::to_string(record_->length) +
                                     " bytes, " + std::to_string(came) + " came");
  }
  if (!header_.empty())
    return stop(next_offset_ - header_.size(), "the stream ended inside a record header (" +
                                                   std::to_string(header_.size()) + " of 5 bytes)");
  if (!handshake_.empty()) {
    std::string what = tls_handshake_type_name(handshake_.front()) + " message";
    if (handshake_.size() >= kTlsHandshakeHeaderSize)
      what += " that says " + std::to_string(handshake_body_length(handshake_)) + " bytes, " +
              std::to_string(handshake_.size() - kTlsHandshakeHeaderSize) + " came";
    stop(handshake_offset_, "the stream ended inside a " + what);
  }
}

void TlsRecordDecoder::stop(std::uint64_t offset, std::string message) {
  if (!problem_) problem_ = TlsStreamProblem{offset, std::move(message)};
}

}  // namespace miniweb::packets
