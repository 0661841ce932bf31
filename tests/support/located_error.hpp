#pragma once
// Whether an error message is located as the configuration loaders promise, "FILE:LINE: reason",
// so that whoever wrote the file can find the mistake (for the fuzz targets of those loaders).

#include <cctype>
#include <string_view>

namespace miniweb::test {

inline bool names_file_and_line(std::string_view message, std::string_view file) {
  if (!message.starts_with(file) || message.substr(file.size()).substr(0, 1) != ":") return false;
  std::string_view rest = message.substr(file.size() + 1);
  std::size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  return digits > 0 && rest.substr(digits).starts_with(": ");
}

}  // namespace miniweb::test
