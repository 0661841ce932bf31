#include "browser/forms/multipart.hpp"

#include <cstdint>
#include <cstdlib>

#include "browser/forms/entry_list.hpp"

namespace miniweb::browser::forms {
namespace {

std::string random_token(std::size_t length) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // glibc's arc4random (the kernel's getrandom), unbiased over the alphabet.
  std::string token;
  for (std::size_t i = 0; i < length; ++i)
    token.push_back(kAlphabet[arc4random_uniform(static_cast<std::uint32_t>(kAlphabet.size()))]);
  return token;
}

bool occurs_in(const std::vector<MultipartPart>& parts, std::string_view boundary) {
  for (const MultipartPart& part : parts) {
    if (part.name.find(boundary) != std::string::npos ||
        part.value.find(boundary) != std::string::npos)
      return true;
    if (part.file && (part.file->bytes.find(boundary) != std::string::npos ||
                      part.file->filename.find(boundary) != std::string::npos))
      return true;
  }
  return false;
}

}  // namespace

std::string choose_boundary(const std::vector<MultipartPart>& parts) {
  std::string boundary;
  do {
    boundary = "----miniwebFormBoundary" + random_token(16);
  } while (occurs_in(parts, boundary));
  return boundary;
}

std::string escape_disposition_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '\n')
      out += "%0A";
    else if (c == '\r')
      out += "%0D";
    else if (c == '"')
      out += "%22";
    else
      out.push_back(c);
  }
  return out;
}

std::string multipart_body(const std::vector<MultipartPart>& parts, std::string_view boundary) {
  std::string out;
  for (const MultipartPart& part : parts) {
    out += "--";
    out += boundary;
    out += "\r\nContent-Disposition: form-data; name=\"";
    out += escape_disposition_name(crlf_newlines(part.name));
    out += '"';
    if (part.file) {
      out += "; filename=\"" + escape_disposition_name(part.file->filename) + "\"\r\n";
      out += "Content-Type: " + part.file->content_type + "\r\n\r\n";
      out += part.file->bytes;
    } else {
      out += "\r\n\r\n";
      out += crlf_newlines(part.value);
    }
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

}  // namespace miniweb::browser::forms
