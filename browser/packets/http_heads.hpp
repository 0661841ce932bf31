#pragma once
// HTTP/1.1 heads in a plaintext TCP connection (the CRL fetched over http://, a forward
// proxy's CONNECT): the start line and header fields of each request and response found at a
// message boundary. Bodies are skipped by their framing (RFC 9112 6.3) to find the next
// message; after a CONNECT's 2xx or a 101 the rest is a tunnel and no longer HTTP.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/http/parser.hpp"

namespace miniweb::packets {

enum class HttpSide { Client, Server };

struct HttpHead {
  HttpSide side = HttpSide::Client;
  std::uint64_t offset = 0;  // stream offset of the start line
  std::size_t length = 0;    // bytes from the start line through the empty line
  std::string start_line;    // "GET /hello.txt HTTP/1.1", "HTTP/1.1 200 OK"
  std::vector<std::pair<std::string, std::string>> fields;  // in arrival order
  std::string method;                                       // requests
  std::string target;
  int status = 0;  // responses
  http::BodyFraming framing = http::BodyFraming::None;
  std::uint64_t content_length = 0;  // with BodyFraming::ContentLength

  std::string to_string() const { return start_line; }
};

struct HttpProblem {
  std::uint64_t offset = 0;
  std::string message;
};

// Both directions of one connection: responses are framed by the request they answer (a HEAD's
// response has no body, a CONNECT's 2xx opens a tunnel), so one decoder sees both.
class HttpStreamDecoder {
 public:
  HttpStreamDecoder() = default;
  explicit HttpStreamDecoder(http::Limits limits) : limits_(limits) {}

  // One direction's bytes in order from `offset` (as TcpStreamReassembler hands them on). A
  // gap stops that direction: message boundaries are lost.
  std::vector<HttpHead> feed(HttpSide side, std::uint64_t offset,
                             std::span<const std::uint8_t> bytes);

  const std::optional<HttpProblem>& problem(HttpSide side) const { return of(side).problem; }
  bool tunnel() const { return tunnel_; }  // after a CONNECT's 2xx or a 101

 private:
  enum class State { Head, Body, Chunked, UntilClose, AwaitingConnectAnswer, Opaque };
  struct Direction {
    State state = State::Head;
    bool started = false;
    std::uint64_t next_offset = 0;    // the stream offset just past what was fed
    std::string buffer;               // bytes not consumed yet
    std::uint64_t buffer_offset = 0;  // stream offset of buffer[0]
    std::uint64_t body_remaining = 0;
    http::ChunkedDecoder chunked;
    std::optional<HttpProblem> problem;
  };

  void run(HttpSide side, std::vector<HttpHead>& heads);
  // Each reads one head at the start of the direction's buffer; false when there is none yet.
  bool read_head(HttpSide side, std::vector<HttpHead>& heads);
  bool read_request(std::string_view text, HttpHead head, std::vector<HttpHead>& heads);
  bool read_response(std::string_view text, HttpHead head, std::vector<HttpHead>& heads);
  void expect_body(Direction& direction, const HttpHead& head);
  void consume(Direction& direction, std::size_t count);
  // Stops the direction for good; false, so that a reader can return it.
  bool stop(Direction& direction, std::uint64_t offset, std::string message);
  Direction& of(HttpSide side) { return side == HttpSide::Client ? client_ : server_; }
  const Direction& of(HttpSide side) const { return side == HttpSide::Client ? client_ : server_; }

  http::Limits limits_;
  Direction client_;
  Direction server_;
  std::deque<std::string> unanswered_methods_;  // requests waiting for their responses
  bool tunnel_ = false;
};

}  // namespace miniweb::packets
