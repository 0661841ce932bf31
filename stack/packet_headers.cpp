#include "stack/packet_headers.hpp"

#include <netinet/in.h>

#include <sstream>

namespace miniweb::stack {
namespace {

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}
std::uint32_t read32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint32_t>(read16(bytes, at)) << 16 | read16(bytes, at + 2);
}

}  // namespace

std::span<const std::uint8_t> ipv4_of_frame(int link_type, std::span<const std::uint8_t> frame) {
  constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
  std::size_t header = 0;
  std::size_t protocol_at = 0;  // where the EtherType is, in a link header that has one
  switch (link_type) {
    case kLinkRaw:
    case kLinkRawFile:
    case kLinkIpv4:
      return frame;
    case kLinkEthernet:
      header = 14;
      protocol_at = 12;
      break;
    case kLinkLinuxSll:  // packet type, address type and length, 8 bytes of address, protocol
      header = 16;
      protocol_at = 14;
      break;
    case kLinkLinuxSll2:  // protocol first, then the interface index and the rest
      header = 20;
      protocol_at = 0;
      break;
    default:
      return {};
  }
  if (frame.size() < header || read16(frame, protocol_at) != kEtherTypeIpv4) return {};
  return frame.subspan(header);
}

bool PacketHeaders::is_tcp() const {
  return protocol == IPPROTO_TCP && has_ports;
}
bool PacketHeaders::is_udp() const {
  return protocol == IPPROTO_UDP && has_ports;
}

bool PacketHeaders::tcp_flags_are(std::uint8_t bits) const {
  constexpr std::uint8_t kControl = tcp_bits::Syn | tcp_bits::Ack | tcp_bits::Fin | tcp_bits::Rst;
  return is_tcp() && (tcp_flags & kControl) == bits;
}

std::optional<PacketHeaders> read_packet_headers(std::span<const std::uint8_t> packet) {
  if (packet.size() < 20 || packet[0] >> 4 != 4) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if (header < 20) return std::nullopt;
  PacketHeaders out;
  out.total_length = read16(packet, 2);
  out.protocol = packet[9];
  out.source = read32(packet, 12);
  out.destination = read32(packet, 16);
  const std::size_t transport_length = out.total_length > header ? out.total_length - header : 0;
  if (out.protocol == IPPROTO_TCP && packet.size() >= header + 20 &&
      (packet[header + 12] >> 4) >= 5) {  // a data offset under 5 words is no TCP header
    auto tcp = packet.subspan(header);
    const std::size_t offset = static_cast<std::size_t>(tcp[12] >> 4) * 4;
    out.has_ports = true;
    out.source_port = read16(tcp, 0);
    out.destination_port = read16(tcp, 2);
    out.seq = read32(tcp, 4);
    out.ack = read32(tcp, 8);
    out.tcp_flags = tcp[13];
    out.payload_length =
        static_cast<std::uint32_t>(transport_length > offset ? transport_length - offset : 0);
    if (tcp.size() > offset) out.payload = tcp.subspan(offset);
  } else if (out.protocol == IPPROTO_UDP && packet.size() >= header + 8) {
    auto udp = packet.subspan(header);
    out.has_ports = true;
    out.source_port = read16(udp, 0);
    out.destination_port = read16(udp, 2);
    const std::uint16_t length = read16(udp, 4);
    out.payload_length = length >= 8 ? length - 8u : 0u;
    out.payload = udp.subspan(8);
  }
  return out;
}

std::string packet_summary(std::span<const std::uint8_t> packet) {
  auto headers = read_packet_headers(packet);
  if (!headers) return "not IPv4, " + std::to_string(packet.size()) + " bytes";
  const PacketHeaders& h = *headers;
  std::ostringstream out;
  auto ends = [&] {
    out << address_text(h.source) << ':' << h.source_port << " > " << address_text(h.destination)
        << ':' << h.destination_port;
  };
  if (h.is_tcp()) {
    std::string names;
    if (h.tcp_flags & tcp_bits::Syn) names += 'S';
    if (h.tcp_flags & tcp_bits::Fin) names += 'F';
    if (h.tcp_flags & tcp_bits::Rst) names += 'R';
    if (h.tcp_flags & tcp_bits::Psh) names += 'P';
    if (h.tcp_flags & tcp_bits::Ack) names += '.';
    out << "tcp ";
    ends();
    out << " [" << names << "] seq " << h.seq << " ack " << h.ack << " len " << h.payload_length;
  } else if (h.is_udp()) {
    out << "udp ";
    ends();
    out << " len " << h.payload_length;
  } else {
    out << "ip proto " << static_cast<int>(h.protocol) << ' ' << address_text(h.source) << " > "
        << address_text(h.destination) << " len " << h.total_length;
  }
  return out.str();
}

}  // namespace miniweb::stack
