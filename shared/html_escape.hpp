#pragma once
// Text made safe to place inside HTML, for the pages the server and the browser write
// themselves (error pages): the characters that HTML gives meaning to in text and in
// double-quoted attributes (the only kind those pages write).

#include <string>
#include <string_view>

namespace miniweb {

inline std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace miniweb
