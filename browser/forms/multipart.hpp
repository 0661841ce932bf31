#pragma once
// multipart/form-data (RFC 7578), as HTML §4.10.21.8 builds it: one part per entry, each with
// a Content-Disposition naming the field (and the file, for a file part, with its
// Content-Type), separated by a boundary drawn at random for each submission.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace miniweb::browser::forms {

struct MultipartFile {
  std::string filename;  // as sent: the name alone, no folders; empty when none was chosen
  std::string content_type = "application/octet-stream";
  std::string bytes;
};

struct MultipartPart {
  std::string name;
  std::string value;                  // a field's value (newlines become CRLF)
  std::optional<MultipartFile> file;  // a file part instead
};

// A boundary of 16 random letters and digits after "----miniwebFormBoundary" (as browsers
// write theirs), drawn again should it occur in any part: RFC 2046 section 5.1.1 asks that it
// never appear in the content.
std::string choose_boundary(const std::vector<MultipartPart>& parts);

// The body; the header is "multipart/form-data; boundary=" + boundary.
std::string multipart_body(const std::vector<MultipartPart>& parts, std::string_view boundary);

// A name or file name in a Content-Disposition: LF, CR and '"' percent-encoded, as HTML
// §4.10.21.8 and every browser escape them.
std::string escape_disposition_name(std::string_view name);

}  // namespace miniweb::browser::forms
