#pragma once
// The Internet checksum of IPv4, UDP and TCP headers (RFC 1071).

#include <cstdint>
#include <span>

namespace miniweb::stack {

// RFC 1071: the 16-bit one's complement sum of `bytes` (an odd last byte padded with zero),
// added to `sum`, folded. internet_checksum is its complement, as the headers carry it.
std::uint32_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0);
std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0);

}  // namespace miniweb::stack
