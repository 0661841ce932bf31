#pragma once
// What the wire saw of the stream experiment: its packets as a capture on lo decodes them
// (datagrams, data segments, retransmissions, and which frames each segment carried), and its
// losses as the link emulator's drop log lists them. Plain functions over bytes and text, so
// that tests feed them by hand.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "stack/links.hpp"
#include "stack/packet_headers.hpp"

namespace miniweb::stack {

// The two ends: the sender's address, and the receiver's address and ports.
struct StreamEnds {
  Address sender = 0;
  Address receiver = 0;
  std::uint16_t udp_port = 0;
  std::uint16_t tcp_port = 0;
};

// The segments that carried one frame's bytes, by the capture's clock (since the start).
struct TcpFrameWire {
  std::optional<std::int64_t> first_sent_us;
  std::optional<std::int64_t> last_sent_us;
  std::uint32_t transmissions = 0;  // segments that carried some of its bytes
  bool resent = false;              // some of its bytes were sent again
};

struct WireSummary {
  std::uint32_t udp_datagrams = 0;        // sender to receiver's UDP port
  std::uint32_t udp_frames = 0;           // distinct frame numbers among them
  std::uint32_t tcp_data_segments = 0;    // sender to receiver, with payload
  std::uint32_t tcp_resent_segments = 0;  // of those: starting below the highest byte sent before
  std::uint64_t tcp_resent_bytes = 0;
  std::uint32_t tcp_acks = 0;            // receiver to sender, no payload
  std::optional<std::uint32_t> tcp_isn;  // the sender's SYN: frames' byte offsets count from it
  std::vector<TcpFrameWire> tcp_frames;  // by frame number
  std::uint32_t unrelated = 0;           // captured frames of neither flow
};

class WireDecoder {
 public:
  // Frames have `frame_bytes` each, `frames` of them; `start_epoch_us` is the stream's start on
  // the capture's clock (the system clock).
  WireDecoder(const StreamEnds& ends, std::size_t frame_bytes, std::uint32_t frames,
              std::int64_t start_epoch_us);

  void add(int link_type, std::int64_t time_epoch_us, std::span<const std::uint8_t> frame);
  const WireSummary& summary() const { return summary_; }

 private:
  void add_udp(std::span<const std::uint8_t> payload);
  void add_tcp(std::int64_t time_us, std::uint32_t seq, std::uint8_t flags, std::size_t length);

  StreamEnds ends_;
  std::size_t frame_bytes_;
  std::int64_t start_epoch_us_;
  WireSummary summary_;
  std::vector<bool> udp_seen_;
  std::uint64_t highest_end_ = 0;  // byte offset past the highest byte sent so far
};

// Packets the link emulator dropped, by flow, from its drop log.
struct DropCounts {
  std::uint32_t udp_frames = 0;  // sender to receiver's UDP port
  std::uint32_t tcp_data = 0;    // sender to receiver, with payload
  std::uint32_t tcp_acks = 0;    // receiver to sender, no payload
  std::uint32_t other = 0;
  // Each data segment dropped: its sequence number (absolute) and length.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> tcp_data_dropped;
};

// The frames whose bytes the segment at `seq` (absolute) of `length` bytes carried, given the
// SYN's sequence number: [first, last].
std::pair<std::uint32_t, std::uint32_t> frames_of_segment(std::uint32_t isn, std::uint32_t seq,
                                                          std::size_t length,
                                                          std::size_t frame_bytes);
DropCounts count_drops(std::string_view log, const StreamEnds& ends);

}  // namespace miniweb::stack
