#pragma once
// One frame of the stream experiment's live stream (miniweb-stack stream), the same bytes over
// UDP (one datagram each) and over TCP (one after another in the byte stream):
//
//   0   "MWSF"               magic
//   4   sequence             uint32, from 0
//   8   sent_us              uint64, microseconds since the stream's start, as the sender sent it
//   16  length               uint16, the whole frame, header included
//   18  checksum             uint16, the sum of the payload's bytes
//   20  payload              byte i is (sequence + i) mod 256
//
// Numbers are big-endian. The length makes frames self-delimiting in TCP's byte stream.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::stack {

inline constexpr std::size_t kFrameHeaderSize = 20;
// A frame fits one Ethernet-sized UDP datagram (1500 - 20 - 8 bytes).
inline constexpr std::size_t kMaxFrameSize = 1472;

struct FrameHeader {
  std::uint32_t sequence = 0;
  std::uint64_t sent_us = 0;
  std::uint16_t length = 0;
  std::uint16_t checksum = 0;
};

// A frame of `length` bytes (kFrameHeaderSize to kMaxFrameSize).
std::vector<std::uint8_t> make_frame(std::uint32_t sequence, std::uint64_t sent_us,
                                     std::size_t length);

// The header of the bytes at the start of `bytes`: at least kFrameHeaderSize of them, the magic,
// a length within bounds. What TCP's reader needs to know how much more to read.
Result<FrameHeader> parse_frame_header(std::span<const std::uint8_t> bytes);

// A whole frame: its header, exactly `length` bytes, and a payload that matches its checksum.
Result<FrameHeader> parse_frame(std::span<const std::uint8_t> bytes);

}  // namespace miniweb::stack
