#include "stack/stream_frame.hpp"

#include <string>

namespace miniweb::stack {
namespace {

constexpr std::uint8_t kMagic[4] = {'M', 'W', 'S', 'F'};

void put(std::vector<std::uint8_t>& out, std::size_t at, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out[at + static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i)));
}

std::uint64_t get(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = value << 8 | in[at + static_cast<std::size_t>(i)];
  return value;
}

std::uint16_t payload_sum(std::span<const std::uint8_t> payload) {
  std::uint32_t sum = 0;
  for (std::uint8_t byte : payload) sum += byte;
  return static_cast<std::uint16_t>(sum);
}

}  // namespace

std::vector<std::uint8_t> make_frame(std::uint32_t sequence, std::uint64_t sent_us,
                                     std::size_t length) {
  std::vector<std::uint8_t> frame(length);
  for (std::size_t i = 0; i < 4; ++i) frame[i] = kMagic[i];
  put(frame, 4, sequence, 4);
  put(frame, 8, sent_us, 8);
  put(frame, 16, length, 2);
  for (std::size_t i = kFrameHeaderSize; i < length; ++i)
    frame[i] = static_cast<std::uint8_t>(sequence + (i - kFrameHeaderSize));
  put(frame, 18, payload_sum(std::span(frame).subspan(kFrameHeaderSize)), 2);
  return frame;
}

Result<FrameHeader> parse_frame_header(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kFrameHeaderSize)
    return make_error("a frame of " + std::to_string(bytes.size()) + " bytes: shorter than its " +
                      std::to_string(kFrameHeaderSize) + "-byte header");
  for (std::size_t i = 0; i < 4; ++i)
    if (bytes[i] != kMagic[i]) return make_error("not a frame: no MWSF at its start");
  FrameHeader header;
  header.sequence = static_cast<std::uint32_t>(get(bytes, 4, 4));
  header.sent_us = get(bytes, 8, 8);
  header.length = static_cast<std::uint16_t>(get(bytes, 16, 2));
  header.checksum = static_cast<std::uint16_t>(get(bytes, 18, 2));
  if (header.length < kFrameHeaderSize || header.length > kMaxFrameSize)
    return make_error("frame " + std::to_string(header.sequence) + " says it has " +
                      std::to_string(header.length) + " bytes: not within " +
                      std::to_string(kFrameHeaderSize) + " to " + std::to_string(kMaxFrameSize));
  return header;
}

Result<FrameHeader> parse_frame(std::span<const std::uint8_t> bytes) {
  auto header = parse_frame_header(bytes);
  if (!header) return header;
  if (bytes.size() != header->length)
    return make_error("frame " + std::to_string(header->sequence) + " says " +
                      std::to_string(header->length) + " bytes but has " +
                      std::to_string(bytes.size()));
  if (payload_sum(bytes.subspan(kFrameHeaderSize)) != header->checksum)
    return make_error("frame " + std::to_string(header->sequence) +
                      ": its payload does not match its checksum");
  return header;
}

}  // namespace miniweb::stack
