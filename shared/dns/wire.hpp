#pragma once
// The only code that touches DNS wire bytes: WireReader decodes with every bound checked here,
// WireWriter encodes with RFC 1035 4.1.4 name compression. Record and message code is written
// in terms of these two types.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/dns/name.hpp"

namespace miniweb::dns {

// Reads big-endian integers, byte strings and (possibly compressed) names from one packet.
// Errors are sticky: after the first failure every read returns zero/empty and ok() is false,
// so a decoder can read a whole structure and check once.
class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> packet) : packet_(packet) {}

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  // `count` bytes from the current position (empty on overrun).
  std::span<const uint8_t> bytes(size_t count);
  // A name, following compression pointers that point strictly backwards (no loops), with
  // label and name length limits enforced.
  Name name();
  // A <character-string> (RFC 1035 3.3): one length octet then that many bytes.
  std::string character_string();

  size_t position() const { return position_; }
  size_t remaining() const { return ok() ? packet_.size() - position_ : 0; }
  std::span<const uint8_t> packet() const { return packet_; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string message);

 private:
  bool need(size_t count);
  std::span<const uint8_t> packet_;
  size_t position_ = 0;
  std::string error_;
};

enum class Compression { kAllowed, kNone };

class WireWriter {
 public:
  WireWriter() { buffer_.reserve(512); }

  void u8(uint8_t value) { buffer_.push_back(value); }
  void u16(uint16_t value);
  void u32(uint32_t value);
  void bytes(std::span<const uint8_t> data) {
    buffer_.insert(buffer_.end(), data.begin(), data.end());
  }
  void character_string(std::string_view text);  // truncated at 255 octets
  // Writes a name; with kAllowed, reuses any suffix already written (RFC 1035 4.1.4). Every
  // name written (either way) becomes a target for later compression.
  void name(const Name& name, Compression compression);

  void patch_u16(size_t offset, uint16_t value);
  size_t size() const { return buffer_.size(); }
  // Drops everything from `size` on, including compression targets there.
  void truncate(size_t size);
  std::vector<uint8_t>& buffer() { return buffer_; }
  std::vector<uint8_t> take() { return std::move(buffer_); }

 private:
  // True when the name stored at `offset` (following pointers) equals `labels`, a name's wire
  // form (Name::wire()) or a suffix of one.
  bool matches_at(size_t offset, std::string_view labels) const;

  std::vector<uint8_t> buffer_;
  // Offsets of label sequences written (compression targets). Messages hold few names, so a
  // scan that compares against the buffer beats building a Name per suffix; held in place (no
  // allocation per message), and past the last slot a name is simply not a target.
  std::array<uint16_t, 128> targets_;
  size_t target_count_ = 0;
};

// RFC 7766 8: over TCP a message is preceded by its length in two octets.
std::vector<uint8_t> tcp_frame(std::span<const uint8_t> message);
inline size_t tcp_frame_length(const uint8_t (&prefix)[2]) {
  return static_cast<size_t>((prefix[0] << 8) | prefix[1]);
}

}  // namespace miniweb::dns
