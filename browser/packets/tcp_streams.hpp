#pragma once
// Every TCP stream of a capture, one reassembler per direction, keyed by the 4-tuple. A SYN
// with a new initial sequence number on a 4-tuple seen before is a new connection on reused
// ports: its direction starts over (and the generation counts up).

#include <compare>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "browser/packets/address.hpp"
#include "browser/packets/packet.hpp"
#include "browser/packets/tcp_stream.hpp"

namespace miniweb::packets {

// One direction of a connection: from `source` to `destination`.
struct FlowKey {
  Endpoint source;
  Endpoint destination;

  FlowKey reversed() const { return FlowKey{destination, source}; }
  std::string to_string() const;  // "127.0.0.1:38058 > 127.0.0.1:44333", as tcpdump writes it
  friend auto operator<=>(const FlowKey&, const FlowKey&) = default;
};

class TcpStreams {
 public:
  explicit TcpStreams(StreamLimits limits = {}, std::size_t max_directions = 1024)
      : limits_(limits), max_directions_(max_directions) {}

  struct Added {
    FlowKey key;
    std::size_t generation = 0;  // 0 for the first connection on this 4-tuple
    SegmentResult result;
  };
  // A decoded packet; nullopt unless it is a TCP segment, or when max_directions are tracked
  // already and this is a new one (counted in refused()).
  std::optional<Added> add(const Packet& packet, std::size_t packet_index);

  // The capture ended: each direction's held bytes, after the gaps before them.
  std::map<FlowKey, std::vector<StreamBytes>> finish();

  const TcpStreamReassembler* find(const FlowKey& key) const;
  std::vector<FlowKey> keys() const;
  std::size_t refused() const { return refused_; }

 private:
  struct Direction {
    TcpStreamReassembler reassembler;
    std::size_t generation = 0;
  };
  StreamLimits limits_;
  std::size_t max_directions_;
  std::map<FlowKey, Direction> directions_;
  std::size_t refused_ = 0;
};

}  // namespace miniweb::packets
