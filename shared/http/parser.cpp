#include "shared/http/parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace miniweb::http {
namespace {

// RFC 9110 section 5.6.2 tchar.
bool is_token_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return extra.find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Splits a head into lines, refusing a bare CR anywhere (RFC 9112 section 2.2).
Result<std::vector<std::string_view>> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    auto lf = head.find('\n');
    if (lf == std::string_view::npos) return make_error("incomplete message head", 400);
    std::string_view line = head.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos)
      return make_error("bare CR in message head", 400);
    lines.push_back(line);
    head.remove_prefix(lf + 1);
  }
  if (lines.empty() || !lines.back().empty()) return make_error("message head does not end", 400);
  lines.pop_back();
  return lines;
}

Status parse_header_lines(const std::vector<std::string_view>& lines, Headers& headers,
                          std::size_t max_count) {
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    // Obsolete line folding is refused rather than unfolded (RFC 9112 section 5.2).
    if (line.starts_with(" ") || line.starts_with("\t"))
      return make_error("obsolete line folding in header", 400);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return make_error("header line without a colon", 400);
    std::string_view name = line.substr(0, colon);
    // No whitespace between name and colon (RFC 9112 section 5.1).
    if (!is_token(name)) return make_error("invalid header name '" + std::string(name) + "'", 400);
    std::string_view value = trim_ows(line.substr(colon + 1));
    for (char c : value) {
      auto byte = static_cast<unsigned char>(c);
      if ((byte < 0x20 && c != '\t') || byte == 0x7f)
        return make_error("control character in header '" + std::string(name) + "'", 400);
    }
    if (headers.fields().size() >= max_count) return make_error("too many header fields", 431);
    headers.add(std::string(name), std::string(value));
  }
  return Ok{};
}

Result<int> parse_version(std::string_view text) {
  if (text.size() != 8 || !text.starts_with("HTTP/") ||
      !std::isdigit(static_cast<unsigned char>(text[5])) || text[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(text[7])))
    return make_error("malformed HTTP version '" + std::string(text) + "'", 400);
  if (text[5] != '1') return make_error("HTTP version not supported", 505);
  return text[7] - '0';
}

Result<std::uint64_t> parse_content_length(std::string_view value) {
  std::uint64_t length = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size())
    return make_error("invalid Content-Length '" + std::string(value) + "'", 400);
  return length;
}

// Content-Length may repeat only with the same value, possibly as a list (RFC 9110 8.6).
Result<std::optional<std::uint64_t>> content_length_of(const Headers& headers) {
  std::optional<std::uint64_t> length;
  for (std::string_view field : headers.get_all("Content-Length")) {
    while (true) {
      auto comma = field.find(',');
      auto one = parse_content_length(trim_ows(field.substr(0, comma)));
      if (!one) return one.error();
      if (length && *length != *one) return make_error("differing Content-Length values", 400);
      length = *one;
      if (comma == std::string_view::npos) break;
      field.remove_prefix(comma + 1);
    }
  }
  return length;
}

// The transfer codings listed over every Transfer-Encoding field, in order (RFC 9112 6.1).
std::vector<std::string> transfer_codings(const Headers& headers) {
  std::vector<std::string> codings;
  for (std::string_view field : headers.get_all("Transfer-Encoding")) {
    while (true) {
      auto comma = field.find(',');
      std::string_view coding = trim_ows(field.substr(0, comma));
      if (!coding.empty()) codings.emplace_back(coding);
      if (comma == std::string_view::npos) break;
      field.remove_prefix(comma + 1);
    }
  }
  return codings;
}

// Chunked must be the final transfer coding; we know no other (RFC 9112 section 6.1).
Result<bool> is_chunked(const Headers& headers) {
  const std::vector<std::string> codings = transfer_codings(headers);
  if (codings.empty()) return false;
  // RFC 9112 section 6.3: without chunked last, the length cannot be known reliably: 400.
  if (!iequals(codings.back(), "chunked"))
    return make_error("chunked is not the final transfer coding", 400);
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (iequals(codings[i], "chunked")) return make_error("chunked applied more than once", 400);
    return make_error("unsupported transfer coding '" + codings[i] + "'", 501);
  }
  return true;
}

}  // namespace

std::size_t find_head_end(std::string_view data) {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

Result<Request> parse_request_head(std::string_view head, const Limits& limits) {
  if (head.size() > limits.max_header_bytes) return make_error("request head too large", 431);
  // RFC 9112 section 2.2: ignore at least one empty line before the request line.
  while (head.starts_with("\r\n") || head.starts_with("\n"))
    head.remove_prefix(head[0] == '\r' ? 2 : 1);
  auto lines = split_lines(head);
  if (!lines) return lines.error();
  if (lines->empty()) return make_error("empty request", 400);

  std::string_view request_line = (*lines)[0];
  if (request_line.size() > limits.max_request_line)
    return make_error("request line too long", 414);
  auto first_space = request_line.find(' ');
  auto last_space = request_line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space)
    return make_error("malformed request line", 400);
  Request request;
  std::string_view method = request_line.substr(0, first_space);
  std::string_view target = request_line.substr(first_space + 1, last_space - first_space - 1);
  if (!is_token(method)) return make_error("malformed method", 400);
  if (target.empty() || target.find_first_of(" \t") != std::string_view::npos)
    return make_error("malformed request target", 400);
  for (char c : target)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return make_error("request target contains a control or non-ASCII byte", 400);
  auto version = parse_version(request_line.substr(last_space + 1));
  if (!version) return version.error();
  request.method = std::string(method);
  request.target = std::string(target);
  request.version_minor = *version;

  if (auto status = parse_header_lines(*lines, request.headers, limits.max_header_count); !status)
    return status.error();
  // RFC 9112 section 3.2: exactly one Host in HTTP/1.1.
  std::size_t hosts = request.headers.count("Host");
  if (request.version_minor >= 1 && hosts == 0) return make_error("missing Host header", 400);
  if (hosts > 1) return make_error("more than one Host header", 400);
  // RFC 9112 section 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing (a 1.0
  // intermediary may have passed the field on without knowing it): refused, and the connection
  // closed, so that nothing after it can be read as a request.
  if (request.version_minor == 0 && request.headers.contains("Transfer-Encoding"))
    return make_error("Transfer-Encoding in an HTTP/1.0 request", 400);
  return request;
}

Result<Response> parse_response_head(std::string_view head) {
  auto lines = split_lines(head);
  if (!lines) return lines.error();
  if (lines->empty()) return make_error("empty response", 502);
  std::string_view status_line = (*lines)[0];
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  auto first_space = status_line.find(' ');
  if (first_space == std::string_view::npos) return make_error("malformed status line", 502);
  auto version = parse_version(status_line.substr(0, first_space));
  if (!version) return make_error("malformed status line: " + version.error().message, 502);
  std::string_view rest = status_line.substr(first_space + 1);
  std::string_view code = rest.substr(0, 3);
  if (code.size() != 3 ||
      !std::all_of(code.begin(), code.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      (rest.size() > 3 && rest[3] != ' '))
    return make_error("malformed status code in '" + std::string(status_line) + "'", 502);
  Response response;
  response.version_minor = *version;
  response.status = std::stoi(std::string(code));
  if (response.status < 100) return make_error("status code below 100", 502);
  response.reason = rest.size() > 4 ? std::string(rest.substr(4)) : "";
  if (auto status = parse_header_lines(*lines, response.headers, 1000); !status)
    return make_error(status.error().message, 502);
  return response;
}

Result<BodyLength> request_body_length(const Request& request) {
  auto chunked = is_chunked(request.headers);
  if (!chunked) return chunked.error();
  auto length = content_length_of(request.headers);
  if (!length) return length.error();
  if (*chunked && *length) return make_error("both Transfer-Encoding and Content-Length", 400);
  if (*chunked) return BodyLength{BodyFraming::Chunked, 0};
  if (request.headers.contains("Transfer-Encoding"))
    return make_error("empty Transfer-Encoding", 400);
  if (*length) return BodyLength{BodyFraming::ContentLength, **length};
  return BodyLength{};
}

Result<BodyLength> response_body_length(const Response& response, std::string_view request_method) {
  // RFC 9112 section 6.3, rules 1 and 2.
  if (request_method == "HEAD" || response.status / 100 == 1 || response.status == 204 ||
      response.status == 304)
    return BodyLength{};
  // Rule 4: in a response, a final coding other than chunked means the close ends the body.
  if (auto codings = transfer_codings(response.headers);
      !codings.empty() && !iequals(codings.back(), "chunked"))
    return BodyLength{BodyFraming::UntilClose, 0};
  auto chunked = is_chunked(response.headers);
  if (!chunked) return make_error(chunked.error().message, 502);
  if (*chunked) return BodyLength{BodyFraming::Chunked, 0};
  auto length = content_length_of(response.headers);
  if (!length) return make_error(length.error().message, 502);
  if (*length) return BodyLength{BodyFraming::ContentLength, **length};
  return BodyLength{BodyFraming::UntilClose, 0};
}

namespace {
// Chunk size lines (with extensions) and trailer lines, as nginx's limits on them.
constexpr std::size_t kMaxChunkLine = 1024;
}  // namespace

Result<ChunkedDecoder::Progress> ChunkedDecoder::feed(std::string& input, std::string& body,
                                                      std::size_t max_body) {
  std::size_t pos = 0;
  auto take_line = [&](std::string_view& line) {
    auto lf = input.find('\n', pos);
    if (lf == std::string::npos) return false;
    line = std::string_view(input).substr(pos, lf - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = lf + 1;
    return true;
  };
  Result<Progress> result = Progress::NeedMore;
  while (true) {
    std::string_view line;
    if (state_ == State::Size) {
      // The limit holds whether the line came in one read or several.
      if (!take_line(line)) {
        if (input.size() - pos > kMaxChunkLine)
          result = make_error("chunk size line too long", 400);
        break;
      }
      if (line.size() > kMaxChunkLine) {
        result = make_error("chunk size line too long", 400);
        break;
      }
      std::string_view size_text = line.substr(0, line.find(';'));
      size_text = trim_ows(size_text);
      if (size_text.empty() || size_text.size() > 15 ||
          !std::all_of(size_text.begin(), size_text.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        result = make_error("bad chunk size", 400);
        break;
      }
      std::uint64_t size = 0;
      std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
      if (body.size() + size > max_body) {
        result = make_error("body too large", 413);
        break;
      }
      remaining_ = size;
      state_ = size == 0 ? State::Trailer : State::Data;
    } else if (state_ == State::Data) {
      std::size_t available = std::min<std::uint64_t>(remaining_, input.size() - pos);
      body.append(input, pos, available);
      pos += available;
      remaining_ -= available;
      if (remaining_ > 0) break;
      state_ = State::DataEnd;
    } else if (state_ == State::DataEnd) {
      if (!take_line(line)) {
        // Only CRLF may follow the data; more without a line end cannot become valid.
        if (input.size() - pos > 2) result = make_error("chunk data longer than its size", 400);
        break;
      }
      if (!line.empty()) {
        result = make_error("chunk data longer than its size", 400);
        break;
      }
      state_ = State::Size;
    } else {  // Trailer: fields are read and dropped, up to the empty line.
      if (!take_line(line)) {
        // A trailer line that never ends would otherwise grow the input without bound.
        if (input.size() - pos > kMaxChunkLine) result = make_error("trailer line too long", 400);
        break;
      }
      if (line.size() > kMaxChunkLine) {
        result = make_error("trailer line too long", 400);
        break;
      }
      if (line.empty()) {
        result = Progress::Done;
        break;
      }
    }
  }
  input.erase(0, pos);
  return result;
}

}  // namespace miniweb::http
