#include "browser/packets/packet.hpp"

#include <array>
#include <utility>

namespace miniweb::packets {

std::string tcp_flags_text(std::uint16_t flags) {
  // tcpdump's order ("[FP.]" is FIN, PSH, ACK), so that FIN-PSH-ACK reads as it does there.
  static constexpr std::array<std::pair<std::uint16_t, const char*>, 9> kNames = {{
      {tcp_flag::Fin, "FIN"},
      {tcp_flag::Syn, "SYN"},
      {tcp_flag::Rst, "RST"},
      {tcp_flag::Psh, "PSH"},
      {tcp_flag::Ack, "ACK"},
      {tcp_flag::Urg, "URG"},
      {tcp_flag::Ece, "ECE"},
      {tcp_flag::Cwr, "CWR"},
      {tcp_flag::Ae, "AE"},
  }};
  std::string text;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) == 0) continue;
    if (!text.empty()) text += '-';
    text += name;
  }
  return text.empty() ? "none" : text;
}

std::string DecodeProblem::to_string() const {
  return std::string(kind == Kind::Malformed ? "malformed" : "not decoded") + " at byte " +
         std::to_string(offset) + ": " + message;
}

}  // namespace miniweb::packets
