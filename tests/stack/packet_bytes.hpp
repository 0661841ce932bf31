#pragma once
// IPv4 packets written byte by byte for the link emulator's tests: big-endian fields and a
// header with the given addresses, protocol and total length (the rest zero).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/links.hpp"

namespace miniweb::stack::test_packets {

inline void put16(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<std::uint8_t>(value);
}
inline void put32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value) {
  put16(bytes, at, value >> 16);
  put16(bytes, at + 2, value & 0xffff);
}

inline std::vector<std::uint8_t> ip_header(Address from, Address to, std::uint8_t protocol,
                                           std::size_t total) {
  std::vector<std::uint8_t> bytes(total, 0);
  bytes[0] = 0x45;
  put16(bytes, 2, static_cast<std::uint32_t>(total));
  bytes[8] = 64;
  bytes[9] = protocol;
  put32(bytes, 12, from);
  put32(bytes, 16, to);
  return bytes;
}

}  // namespace miniweb::stack::test_packets
