#pragma once
// Which HTTP/2 frames each encrypted TLS record carried. nghttp2 told the browser where each
// frame it sent or received lies in the plaintext of its direction (LoadObserver::http2_frame);
// the capture shows the records, and each record's plaintext length is its length less the
// AEAD's overhead, so walking both in order places every frame in its record, and with it in
// its TCP segment. Only frames nghttp2 reported are named: nothing is guessed from the bytes.

#include <cstdint>
#include <string>
#include <vector>

namespace miniweb::browser::observe {

// An HTTP/2 frame as the browser's nghttp2 session sent or received it.
struct Http2FrameSeen {
  int connection = 0;
  bool sent = false;         // by the browser
  std::uint64_t offset = 0;  // of its 9-byte header in its direction's plaintext
  std::uint64_t length = 0;  // with the header
  std::string text;          // "HEADERS stream 1 (END_STREAM END_HEADERS): ..."
};

class Http2FramePlacement {
 public:
  explicit Http2FramePlacement(std::vector<Http2FrameSeen> frames);
  bool empty() const { return sent_.frames.empty() && received_.frames.empty(); }
  // The capture began inside a kept-alive connection: its first application data in each
  // direction is the first frame this load was told of.
  void starts_mid_connection() { mid_connection_ = true; }
  // The lines for the next application-data record of `plaintext_bytes` from the browser
  // (`sent`) or the server: "h2 HEADERS stream 1 (...)", each frame that begins or goes on in it.
  std::vector<std::string> record(bool sent, std::uint64_t plaintext_bytes);

 private:
  struct Way {
    std::vector<Http2FrameSeen> frames;
    std::size_t next = 0;  // the first frame not wholly in the records placed so far
    std::uint64_t at = 0;  // plaintext offset of the next record
    bool started = false;
  };
  Way sent_, received_;
  bool mid_connection_ = false;
};

}  // namespace miniweb::browser::observe
