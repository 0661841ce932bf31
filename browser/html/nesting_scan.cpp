#include "browser/html/nesting_scan.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace miniweb::browser::html {

namespace {

bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_case(std::string_view text, std::string_view lower_case) {
  return text.size() == lower_case.size() &&
         std::equal(text.begin(), text.end(), lower_case.begin(),
                    [](char a, char b) { return ascii_lower(a) == b; });
}

// A tag name as the scan compares it: up to eight characters, lower-cased, packed into an
// integer with the first in the lowest byte, so that a name is tested against a list by a
// switch on one number. The scan meets every tag of a page (34,000 on python's stdtypes.html),
// and comparing names as strings, by memcmp against each candidate, had been half its time.
// Longer names (none of those below but "plaintext") are kLongName.
using PackedName = std::uint64_t;
constexpr PackedName kLongName = ~PackedName{0};
constexpr std::size_t kMaxPackedName = sizeof(PackedName);

constexpr PackedName packed(std::string_view name) {
  if (name.size() > kMaxPackedName) return kLongName;
  PackedName key = 0;
  for (std::size_t i = 0; i < name.size(); ++i)
    key |= PackedName{static_cast<unsigned char>(ascii_lower(name[i]))} << (8 * i);
  return key;
}

// Elements that never nest: void elements, and those whose end tag is optional (they
// close themselves, so counting them would overestimate).
bool is_flat(PackedName name) {
  switch (name) {
    case packed("p"):
    case packed("li"):
    case packed("td"):
    case packed("tr"):
    case packed("br"):
    case packed("dt"):
    case packed("dd"):
    case packed("th"):
    case packed("hr"):
    case packed("rb"):
    case packed("rt"):
    case packed("rp"):
    case packed("img"):
    case packed("col"):
    case packed("wbr"):
    case packed("meta"):
    case packed("link"):
    case packed("area"):
    case packed("base"):
    case packed("html"):
    case packed("head"):
    case packed("body"):
    case packed("input"):
    case packed("tbody"):
    case packed("thead"):
    case packed("tfoot"):
    case packed("embed"):
    case packed("param"):
    case packed("track"):
    case packed("frame"):
    case packed("option"):
    case packed("source"):
    case packed("keygen"):
    case packed("caption"):
    case packed("bgsound"):
    case packed("optgroup"):
    case packed("colgroup"):
    case packed("basefont"):
      return true;
    default:
      return false;
  }
}

// Elements whose content is text up to their end tag.
bool is_raw_text(PackedName name) {
  switch (name) {
    case packed("xmp"):
    case packed("style"):
    case packed("title"):
    case packed("script"):
    case packed("iframe"):
    case packed("noembed"):
    case packed("textarea"):
    case packed("noframes"):
      return true;
    default:
      return false;
  }
}

// The characters end_of_tag stops at; the scan passes over every other byte of every tag's
// attributes (long URLs and class lists on a real page) with one table lookup each.
constexpr std::array<bool, 256> kTagStops = [] {
  std::array<bool, 256> stops{};
  stops['>'] = stops['"'] = stops['\''] = true;
  return stops;
}();

// Position just past the end of the tag whose name ends at html[name_end], or html.size().
// A quote whose last character before it that is not a space is '=' opens a value that may
// hold '>'; the value is passed over in one memchr for its closing quote.
std::size_t end_of_tag(std::string_view html, std::size_t name_end) {
  for (std::size_t pos = name_end; pos < html.size(); ++pos) {
    const char c = html[pos];
    if (!kTagStops[static_cast<unsigned char>(c)]) continue;
    if (c == '>') return pos + 1;
    std::size_t before = pos;
    while (before > name_end && is_space(html[before - 1])) --before;
    if (before == name_end || html[before - 1] != '=') continue;
    const void* close = std::memchr(html.data() + pos + 1, c, html.size() - pos - 1);
    if (close == nullptr) return html.size();
    pos = static_cast<std::size_t>(static_cast<const char*>(close) - html.data());
  }
  return html.size();
}

std::size_t find_case_insensitive(std::string_view haystack, std::string_view needle,
                                  std::size_t from) {
  for (std::size_t pos = haystack.find('<', from); pos != std::string_view::npos;
       pos = haystack.find('<', pos + 1)) {
    if (pos + needle.size() > haystack.size()) break;
    bool match = true;
    for (std::size_t i = 0; i < needle.size() && match; ++i) {
      match = ascii_lower(haystack[pos + i]) == needle[i];
    }
    if (match) return pos;
  }
  return haystack.size();
}

}  // namespace

std::size_t scan_nesting(std::string_view html, std::string* output) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  std::size_t copied = 0;  // html[0, copied) is already in output
  const auto drop = [&](std::size_t from, std::size_t to) {
    if (output == nullptr) return;
    output->append(html.substr(copied, from - copied));
    copied = to;
  };
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    if (html.substr(pos, 4) == "<!--") {
      const std::size_t end = html.find("-->", pos + 4);
      pos = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const bool closing = pos + 1 < html.size() && html[pos + 1] == '/';
    std::size_t name_start = pos + (closing ? 2 : 1);
    if (name_start >= html.size() || !is_ascii_alpha(html[name_start])) {
      ++pos;
      continue;
    }
    std::size_t name_end = name_start;
    while (name_end < html.size() &&
           (is_ascii_alpha(html[name_end]) || (html[name_end] >= '0' && html[name_end] <= '9') ||
            html[name_end] == '-' || html[name_end] == ':')) {
      ++name_end;
    }
    const std::string_view written = html.substr(name_start, name_end - name_start);
    const PackedName name = packed(written);
    const std::size_t end = end_of_tag(html, name_end);
    const bool self_closing = end >= 2 && html[end - 1] == '>' && html[end - 2] == '/';
    if (closing) {
      if (!is_flat(name) && depth > 0) {
        if (depth > kMaxSourceDepth) drop(pos, end);
        --depth;
      }
    } else if (!is_flat(name) && !self_closing) {
      ++depth;
      deepest = std::max(deepest, depth);
      if (depth > kMaxSourceDepth) drop(pos, end);
    }
    pos = end;
    if (!closing && is_raw_text(name)) {
      std::string end_tag = "</";
      for (char c : written) end_tag.push_back(ascii_lower(c));
      pos = find_case_insensitive(html, end_tag, pos);
    } else if (!closing && name == kLongName && equals_ignoring_case(written, "plaintext")) {
      break;  // the rest of the document is text
    }
  }
  if (output != nullptr) output->append(html.substr(copied));
  return deepest;
}

}  // namespace miniweb::browser::html
