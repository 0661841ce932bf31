#include "stack/capture_search.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "stack/packet_headers.hpp"

namespace miniweb::stack {
namespace {

struct PcapCloser {
  void operator()(pcap_t* handle) const { pcap_close(handle); }
};

// A line shown is cut to this many characters on each side of the bytes.
constexpr std::size_t kContext = 60;

CaptureMatch match_at(std::size_t number, std::span<const std::uint8_t> packet,
                      std::span<const std::uint8_t> payload, std::size_t at, std::size_t length) {
  std::size_t begin = at;
  while (begin > 0 && payload[begin - 1] != '\n' && at - begin < kContext) --begin;
  std::size_t end = at + length;
  while (end < payload.size() && payload[end] != '\r' && payload[end] != '\n' &&
         end - at - length < kContext)
    ++end;
  CaptureMatch match{number, packet_summary(packet), "", at - begin};
  for (std::size_t i = begin; i < end; ++i)
    match.line += payload[i] >= 0x20 && payload[i] < 0x7f ? static_cast<char>(payload[i]) : '.';
  return match;
}

}  // namespace

Result<CaptureSearch> search_capture(const std::filesystem::path& file, std::string_view bytes) {
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, PcapCloser> handle(pcap_open_offline(file.c_str(), error));
  if (!handle) return make_error("cannot read the capture " + file.string() + ": " + error);
  if (bytes.empty()) return make_error("nothing to search for");
  const int link_type = pcap_datalink(handle.get());
  CaptureSearch search;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle.get(), &header, &data) == 1) {
    ++search.packets;
    auto packet = ipv4_of_frame(link_type, {data, header->caplen});
    auto headers = read_packet_headers(packet);
    if (!headers || !headers->has_ports) continue;
    auto payload = headers->payload.first(
        std::min<std::size_t>(headers->payload.size(), headers->payload_length));
    search.payload_bytes += payload.size();
    for (auto at = payload.begin();
         (at = std::search(at, payload.end(), bytes.begin(), bytes.end())) != payload.end();
         at += static_cast<std::ptrdiff_t>(bytes.size()))
      search.matches.push_back(match_at(search.packets, packet, payload,
                                        static_cast<std::size_t>(at - payload.begin()),
                                        bytes.size()));
  }
  return search;
}

std::string capture_search_report(const CaptureSearch& search, std::string_view bytes) {
  std::ostringstream out;
  out << "searched " << search.packets << " captured packets (" << search.payload_bytes
      << " bytes of UDP and TCP payload) for \"" << bytes << "\": ";
  if (search.matches.empty()) {
    out << "in none of them\n";
    return out.str();
  }
  out << "in " << search.matches.size() << (search.matches.size() == 1 ? " place" : " places")
      << "\n";
  for (const CaptureMatch& match : search.matches) {
    out << "  packet " << match.packet << ": " << match.summary << "\n"
        << "    " << match.line << "\n"
        << "    " << std::string(match.column, ' ') << std::string(bytes.size(), '^') << "\n";
  }
  return out.str();
}

}  // namespace miniweb::stack
