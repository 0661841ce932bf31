#include "stack/stream_wire.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "stack/stream_frame.hpp"

namespace miniweb::stack {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "127.77.0.1:40000" into its address and port.
std::optional<std::pair<Address, std::uint16_t>> address_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto address = parse_address(text.substr(0, colon));
  auto port = number(text.substr(colon + 1));
  if (!address || !port || *port > 65535) return std::nullopt;
  return std::pair{*address, static_cast<std::uint16_t>(*port)};
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < line.size()) {
    const auto start = line.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const auto end = line.find(' ', start);
    out.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    at = end == std::string_view::npos ? line.size() : end;
  }
  return out;
}

}  // namespace

WireDecoder::WireDecoder(const StreamEnds& ends, std::size_t frame_bytes, std::uint32_t frames,
                         std::int64_t start_epoch_us)
    : ends_(ends), frame_bytes_(frame_bytes), start_epoch_us_(start_epoch_us) {
  summary_.tcp_frames.resize(frames);
  udp_seen_.resize(frames);
}

void WireDecoder::add(int link_type, std::int64_t time_epoch_us,
                      std::span<const std::uint8_t> frame) {
  const auto packet = read_packet_headers(ipv4_of_frame(link_type, frame));
  if (!packet || !packet->has_ports) {
    ++summary_.unrelated;
    return;
  }
  const bool forward = packet->source == ends_.sender && packet->destination == ends_.receiver;
  const bool backward = packet->source == ends_.receiver && packet->destination == ends_.sender;
  if (packet->is_udp() && forward && packet->destination_port == ends_.udp_port) {
    add_udp(packet->payload);
    return;
  }
  if (packet->is_tcp()) {
    if (forward && packet->destination_port == ends_.tcp_port) {
      add_tcp(time_epoch_us - start_epoch_us_, packet->seq, packet->tcp_flags,
              packet->payload_length);
      return;
    }
    if (backward && packet->source_port == ends_.tcp_port) {
      const std::uint8_t flags = packet->tcp_flags;
      if (packet->payload_length == 0 && (flags & tcp_bits::Ack) && !(flags & tcp_bits::Syn))
        ++summary_.tcp_acks;
      return;
    }
  }
  ++summary_.unrelated;
}

void WireDecoder::add_udp(std::span<const std::uint8_t> payload) {
  ++summary_.udp_datagrams;
  auto header = parse_frame_header(payload);
  if (!header || header->sequence >= udp_seen_.size() || udp_seen_[header->sequence]) return;
  udp_seen_[header->sequence] = true;
  ++summary_.udp_frames;
}

void WireDecoder::add_tcp(std::int64_t time_us, std::uint32_t seq, std::uint8_t flags,
                          std::size_t length) {
  if ((flags & tcp_bits::Syn) && !(flags & tcp_bits::Ack)) {
    summary_.tcp_isn = seq;
    return;
  }
  if (length == 0 || !summary_.tcp_isn) return;
  ++summary_.tcp_data_segments;
  // Offsets within the stream: the SYN takes the ISN, the first byte is ISN + 1 (RFC 9293).
  const std::uint64_t begin = static_cast<std::uint32_t>(seq - *summary_.tcp_isn - 1);
  const std::uint64_t end = begin + length;
  const bool resent = begin < highest_end_;
  if (resent) {
    ++summary_.tcp_resent_segments;
    summary_.tcp_resent_bytes += std::min(end, highest_end_) - begin;
  }
  auto& frames = summary_.tcp_frames;
  for (std::uint64_t frame = begin / frame_bytes_; frame * frame_bytes_ < end; ++frame) {
    if (frame >= frames.size()) break;
    auto& wire = frames[frame];
    if (!wire.first_sent_us) wire.first_sent_us = time_us;
    wire.last_sent_us = time_us;
    ++wire.transmissions;
    // Only the frame's own bytes below the highest sent before count as sent again.
    if (resent && frame * frame_bytes_ < highest_end_) wire.resent = true;
  }
  highest_end_ = std::max(highest_end_, end);
}

std::pair<std::uint32_t, std::uint32_t> frames_of_segment(std::uint32_t isn, std::uint32_t seq,
                                                          std::size_t length,
                                                          std::size_t frame_bytes) {
  const std::uint64_t begin = static_cast<std::uint32_t>(seq - isn - 1);
  const std::uint64_t end = begin + std::max<std::size_t>(length, 1);
  return {static_cast<std::uint32_t>(begin / frame_bytes),
          static_cast<std::uint32_t>((end - 1) / frame_bytes)};
}

DropCounts count_drops(std::string_view log, const StreamEnds& ends) {
  DropCounts counts;
  // "STAMP dropped by the link emulator (WHY): PACKET" (stack/link_emulator.cpp).
  constexpr std::string_view kSaid = "dropped by the link emulator (";
  while (!log.empty()) {
    const auto newline = log.find('\n');
    std::string_view line = log.substr(0, newline);
    log = newline == std::string_view::npos ? std::string_view{} : log.substr(newline + 1);
    const auto said = line.find(kSaid);
    if (said == std::string_view::npos) continue;
    const auto why_end = line.find("): ", said + kSaid.size());
    if (why_end == std::string_view::npos) continue;
    const auto parts = words(line.substr(why_end + 3));
    // udp A:P > B:Q len N | tcp A:P > B:Q [F] seq N ack N len N
    if (parts.size() < 6 || parts[2] != ">") {
      ++counts.other;
      continue;
    }
    auto from = address_port(parts[1]);
    auto to = address_port(parts[3]);
    auto length = number(parts.back());
    if (!from || !to || !length || parts[parts.size() - 2] != "len") {
      ++counts.other;
      continue;
    }
    const bool forward = from->first == ends.sender && to->first == ends.receiver;
    const bool backward = from->first == ends.receiver && to->first == ends.sender;
    if (parts[0] == "udp" && forward && to->second == ends.udp_port)
      ++counts.udp_frames;
    else if (parts[0] == "tcp" && forward && to->second == ends.tcp_port && *length > 0) {
      ++counts.tcp_data;
      const auto seq = std::find(parts.begin(), parts.end(), "seq");
      if (seq + 1 < parts.end())
        if (auto said = number(*(seq + 1)); said && *said <= 0xffffffff && *length <= 0xffff)
          counts.tcp_data_dropped.emplace_back(static_cast<std::uint32_t>(*said),
                                               static_cast<std::uint32_t>(*length));
    } else if (parts[0] == "tcp" && backward && from->second == ends.tcp_port && *length == 0)
      ++counts.tcp_acks;
    else
      ++counts.other;
  }
  return counts;
}

}  // namespace miniweb::stack
