#include "browser/observe/link_drops.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>

namespace miniweb::browser::observe {
namespace {

constexpr std::string_view kDropped = " dropped by the link emulator (";
constexpr std::string_view kChanged = " changed by the link emulator (";
constexpr std::int64_t kSecond = 1'000'000;

std::int64_t capture_us(const packets::Packet& packet) {
  return std::chrono::duration_cast<std::chrono::microseconds>(packet.time.time_since_epoch())
      .count();
}

}  // namespace

std::optional<LinkDrop> parse_link_drop(std::string_view line) {
  const bool changed = line.find(kChanged) != std::string_view::npos;
  const std::string_view says_what = changed ? kChanged : kDropped;
  const std::size_t says = line.find(says_what);
  if (says == std::string_view::npos) return std::nullopt;
  const std::string_view stamp = line.substr(0, says);
  const std::size_t dot = stamp.find('.');
  if (dot == std::string_view::npos || stamp.size() - dot - 1 != 6) return std::nullopt;
  std::int64_t seconds = 0, micros = 0;
  auto whole = std::from_chars(stamp.data(), stamp.data() + dot, seconds);
  auto part = std::from_chars(stamp.data() + dot + 1, stamp.data() + stamp.size(), micros);
  if (whole.ptr != stamp.data() + dot || part.ptr != stamp.data() + stamp.size())
    return std::nullopt;
  const std::string_view rest = line.substr(says + says_what.size());
  const std::size_t close = rest.find("): ");
  if (close == std::string_view::npos || close + 3 >= rest.size()) return std::nullopt;
  return LinkDrop{seconds * kSecond + micros, std::string(rest.substr(0, close)),
                  std::string(rest.substr(close + 3)), changed};
}

std::vector<LinkDrop> read_link_drops(const std::filesystem::path& log, std::int64_t since_us) {
  std::vector<LinkDrop> drops;
  std::ifstream in(log);
  std::string line;
  while (std::getline(in, line))
    if (auto drop = parse_link_drop(line); drop && drop->time_us >= since_us - kSecond)
      drops.push_back(std::move(*drop));
  return drops;
}

std::string link_drop_words(const packets::Packet& packet) {
  if (packet.ip_version != packets::IpVersion::V4) return {};
  const std::string ends =
      packet.source.address.to_string() + ':' + std::to_string(packet.source.port) + " > " +
      packet.destination.address.to_string() + ':' + std::to_string(packet.destination.port);
  if (packet.is_tcp()) {
    const packets::TcpHeader& tcp = *packet.tcp;
    std::string flags;
    if (tcp.has(packets::tcp_flag::Syn)) flags += 'S';
    if (tcp.has(packets::tcp_flag::Fin)) flags += 'F';
    if (tcp.has(packets::tcp_flag::Rst)) flags += 'R';
    if (tcp.has(packets::tcp_flag::Psh)) flags += 'P';
    if (tcp.has(packets::tcp_flag::Ack)) flags += '.';
    return "tcp " + ends + " [" + flags + "] seq " + std::to_string(tcp.seq) + " ack " +
           std::to_string(tcp.ack) + " len " + std::to_string(packet.payload_length);
  }
  if (packet.transport == packets::Transport::Udp)
    return "udp " + ends + " len " + std::to_string(packet.payload_length);
  return {};
}

std::optional<LinkDrop> LinkDropMatcher::take(const packets::Packet& packet) {
  if (drops_.empty()) return std::nullopt;
  const std::string words = link_drop_words(packet);
  if (words.empty()) return std::nullopt;
  const std::int64_t at = capture_us(packet);
  auto nearest = drops_.end();
  for (auto drop = drops_.begin(); drop != drops_.end(); ++drop) {
    const std::int64_t apart = std::llabs(drop->time_us - at);
    if (drop->packet == words && apart <= kSecond &&
        (nearest == drops_.end() || apart < std::llabs(nearest->time_us - at)))
      nearest = drop;
  }
  if (nearest == drops_.end()) return std::nullopt;
  LinkDrop taken = std::move(*nearest);
  drops_.erase(nearest);
  return taken;
}

}  // namespace miniweb::browser::observe
