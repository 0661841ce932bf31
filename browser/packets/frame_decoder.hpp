#pragma once
// Captured frames to packets: link layer, IP, UDP or TCP, each decoded in turn (the layers are
// in frame_layers.hpp). Never throws and never reads past the frame: whatever is not understood
// comes back as the Packet's problem, saying what and at which byte.

#include <cstdint>
#include <optional>
#include <span>

#include "browser/packets/packet.hpp"

namespace miniweb::packets {

// `link_type` as pcap_datalink() gives it (packet.hpp's link_type). `wire_length` is the
// frame's length on the wire (pcap_pkthdr::len) when the snapshot length cut it; without it the
// frame is taken as whole.
Packet decode_frame(int link_type, std::span<const std::uint8_t> frame, CaptureTime time,
                    std::optional<std::uint32_t> wire_length = std::nullopt);

}  // namespace miniweb::packets
