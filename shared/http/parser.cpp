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
  // One allocation, where growing a line at a time took three for a short request.
  lines.reserve(static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n')));
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

struct FieldLine {
  std::string_view name;
  std::string_view value;
};

// One field line of a head or of a chunked body's trailer section (RFC 9112 section 5).
Result<FieldLine> parse_field_line(std::string_view line) {
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
  return FieldLine{name, value};
}

Status parse_header_lines(const std::vector<std::string_view>& lines, Headers& headers,
                          std::size_t max_count) {
  // One allocation for the fields and the one a server adds (its request ID): growing one field
  // at a time took three for a short request.
  if (!lines.empty()) headers.reserve(std::min(lines.size() - 1, max_count) + 1);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto field = parse_field_line(lines[i]);
    if (!field) return field.error();
    if (headers.fields().size() >= max_count) return make_error("too many header fields", 431);
    headers.add(std::string(field->name), std::string(field->value));
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
  // RFC 9112 section 2.2: empty lines before the start line are ignored (parse_request_head
  // skips them too), so that they do not read as the end of an empty head.
  std::size_t start = 0;
  while (start < data.size() && (data[start] == '\n' || data.substr(start, 2) == "\r\n"))
    start += data[start] == '\n' ? 1 : 2;
  for (std::size_t i = start; i < data.size(); ++i) {
    if (data[i] != '\n') continue;
    if (i + 1 < data.size() && data[i + 1] == '\n') return i + 2;
    if (i + 2 < data.size() && data[i + 1] == '\r' && data[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

Result<Request> parse_request_head(std::string_view head, const Limits& limits) {
  if (head.size() > limits.max_header_bytes) return make_error("request head too large", 431);
  // RFC 9112 section 2.2: ignore empty lines before the request line (at least one is a SHOULD).
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
// An unfinished line may hold the whole limit and the CR of its CRLF: a read that ends between
// CR and LF must not refuse a line the whole read would accept.
constexpr std::size_t kMaxPendingChunkLine = kMaxChunkLine + 1;
constexpr std::string_view kHexDigits = "0123456789abcdefABCDEF";

// RFC 9110 section 5.6.4: quoted-string, consumed from the front of `text`.
bool take_quoted_string(std::string_view& text) {
  if (!text.starts_with('"')) return false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (text[i] == '"') {
      text.remove_prefix(i + 1);
      return true;
    }
    if (text[i] == '\\') {
      if (++i == text.size()) return false;
      const auto escaped = static_cast<unsigned char>(text[i]);
      if ((escaped < 0x20 && text[i] != '\t') || escaped == 0x7f) return false;
    } else if ((byte < 0x20 && text[i] != '\t') || byte == 0x7f) {
      return false;
    }
  }
  return false;
}

bool take_token(std::string_view& text) {
  std::size_t length = 0;
  while (length < text.size() && is_token_char(text[length])) ++length;
  text.remove_prefix(length);
  return length > 0;
}

void skip_bws(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

// RFC 9112 section 7.1.1: what follows a chunk size is only
//   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
// Extensions are ignored, but a line that does not match is refused: a size read with junk after
// it is how parsers come to disagree on where a chunk ends.
bool is_chunk_extensions(std::string_view text) {
  while (!text.empty()) {
    skip_bws(text);
    if (!text.starts_with(';')) return false;
    text.remove_prefix(1);
    skip_bws(text);
    if (!take_token(text)) return false;
    std::string_view after_name = text;
    skip_bws(text);
    if (!text.starts_with('=')) {
      text = after_name;
      continue;
    }
    text.remove_prefix(1);
    skip_bws(text);
    if (!take_token(text) && !take_quoted_string(text)) return false;
  }
  return true;
}
}  // namespace

Result<ChunkedDecoder::Progress> ChunkedDecoder::feed(std::string& input, std::string& body,
                                                      std::size_t max_body) {
  std::size_t pos = 0;
  // RFC 9112 section 2.2 lets a bare LF end the lines of a head and of the trailer section
  // (field lines), not a chunk's lines (section 7.1: CRLF): a chunk size or data end read
  // at a bare LF is where parsers come to disagree on where a chunk ends ("funky chunks").
  bool crlf = false;
  auto take_line = [&](std::string_view& line) {
    auto lf = input.find('\n', pos);
    if (lf == std::string::npos) return false;
    line = std::string_view(input).substr(pos, lf - pos);
    crlf = !line.empty() && line.back() == '\r';
    if (crlf) line.remove_suffix(1);
    pos = lf + 1;
    return true;
  };
  Result<Progress> result = Progress::NeedMore;
  while (true) {
    std::string_view line;
    if (state_ == State::Size) {
      // The limit holds whether the line came in one read or several.
      if (!take_line(line)) {
        if (input.size() - pos > kMaxPendingChunkLine)
          result = make_error("chunk size line too long", 400);
        break;
      }
      if (line.size() > kMaxChunkLine) {
        result = make_error("chunk size line too long", 400);
        break;
      }
      if (!crlf) {
        result = make_error("chunk size line ends without CRLF", 400);
        break;
      }
      // chunk-size = 1*HEXDIG, then only extensions: no other whitespace or bytes.
      const std::size_t digits = std::min(line.find_first_not_of(kHexDigits), line.size());
      std::string_view size_text = line.substr(0, digits);
      if (size_text.empty() || size_text.size() > 15 || !is_chunk_extensions(line.substr(digits))) {
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
      // Only CRLF may follow the data. Judged byte by byte, so that the verdict and its words
      // are the same whether the bytes came in one read or in several.
      constexpr std::string_view kCrlf = "\r\n";
      const std::string_view next = std::string_view(input).substr(pos, kCrlf.size());
      if (next != kCrlf.substr(0, next.size())) {
        result = make_error("chunk data not followed by CRLF", 400);
        break;
      }
      if (next.size() < kCrlf.size()) break;
      pos += kCrlf.size();
      state_ = State::Size;
    } else {  // Trailer: fields are read and dropped, up to the empty line.
      if (!take_line(line)) {
        // A trailer line that never ends would otherwise grow the input without bound.
        if (input.size() - pos > kMaxPendingChunkLine)
          result = make_error("trailer line too long", 400);
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
      // Trailer fields are dropped, but must be field lines (RFC 9112 section 7.1.2): what
      // another parser would read as something else must not pass here.
      auto field = parse_field_line(line);
      if (!field) {
        result = make_error("bad trailer field: " + field.error().message, 400);
        break;
      }
      // RFC 9110 section 6.5.1: framing fields cannot be trailers. Dropping them would do, but
      // a parser that reads a trailer Content-Length as a length (llhttp 6.1 does) would then
      // take the next request for a body: refused, so that nothing is read after them.
      if (iequals(field->name, "Content-Length") || iequals(field->name, "Transfer-Encoding")) {
        result = make_error("framing field in trailer section", 400);
        break;
      }
    }
  }
  input.erase(0, pos);
  return result;
}

}  // namespace miniweb::http
