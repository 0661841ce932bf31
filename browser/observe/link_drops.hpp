#pragma once
// What the link emulator dropped or changed (miniweb-stack link, under ./miniweb up --network or an
// experiment), read from its drop log and matched to the captured packets. The capture on lo
// sees a packet as it leaves; the emulator drops it on the receiving side. So a lost packet is
// in the capture, and only this log says it never arrived.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/packets/packet.hpp"

namespace miniweb::browser::observe {

struct LinkDrop {
  std::int64_t time_us = 0;  // since the epoch, as the capture's stamps
  std::string why;           // "the link's loss", "an experiment's fault"
  std::string packet;        // "tcp 127.0.0.1:40000 > 127.53.0.10:443 [S] seq 1 ack 0 len 0"
  // Not dropped but let through with bytes changed (an experiment's box on the path): `why`
  // says what changed. The capture shows the packet as it was sent, before the change.
  bool changed = false;
};

// "1764650000.123456 dropped by the link emulator (WHY): PACKET", or "... changed by the link
// emulator (WHY): PACKET"; nothing for another line.
std::optional<LinkDrop> parse_link_drop(std::string_view line);
// The log's drops from `since_us` on (a second earlier, for the clocks' grain). A log that
// cannot be read gives none: the ladder then shows no packet as lost.
std::vector<LinkDrop> read_link_drops(const std::filesystem::path& log, std::int64_t since_us);

// The log's words for a captured packet: the same line miniweb-stack's packet_summary writes
// (stack/packet_headers.cpp). Empty for a packet that is not IPv4 UDP or TCP.
std::string link_drop_words(const packets::Packet& packet);

// Each drop matched to one captured packet: the same words, within a second of its capture.
class LinkDropMatcher {
 public:
  explicit LinkDropMatcher(std::vector<LinkDrop> drops) : drops_(std::move(drops)) {}
  // The drop of this packet, taken so that it matches no other.
  std::optional<LinkDrop> take(const packets::Packet& packet);
  bool empty() const { return drops_.empty(); }

 private:
  std::vector<LinkDrop> drops_;
};

}  // namespace miniweb::browser::observe
