#pragma once
// One direction of a TCP connection put back in order (RFC 9293 3.4, 3.10.7.4): segments go
// in as captured, the byte stream comes out in order, each byte once, with a record of which
// packet carried which bytes, so that a TLS record or an HTTP head found in the stream can be
// traced to the packets that brought it. Memory is bounded: out-of-order bytes are held up to
// a limit, then the gap before them is declared lost and the stream moves on.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace miniweb::packets {

struct StreamLimits {
  std::size_t max_held_bytes = 1 << 20;      // out-of-order bytes waiting for a gap to fill
  std::size_t max_held_segments = 4096;      // the same, counted in segments (1-byte segments)
  std::size_t max_carried_ranges = 1 << 16;  // packets_carrying() remembers this many ranges
  std::size_t max_gaps = 1024;               // gaps() keeps the first this many
};

// Stream offsets count payload bytes from 0, the byte after the SYN (or, when the capture
// began mid-connection, the first byte seen).
struct CarriedRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // just past the last byte
  std::size_t packet_index = 0;
};

// Bytes handed on in order, starting at `offset`.
struct StreamBytes {
  std::uint64_t offset = 0;
  std::vector<std::uint8_t> bytes;
  std::uint64_t end() const { return offset + bytes.size(); }
};

// Bytes the stream moved past without seeing them.
struct StreamGap {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::string reason;  // "out-of-order bytes passed 1048576", "the capture ended"
};

enum class SegmentFate {
  InOrder,         // its bytes were handed on (maybe with held ones after them)
  Overlap,         // in order once its already-delivered front was dropped
  Retransmission,  // every byte was delivered before (or lies before the stream's start)
  OutOfOrder,      // held until the bytes before it arrive
  NoData,          // a SYN, FIN, RST or pure ACK without payload
  AfterReset,      // data after an RST: not part of the stream
};

struct SegmentResult {
  SegmentFate fate = SegmentFate::NoData;
  std::uint64_t offset = 0;  // where the segment's data starts in the stream
  // In-order bytes this segment made available; a new element starts after each gap.
  std::vector<StreamBytes> delivered;
  std::vector<StreamGap> gaps;  // gaps declared while adding it (the hold limit was reached)
};

const char* segment_fate_name(SegmentFate fate);  // "in order", "retransmission", ...

class TcpStreamReassembler {
 public:
  explicit TcpStreamReassembler(StreamLimits limits = {}) : limits_(limits) {}

  // One segment of this direction, as captured: its sequence number, TCP flags (tcp_flag bits)
  // and payload. `packet_index` is the caller's number for the packet, reported back by
  // carried() and packets_carrying().
  SegmentResult add(std::uint32_t seq, std::uint16_t flags, std::span<const std::uint8_t> payload,
                    std::size_t packet_index);
  // The capture ended: every held byte is handed on, each gap before them declared.
  std::vector<StreamBytes> finish();

  // The packets that carried any byte of [begin, end), in stream order, each once.
  std::vector<std::size_t> packets_carrying(std::uint64_t begin, std::uint64_t end) const;
  const std::vector<CarriedRange>& carried() const { return carried_; }
  // False once more ranges came than max_carried_ranges: later bytes have no carrier on record.
  bool carried_complete() const { return carried_complete_; }
  const std::vector<StreamGap>& gaps() const { return gaps_; }
  std::size_t gap_count() const { return gap_count_; }

  std::uint64_t delivered_end() const { return delivered_end_; }  // counting gaps
  std::size_t held_bytes() const { return held_bytes_; }
  std::optional<std::uint32_t> initial_seq() const { return initial_seq_; }  // from the SYN
  bool started_mid_stream() const { return started_ && !initial_seq_; }
  std::optional<std::uint64_t> fin_offset() const { return fin_offset_; }
  bool reset() const { return reset_; }

 private:
  struct Held {
    std::vector<std::uint8_t> bytes;
    std::size_t packet_index = 0;
  };

  std::int64_t offset_of(std::uint32_t seq) const;
  void deliver(std::uint64_t offset, std::span<const std::uint8_t> bytes, std::size_t packet_index,
               std::vector<StreamBytes>& out);
  void release_held(std::vector<StreamBytes>& out);
  void skip_to(std::uint64_t offset, std::string reason, std::vector<StreamGap>* out);
  void hold(std::uint64_t offset, std::span<const std::uint8_t> bytes, std::size_t packet_index);

  StreamLimits limits_;
  bool started_ = false;
  std::optional<std::uint32_t> initial_seq_;
  std::uint32_t next_seq_ = 0;  // the sequence number of the byte at delivered_end_
  std::uint64_t delivered_end_ = 0;
  std::map<std::uint64_t, Held> held_;
  std::size_t held_bytes_ = 0;
  std::vector<CarriedRange> carried_;
  bool carried_complete_ = true;
  std::vector<StreamGap> gaps_;
  std::size_t gap_count_ = 0;
  std::optional<std::uint64_t> fin_offset_;
  bool reset_ = false;
};

}  // namespace miniweb::packets
