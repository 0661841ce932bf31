#include "browser/packets/http_heads.hpp"

#include <algorithm>

namespace miniweb::packets {
namespace {

// Chunked bodies are skipped, not kept: the decoder's body goes after each call, so this only
// has to exceed any one chunk size it reads (at most 15 hex digits).
constexpr std::size_t kNoBodyLimit = std::size_t{1} << 62;
// Requests pipelined ahead of their responses that are remembered for framing the responses.
constexpr std::size_t kMaxUnansweredRequests = 1024;

std::string first_line(std::string_view head) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line);
}

}  // namespace

std::vector<HttpHead> HttpStreamDecoder::feed(HttpSide side, std::uint64_t offset,
                                              std::span<const std::uint8_t> bytes) {
  std::vector<HttpHead> heads;
  Direction& direction = of(side);
  if (direction.problem) return heads;
  if (!direction.started) {
    direction.started = true;
    direction.next_offset = direction.buffer_offset = offset;
  }
  if (offset != direction.next_offset) {
    stop(direction, direction.next_offset,
         "the stream skips from byte " + std::to_string(direction.next_offset) + " to " +
             std::to_string(offset) + ": message boundaries are lost");
    return heads;
  }
  direction.next_offset += bytes.size();
  if (direction.state == State::Opaque) {
    direction.buffer_offset = direction.next_offset;
    return heads;
  }
  if (direction.state == State::AwaitingConnectAnswer &&
      direction.buffer.size() + bytes.size() > limits_.max_header_bytes) {
    // The client speaks on without waiting: it takes the tunnel as open.
    direction.state = State::Opaque;
    direction.buffer.clear();
    direction.buffer_offset = direction.next_offset;
    return heads;
  }
  direction.buffer.append(bytes.begin(), bytes.end());
  run(side, heads);
  return heads;
}

void HttpStreamDecoder::run(HttpSide side, std::vector<HttpHead>& heads) {
  Direction& direction = of(side);
  while (!direction.problem) {
    switch (direction.state) {
      case State::Head:
        if (!read_head(side, heads)) return;
        break;
      case State::Body: {
        const auto count = static_cast<std::size_t>(
            std::min<std::uint64_t>(direction.body_remaining, direction.buffer.size()));
        consume(direction, count);
        direction.body_remaining -= count;
        if (direction.body_remaining > 0) return;
        direction.state = State::Head;
        break;
      }
      case State::Chunked: {
        std::string skipped_body;
        const std::size_t before = direction.buffer.size();
        auto progress = direction.chunked.feed(direction.buffer, skipped_body, kNoBodyLimit);
        direction.buffer_offset += before - direction.buffer.size();
        if (!progress) {
          stop(direction, direction.buffer_offset, "chunked body: " + progress.error().message);
          return;
        }
        if (*progress == http::ChunkedDecoder::Progress::NeedMore) return;
        direction.chunked = http::ChunkedDecoder();
        direction.state = State::Head;
        break;
      }
      case State::UntilClose:
      case State::Opaque:
        consume(direction, direction.buffer.size());
        return;
      case State::AwaitingConnectAnswer:
        return;
    }
  }
}

bool HttpStreamDecoder::read_head(HttpSide side, std::vector<HttpHead>& heads) {
  Direction& direction = of(side);
  // RFC 9112 2.2: empty lines before a request line are ignored.
  while (side == HttpSide::Client && !direction.buffer.empty() &&
         (direction.buffer.front() == '\r' || direction.buffer.front() == '\n'))
    consume(direction, 1);
  if (direction.buffer.empty()) return false;
  const std::size_t end = http::find_head_end(direction.buffer);
  if (end == std::string::npos) {
    if (direction.buffer.size() > limits_.max_header_bytes)
      return stop(direction, direction.buffer_offset,
                  "no end of an HTTP head in its first " +
                      std::to_string(limits_.max_header_bytes) + " bytes");
    return false;
  }
  const std::string_view text(direction.buffer.data(), end);
  HttpHead head;
  head.side = side;
  head.offset = direction.buffer_offset;
  head.length = end;
  head.start_line = first_line(text);
  if (side == HttpSide::Client) return read_request(text, std::move(head), heads);
  return read_response(text, std::move(head), heads);
}

bool HttpStreamDecoder::read_request(std::string_view text, HttpHead head,
                                     std::vector<HttpHead>& heads) {
  auto request = http::parse_request_head(text, limits_);
  if (!request)
    return stop(client_, head.offset, "not an HTTP request head: " + request.error().message);
  auto length = http::request_body_length(*request);
  if (!length) return stop(client_, head.offset, length.error().message);
  head.method = request->method;
  head.target = request->target;
  head.fields = request->headers.fields();
  head.framing = length->framing;
  head.content_length = length->content_length;
  if (unanswered_methods_.size() < kMaxUnansweredRequests)
    unanswered_methods_.push_back(request->method);
  consume(client_, head.length);
  // A CONNECT's bytes after its head are a tunnel if the answer is 2xx, the next request if not.
  if (head.method == "CONNECT")
    client_.state = State::AwaitingConnectAnswer;
  else
    expect_body(client_, head);
  heads.push_back(std::move(head));
  return true;
}

bool HttpStreamDecoder::read_response(std::string_view text, HttpHead head,
                                      std::vector<HttpHead>& heads) {
  auto response = http::parse_response_head(text);
  if (!response)
    return stop(server_, head.offset, "not an HTTP response head: " + response.error().message);
  head.status = response->status;
  head.fields = response->headers.fields();
  const std::string method =
      unanswered_methods_.empty() ? std::string("GET") : unanswered_methods_.front();
  // 1xx responses are interim (RFC 9110 15.2): the final one is still to come, except 101.
  const bool final = response->status / 100 != 1 || response->status == 101;
  if (final && !unanswered_methods_.empty()) unanswered_methods_.pop_front();
  consume(server_, head.length);
  if (response->status == 101 || (method == "CONNECT" && response->status / 100 == 2)) {
    // RFC 9110 9.3.6 and 15.2.2: the connection now carries something else.
    tunnel_ = true;
    client_.state = server_.state = State::Opaque;
    consume(client_, client_.buffer.size());
    heads.push_back(std::move(head));
    return true;
  }
  if (final) {
    auto length = http::response_body_length(*response, method);
    if (!length) return stop(server_, head.offset, length.error().message);
    head.framing = length->framing;
    head.content_length = length->content_length;
    expect_body(server_, head);
  }
  heads.push_back(std::move(head));
  if (final && method == "CONNECT") {
    // Refused: whatever the client sent meanwhile is its next request.
    client_.state = State::Head;
    run(HttpSide::Client, heads);
  }
  return true;
}

void HttpStreamDecoder::expect_body(Direction& direction, const HttpHead& head) {
  direction.state = State::Head;
  if (head.framing == http::BodyFraming::ContentLength && head.content_length > 0) {
    direction.state = State::Body;
    direction.body_remaining = head.content_length;
  } else if (head.framing == http::BodyFraming::Chunked) {
    direction.state = State::Chunked;
  } else if (head.framing == http::BodyFraming::UntilClose) {
    direction.state = State::UntilClose;
  }
}

void HttpStreamDecoder::consume(Direction& direction, std::size_t count) {
  direction.buffer.erase(0, count);
  direction.buffer_offset += count;
}

bool HttpStreamDecoder::stop(Direction& direction, std::uint64_t offset, std::string message) {
  if (!direction.problem) direction.problem = HttpProblem{offset, std::move(message)};
  direction.buffer.clear();
  return false;
}

}  // namespace miniweb::packets
