#include "browser/packets/tcp_stream.hpp"

#include <algorithm>

#include "browser/packets/packet.hpp"

namespace miniweb::packets {

const char* segment_fate_name(SegmentFate fate) {
  switch (fate) {
    case SegmentFate::InOrder:
      return "in order";
    case SegmentFate::Overlap:
      return "overlap";
    case SegmentFate::Retransmission:
      return "retransmission";
    case SegmentFate::OutOfOrder:
      return "out of order";
    case SegmentFate::NoData:
      return "no data";
    case SegmentFate::AfterReset:
      return "after reset";
  }
  return "unknown";
}

std::int64_t TcpStreamReassembler::offset_of(std::uint32_t seq) const {
  // Sequence numbers wrap (RFC 9293 3.4): the distance from the next expected byte, taken as a
  // signed 32-bit difference, places a segment up to 2 GiB before or after it.
  return static_cast<std::int64_t>(delivered_end_) + static_cast<std::int32_t>(seq - next_seq_);
}

SegmentResult TcpStreamReassembler::add(std::uint32_t seq, std::uint16_t flags,
                                        std::span<const std::uint8_t> payload,
                                        std::size_t packet_index) {
  SegmentResult result;
  const bool syn = (flags & tcp_flag::Syn) != 0;
  if (!started_) {
    started_ = true;
    if (syn) initial_seq_ = seq;
    // The SYN takes one sequence number; the first data byte follows it (RFC 9293 3.4).
    next_seq_ = syn ? seq + 1 : seq;
  }
  if (reset_) {
    result.fate = payload.empty() ? SegmentFate::NoData : SegmentFate::AfterReset;
    return result;
  }
  if ((flags & tcp_flag::Rst) != 0) {
    // Data on an RST is a diagnostic at most (RFC 9293 3.5.3), never part of the stream.
    reset_ = true;
    return result;
  }
  const std::int64_t start = offset_of(syn ? seq + 1 : seq);
  const std::int64_t end = start + static_cast<std::int64_t>(payload.size());
  result.offset = static_cast<std::uint64_t>(std::max<std::int64_t>(start, 0));
  if ((flags & tcp_flag::Fin) != 0 && end >= 0) fin_offset_ = static_cast<std::uint64_t>(end);
  if (payload.empty()) return result;

  const auto delivered = static_cast<std::int64_t>(delivered_end_);
  if (end <= delivered) {
    result.fate = SegmentFate::Retransmission;
    return result;
  }
  if (start > delivered) {
    result.fate = SegmentFate::OutOfOrder;
    // No room to hold it: give up on the earliest gap, hand on what follows it, and try again.
    while (held_bytes_ + payload.size() > limits_.max_held_bytes ||
           held_.size() + 1 > limits_.max_held_segments) {
      std::uint64_t next_known = static_cast<std::uint64_t>(start);
      if (!held_.empty()) next_known = std::min(next_known, held_.begin()->first);
      skip_to(next_known,
              "out-of-order bytes passed the limit of " + std::to_string(limits_.max_held_bytes) +
                  " bytes or " + std::to_string(limits_.max_held_segments) + " segments",
              &result.gaps);
      release_held(result.delivered);
      if (static_cast<std::int64_t>(delivered_end_) >= start) break;
    }
    if (start > static_cast<std::int64_t>(delivered_end_)) {
      hold(static_cast<std::uint64_t>(start), payload, packet_index);
      return result;
    }
  }
  const auto already = static_cast<std::size_t>(static_cast<std::int64_t>(delivered_end_) - start);
  if (already >= payload.size()) {
    result.fate = SegmentFate::Retransmission;
  } else {
    result.fate = already > 0 && result.fate != SegmentFate::OutOfOrder ? SegmentFate::Overlap
                                                                        : SegmentFate::InOrder;
    deliver(delivered_end_, payload.subspan(already), packet_index, result.delivered);
  }
  release_held(result.delivered);
  return result;
}

std::vector<StreamBytes> TcpStreamReassembler::finish() {
  std::vector<StreamBytes> out;
  while (!held_.empty()) {
    skip_to(held_.begin()->first, "the capture ended before these bytes came", nullptr);
    release_held(out);
  }
  return out;
}

std::vector<std::size_t> TcpStreamReassembler::packets_carrying(std::uint64_t begin,
                                                                std::uint64_t end) const {
  std::vector<std::size_t> packets;
  // Ranges are recorded in stream order, so the first one ending after `begin` starts the scan.
  auto range = std::partition_point(carried_.begin(), carried_.end(),
                                    [begin](const CarriedRange& r) { return r.end <= begin; });
  for (; range != carried_.end() && range->begin < end; ++range)
    if (std::find(packets.begin(), packets.end(), range->packet_index) == packets.end())
      packets.push_back(range->packet_index);
  return packets;
}

void TcpStreamReassembler::deliver(std::uint64_t offset, std::span<const std::uint8_t> bytes,
                                   std::size_t packet_index, std::vector<StreamBytes>& out) {
  if (out.empty() || out.back().end() != offset) out.push_back(StreamBytes{offset, {}});
  out.back().bytes.insert(out.back().bytes.end(), bytes.begin(), bytes.end());
  const std::uint64_t end = offset + bytes.size();
  if (!carried_.empty() && carried_.back().packet_index == packet_index &&
      carried_.back().end == offset) {
    carried_.back().end = end;
  } else if (carried_.size() < limits_.max_carried_ranges) {
    carried_.push_back(CarriedRange{offset, end, packet_index});
  } else {
    carried_complete_ = false;
  }
  delivered_end_ = end;
  next_seq_ += static_cast<std::uint32_t>(bytes.size());
}

void TcpStreamReassembler::release_held(std::vector<StreamBytes>& out) {
  while (!held_.empty() && held_.begin()->first <= delivered_end_) {
    auto node = held_.extract(held_.begin());
    held_bytes_ -= node.mapped().bytes.size();
    const std::uint64_t end = node.key() + node.mapped().bytes.size();
    if (end <= delivered_end_) continue;  // a retransmission of bytes delivered since
    const auto already = static_cast<std::size_t>(delivered_end_ - node.key());
    deliver(delivered_end_, std::span(node.mapped().bytes).subspan(already),
            node.mapped().packet_index, out);
  }
}

void TcpStreamReassembler::skip_to(std::uint64_t offset, std::string reason,
                                   std::vector<StreamGap>* out) {
  if (offset <= delivered_end_) return;
  StreamGap gap{delivered_end_, offset, std::move(reason)};
  ++gap_count_;
  if (out) out->push_back(gap);
  if (gaps_.size() < limits_.max_gaps) gaps_.push_back(std::move(gap));
  next_seq_ += static_cast<std::uint32_t>(offset - delivered_end_);
  delivered_end_ = offset;
}

void TcpStreamReassembler::hold(std::uint64_t offset, std::span<const std::uint8_t> bytes,
                                std::size_t packet_index) {
  auto [slot, inserted] = held_.try_emplace(offset);
  // A retransmission of a held segment keeps whichever copy is longer.
  if (!inserted && slot->second.bytes.size() >= bytes.size()) return;
  held_bytes_ -= slot->second.bytes.size();
  slot->second.bytes.assign(bytes.begin(), bytes.end());
  slot->second.packet_index = packet_index;
  held_bytes_ += bytes.size();
}

}  // namespace miniweb::packets
