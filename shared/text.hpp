#pragma once
// Text helpers for protocol text: header names and values, host names, media types, tokens.
// ASCII only and locale-free, since protocol text is ASCII by definition (a Turkish locale must
// not make "TITLE" lower-case to something else).

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace miniweb {

inline char to_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string to_lower(std::string_view text);
void lower_in_place(std::string& text);

// Case-insensitive comparison (RFC 9110 section 5.1 for field names; DNS names; tokens).
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view text, std::string_view prefix);

// Without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim(std::string_view text);

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool is_utf8(std::string_view text);

// Appends `value` in decimal, without a temporary string (hot paths: heads, log lines).
void append_decimal(std::string& out, std::uint64_t value);

// A Content-Type value split (RFC 9110 section 8.3.1): "text/html; charset=ISO-8859-1" gives
// "text/html" and "iso-8859-1", both lower-case, the charset unquoted; "" when absent.
struct MediaType {
  std::string type;
  std::string charset;
};
MediaType parse_media_type(std::string_view content_type);

// A moment in UTC as RFC 3339 writes it, "2026-12-04T01:23:45Z" (logs, ACME, the CA's records).
std::string utc_timestamp(std::time_t when);

}  // namespace miniweb
