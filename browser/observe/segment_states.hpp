#pragma once
// TCP's state machine (RFC 9293 3.3.2) run over the segments a capture saw, for both ends of
// one connection. On loopback a segment is sent and received in the same instant, so each one
// moves the sender's state, then the receiver's. What the kernel reported (sock_diag) is the
// other witness; the ladder marks each state by which of the two saw it.

#include <cstdint>
#include <optional>

#include "browser/observe/socket_states.hpp"
#include "browser/packets/packet.hpp"

namespace miniweb::browser::observe {

class SegmentStates {
 public:
  // The client starts CLOSED, the server LISTEN.
  SegmentStates() = default;

  // A connection already open when the capture began (kept alive from an earlier load).
  void assume_established() { client_.state = server_.state = TcpState::Established; }
  // One segment, from the client (the end that sent the first SYN) or from the server. A
  // segment lost on the way moves its sender's state only.
  void on_segment(bool from_client, const packets::TcpHeader& tcp, std::uint32_t payload_length,
                  bool arrived = true);

  TcpState client() const { return client_.state; }
  TcpState server() const { return server_.state; }
  // The end whose FIN went first, once one has: it is the one that ends in TIME_WAIT.
  std::optional<bool> client_closed_first() const { return client_closed_first_; }

 private:
  struct End {
    TcpState state = TcpState::Closed;
    std::optional<std::uint32_t> fin_end;  // the sequence number just past its FIN
  };
  static void sent(End& end, const packets::TcpHeader& tcp, std::uint32_t payload_length);
  static void received(End& end, const packets::TcpHeader& tcp);

  End client_{TcpState::Closed, {}};
  End server_{TcpState::Listen, {}};
  std::optional<bool> client_closed_first_;
};

}  // namespace miniweb::browser::observe
