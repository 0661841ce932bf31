#pragma once
// multipart/form-data bodies (RFC 7578 over RFC 2046 section 5.1), read strictly and within
// limits: what an HTML form with a file field sends. No preamble, no transport padding, no
// nested multiparts, no two parts of one name; every failure is an Error with code 400 and a
// sentence naming what was wrong. The body's own size is the caller's limit (it is read whole).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::http {

struct MultipartLimits {
  std::size_t max_parts = 16;
  std::size_t max_part_head_bytes = 1024;  // one part's header fields
  std::size_t max_name_bytes = 100;        // a field's name or a file's name
};

struct MultipartPart {
  std::string name;                     // the form field's name
  std::optional<std::string> filename;  // present for a file field
  std::string content_type;             // "text/plain" when the part names none (RFC 7578 4.4)
  std::string data;
};

// A media type's parameters (RFC 9110 section 5.6.6) after its "type/subtype": names
// lower-cased, quoted strings unquoted. `text` starts at the first ';' (or is empty).
Result<std::vector<std::pair<std::string, std::string>>> parse_parameters(std::string_view text);

// The boundary of a "multipart/form-data; boundary=..." Content-Type (RFC 2046: 1 to 70
// characters of its set, not ending in a space).
Result<std::string> multipart_boundary(std::string_view content_type);

Result<std::vector<MultipartPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MultipartLimits& limits = {});

}  // namespace miniweb::http
