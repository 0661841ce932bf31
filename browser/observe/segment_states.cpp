#include "browser/observe/segment_states.hpp"

namespace miniweb::browser::observe {
namespace {

using packets::tcp_flag::Ack;
using packets::tcp_flag::Fin;
using packets::tcp_flag::Rst;
using packets::tcp_flag::Syn;

// Sequence numbers compare modulo 2^32 (RFC 9293 3.4).
bool at_or_after(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) >= 0;
}

}  // namespace

void SegmentStates::sent(End& end, const packets::TcpHeader& tcp, std::uint32_t payload_length) {
  if (tcp.has(Rst)) {
    end.state = TcpState::Closed;
    return;
  }
  if (tcp.has(Syn) && !tcp.has(Ack) && end.state == TcpState::Closed) end.state = TcpState::SynSent;
  if (tcp.has(Fin) && !end.fin_end) {
    // The FIN takes one sequence number, after the segment's data.
    end.fin_end = tcp.seq + payload_length + 1;
    if (end.state == TcpState::Established || end.state == TcpState::SynReceived)
      end.state = TcpState::FinWait1;
    else if (end.state == TcpState::CloseWait)
      end.state = TcpState::LastAck;
  }
}

void SegmentStates::received(End& end, const packets::TcpHeader& tcp) {
  if (tcp.has(Rst)) {
    if (end.state != TcpState::Listen) end.state = TcpState::Closed;
    return;
  }
  const bool acks_our_fin = tcp.has(Ack) && end.fin_end && at_or_after(tcp.ack, *end.fin_end);
  switch (end.state) {
    case TcpState::Listen:
      if (tcp.has(Syn) && !tcp.has(Ack)) end.state = TcpState::SynReceived;
      break;
    case TcpState::SynSent:
      if (tcp.has(Syn) && tcp.has(Ack)) end.state = TcpState::Established;
      break;
    case TcpState::SynReceived:
      if (tcp.has(Ack) && !tcp.has(Syn)) end.state = TcpState::Established;
      if (end.state == TcpState::Established && tcp.has(Fin)) end.state = TcpState::CloseWait;
      break;
    case TcpState::Established:
      if (tcp.has(Fin)) end.state = TcpState::CloseWait;
      break;
    case TcpState::FinWait1:
      if (tcp.has(Fin))
        end.state = acks_our_fin ? TcpState::TimeWait : TcpState::Closing;
      else if (acks_our_fin)
        end.state = TcpState::FinWait2;
      break;
    case TcpState::FinWait2:
      if (tcp.has(Fin)) end.state = TcpState::TimeWait;
      break;
    case TcpState::Closing:
      if (acks_our_fin) end.state = TcpState::TimeWait;
      break;
    case TcpState::LastAck:
      if (acks_our_fin) end.state = TcpState::Closed;
      break;
    default:
      break;
  }
}

void SegmentStates::on_segment(bool from_client, const packets::TcpHeader& tcp,
                               std::uint32_t payload_length, bool arrived) {
  End& sender = from_client ? client_ : server_;
  End& receiver = from_client ? server_ : client_;
  if (tcp.has(Fin) && !client_closed_first_) client_closed_first_ = from_client;
  sent(sender, tcp, payload_length);
  if (arrived) received(receiver, tcp);
}

}  // namespace miniweb::browser::observe
