// The link layers libpcap gives on Linux and the BSDs: what comes before the IP header, and
// which network protocol it names. Each is mapped to an EtherType so that one switch picks IP.

#include <string>

#include "browser/packets/byte_reader.hpp"
#include "browser/packets/frame_layers.hpp"

namespace miniweb::packets::detail {
namespace {

constexpr std::uint16_t kEtherTypeVlan = 0x8100;   // IEEE 802.1Q
constexpr std::uint16_t kEtherTypeQinQ = 0x88A8;   // IEEE 802.1ad
constexpr std::uint16_t kFirstEtherType = 0x0600;  // below: an IEEE 802.3 length field
constexpr std::size_t kEthernetHeader = 14;        // destination, source, EtherType
constexpr std::size_t kVlanTag = 4;
constexpr std::size_t kMaxVlanTags = 2;
constexpr std::size_t kSllHeader = 16;   // packet type, ARPHRD, address length, 8 address bytes
constexpr std::size_t kSll2Header = 20;  // protocol first, then ifindex, ARPHRD, type, address
constexpr std::size_t kNullHeader = 4;

// The address family values DLT_NULL and DLT_LOOP carry for IPv4 and IPv6: AF_INET is 2
// everywhere; AF_INET6 is 10 on Linux, 24 on NetBSD and OpenBSD, 28 on FreeBSD, 30 on macOS.
std::optional<std::uint16_t> ether_type_for_family(std::uint32_t family) {
  if (family == 2) return kEtherTypeIpv4;
  if (family == 10 || family == 24 || family == 28 || family == 30) return kEtherTypeIpv6;
  return std::nullopt;
}

std::optional<DecodeProblem> decode_ethernet(FrameSlice& slice, Packet& packet) {
  if (slice.available() < kEthernetHeader) return short_header(slice, "Ethernet header", 14);
  ByteReader reader(slice.bytes());
  reader.skip(12);
  std::uint16_t ether_type = reader.u16();
  for (std::size_t tags = 0; ether_type == kEtherTypeVlan || ether_type == kEtherTypeQinQ; ++tags) {
    if (tags == kMaxVlanTags)
      return not_decoded(slice.begin + reader.position() - 2, "more than two VLAN tags");
    reader.skip(2);  // priority, DEI and VLAN ID
    ether_type = reader.u16();
    if (!reader.ok())
      return short_header(slice, "VLAN-tagged Ethernet header",
                          kEthernetHeader + (tags + 1) * kVlanTag);
  }
  packet.ether_type = ether_type;
  slice.begin += reader.position();
  if (ether_type < kFirstEtherType)
    return not_decoded(slice.begin - 2, "IEEE 802.3 frame with a length field, not an EtherType");
  return std::nullopt;
}

std::optional<DecodeProblem> decode_cooked(FrameSlice& slice, Packet& packet, std::size_t header,
                                           std::size_t protocol_at, const char* what) {
  if (slice.available() < header) return short_header(slice, what, header);
  ByteReader reader(slice.bytes().subspan(protocol_at, 2));
  packet.ether_type = reader.u16();
  slice.begin += header;
  return std::nullopt;
}

std::optional<DecodeProblem> decode_loopback(FrameSlice& slice, Packet& packet,
                                             bool network_order) {
  if (slice.available() < kNullHeader) return short_header(slice, "loopback header", kNullHeader);
  const auto bytes = slice.bytes();
  const std::uint32_t big = ByteReader(bytes).u32();
  const std::uint32_t little =
      static_cast<std::uint32_t>(bytes[0]) | (static_cast<std::uint32_t>(bytes[1]) << 8) |
      (static_cast<std::uint32_t>(bytes[2]) << 16) | (static_cast<std::uint32_t>(bytes[3]) << 24);
  // DLT_NULL is in the capturing host's byte order, which the file does not say: the family
  // is a small number, so whichever reading is small is the right one.
  const std::uint32_t family = network_order || big < 256 ? big : little;
  auto ether_type = ether_type_for_family(family);
  if (!ether_type)
    return not_decoded(slice.begin, "loopback address family " + std::to_string(family) +
                                        " is neither IPv4 nor IPv6");
  packet.ether_type = *ether_type;
  slice.begin += kNullHeader;
  return std::nullopt;
}

std::optional<DecodeProblem> decode_raw(FrameSlice& slice, Packet& packet) {
  if (slice.available() < 1) return short_header(slice, "IP header", 1);
  const int version = slice.bytes()[0] >> 4;
  if (version == 4) {
    packet.ether_type = kEtherTypeIpv4;
  } else if (version == 6) {
    packet.ether_type = kEtherTypeIpv6;
  } else {
    return malformed(slice.begin, "raw IP frame starts with IP version " + std::to_string(version) +
                                      ", not 4 or 6");
  }
  return std::nullopt;
}

}  // namespace

std::optional<DecodeProblem> decode_link_layer(int link_type, FrameSlice& slice, Packet& packet) {
  switch (link_type) {
    case link_type::Ethernet:
      return decode_ethernet(slice, packet);
    case link_type::LinuxSll:
      return decode_cooked(slice, packet, kSllHeader, 14, "Linux cooked (SLL) header");
    case link_type::LinuxSll2:
      return decode_cooked(slice, packet, kSll2Header, 0, "Linux cooked (SLL2) header");
    case link_type::Null:
      return decode_loopback(slice, packet, false);
    case link_type::Loop:
      return decode_loopback(slice, packet, true);
    case link_type::Raw:
    case link_type::RawFile:
      return decode_raw(slice, packet);
    default:
      return not_decoded(0, "link type " + std::to_string(link_type) + " is not decoded");
  }
}

}  // namespace miniweb::packets::detail
