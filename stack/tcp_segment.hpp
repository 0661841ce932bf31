#pragma once
// TCP segments in IPv4 packets, as the SYN flood experiment sends and captures them: a SYN
// written byte by byte for a raw socket (RFC 791 section 3.1, RFC 9293 section 3.1) with the
// options Linux puts in its own, and the few fields read back from a captured frame.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "stack/internet_checksum.hpp"
#include "stack/links.hpp"           // Address
#include "stack/packet_headers.hpp"  // ipv4_of_frame's link types

namespace miniweb::stack {

struct SynSpec {
  Address source = 0;
  Address destination = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t sequence = 0;
  std::uint16_t identification = 0;
  std::uint32_t timestamp = 0;  // TSval (RFC 7323 section 3)
  std::uint16_t window = 64240;
  std::uint16_t mss = 1460;
  std::uint8_t window_scale = 7;
};

// An IPv4 header without options and a TCP header with Linux's SYN options: MSS, SACK
// permitted, timestamps, NOP, window scale. Both checksums filled in.
inline constexpr std::size_t kSynPacketSize = 60;
std::array<std::uint8_t, kSynPacketSize> build_syn(const SynSpec& spec);

enum TcpFlag : std::uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
};

struct TcpSegment {
  Address source = 0;
  Address destination = 0;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint8_t flags = 0;
  std::uint32_t sequence = 0;
  std::uint32_t acknowledgment = 0;
  std::uint16_t mss = 0;                   // the MSS option; 0 when absent
  std::optional<std::uint32_t> timestamp;  // TSval, when the timestamps option is there
  std::size_t payload = 0;                 // bytes of data, from the IP total length

  bool syn_only() const { return (flags & (kSyn | kAck)) == kSyn; }
  bool syn_ack() const { return (flags & (kSyn | kAck)) == (kSyn | kAck); }
  bool rst() const { return (flags & kRst) != 0; }
};

// An IPv4 packet carrying TCP; nullopt for anything else or anything cut short.
std::optional<TcpSegment> decode_ipv4_tcp(std::span<const std::uint8_t> packet);

// A captured frame (ipv4_of_frame's link types) carrying IPv4 and TCP.
std::optional<TcpSegment> decode_frame(int link_type, std::span<const std::uint8_t> frame);

}  // namespace miniweb::stack
