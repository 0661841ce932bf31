#pragma once
// The browser's side of an HTTP/2 connection (RFC 9113), as nghttp2's client session: requests
// go in as streams, bytes to write come out, bytes read go in, responses come out. No I/O here:
// the exchange (http2_exchange.cpp) moves the bytes over TLS. Every frame nghttp2 sends or
// receives is kept, described, with its place in the plaintext of its direction, for the trace
// and the packet view: what they show of HTTP/2 is what nghttp2 itself did.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

struct Http2Limits {
  std::size_t max_body_bytes = 64 << 20;
  std::size_t max_header_list_bytes = 65536;  // as the HTTP/1.1 path's head limit
  // Our stream window (SETTINGS_INITIAL_WINDOW_SIZE) and the connection's window, raised from
  // RFC 9113's 65,535 by a WINDOW_UPDATE on stream 0, as browsers do, so that a page does not
  // wait on a round trip per 64 KiB.
  std::int32_t stream_window = 1 << 20;
  std::int32_t connection_window = 16 << 20;
};

// One frame as nghttp2 sent or received it.
struct Http2Frame {
  bool sent = false;  // by the browser
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::int32_t stream = 0;
  std::uint64_t offset = 0;  // of its 9-byte header, in the plaintext of its direction
  std::uint64_t length = 0;  // the header's 9 bytes and the payload
  std::string text;          // "SETTINGS ENABLE_PUSH=0 ...", "HEADERS stream 1 (...): ..."
  bool preface = false;      // the client's connection preface, not a frame (section 3.4)
};

// What came back on one stream.
struct Http2Reply {
  http::Response response;
  std::vector<http::Response> interim;  // 1xx heads (RFC 9113 section 8.1)
  bool complete = false;                // END_STREAM received
  // Why the stream ended without a complete response, as a user reads it; empty when it did not.
  std::string failure;
  bool too_large = false;        // failure: the body passed max_body_bytes
  bool refused = false;          // failure: REFUSED_STREAM or past a GOAWAY's last stream: the
                                 // server processed nothing, so the request may be sent again
  std::size_t header_bytes = 0;  // decoded names and values so far, against the limit
  bool interim_head = false;     // the head being read has a 1xx :status
  bool final_head = false;       // the final response's head is in: later HEADERS are trailers
};

class Http2Session {
 public:
  // A client session whose first output is the connection preface and our SETTINGS.
  static Result<std::unique_ptr<Http2Session>> start(const Http2Limits& limits);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // A request on a new stream: its headers as RFC 9113 section 8.3.1 wants them (pseudo-headers
  // first, names lower-cased, no connection-specific fields), its body as DATA.
  Result<std::int32_t> submit(const http::Request& request, std::string_view scheme,
                              std::string_view authority);
  // The frames nghttp2 holds to send (the connection preface, not a frame, is not counted).
  std::size_t queued_frames() const { return nghttp2_session_get_outbound_queue_size(session_); }
  // The bytes nghttp2 has to send now (frames queued, WINDOW_UPDATEs, ACKs); "" when none.
  Result<std::string> take_output();
  // Bytes read from the server. An Error: the server broke the protocol (nghttp2's words).
  Status receive(std::string_view bytes);
  // GOAWAY (NO_ERROR) for a clean close, to be written with take_output().
  void submit_goaway();

  const Http2Reply* reply(std::int32_t stream) const;
  Http2Reply take_reply(std::int32_t stream);
  // For a new request: false once either end has sent GOAWAY, or the session is over.
  bool usable() const;
  // The session still reads or writes (streams below a GOAWAY's last stream go on).
  bool running() const;
  bool goaway_received() const { return goaway_received_.has_value(); }
  // The last GOAWAY either end sent, described ("the server sent GOAWAY last stream 1,
  // PROTOCOL_ERROR"), or "".
  const std::string& goaway_text() const { return goaway_text_; }
  // What nghttp2 last found wrong with the server's frames, in its words, or "".
  const std::string& protocol_error() const { return protocol_error_; }
  // nghttp2 ended the connection with a GOAWAY naming an error (the server broke the rules).
  bool ended_for_error() const { return ended_for_error_; }
  // The frames since the last call, in the order they went or came.
  std::vector<Http2Frame> take_frames();
  // `frames`, which went as early data the server refused, written again as they were: each
  // again after everything sent so far (a frame's offset is where it lies in the browser's
  // plaintext, the refused copy included), for take_frames to report.
  void sent_again(const std::vector<Http2Frame>& frames);
  // The request's header fields as sent, "name: value", for the trace.
  static std::vector<std::pair<std::string, std::string>> request_fields(
      const http::Request& request, std::string_view scheme, std::string_view authority);

 private:
  Http2Session(const Http2Limits& limits) : limits_(limits) {}
  struct Callbacks;
  struct Body {  // a request body being sent as DATA
    std::string bytes;
    std::size_t sent = 0;
  };

  Http2Limits limits_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Http2Reply> replies_;
  std::map<std::int32_t, Body> bodies_;
  std::vector<Http2Frame> frames_;
  std::uint64_t sent_bytes_ = 0;        // framed bytes nghttp2 reported sent, preface included
  std::uint64_t received_bytes_ = 0;    // framed bytes whose header nghttp2 began to read
  std::uint64_t receiving_offset_ = 0;  // of the frame being received
  std::optional<std::int32_t> goaway_received_;
  bool goaway_sent_ = false;
  bool preface_reported_ = false;
  bool ended_for_error_ = false;
  std::string goaway_text_;
  std::string protocol_error_;
  // The decoded size of each HEADERS block being received, for HPACK's savings.
  std::map<std::int32_t, std::size_t> decoded_bytes_;
  std::map<std::int32_t, std::size_t> decoded_fields_;
};

}  // namespace miniweb::browser
