#pragma once
// JSON strings for raw bytes, as the differential tools print them: every byte is one code point
// (Latin-1), so that a header value with bytes above ASCII compares equal to what Node's
// latin1 decoding gives, and nothing is lost to UTF-8 validation.

#include <cstdio>
#include <string>
#include <string_view>

namespace miniweb::differential {

inline std::string json_bytes(std::string_view bytes) {
  std::string out = "\"";
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    }
  }
  return out + "\"";
}

// The inputs: one hex-encoded byte string a line (what the Python drivers write).
inline std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  return out;
}

}  // namespace miniweb::differential
