#include "shared/http/response_framer.hpp"

#include <utility>

namespace miniweb::http {
namespace {

Error fail(ResponseFailure failure, std::string message) {
  return make_error(std::move(message), static_cast<int>(failure));
}

std::string over_limit(std::string_view what, std::size_t limit) {
  return "the response " + std::string(what) + " is over the limit of " + std::to_string(limit) +
         " bytes";
}

}  // namespace

ResponseFramer::ResponseFramer(std::string_view method, const ResponseLimits& limits)
    : method_(method), limits_(limits) {}

Result<ResponseFramer::Progress> ResponseFramer::feed(std::string& buffer) {
  if (stage_ == Stage::Head) {
    auto progress = feed_head(buffer);
    if (!progress || *progress == Progress::NeedMore) return progress;
    auto started = start_body();
    if (!started || *started == Progress::Complete) return started;
  }
  if (stage_ == Stage::Body) return feed_body(buffer);
  return Progress::Complete;
}

Result<ResponseFramer::Progress> ResponseFramer::feed_head(std::string& buffer) {
  while (true) {
    const std::size_t head_end = find_head_end(buffer);
    // The limit holds whether the head came in one read or several: a head that ends past it
    // is refused as one that has not ended by then.
    if ((head_end == std::string::npos ? buffer.size() : head_end) > limits_.max_head_bytes)
      return fail(ResponseFailure::TooLarge,
                  "the response head is over " + std::to_string(limits_.max_head_bytes) + " bytes");
    if (head_end == std::string::npos) {
      nothing_yet_ = buffer.empty();
      return Progress::NeedMore;
    }
    auto head = parse_response_head(std::string_view(buffer).substr(0, head_end));
    if (!head) return fail(ResponseFailure::Malformed, head.error().message);
    buffer.erase(0, head_end);
    // Interim responses (RFC 9110 section 15.2) precede the final one.
    if (head->status / 100 == 1 && head->status != 101) {
      // A server could send many: the first few are kept.
      if (received_.interim.size() < 16) received_.interim.push_back(std::move(*head));
      continue;
    }
    received_.response = std::move(*head);
    return Progress::Complete;
  }
}

Result<ResponseFramer::Progress> ResponseFramer::start_body() {
  const Response& response = received_.response;
  auto length = response_body_length(response, method_);
  if (!length) return fail(ResponseFailure::Malformed, length.error().message);
  length_ = *length;
  received_.reusable =
      response.version_minor >= 1 && !response.headers.has_token("Connection", "close");
  switch (length_.framing) {
    case BodyFraming::None:
      stage_ = Stage::Done;
      return Progress::Complete;
    case BodyFraming::ContentLength:
      if (length_.content_length > limits_.max_body_bytes)
        return fail(ResponseFailure::TooLarge, over_limit("body", limits_.max_body_bytes));
      break;
    case BodyFraming::Chunked:
      break;
    case BodyFraming::UntilClose:
      // The close ends the body (RFC 9112 section 6.3, rule 8); the connection cannot be reused.
      received_.reusable = false;
      break;
  }
  stage_ = Stage::Body;
  return Progress::NeedMore;
}

Result<ResponseFramer::Progress> ResponseFramer::feed_body(std::string& buffer) {
  Response& response = received_.response;
  switch (length_.framing) {
    case BodyFraming::None:
      break;
    case BodyFraming::ContentLength:
      if (buffer.size() < length_.content_length) return Progress::NeedMore;
      response.body = buffer.substr(0, length_.content_length);
      buffer.erase(0, length_.content_length);
      break;
    case BodyFraming::Chunked: {
      auto progress = chunked_.feed(buffer, response.body, limits_.max_body_bytes);
      if (!progress)
        return fail(
            progress.error().code == 413 ? ResponseFailure::TooLarge : ResponseFailure::Malformed,
            "bad chunked body: " + progress.error().message);
      if (*progress == ChunkedDecoder::Progress::NeedMore) return Progress::NeedMore;
      break;
    }
    case BodyFraming::UntilClose:
      // Checked on what came with the head too, so that no read size lets a body past it.
      if (buffer.size() > limits_.max_body_bytes)
        return fail(ResponseFailure::TooLarge, over_limit("body", limits_.max_body_bytes));
      return Progress::NeedMore;  // until finish
  }
  stage_ = Stage::Done;
  return Progress::Complete;
}

Result<ResponseFramer::Progress> ResponseFramer::finish(std::string& buffer, const StreamEnd& end) {
  if (stage_ == Stage::Done) return Progress::Complete;
  if (end.timed_out) return fail(ResponseFailure::TimedOut, "no answer in time");
  const std::string why = end.closed ? std::string() : " (" + end.error + ")";
  if (stage_ == Stage::Head) {
    // A reset or a TLS error says why (a record that failed its integrity check).
    if (nothing_yet_)
      return fail(ResponseFailure::NoResponse,
                  end.closed ? std::string("the connection closed without a response")
                             : "the connection failed before a response (" + end.error + ")");
    return fail(ResponseFailure::CutShort,
                "the connection ended in the middle of the response head" + why);
  }
  switch (length_.framing) {
    case BodyFraming::ContentLength:
      return fail(ResponseFailure::CutShort,
                  "the connection ended before the end of the body" + why);
    case BodyFraming::Chunked:
      return fail(ResponseFailure::CutShort, "the connection ended before the last chunk" + why);
    case BodyFraming::UntilClose:
      if (!end.closed)
        return fail(ResponseFailure::CutShort, "the connection ended in the body" + why);
      received_.response.body = std::move(buffer);
      buffer.clear();
      break;
    case BodyFraming::None:
      break;
  }
  stage_ = Stage::Done;
  return Progress::Complete;
}

}  // namespace miniweb::http
