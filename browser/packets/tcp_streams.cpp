#include "browser/packets/tcp_streams.hpp"

namespace miniweb::packets {

std::string FlowKey::to_string() const {
  return source.to_string() + " > " + destination.to_string();
}

std::optional<TcpStreams::Added> TcpStreams::add(const Packet& packet, std::size_t packet_index) {
  if (!packet.is_tcp()) return std::nullopt;
  const TcpHeader& tcp = *packet.tcp;
  FlowKey key{packet.source, packet.destination};
  auto found = directions_.find(key);
  if (found == directions_.end()) {
    if (directions_.size() >= max_directions_) {
      ++refused_;
      return std::nullopt;
    }
    found = directions_.emplace(key, Direction{TcpStreamReassembler(limits_), 0}).first;
  } else if (tcp.has(tcp_flag::Syn)) {
    const auto initial = found->second.reassembler.initial_seq();
    if (initial && *initial != tcp.seq) {
      found->second.reassembler = TcpStreamReassembler(limits_);
      ++found->second.generation;
    }
  }
  Direction& direction = found->second;
  return Added{key, direction.generation,
               direction.reassembler.add(tcp.seq, tcp.flags, packet.payload, packet_index)};
}

std::map<FlowKey, std::vector<StreamBytes>> TcpStreams::finish() {
  std::map<FlowKey, std::vector<StreamBytes>> rest;
  for (auto& [key, direction] : directions_) {
    auto bytes = direction.reassembler.finish();
    if (!bytes.empty()) rest.emplace(key, std::move(bytes));
  }
  return rest;
}

const TcpStreamReassembler* TcpStreams::find(const FlowKey& key) const {
  auto found = directions_.find(key);
  return found == directions_.end() ? nullptr : &found->second.reassembler;
}

std::vector<FlowKey> TcpStreams::keys() const {
  std::vector<FlowKey> keys;
  for (const auto& [key, direction] : directions_) keys.push_back(key);
  return keys;
}

}  // namespace miniweb::packets
