// UDP (RFC 768) and TCP (RFC 9293 3.1, options 3.2; window scale and timestamps RFC 7323;
// SACK RFC 2018): ports, the TCP header's fields and options, and the payload copied out.

#include <string>

#include "browser/packets/byte_reader.hpp"
#include "browser/packets/frame_layers.hpp"

namespace miniweb::packets::detail {
namespace {

constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kTcpMinHeader = 20;

// TCP option kinds (IANA's TCP Option Kind Numbers).
constexpr std::uint8_t kEndOfOptions = 0;
constexpr std::uint8_t kNoOperation = 1;
constexpr std::uint8_t kMss = 2;
constexpr std::uint8_t kWindowScale = 3;
constexpr std::uint8_t kSackPermitted = 4;
constexpr std::uint8_t kSack = 5;
constexpr std::uint8_t kTimestamps = 8;

void copy_payload(const FrameSlice& slice, std::size_t header_length, Packet& packet) {
  const std::size_t declared = slice.declared_end - slice.begin;
  packet.payload_length =
      static_cast<std::uint32_t>(declared > header_length ? declared - header_length : 0);
  if (slice.available() > header_length) {
    const auto payload = slice.bytes().subspan(header_length);
    packet.payload.assign(payload.begin(), payload.end());
  }
}

std::optional<DecodeProblem> option_length_problem(std::size_t offset, const char* name,
                                                   std::size_t length, const char* expected) {
  return malformed(offset, std::string("TCP option ") + name + " has length " +
                               std::to_string(length) + ", expected " + expected);
}

}  // namespace

std::optional<DecodeProblem> decode_udp(FrameSlice& slice, Packet& packet) {
  packet.transport = Transport::Udp;
  if (slice.available() < kUdpHeader) return short_header(slice, "UDP header", kUdpHeader);
  ByteReader reader(slice.bytes());
  packet.source.port = reader.u16();
  packet.destination.port = reader.u16();
  const std::uint16_t length = reader.u16();
  if (length < kUdpHeader)
    return malformed(slice.begin + 4, "UDP length says " + std::to_string(length) +
                                          " bytes, less than its 8-byte header");
  const std::size_t declared = slice.declared_end - slice.begin;
  // A first fragment carries the start of a longer datagram: its UDP length says more.
  if (length > declared && slice.partial != Partial::FirstFragment)
    return malformed(slice.begin + 4, "UDP length says " + std::to_string(length) +
                                          " bytes, IP payload has " + std::to_string(declared));
  // The UDP length, not IP's, bounds the datagram (RFC 768): anything after it is not data.
  slice.declared_end = slice.begin + length;
  if (slice.end > slice.declared_end) slice.end = slice.declared_end;
  copy_payload(slice, kUdpHeader, packet);
  return std::nullopt;
}

std::optional<DecodeProblem> decode_tcp(FrameSlice& slice, Packet& packet) {
  packet.transport = Transport::Tcp;
  if (slice.available() < kTcpMinHeader) return short_header(slice, "TCP header", kTcpMinHeader);
  ByteReader reader(slice.bytes());
  TcpHeader header;
  packet.source.port = reader.u16();
  packet.destination.port = reader.u16();
  header.seq = reader.u32();
  header.ack = reader.u32();
  const std::uint8_t offset_and_reserved = reader.u8();
  header.header_length = static_cast<std::uint8_t>((offset_and_reserved >> 4) * 4);
  header.flags = static_cast<std::uint16_t>(((offset_and_reserved & 0x01) << 8) | reader.u8());
  header.window = reader.u16();
  reader.skip(2);  // checksum: loopback captures carry it unfinished (offloaded)
  header.urgent_pointer = reader.u16();
  packet.tcp = header;
  TcpHeader& tcp = *packet.tcp;

  if (tcp.header_length < kTcpMinHeader)
    return malformed(slice.begin + 12, "TCP data offset says " + std::to_string(tcp.header_length) +
                                           " bytes, less than the 20-byte minimum");
  const std::size_t declared = slice.declared_end - slice.begin;
  if (tcp.header_length > declared)
    return malformed(slice.begin + 12, "TCP data offset says " + std::to_string(tcp.header_length) +
                                           " bytes, segment has " + std::to_string(declared));
  if (tcp.header_length > slice.available())
    return short_header(slice, "TCP header with options", tcp.header_length);
  copy_payload(slice, tcp.header_length, packet);
  const auto options = slice.bytes().subspan(kTcpMinHeader, tcp.header_length - kTcpMinHeader);
  return decode_tcp_options(options, slice.begin + kTcpMinHeader, tcp.options);
}

std::optional<DecodeProblem> decode_tcp_options(std::span<const std::uint8_t> options,
                                                std::size_t offset, TcpOptions& out) {
  ByteReader reader(options);
  while (reader.remaining() > 0) {
    const std::size_t at = offset + reader.position();
    const std::uint8_t kind = reader.u8();
    if (kind == kEndOfOptions) break;
    if (kind == kNoOperation) continue;
    // Every other option: kind, length (counting both), data (RFC 9293 3.2).
    const std::uint8_t length = reader.u8();
    if (!reader.ok())
      return malformed(at, "TCP option kind " + std::to_string(kind) + " has no length byte");
    if (length < 2 || length - 2u > reader.remaining())
      return malformed(at, "TCP option kind " + std::to_string(kind) + " says " +
                               std::to_string(length) + " bytes, " +
                               std::to_string(reader.remaining() + 2) + " remain");
    ByteReader data(reader.bytes(length - 2u));
    switch (kind) {
      case kMss:
        if (length != 4) return option_length_problem(at, "MSS", length, "4");
        out.mss = data.u16();
        break;
      case kWindowScale:
        if (length != 3) return option_length_problem(at, "window scale", length, "3");
        out.window_scale = data.u8();
        break;
      case kSackPermitted:
        if (length != 2) return option_length_problem(at, "SACK permitted", length, "2");
        out.sack_permitted = true;
        break;
      case kSack:
        if ((length - 2) % 8 != 0 || length == 2)
          return option_length_problem(at, "SACK", length, "2 plus 8 per block");
        while (data.remaining() > 0) out.sack_blocks.push_back({data.u32(), data.u32()});
        break;
      case kTimestamps:
        if (length != 10) return option_length_problem(at, "timestamps", length, "10");
        out.timestamps = TcpTimestamps{data.u32(), data.u32()};
        break;
      default:
        out.other_kinds.push_back(kind);
        break;
    }
  }
  return std::nullopt;
}

}  // namespace miniweb::packets::detail
