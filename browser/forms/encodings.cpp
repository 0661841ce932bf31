#include "browser/forms/encodings.hpp"

namespace miniweb::browser::forms {
namespace {

bool left_as_is(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '*' ||
         c == '-' || c == '.' || c == '_';
}

// URL Standard §5.2, "urlencoded byte serializer".
void serialize_bytes(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == ' ') {
      out.push_back('+');
    } else if (left_as_is(byte)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode_plus(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string urlencoded_serialize(const NameValuePairs& pairs) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    serialize_bytes(out, name);
    out.push_back('=');
    serialize_bytes(out, value);
  }
  return out;
}

NameValuePairs urlencoded_parse(std::string_view text) {
  NameValuePairs pairs;
  while (!text.empty()) {
    const auto amp = text.find('&');
    const std::string_view sequence = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (sequence.empty()) continue;
    const auto equals = sequence.find('=');
    pairs.emplace_back(percent_decode_plus(sequence.substr(0, equals)),
                       equals == std::string_view::npos
                           ? std::string()
                           : percent_decode_plus(sequence.substr(equals + 1)));
  }
  return pairs;
}

NameValuePairs name_value_pairs(const std::vector<Entry>& entries) {
  NameValuePairs pairs;
  pairs.reserve(entries.size());
  for (const Entry& entry : entries)
    pairs.emplace_back(crlf_newlines(entry.name), crlf_newlines(entry.value));
  return pairs;
}

std::string urlencoded_body(const std::vector<Entry>& entries) {
  return urlencoded_serialize(name_value_pairs(entries));
}

std::string text_plain_body(const std::vector<Entry>& entries) {
  std::string out;
  for (const auto& [name, value] : name_value_pairs(entries)) out += name + "=" + value + "\r\n";
  return out;
}

}  // namespace miniweb::browser::forms
