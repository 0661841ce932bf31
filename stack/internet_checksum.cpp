#include "stack/internet_checksum.hpp"

namespace miniweb::stack {
namespace {

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

}  // namespace

std::uint32_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  std::size_t at = 0;
  for (; at + 1 < bytes.size(); at += 2) sum += read16(bytes, at);
  if (at < bytes.size()) sum += static_cast<std::uint32_t>(bytes[at]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> bytes, std::uint32_t sum) {
  return static_cast<std::uint16_t>(~ones_complement_sum(bytes, sum));
}

}  // namespace miniweb::stack
