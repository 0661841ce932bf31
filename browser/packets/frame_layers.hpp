#pragma once
// The layers decode_frame (frame_decoder.cpp) runs one after the other, each over the part of
// the frame the layer below handed it: link (link_layer.cpp), IP (ip_layer.cpp), UDP and TCP
// (transport_layer.cpp). Internal to the packets library.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "browser/packets/packet.hpp"

namespace miniweb::packets::detail {

// EtherTypes the IP layer takes (IEEE 802 numbers, also in SLL headers).
inline constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherTypeIpv6 = 0x86DD;

// Why bytes may be missing without the frame contradicting itself.
enum class Partial { No, Snaplen, FirstFragment };

// The bytes one layer decodes: its header starts at `begin`; the frame's bytes for it and the
// layers above end at `end`. `declared_end` is where they end by the headers below (the IP
// total length), past `end` when the frame is partial.
struct FrameSlice {
  std::span<const std::uint8_t> frame;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t declared_end = 0;
  Partial partial = Partial::No;

  std::size_t available() const { return end - begin; }
  std::span<const std::uint8_t> bytes() const { return frame.subspan(begin, end - begin); }
};

// A header of `needed` bytes (`what`, e.g. "TCP header") when fewer are there: malformed, or
// not decoded when the slice is partial.
DecodeProblem short_header(const FrameSlice& slice, const std::string& what, std::size_t needed);
DecodeProblem malformed(std::size_t offset, std::string message);
DecodeProblem not_decoded(std::size_t offset, std::string message);
std::string hex16(std::uint16_t value);  // "0x0806"

// Each reads its header at slice.begin, fills `packet`, and moves the slice to its payload.
std::optional<DecodeProblem> decode_link_layer(int link_type, FrameSlice& slice, Packet& packet);
std::optional<DecodeProblem> decode_ipv4(FrameSlice& slice, Packet& packet);
std::optional<DecodeProblem> decode_ipv6(FrameSlice& slice, Packet& packet);
std::optional<DecodeProblem> decode_udp(FrameSlice& slice, Packet& packet);
std::optional<DecodeProblem> decode_tcp(FrameSlice& slice, Packet& packet);
// The options area of a TCP header (RFC 9293 3.2), starting at frame offset `offset`.
std::optional<DecodeProblem> decode_tcp_options(std::span<const std::uint8_t> options,
                                                std::size_t offset, TcpOptions& out);

}  // namespace miniweb::packets::detail
