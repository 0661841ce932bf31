#include "stack/tcp_segment.hpp"

#include <algorithm>

namespace miniweb::stack {
namespace {

constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::size_t kIpHeader = 20;
constexpr std::size_t kTcpHeader = 40;  // 20 bytes and 20 of options

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}
std::uint32_t read32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint32_t>(read16(bytes, at)) << 16 | read16(bytes, at + 2);
}
void write16(std::span<std::uint8_t> bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = static_cast<std::uint8_t>(value >> 8);
  bytes[at + 1] = static_cast<std::uint8_t>(value);
}
void write32(std::span<std::uint8_t> bytes, std::size_t at, std::uint32_t value) {
  write16(bytes, at, static_cast<std::uint16_t>(value >> 16));
  write16(bytes, at + 2, static_cast<std::uint16_t>(value));
}

// RFC 9293 section 3.1: the TCP checksum covers a pseudo-header of the two addresses, the
// protocol and the TCP length, then the segment.
std::uint32_t pseudo_header_sum(Address source, Address destination, std::size_t tcp_length) {
  std::array<std::uint8_t, 12> pseudo{};
  write32(pseudo, 0, source);
  write32(pseudo, 4, destination);
  pseudo[9] = kProtocolTcp;
  write16(pseudo, 10, static_cast<std::uint16_t>(tcp_length));
  return ones_complement_sum(pseudo);
}

// The options of a TCP header (RFC 9293 section 3.2): the MSS and the timestamp.
void read_options(std::span<const std::uint8_t> options, TcpSegment& segment) {
  std::size_t at = 0;
  while (at < options.size()) {
    const std::uint8_t kind = options[at];
    if (kind == 0) break;  // end of the option list
    if (kind == 1) {       // no-operation
      ++at;
      continue;
    }
    if (at + 1 >= options.size()) break;
    const std::size_t length = options[at + 1];
    if (length < 2 || at + length > options.size()) break;
    if (kind == 2 && length == 4) segment.mss = read16(options, at + 2);
    if (kind == 8 && length == 10) segment.timestamp = read32(options, at + 2);
    at += length;
  }
}

}  // namespace

std::array<std::uint8_t, kSynPacketSize> build_syn(const SynSpec& spec) {
  std::array<std::uint8_t, kSynPacketSize> packet{};
  std::span<std::uint8_t> ip(packet.data(), kIpHeader);
  ip[0] = 0x45;  // version 4, five words of header
  write16(ip, 2, static_cast<std::uint16_t>(kSynPacketSize));
  write16(ip, 4, spec.identification);
  ip[8] = 64;  // time to live
  ip[9] = kProtocolTcp;
  write32(ip, 12, spec.source);
  write32(ip, 16, spec.destination);
  write16(ip, 10, internet_checksum(ip));

  std::span<std::uint8_t> tcp(packet.data() + kIpHeader, kTcpHeader);
  write16(tcp, 0, spec.source_port);
  write16(tcp, 2, spec.destination_port);
  write32(tcp, 4, spec.sequence);
  tcp[12] = (kTcpHeader / 4) << 4;  // data offset in words
  tcp[13] = kSyn;
  write16(tcp, 14, spec.window);
  // Options in Linux's order: MSS, SACK permitted, timestamps (TSecr 0), NOP, window scale.
  const std::array<std::uint8_t, 20> options{2, 4, 0, 0, 4, 2, 8, 10, 0, 0,
                                             0, 0, 0, 0, 0, 0, 1, 3,  3, 0};
  std::copy(options.begin(), options.end(), tcp.begin() + 20);
  write16(tcp, 22, spec.mss);
  write32(tcp, 28, spec.timestamp);
  tcp[39] = spec.window_scale;
  write16(tcp, 16,
          internet_checksum(tcp, pseudo_header_sum(spec.source, spec.destination, kTcpHeader)));
  return packet;
}

std::optional<TcpSegment> decode_ipv4_tcp(std::span<const std::uint8_t> packet) {
  if (packet.size() < kIpHeader || packet[0] >> 4 != 4) return std::nullopt;
  const std::size_t ip_length = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if (ip_length < kIpHeader || packet[9] != kProtocolTcp || packet.size() < ip_length + 20)
    return std::nullopt;
  if ((read16(packet, 6) & 0x1fff) != 0) return std::nullopt;  // a later fragment
  TcpSegment segment;
  segment.source = read32(packet, 12);
  segment.destination = read32(packet, 16);
  std::span<const std::uint8_t> tcp = packet.subspan(ip_length);
  segment.source_port = read16(tcp, 0);
  segment.destination_port = read16(tcp, 2);
  segment.sequence = read32(tcp, 4);
  segment.acknowledgment = read32(tcp, 8);
  segment.flags = tcp[13];
  const std::size_t tcp_length = static_cast<std::size_t>(tcp[12] >> 4) * 4;
  if (tcp_length < 20) return std::nullopt;
  // Options past the snapshot are not read; the lengths come from the headers.
  read_options(tcp.subspan(20, std::min(tcp_length, tcp.size()) - 20), segment);
  const std::size_t total = read16(packet, 2);
  segment.payload = total > ip_length + tcp_length ? total - ip_length - tcp_length : 0;
  return segment;
}

std::optional<TcpSegment> decode_frame(int link_type, std::span<const std::uint8_t> frame) {
  const auto packet = ipv4_of_frame(link_type, frame);
  if (packet.empty()) return std::nullopt;
  return decode_ipv4_tcp(packet);
}

}  // namespace miniweb::stack
