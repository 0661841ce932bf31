// IPv4 (RFC 791 3.1) and IPv6 (RFC 8200 3, 4): the addresses, the transport protocol and
// where the transport's bytes are. Fragments are flagged, not reassembled: a first fragment's
// transport header is still read, a later fragment's bytes are left alone.

#include <string>

#include "browser/packets/byte_reader.hpp"
#include "browser/packets/frame_layers.hpp"

namespace miniweb::packets::detail {
namespace {

constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::uint16_t kIpv4DontFragment = 0x4000;
constexpr std::uint16_t kIpv4MoreFragments = 0x2000;
constexpr std::uint16_t kIpv4OffsetMask = 0x1FFF;

// IPv6 next-header values (IANA's protocol numbers) the decoder steps over or stops at.
constexpr std::uint8_t kHopByHop = 0;
constexpr std::uint8_t kRouting = 43;
constexpr std::uint8_t kFragment = 44;
constexpr std::uint8_t kEsp = 50;
constexpr std::uint8_t kAuthentication = 51;
constexpr std::uint8_t kNoNextHeader = 59;
constexpr std::uint8_t kDestinationOptions = 60;
constexpr std::uint8_t kMobility = 135;
constexpr std::uint8_t kHip = 139;
constexpr std::uint8_t kShim6 = 140;

// The datagram says it is `declared` bytes long from slice.begin: narrow the slice to it.
// Fewer bytes in the frame are a contradiction unless the capture cut the frame.
std::optional<DecodeProblem> bound_to_datagram(FrameSlice& slice, std::size_t declared,
                                               const std::string& what) {
  slice.declared_end = slice.begin + declared;
  if (declared <= slice.available()) {
    slice.end = slice.declared_end;  // whatever follows is link-layer padding
    return std::nullopt;
  }
  if (slice.partial != Partial::No) return std::nullopt;
  return malformed(slice.begin, what + " says " + std::to_string(declared) + " bytes, frame has " +
                                    std::to_string(slice.available()));
}

std::string fragment_text(std::uint16_t offset, std::uint32_t identification) {
  return "fragment at offset " + std::to_string(offset) + " of datagram " +
         std::to_string(identification) + ", not reassembled";
}

}  // namespace

std::optional<DecodeProblem> decode_ipv4(FrameSlice& slice, Packet& packet) {
  if (slice.available() < 1) return short_header(slice, "IPv4 header", kIpv4MinHeader);
  ByteReader reader(slice.bytes());
  const std::uint8_t version_and_length = reader.u8();
  if (version_and_length >> 4 != 4)
    return malformed(slice.begin,
                     "IPv4 packet with IP version " + std::to_string(version_and_length >> 4));
  const std::size_t header_length = std::size_t{version_and_length & 0x0Fu} * 4;
  if (header_length < kIpv4MinHeader)
    return malformed(slice.begin, "IPv4 header length says " + std::to_string(header_length) +
                                      " bytes, less than the 20-byte minimum");
  if (slice.available() < header_length) {
    if (slice.available() < kIpv4MinHeader || slice.partial == Partial::No)
      return short_header(slice, "IPv4 header", header_length);
  }
  packet.ip_version = IpVersion::V4;
  packet.ip.traffic_class = reader.u8();
  const std::uint16_t total_length = reader.u16();
  packet.ip.identification = reader.u16();
  const std::uint16_t flags_and_offset = reader.u16();
  packet.ip.hop_limit = reader.u8();
  packet.ip.protocol = reader.u8();
  reader.skip(2);  // header checksum: loopback captures carry it unfinished (offloaded)
  packet.source.address = IpAddress::v4(reader.bytes(4).first<4>());
  packet.destination.address = IpAddress::v4(reader.bytes(4).first<4>());
  packet.ip.header_length = static_cast<std::uint16_t>(header_length);
  packet.ip.options_length = static_cast<std::uint8_t>(header_length - kIpv4MinHeader);
  packet.ip.dont_fragment = (flags_and_offset & kIpv4DontFragment) != 0;
  packet.ip.more_fragments = (flags_and_offset & kIpv4MoreFragments) != 0;
  packet.ip.fragment_offset = static_cast<std::uint16_t>((flags_and_offset & kIpv4OffsetMask) * 8);
  packet.ip.is_fragment = packet.ip.more_fragments || packet.ip.fragment_offset != 0;

  if (total_length < header_length)
    return malformed(slice.begin + 2, "IPv4 total length " + std::to_string(total_length) +
                                          " is less than its " + std::to_string(header_length) +
                                          "-byte header");
  if (slice.available() < header_length)
    return short_header(slice, "IPv4 header with options", header_length);
  if (auto problem = bound_to_datagram(slice, total_length, "IPv4 total length")) return problem;
  if (packet.ip.fragment_offset != 0)
    return not_decoded(slice.begin + 6, "IPv4 " + fragment_text(packet.ip.fragment_offset,
                                                                packet.ip.identification));
  if (packet.ip.more_fragments && slice.partial == Partial::No)
    slice.partial = Partial::FirstFragment;
  slice.begin += header_length;
  return std::nullopt;
}

std::optional<DecodeProblem> decode_ipv6(FrameSlice& slice, Packet& packet) {
  if (slice.available() < kIpv6Header) return short_header(slice, "IPv6 header", kIpv6Header);
  ByteReader reader(slice.bytes());
  const std::uint32_t first_word = reader.u32();
  if (first_word >> 28 != 6)
    return malformed(slice.begin,
                     "IPv6 packet with IP version " + std::to_string(first_word >> 28));
  packet.ip_version = IpVersion::V6;
  packet.ip.traffic_class = static_cast<std::uint8_t>(first_word >> 20);
  packet.ip.flow_label = first_word & 0xFFFFF;
  const std::uint16_t payload_length = reader.u16();
  std::uint8_t next_header = reader.u8();
  packet.ip.hop_limit = reader.u8();
  packet.source.address = IpAddress::v6(reader.bytes(16).first<16>());
  packet.destination.address = IpAddress::v6(reader.bytes(16).first<16>());
  packet.ip.protocol = next_header;
  packet.ip.header_length = kIpv6Header;
  if (payload_length == 0 && next_header == kHopByHop)
    return not_decoded(slice.begin + 4, "IPv6 jumbogram (RFC 2675) is not decoded");
  if (auto problem =
          bound_to_datagram(slice, kIpv6Header + payload_length, "IPv6 payload length plus 40"))
    return problem;

  // RFC 8200 4.1: extension headers in a chain, each naming the next. Every one read moves at
  // least 8 bytes on, so the chain ends within the datagram.
  std::size_t at = kIpv6Header;
  const auto datagram = slice.bytes();
  while (true) {
    const std::size_t header_at = slice.begin + at;
    if (next_header == kHopByHop || next_header == kRouting || next_header == kDestinationOptions ||
        next_header == kMobility || next_header == kHip || next_header == kShim6 ||
        next_header == kAuthentication || next_header == kFragment) {
      ByteReader extension(datagram.subspan(at));
      const std::uint8_t following = extension.u8();
      const std::uint8_t length_field = extension.u8();
      // RFC 8200 4.3-4.6 count 8-octet units past the first 8; AH (RFC 4302 2.2) counts
      // 4-octet units minus 2; the Fragment header is always 8 bytes.
      std::size_t length = next_header == kFragment         ? 8
                           : next_header == kAuthentication ? (std::size_t{length_field} + 2) * 4
                                                            : (std::size_t{length_field} + 1) * 8;
      if (!extension.ok() || length > datagram.size() - at) {
        FrameSlice rest = slice;
        rest.begin = header_at;
        return short_header(rest, "IPv6 extension header " + std::to_string(next_header),
                            extension.ok() ? length : 2);
      }
      if (next_header == kFragment) {
        const std::uint16_t offset_and_flags = extension.u16();
        packet.ip.identification = extension.u32();
        packet.ip.fragment_offset = static_cast<std::uint16_t>(offset_and_flags & 0xFFF8);
        packet.ip.more_fragments = (offset_and_flags & 1) != 0;
        packet.ip.is_fragment = packet.ip.more_fragments || packet.ip.fragment_offset != 0;
        if (packet.ip.fragment_offset != 0)
          return not_decoded(header_at, "IPv6 " + fragment_text(packet.ip.fragment_offset,
                                                                packet.ip.identification));
        if (packet.ip.more_fragments && slice.partial == Partial::No)
          slice.partial = Partial::FirstFragment;
      }
      next_header = following;
      at += length;
      continue;
    }
    if (next_header == kEsp)
      return not_decoded(header_at, "IPv6 ESP payload (next header 50) is encrypted");
    break;
  }
  packet.ip.protocol = next_header;
  packet.ip.header_length = static_cast<std::uint16_t>(at);
  slice.begin += at;
  if (next_header == kNoNextHeader) slice.end = slice.declared_end = slice.begin;
  return std::nullopt;
}

}  // namespace miniweb::packets::detail
