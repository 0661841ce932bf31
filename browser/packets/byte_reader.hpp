#pragma once
// The one place the packet decoders touch bytes: big-endian fields read with every bound
// checked. A read past the end returns zero (or an empty span) and leaves the reader failed for
// good, so a decoder reads a whole structure and checks ok() once, as dns::WireReader does.

#include <cstddef>
#include <cstdint>
#include <span>

namespace miniweb::packets {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::uint8_t u8() { return take(1) ? bytes_[position_ - 1] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>(big_endian(2)); }
  std::uint32_t u24() { return static_cast<std::uint32_t>(big_endian(3)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(big_endian(4)); }
  std::uint64_t u64() { return big_endian(8); }

  // The next `count` bytes, as a view into the reader's buffer.
  std::span<const std::uint8_t> bytes(std::size_t count) {
    if (!take(count)) return {};
    return bytes_.subspan(position_ - count, count);
  }
  // A length-prefixed vector (TLS's opaque<0..2^8-1>, <0..2^16-1>, <0..2^24-1>: RFC 8446 3.4):
  // the length in `prefix_bytes` bytes, then that many bytes.
  std::span<const std::uint8_t> prefixed(int prefix_bytes) {
    const std::uint64_t length = big_endian(prefix_bytes);
    if (!ok() || length > remaining()) {
      failed_ = true;
      return {};
    }
    return bytes(static_cast<std::size_t>(length));
  }
  void skip(std::size_t count) { take(count); }

  std::size_t position() const { return position_; }
  std::size_t remaining() const { return failed_ ? 0 : bytes_.size() - position_; }
  std::span<const std::uint8_t> rest() const { return bytes_.subspan(position_); }
  bool ok() const { return !failed_; }
  bool at_end() const { return ok() && position_ == bytes_.size(); }

 private:
  bool take(std::size_t count) {
    if (failed_ || count > bytes_.size() - position_) {
      failed_ = true;
      return false;
    }
    position_ += count;
    return true;
  }
  std::uint64_t big_endian(int count) {
    if (!take(static_cast<std::size_t>(count))) return 0;
    std::uint64_t value = 0;
    for (std::size_t i = position_ - static_cast<std::size_t>(count); i < position_; ++i)
      value = (value << 8) | bytes_[i];
    return value;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
  bool failed_ = false;
};

}  // namespace miniweb::packets
