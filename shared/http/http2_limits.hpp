#pragma once
// HTTP/2's own limits (shared/http2), sent to the client in SETTINGS; defaults as nginx's
// http2_* directives. Apart from the connection loop's handler (shared/http/connection_handler),
// whose coroutines the configuration parsers do not need (the fuzz targets build without them).

#include <cstdint>

namespace miniweb::http {

struct Http2Limits {
  std::uint32_t max_concurrent_streams = 128;
  std::uint32_t max_header_list_size = 32768;  // decoded, as RFC 9113 section 6.5.2 counts
  std::uint32_t max_frame_size = 16384;
  std::uint32_t initial_window_size = 65536;  // a stream's window for its request body
  std::uint32_t connection_window_size = 1 << 20;
};

}  // namespace miniweb::http
