#include "stack/link_faults.hpp"

#include <utility>

namespace miniweb::stack {
namespace {

// A handshake's SYN-ACKs waiting for their third ACK, at most: a flood of them must not grow
// the emulator without bound.
constexpr std::size_t kHandshakesRemembered = 4096;

}  // namespace

FaultMatcher::FaultMatcher(std::vector<LinkFault> faults) {
  for (LinkFault& fault : faults) faults_.push_back({std::move(fault), 0});
}

bool FaultMatcher::is_kind(FaultKind kind, const PacketHeaders& packet) {
  using namespace tcp_bits;
  switch (kind) {
    case FaultKind::Syn:
      return packet.tcp_flags_are(Syn);
    case FaultKind::SynAck:
      return packet.tcp_flags_are(Syn | Ack);
    case FaultKind::ThirdAck: {
      if (!packet.tcp_flags_are(Ack) || packet.payload_length != 0) return false;
      auto waiting = awaiting_third_ack_.find(
          {packet.source, packet.source_port, packet.destination, packet.destination_port});
      if (waiting == awaiting_third_ack_.end() || waiting->second != packet.ack) return false;
      awaiting_third_ack_.erase(waiting);  // only the first such ACK is the third segment
      return true;
    }
    case FaultKind::Data:
      return packet.is_tcp() && packet.payload_length > 0;
    case FaultKind::DnsQuery:
      // The DNS header's third byte holds QR in its top bit (RFC 1035 4.1.1).
      return packet.is_udp() && packet.payload.size() >= 12 && (packet.payload[2] & 0x80) == 0;
  }
  return false;
}

bool FaultMatcher::takes(const PacketHeaders& packet) {
  if (faults_.empty()) return false;
  if (packet.tcp_flags_are(tcp_bits::Syn | tcp_bits::Ack) &&
      awaiting_third_ack_.size() < kHandshakesRemembered)
    awaiting_third_ack_[{packet.destination, packet.destination_port, packet.source,
                         packet.source_port}] = packet.seq + 1;
  bool drop = false;
  for (Armed& armed : faults_) {
    const LinkFault& fault = armed.fault;
    if (fault.from && *fault.from != packet.source) continue;
    if (fault.to && *fault.to != packet.destination) continue;
    if (!is_kind(fault.kind, packet)) continue;
    const unsigned index = armed.matched++;
    if (index >= fault.skip && index < fault.skip + fault.count) drop = true;
  }
  return drop;
}

}  // namespace miniweb::stack
