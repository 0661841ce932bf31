#pragma once
// Where some bytes travel in a capture file (pcap or pcapng, as the browser's --pcap and tcpdump
// write them): every captured packet whose UDP or TCP payload holds them, with the text line
// around them. ./miniweb experiment eavesdrop asks it where the password went.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::stack {

struct CaptureMatch {
  std::size_t packet = 0;  // 1 for the file's first packet, as Wireshark numbers them
  std::string summary;     // packet_summary's line
  std::string line;        // the payload's text line holding the bytes, unprintables as '.'
  std::size_t column = 0;  // where in `line` they begin
};

struct CaptureSearch {
  std::size_t packets = 0;        // in the file
  std::size_t payload_bytes = 0;  // of UDP and TCP payload, all searched
  std::vector<CaptureMatch> matches;
};

Result<CaptureSearch> search_capture(const std::filesystem::path& file, std::string_view bytes);

// The report: each match with its line and a row of carets under the bytes, or that none of
// the packets holds them.
std::string capture_search_report(const CaptureSearch& search, std::string_view bytes);

}  // namespace miniweb::stack
