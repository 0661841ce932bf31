#pragma once
// Frames built by hand for the edge cases no real exchange on loopback produces: other link
// types, IP options, fragments, IPv6 extension headers, and every kind of broken header.

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace miniweb::packets::test {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& out, std::uint16_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

inline void put32(Bytes& out, std::uint32_t value) {
  put16(out, static_cast<std::uint16_t>(value >> 16));
  put16(out, static_cast<std::uint16_t>(value));
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Linux lo's Ethernet header: zero MAC addresses, then the EtherType.
inline Bytes ethernet(std::uint16_t ether_type) {
  Bytes out(12, 0);
  put16(out, ether_type);
  return out;
}

struct Ipv4Fields {
  std::uint8_t protocol = 6;
  Bytes options{};                          // a multiple of 4 bytes
  std::uint16_t flags_and_offset = 0x4000;  // DF
  std::uint16_t identification = 0x1234;
  int total_length_adjust = 0;  // added to the true total length
  int ihl_override = -1;        // the IHL nibble, when not the true one
};

inline Bytes ipv4(const Bytes& payload, const Ipv4Fields& fields = {}) {
  Bytes out;
  const std::size_t header = 20 + fields.options.size();
  const int ihl = fields.ihl_override >= 0 ? fields.ihl_override : static_cast<int>(header / 4);
  out.push_back(static_cast<std::uint8_t>(0x40 | ihl));
  out.push_back(0);
  put16(out, static_cast<std::uint16_t>(static_cast<int>(header + payload.size()) +
                                        fields.total_length_adjust));
  put16(out, fields.identification);
  put16(out, fields.flags_and_offset);
  out.push_back(64);
  out.push_back(fields.protocol);
  put16(out, 0);
  put32(out, 0x7f000001);
  put32(out, 0x7f000002);
  out.insert(out.end(), fields.options.begin(), fields.options.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// An IPv6 header from ::1 to ::2 with the given next header and payload (extensions included).
inline Bytes ipv6(std::uint8_t next_header, const Bytes& payload, int length_adjust = 0) {
  Bytes out;
  put32(out, 0x60012345);  // version 6, flow label 0x12345
  put16(out, static_cast<std::uint16_t>(static_cast<int>(payload.size()) + length_adjust));
  out.push_back(next_header);
  out.push_back(64);
  for (int address = 1; address <= 2; ++address) {
    Bytes bytes(16, 0);
    bytes[15] = static_cast<std::uint8_t>(address);
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

struct TcpFields {
  std::uint16_t source_port = 40000;
  std::uint16_t destination_port = 443;
  std::uint32_t seq = 1000;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0x02;  // SYN
  std::uint16_t window = 65535;
  Bytes options{};  // padded by the caller to a multiple of 4
  int data_offset_override = -1;
};

inline Bytes tcp(const Bytes& payload, const TcpFields& fields = {}) {
  Bytes out;
  put16(out, fields.source_port);
  put16(out, fields.destination_port);
  put32(out, fields.seq);
  put32(out, fields.ack);
  const int offset = fields.data_offset_override >= 0
                         ? fields.data_offset_override
                         : static_cast<int>((20 + fields.options.size()) / 4);
  out.push_back(static_cast<std::uint8_t>(offset << 4));
  out.push_back(fields.flags);
  put16(out, fields.window);
  put16(out, 0);
  put16(out, 0);
  out.insert(out.end(), fields.options.begin(), fields.options.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

inline Bytes udp(std::uint16_t source, std::uint16_t destination, const Bytes& payload,
                 int length_adjust = 0) {
  Bytes out;
  put16(out, source);
  put16(out, destination);
  put16(out, static_cast<std::uint16_t>(static_cast<int>(8 + payload.size()) + length_adjust));
  put16(out, 0);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

}  // namespace miniweb::packets::test
