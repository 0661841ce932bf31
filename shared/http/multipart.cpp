#include "shared/http/multipart.hpp"

#include <algorithm>

#include "shared/text.hpp"

namespace miniweb::http {

namespace {

Error bad(std::string message) {
  return make_error("multipart/form-data: " + message, 400);
}

bool is_token_char(char c) {
  // RFC 9110 section 5.6.2 tchar.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_boundary_char(char c) {
  // RFC 2046 section 5.1.1 bchars.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

void skip_spaces(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

// One part's header fields, up to (without) the empty line.
struct PartHead {
  std::optional<std::string> disposition;
  std::optional<std::string> content_type;
};

Result<PartHead> parse_part_head(std::string_view head) {
  PartHead part;
  while (!head.empty()) {
    const auto end = head.find("\r\n");
    std::string_view line = head.substr(0, end);
    head = end == std::string_view::npos ? std::string_view{} : head.substr(end + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return bad("a part's header line has no field name");
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_token_char))
      return bad("a part's header field name is not a token");
    const std::string value(trim(line.substr(colon + 1)));
    for (char c : value)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
        return bad("a part's header field holds a control character");
    std::optional<std::string>* slot = iequals(name, "Content-Disposition") ? &part.disposition
                                       : iequals(name, "Content-Type")      ? &part.content_type
                                                                            : nullptr;
    if (!slot) continue;  // RFC 7578 section 4.8: other fields are ignored
    if (*slot) return bad("a part has two " + std::string(name) + " fields");
    *slot = value;
  }
  return part;
}

Result<MultipartPart> make_part(const PartHead& head, std::string_view data,
                                const MultipartLimits& limits) {
  if (!head.disposition) return bad("a part has no Content-Disposition");
  std::string_view disposition = *head.disposition;
  const auto semicolon = disposition.find(';');
  if (!iequals(trim(disposition.substr(0, semicolon)), "form-data"))
    return bad("a part's Content-Disposition is not form-data");
  auto parameters = parse_parameters(
      semicolon == std::string_view::npos ? std::string_view{} : disposition.substr(semicolon));
  if (!parameters) return parameters.error();
  MultipartPart part;
  bool named = false;
  for (auto& [key, value] : *parameters) {
    if (key == "name") {
      part.name = std::move(value);
      named = true;
    } else if (key == "filename") {
      part.filename = std::move(value);
    }
  }
  if (!named || part.name.empty()) return bad("a part has no name");
  if (part.name.size() > limits.max_name_bytes ||
      (part.filename && part.filename->size() > limits.max_name_bytes))
    return bad("a part's name is longer than " + std::to_string(limits.max_name_bytes) + " bytes");
  part.content_type = head.content_type.value_or("text/plain");
  part.data = std::string(data);
  return part;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> parse_parameters(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> parameters;
  for (;;) {
    skip_spaces(text);
    if (text.empty()) return parameters;
    if (text.front() != ';') return bad("parameters are not separated by ';'");
    text.remove_prefix(1);
    skip_spaces(text);
    std::size_t name_end = 0;
    while (name_end < text.size() && is_token_char(text[name_end])) ++name_end;
    if (name_end == 0 || name_end >= text.size() || text[name_end] != '=')
      return bad("a parameter is not name=value");
    std::string name = to_lower(text.substr(0, name_end));
    text.remove_prefix(name_end + 1);
    std::string value;
    if (!text.empty() && text.front() == '"') {
      // A quoted-string (RFC 9110 section 5.6.4), with its quoted pairs.
      std::size_t i = 1;
      for (;; ++i) {
        if (i >= text.size()) return bad("a quoted parameter value does not end");
        if (text[i] == '"') break;
        if (text[i] == '\\') {
          if (++i >= text.size()) return bad("a quoted parameter value does not end");
        }
        value += text[i];
      }
      text.remove_prefix(i + 1);
    } else {
      std::size_t end = 0;
      while (end < text.size() && is_token_char(text[end])) ++end;
      if (end == 0) return bad("parameter " + name + " has no value");
      value = std::string(text.substr(0, end));
      text.remove_prefix(end);
    }
    for (const auto& [seen, ignored] : parameters)
      if (seen == name) return bad("parameter " + name + " is given twice");
    parameters.emplace_back(std::move(name), std::move(value));
  }
}

Result<std::string> multipart_boundary(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  if (!iequals(trim(content_type.substr(0, semicolon)), "multipart/form-data"))
    return bad("the body is not multipart/form-data");
  if (semicolon == std::string_view::npos) return bad("the Content-Type names no boundary");
  auto parameters = parse_parameters(content_type.substr(semicolon));
  if (!parameters) return parameters.error();
  for (const auto& [name, value] : *parameters) {
    if (name != "boundary") continue;
    if (value.empty() || value.size() > 70 || value.back() == ' ' ||
        !std::all_of(value.begin(), value.end(), is_boundary_char))
      return bad("the boundary is not 1 to 70 characters of RFC 2046's set");
    return value;
  }
  return bad("the Content-Type names no boundary");
}

// RFC 2046 section 5.1.1: the body is
//   --BOUNDARY CRLF part (CRLF --BOUNDARY CRLF part)* CRLF --BOUNDARY-- [CRLF]
// where a part is its header fields, an empty line, and its bytes.
Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MultipartLimits& limits) {
  const std::string first = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + first;
  if (!body.starts_with(first)) return bad("the body does not start with its boundary");
  body.remove_prefix(first.size());
  std::vector<MultipartPart> parts;
  for (;;) {
    if (body.starts_with("--")) {
      body.remove_prefix(2);
      if (!body.empty() && body != "\r\n") return bad("there is text after the last boundary");
      if (parts.empty()) return bad("the body has no parts");
      return parts;
    }
    if (!body.starts_with("\r\n")) return bad("a boundary is not followed by CRLF or '--'");
    body.remove_prefix(2);
    if (parts.size() >= limits.max_parts)
      return bad("more than " + std::to_string(limits.max_parts) + " parts");
    const auto head_end = body.find("\r\n\r\n");
    const bool no_fields = body.starts_with("\r\n");
    if (!no_fields && (head_end == std::string_view::npos || head_end > limits.max_part_head_bytes))
      return bad(head_end == std::string_view::npos
                     ? "a part's header fields do not end"
                     : "a part's header fields are longer than " +
                           std::to_string(limits.max_part_head_bytes) + " bytes");
    auto head = parse_part_head(no_fields ? std::string_view{} : body.substr(0, head_end));
    if (!head) return head.error();
    body.remove_prefix(no_fields ? 2 : head_end + 4);
    const auto data_end = body.find(delimiter);
    if (data_end == std::string_view::npos) return bad("a part does not end with the boundary");
    auto part = make_part(*head, body.substr(0, data_end), limits);
    if (!part) return part.error();
    for (const MultipartPart& seen : parts)
      if (seen.name == part->name) return bad("field '" + part->name + "' is sent twice");
    parts.push_back(std::move(*part));
    body.remove_prefix(data_end + delimiter.size());
  }
}

}  // namespace miniweb::http
