#include "browser/observe/retransmissions.hpp"

#include "browser/observe/connection_ladder.hpp"

namespace miniweb::browser::observe {
namespace {

using packets::tcp_flag::Ack;
using packets::tcp_flag::Fin;
using packets::tcp_flag::Rst;
using packets::tcp_flag::Syn;

// A SYN-ACK this soon after a repeated SYN answers it, rather than the server's own timer.
constexpr std::int64_t kAnswerWithinUs = 5'000;

std::string times_text(std::size_t count) {
  return count == 1 ? "once" : count == 2 ? "twice" : std::to_string(count) + " times";
}

}  // namespace

std::optional<std::string> Retransmissions::on_segment(bool from_client,
                                                       const packets::TcpHeader& tcp,
                                                       std::uint32_t payload_length,
                                                       std::int64_t time_us, bool arrived) {
  End& sender = from_client ? client_ : server_;
  End& other = from_client ? server_ : client_;
  if (tcp.has(Syn)) {
    if (arrived && !sender.arrived_syn) sender.arrived_syn = time_us;
    return handshake_again(sender, other, from_client, time_us);
  }
  if (tcp.has(Rst)) return std::nullopt;
  if (payload_length > 0) return data_again(sender, other, tcp.seq, time_us);
  if (tcp.has(Ack) && !tcp.has(Fin))
    sender.pure_acks.push_back({time_us, tcp.ack, !tcp.options.sack_blocks.empty()});
  return std::nullopt;
}

std::optional<std::string> Retransmissions::handshake_again(End& sender, const End& other,
                                                            bool from_client,
                                                            std::int64_t time_us) {
  sender.syns.push_back(time_us);
  const std::size_t count = sender.syns.size();
  if (count == 1) return std::nullopt;
  const std::int64_t waited = time_us - sender.syns[count - 2];
  std::string line = std::string(from_client ? "the SYN" : "the SYN-ACK") + " sent again, " +
                     format_ms(waited) + " after the last (" + times_text(count - 1) + " so far)";
  // The server's SYN-ACK goes again on its own timer, or in answer to the client's SYN again.
  const bool answers = !from_client && !other.syns.empty() && other.syns.back() <= time_us &&
                       time_us - other.syns.back() <= kAnswerWithinUs;
  if (count >= 3 && !answers) {
    const std::int64_t before = sender.syns[count - 2] - sender.syns[count - 3];
    if (before > 0) {
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, "%.1f", static_cast<double>(waited) / before);
      line += std::string(", ") + ratio + "× the wait before";
    }
  }
  if (from_client) {
    // Its timer can fire as a SYN-ACK is on its way: the capture then shows the SYN-ACK first.
    if (other.arrived_syn && *other.arrived_syn <= time_us)
      return line + ": its timer fired as a SYN-ACK was arriving, " +
             format_ms(time_us - *other.arrived_syn) + " before it in the capture";
    return line + ": no SYN-ACK had arrived";
  }
  return line + (answers ? ": answering the browser's SYN, sent again"
                         : ": the server's own timer, no ACK of it had arrived");
}

std::optional<std::string> Retransmissions::data_again(End& sender, const End& receiver,
                                                       std::uint32_t seq, std::int64_t time_us) {
  auto [first, inserted] = sender.data.try_emplace(seq, time_us);
  if (inserted) return std::nullopt;
  std::size_t duplicates = 0;
  bool sack = false;
  for (const PureAck& ack : receiver.pure_acks)
    if (ack.time_us >= first->second && ack.time_us <= time_us && ack.ack == seq) {
      ++duplicates;
      sack = sack || ack.sack;
    }
  std::string line = "seq=" + std::to_string(seq) + " sent again, " +
                     format_ms(time_us - first->second) + " after it was first sent: ";
  if (duplicates >= 3 || (duplicates >= 1 && sack))
    return line + "fast retransmit, after " + std::to_string(duplicates) +
           (duplicates == 1 ? " duplicate ACK" : " duplicate ACKs") + " asking for it" +
           (sack ? " (with SACK blocks of what came after)" : "");
  if (duplicates > 0)
    return line + std::to_string(duplicates) +
           (duplicates == 1 ? " duplicate ACK" : " duplicate ACKs") +
           " asked for it, fewer than fast retransmit's three: a timer fired (the RTO, or "
           "Linux's tail loss probe)";
  return line +
         "no duplicate ACK asked for it: a timer fired (the RTO, or Linux's tail loss "
         "probe)";
}

}  // namespace miniweb::browser::observe
