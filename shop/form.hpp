#pragma once
// The fields of a submitted form, read strictly: application/x-www-form-urlencoded (WHATWG URL
// standard, section 5) or multipart/form-data (shared/http/multipart). What a visitor sent is
// either all good or refused with the status to answer and the fields named:
//   400  the body is not a form of its type: bad percent-encoding, a field twice, no boundary
//   413  the body, or a file in it, is larger than its limit
//   415  a body of another type
//   422  a text field that is not UTF-8, holds a control character, or is longer than allowed
// Whether the fields a route needs are there, and valid, is the route's to say (also 422).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/http/message.hpp"
#include "shared/text.hpp"

namespace miniweb::shop {

struct FormLimits {
  std::size_t max_body_bytes = 16 * 1024;  // an urlencoded body
  std::size_t max_fields = 16;
  std::size_t max_text_bytes = 1024;            // one text field's value, decoded
  std::size_t max_file_bytes = 64 * 1024;       // one file of a multipart body
  std::size_t max_multipart_bytes = 96 * 1024;  // a whole multipart body
};

struct FieldProblem {
  std::string field;
  std::string why;
};

struct FormRejection {
  int status = 400;
  std::string why;
  std::vector<FieldProblem> fields;  // the fields it was about, when it was about some
};

struct FormField {
  std::string value;
  std::optional<std::string> filename;  // a file of a multipart body
  std::string content_type;             // a multipart part's own
};

class Form {
 public:
  using Read = std::variant<Form, FormRejection>;

  // The request's body by its Content-Type.
  static Read read(const http::Request& request, const FormLimits& limits = {});
  static Read from_urlencoded(std::string_view body, const FormLimits& limits = {});
  static Read from_multipart(std::string_view body, std::string_view content_type,
                             const FormLimits& limits = {});

  // A text field's value; nullptr when absent.
  const std::string* text(std::string_view name) const;
  const FormField* field(std::string_view name) const;

 private:
  std::map<std::string, FormField, std::less<>> fields_;
};

// Whether `text` is well-formed UTF-8 (shared with the browser's cookie jar).
using miniweb::is_utf8;

}  // namespace miniweb::shop
