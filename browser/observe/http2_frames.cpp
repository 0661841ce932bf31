#include "browser/observe/http2_frames.hpp"

#include <algorithm>

namespace miniweb::browser::observe {

Http2FramePlacement::Http2FramePlacement(std::vector<Http2FrameSeen> frames) {
  for (Http2FrameSeen& frame : frames) (frame.sent ? sent_ : received_).frames.push_back(frame);
  for (Way* way : {&sent_, &received_})
    std::stable_sort(
        way->frames.begin(), way->frames.end(),
        [](const Http2FrameSeen& a, const Http2FrameSeen& b) { return a.offset < b.offset; });
}

std::vector<std::string> Http2FramePlacement::record(bool sent, std::uint64_t plaintext_bytes) {
  Way& way = sent ? sent_ : received_;
  if (!way.started) {
    way.started = true;
    if (mid_connection_ && !way.frames.empty()) way.at = way.frames.front().offset;
  }
  const std::uint64_t begin = way.at;
  const std::uint64_t end = begin + plaintext_bytes;
  way.at = end;
  std::vector<std::string> lines;
  for (std::size_t i = way.next; i < way.frames.size() && way.frames[i].offset < end; ++i) {
    const Http2FrameSeen& frame = way.frames[i];
    const std::uint64_t frame_end = frame.offset + frame.length;
    if (frame_end <= begin) continue;
    std::string line = "  h2 " + frame.text;
    if (frame.offset < begin) line += ", continued";
    if (frame_end > end) line += " (goes on in the next record)";
    lines.push_back(std::move(line));
  }
  while (way.next < way.frames.size() &&
         way.frames[way.next].offset + way.frames[way.next].length <= end)
    ++way.next;
  if (lines.empty()) lines.push_back("  no HTTP/2 frame the browser was told of");
  return lines;
}

}  // namespace miniweb::browser::observe
