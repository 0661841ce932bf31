#include "browser/packets/frame_decoder.hpp"

#include <cstdio>
#include <string>
#include <utility>

#include "browser/packets/frame_layers.hpp"

namespace miniweb::packets {

namespace detail {

DecodeProblem malformed(std::size_t offset, std::string message) {
  return DecodeProblem{DecodeProblem::Kind::Malformed, offset, std::move(message)};
}

DecodeProblem not_decoded(std::size_t offset, std::string message) {
  return DecodeProblem{DecodeProblem::Kind::NotDecoded, offset, std::move(message)};
}

DecodeProblem short_header(const FrameSlice& slice, const std::string& what, std::size_t needed) {
  const std::string counts = what + " says " + std::to_string(needed) + " bytes, only " +
                             std::to_string(slice.available());
  switch (slice.partial) {
    case Partial::Snaplen:
      return not_decoded(slice.begin, counts + " captured (the capture's snapshot length)");
    case Partial::FirstFragment:
      return not_decoded(slice.begin, counts + " in this first fragment");
    case Partial::No:
      break;
  }
  return malformed(slice.begin, counts + " left in the frame");
}

std::string hex16(std::uint16_t value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", value);
  return text;
}

}  // namespace detail

namespace {

constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::uint8_t kProtocolUdp = 17;

// The layers above the link: IP by the link layer's EtherType, then the transport.
std::optional<DecodeProblem> decode_network(detail::FrameSlice& slice, Packet& packet) {
  std::optional<DecodeProblem> problem;
  if (packet.ether_type == detail::kEtherTypeIpv4) {
    problem = detail::decode_ipv4(slice, packet);
  } else if (packet.ether_type == detail::kEtherTypeIpv6) {
    problem = detail::decode_ipv6(slice, packet);
  } else {
    return detail::not_decoded(slice.begin,
                               "EtherType " + detail::hex16(packet.ether_type) + " is not IP");
  }
  if (problem) return problem;
  switch (packet.ip.protocol) {
    case kProtocolTcp:
      return detail::decode_tcp(slice, packet);
    case kProtocolUdp:
      return detail::decode_udp(slice, packet);
    default:
      packet.transport = slice.declared_end > slice.begin ? Transport::Other : Transport::None;
      packet.payload_length = static_cast<std::uint32_t>(slice.declared_end - slice.begin);
      packet.payload.assign(slice.bytes().begin(), slice.bytes().end());
      return std::nullopt;
  }
}

}  // namespace

Packet decode_frame(int link_type, std::span<const std::uint8_t> frame, CaptureTime time,
                    std::optional<std::uint32_t> wire_length) {
  Packet packet;
  packet.time = time;
  packet.link_type = link_type;
  packet.captured_length = static_cast<std::uint32_t>(frame.size());
  packet.wire_length = wire_length.value_or(packet.captured_length);

  detail::FrameSlice slice{frame, 0, frame.size(), frame.size(), detail::Partial::No};
  if (packet.wire_length > packet.captured_length) {
    slice.declared_end = packet.wire_length;
    slice.partial = detail::Partial::Snaplen;
  }
  packet.problem = detail::decode_link_layer(link_type, slice, packet);
  if (!packet.problem) packet.problem = decode_network(slice, packet);
  return packet;
}

}  // namespace miniweb::packets
