#pragma once
// HTTP/2's names for text output (RFC 9113): frame types (section 6), their flags, error codes
// (section 7) and settings (section 6.5.2), as the trace, the packet view and the server's logs
// write them. Unknown values are named by their number, since a peer may send any (section 5.5).

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <string>

namespace miniweb::http2 {

// "DATA", "HEADERS", ..., "PRIORITY_UPDATE"; "type 0x42" for an extension type.
std::string frame_type_name(std::uint8_t type);
// The flags a frame of `type` defines, set in `flags`, space-separated ("END_STREAM END_HEADERS",
// "ACK"); "" when none. A flag bit the type does not define is shown as "0x40".
std::string frame_flags_text(std::uint8_t type, std::uint8_t flags);
// "NO_ERROR", "PROTOCOL_ERROR", ..., "HTTP_1_1_REQUIRED"; "error 0x1f" for an unknown code.
std::string error_code_name(std::uint32_t code);
// "HEADER_TABLE_SIZE", ..., "NO_RFC7540_PRIORITIES"; "setting 0x99" for an unknown one.
std::string setting_name(std::int32_t id);

// A count with thousands separated, as sizes are written beside frames: "41,223".
std::string with_thousands(std::uint64_t value);

// One frame in one line, as nghttp2 parsed or built it: the type, the stream (when not 0), the
// flags in parentheses, and what the type carries: SETTINGS their values, WINDOW_UPDATE its
// increment, PING its opaque data, GOAWAY the last stream and error code, RST_STREAM its error
// code, DATA its length. HEADERS are described by the caller, who knows the decoded fields.
//   "SETTINGS MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=65535"
//   "SETTINGS (ACK)"
//   "WINDOW_UPDATE stream 1 +65536"
//   "GOAWAY last stream 3, NO_ERROR"
std::string describe_frame(const nghttp2_frame& frame);

// "stream 1 (END_STREAM END_HEADERS)", or "(ACK)" for stream 0; "" when neither applies.
std::string stream_and_flags(const nghttp2_frame_hd& header);

}  // namespace miniweb::http2
