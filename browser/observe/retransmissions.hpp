#pragma once
// What the capture says about a segment sent again: a SYN or SYN-ACK repeated, and how long
// after the last; data sent again, when it was first sent, and what came in between: the
// receiver's duplicate ACKs (fast retransmit, RFC 5681 3.2; SACK, RFC 2018) or nothing, so
// that a timer fired (the RTO, RFC 6298, or Linux's tail loss probe). Measured from the
// segments alone: the kernel's reasons are not visible, only their effects.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "browser/packets/packet.hpp"

namespace miniweb::browser::observe {

class Retransmissions {
 public:
  // Each of the connection's segments in capture order, `time_us` since the load began. A
  // line for the ladder when the segment repeats one sent before. `arrived`: not lost.
  std::optional<std::string> on_segment(bool from_client, const packets::TcpHeader& tcp,
                                        std::uint32_t payload_length, std::int64_t time_us,
                                        bool arrived);

 private:
  struct PureAck {
    std::int64_t time_us = 0;
    std::uint32_t ack = 0;
    bool sack = false;
  };
  struct End {
    std::vector<std::int64_t> syns;              // each SYN (or SYN-ACK) it sent
    std::optional<std::int64_t> arrived_syn;     // the first of them that was not lost
    std::map<std::uint32_t, std::int64_t> data;  // first sending of each data segment, by seq
    std::vector<PureAck> pure_acks;              // ACKs carrying nothing
  };
  std::optional<std::string> handshake_again(End& sender, const End& other, bool from_client,
                                             std::int64_t time_us);
  std::optional<std::string> data_again(End& sender, const End& receiver, std::uint32_t seq,
                                        std::int64_t time_us);

  End client_, server_;
};

}  // namespace miniweb::browser::observe
