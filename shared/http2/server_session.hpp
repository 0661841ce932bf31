#pragma once
// The server's end of one HTTP/2 connection (RFC 9113) as plain state, over nghttp2: bytes in,
// requests out; responses in, bytes out. No sockets and no coroutines here, so that it can be
// fed from a test or a fuzzer as easily as from the connection loop (shared/http2/connection.hpp).
//
// nghttp2 does the framing, HPACK and flow control and checks each message as RFC 9113 section
// 8 asks (pseudo-header fields, connection-specific fields, Content-Length against DATA). What
// it leaves to its user, this adds: the limits a server sets (concurrent streams, header list
// size, body size), and the defences against the known floods, each ending the connection with
// GOAWAY ENHANCE_YOUR_CALM: rapid reset (CVE-2023-44487), CONTINUATION floods (2024), HPACK
// bombs, SETTINGS, PING and empty-frame floods.

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "shared/http/connection_handler.hpp"
#include "shared/http/message.hpp"

namespace miniweb::http2 {

// How many events of one kind a client may cause in a second before it is taken for an
// attacker. Well above what browsers do: Chromium resets a handful of streams when a page is
// left, and sends a PING now and then.
struct FloodLimits {
  std::uint32_t resets_per_second = 200;          // RST_STREAM from the client
  std::uint32_t control_frames_per_second = 100;  // SETTINGS and PING, not ACKs
  std::uint32_t empty_frames_per_second = 100;    // DATA without data or END_STREAM
  std::uint32_t continuations_per_block = 8;      // CONTINUATION frames after one HEADERS
};

// A request whose head and body have arrived, ready for the handler.
struct ArrivedRequest {
  std::int32_t stream_id;
  http::Request* request;  // owned by the session until the stream is finished
};

// What the session wants the connection loop to do about a request it had to refuse while it
// read it (its header list or body too large): answer it with this status.
struct RefusedRequest {
  std::int32_t stream_id;
  int status;
  std::string why;
};

class ServerSession {
 public:
  // After a stream ends (its response sent whole, or reset by either side): the request, the
  // status answered (0 if none was) and the body bytes sent, for the access log.
  using Finished =
      std::function<void(const http::Request&, int status, std::uint64_t body_bytes_sent)>;

  ServerSession(const http::ConnectionLimits& limits, const FloodLimits& floods,
                Finished on_finished);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  // Feeds bytes the client sent. False when the client broke the protocol or attacked: a
  // GOAWAY is queued (see trouble()) and nothing more is read. A GOAWAY from the client is
  // not that: wants_read() turns false once its streams are done.
  bool receive(std::span<const std::uint8_t> bytes);
  // Requests complete since the last call, and requests refused while they were read.
  std::vector<ArrivedRequest> take_arrived();
  std::vector<RefusedRequest> take_refused();

  // The response to a stream. `body` is the whole body (a cached file is shared, not copied);
  // a response to HEAD, or with a status that has none, sends only its fields.
  // `server_fields` replace any field of the same name, as over HTTP/1.1.
  void respond(std::int32_t stream_id, const http::Response& response,
               std::shared_ptr<const std::string> body, const http::ServerFields& server_fields);
  // An interim response (103 Early Hints) before the final one.
  void send_interim(std::int32_t stream_id, const http::Response& interim);
  // Ends a stream without a response (the handler failed).
  void reset(std::int32_t stream_id, std::uint32_t error_code);
  // The request of a stream not yet finished (a refused one's head as far as it was read).
  const http::Request* request(std::int32_t stream_id) const;
  // Whether the client can still read an answer on this stream (it has not reset it).
  bool stream_alive(std::int32_t stream_id) const;

  // Appends frames to send to `out` until about `budget` bytes are there or nothing is left.
  void take_output(std::string& out, std::size_t budget);

  // GOAWAY with the last stream this server will answer: streams in progress finish, newer
  // ones are the client's to retry elsewhere (RFC 9113 section 6.8). For stop and reload.
  void go_away_gracefully();
  // GOAWAY with an error; the connection ends once it is sent.
  void go_away(std::uint32_t error_code, std::string why);

  // Whether anything is left to do: frames to read (streams open, or no GOAWAY yet) or write.
  bool wants_read() const;
  bool wants_write() const;
  // Streams the client has opened and not yet sent whole (their timeout is the header timeout).
  std::size_t receiving_streams() const;
  // Streams with a request handed out and no end yet (being answered, or sending).
  std::size_t answering_streams() const;
  // Response body bytes submitted and not yet sent: the loop starts no more handlers while
  // they pass a budget, so that a client that does not read (or never opens its window) holds
  // a bounded amount of the server's memory however many streams it opens.
  std::uint64_t body_bytes_queued() const { return body_bytes_queued_; }
  // The access log's calls for the streams whose last frame take_output wrote, once the caller
  // has written those bytes out: a response leaves before its log line is written, as nginx
  // logs a request once its response is sent (the write had delayed every answer).
  void report_ended();
  // Ends every stream still there when the connection is gone, for the access log: the status
  // answered (or 499) and the bytes that were sent. After the last handler has finished.
  void finish_all();
  // Body bytes sent in DATA frames so far (the send timeout watches it for progress).
  std::uint64_t data_bytes_sent() const { return data_bytes_sent_; }
  std::uint64_t requests_arrived() const { return requests_arrived_; }
  // Why the connection ended badly, as an error log line ("" when it did not).
  const std::string& trouble() const { return trouble_; }

 private:
  struct Stream;
  struct Callbacks;
  friend struct Callbacks;

  Stream* find(std::int32_t stream_id);
  const Stream* find(std::int32_t stream_id) const;
  void finish(Stream& stream);
  // Counts one event in the current second; false when the limit is passed (GOAWAY queued).
  bool within_rate(std::uint32_t& count, std::uint32_t limit, const char* what);

  nghttp2_session* session_ = nullptr;
  http::ConnectionLimits limits_;
  FloodLimits floods_;
  Finished on_finished_;
  std::unordered_map<std::int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<ArrivedRequest> arrived_;
  std::vector<RefusedRequest> refused_;
  std::string* out_ = nullptr;  // take_output's buffer while nghttp2 writes into it
  // Streams that ended while take_output wrote, for report_ended.
  struct Ended {
    http::Request request;
    int status;
    std::uint64_t body_sent;
  };
  std::vector<Ended> ended_;
  std::size_t budget_ = 0;
  std::uint64_t data_bytes_sent_ = 0;
  std::uint64_t body_bytes_queued_ = 0;
  // The highest stream the client has opened, and the last streams this server reset (whose
  // trailers may still be in flight): HEADERS on a lower stream that is neither is an error
  // nghttp2 lets through (RFC 9113 section 5.1.1).
  std::int32_t highest_client_stream_ = 0;
  std::deque<std::int32_t> reset_by_us_;
  std::uint64_t requests_arrived_ = 0;
  std::string trouble_;
  bool going_away_ = false;
  // Set by a callback that found an attack: the GOAWAY's code once nghttp2 has returned.
  std::uint32_t attack_code_ = 0;
  // The flood counters, for the second that began at window_start_.
  std::chrono::steady_clock::time_point window_start_{};
  std::uint32_t resets_ = 0;
  std::uint32_t control_frames_ = 0;
  std::uint32_t empty_frames_ = 0;
};

}  // namespace miniweb::http2
