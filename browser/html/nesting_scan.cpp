#include "browser/html/nesting_scan.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>

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

// Elements with no end tag (HTML §13.1.2): never open.
bool is_void(PackedName name) {
  switch (name) {
    case packed("br"):
    case packed("hr"):
    case packed("img"):
    case packed("col"):
    case packed("wbr"):
    case packed("meta"):
    case packed("link"):
    case packed("area"):
    case packed("base"):
    case packed("input"):
    case packed("embed"):
    case packed("param"):
    case packed("track"):
    case packed("frame"):
    case packed("source"):
    case packed("keygen"):
    case packed("bgsound"):
    case packed("basefont"):
      return true;
    default:
      return false;
  }
}

// Elements that never nest: void elements, and those whose end tag is optional (they
// close themselves, so counting them would overestimate).
bool is_flat(PackedName name) {
  if (is_void(name)) return true;
  switch (name) {
    case packed("p"):
    case packed("li"):
    case packed("td"):
    case packed("tr"):
    case packed("dt"):
    case packed("dd"):
    case packed("th"):
    case packed("rb"):
    case packed("rt"):
    case packed("rp"):
    case packed("html"):
    case packed("head"):
    case packed("body"):
    case packed("tbody"):
    case packed("thead"):
    case packed("tfoot"):
    case packed("option"):
    case packed("caption"):
    case packed("optgroup"):
    case packed("colgroup"):
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

// Start tags that close an open p first (HTML §13.2.6.4.7), the blocks a generated page uses.
bool closes_p(PackedName name) {
  switch (name) {
    case packed("p"):
    case packed("div"):
    case packed("dl"):
    case packed("ul"):
    case packed("ol"):
    case packed("pre"):
    case packed("table"):
    case packed("section"):
    case packed("h1"):
    case packed("h2"):
    case packed("h3"):
    case packed("h4"):
    case packed("h5"):
    case packed("h6"):
    case packed("blockquote"):
      return true;
    default:
      return false;
  }
}

// Start tags that the body ignores (HTML §13.2.6.4.7: another html or body adds its attributes
// to the first, the rest are parse errors): a piece that began with one would not begin with the
// element its check looks for first (html/split_parse.cpp).
bool makes_no_element_in_body(PackedName name) {
  switch (name) {
    case packed("html"):
    case packed("body"):
    case packed("head"):
    case packed("frameset"):
    case packed("frame"):
    case packed("caption"):
    case packed("col"):
    case packed("colgroup"):
    case packed("tbody"):
    case packed("thead"):
    case packed("tfoot"):
    case packed("tr"):
    case packed("td"):
    case packed("th"):
      return true;
    default:
      return false;
  }
}

// A tag as the scans read it.
struct ScannedTag {
  std::size_t pos = 0;  // its '<'
  std::size_t end = 0;  // just past its '>'
  bool closing = false;
  bool self_closing = false;
  PackedName name = 0;
  std::string_view written;  // its name as written
};

// Calls on_tag for each tag of html that begins before `until`, in order, passing over
// comments, doctypes and other declarations (<!x>, <?x>, </ x>) and the raw text of elements
// such as <script> (whose end tag is a tag); stops at <plaintext> (the rest of the page is
// text), at a comment or declaration that never ends, or when on_tag returns false.
template <class OnTag>
void for_each_tag(std::string_view html, std::size_t until, OnTag&& on_tag) {
  std::size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos && pos < until) {
    if (html.substr(pos, 4) == "<!--") {
      const std::size_t end = html.find("-->", pos + 4);
      if (end == std::string_view::npos) return;
      pos = end + 3;
      continue;
    }
    const bool declaration =
        pos + 1 < html.size() &&
        (html[pos + 1] == '!' || html[pos + 1] == '?' ||
         (html[pos + 1] == '/' && pos + 2 < html.size() && !is_ascii_alpha(html[pos + 2])));
    if (declaration) {
      const std::size_t end = html.find('>', pos + 2);
      if (end == std::string_view::npos) return;
      pos = end + 1;
      continue;
    }
    ScannedTag tag;
    tag.pos = pos;
    tag.closing = pos + 1 < html.size() && html[pos + 1] == '/';
    const std::size_t name_start = pos + (tag.closing ? 2 : 1);
    if (name_start >= html.size() || !is_ascii_alpha(html[name_start])) {
      ++pos;
      continue;
    }
    std::size_t name_end = name_start;
    while (name_end < html.size() &&
           (is_ascii_alpha(html[name_end]) || (html[name_end] >= '0' && html[name_end] <= '9') ||
            html[name_end] == '-' || html[name_end] == ':'))
      ++name_end;
    tag.written = html.substr(name_start, name_end - name_start);
    tag.name = packed(tag.written);
    tag.end = end_of_tag(html, name_end);
    tag.self_closing = tag.end >= 2 && html[tag.end - 1] == '>' && html[tag.end - 2] == '/';
    if (!on_tag(tag)) return;
    pos = tag.end;
    if (!tag.closing && is_raw_text(tag.name)) {
      std::string end_tag = "</";
      for (char c : tag.written) end_tag.push_back(ascii_lower(c));
      pos = find_case_insensitive(html, end_tag, pos);
    } else if (!tag.closing && tag.name == kLongName &&
               equals_ignoring_case(tag.written, "plaintext")) {
      return;
    }
  }
}

}  // namespace

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

std::size_t scan_nesting(std::string_view html, std::string* output) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  std::size_t copied = 0;  // html[0, copied) is already in output
  const auto drop = [&](std::size_t from, std::size_t to) {
    if (output == nullptr) return;
    output->append(html.substr(copied, from - copied));
    copied = to;
  };
  for_each_tag(html, html.size(), [&](const ScannedTag& tag) {
    if (tag.closing) {
      if (!is_flat(tag.name) && depth > 0) {
        if (depth > kMaxSourceDepth) drop(tag.pos, tag.end);
        --depth;
      }
    } else if (!is_flat(tag.name) && !tag.self_closing) {
      ++depth;
      deepest = std::max(deepest, depth);
      if (depth > kMaxSourceDepth) drop(tag.pos, tag.end);
    }
    return true;
  });
  if (output != nullptr) output->append(html.substr(copied));
  return deepest;
}

std::vector<CutPlace> find_cuts(std::string_view html, const std::vector<CutWindow>& windows,
                                const std::function<bool(std::string_view)>& may_be_open) {
  struct Open {
    PackedName name;
    std::string_view written;
  };
  std::vector<Open> open;
  const auto close_up_to = [&](PackedName name, std::size_t keep_below) {
    for (std::size_t i = open.size(); i > keep_below; --i)
      if (open[i - 1].name == name) {
        open.resize(i - 1);
        return;
      }
  };
  // The innermost list or definition list: an <li> closes the li open inside it, no further.
  const auto innermost = [&](std::initializer_list<PackedName> names) -> std::size_t {
    for (std::size_t i = open.size(); i > 0; --i)
      for (PackedName name : names)
        if (open[i - 1].name == name) return i;
    return 0;
  };
  // An <li> closes the li open in the innermost list, a <dt> or <dd> the one open in the
  // innermost definition list: the piece after a cut there would open an item the tag closes
  // at once, and the piece's check that the cut's element comes first in it would refuse it.
  const auto closes_an_open_item = [&](PackedName name) {
    const bool item = name == packed("li");
    if (!item && name != packed("dt") && name != packed("dd")) return false;
    const std::size_t at = item ? innermost({packed("li"), packed("ul"), packed("ol")})
                                : innermost({packed("dt"), packed("dd"), packed("dl")});
    return at > 0 && open[at - 1].name != packed(item ? "ul" : "dl") &&
           open[at - 1].name != packed("ol");
  };
  // A line that starts with a tag, where all that is open may be.
  const auto clean_cut_at = [&](std::size_t pos) -> std::optional<CutPlace> {
    if (pos == 0 || html[pos - 1] != '\n') return std::nullopt;
    CutPlace place{pos, {}};
    for (const Open& element : open) {
      std::string lower;
      for (char c : element.written) lower.push_back(ascii_lower(c));
      if ((lower == "html" || lower == "body") && place.open.empty()) continue;
      if (!may_be_open(lower)) return std::nullopt;
      place.open.push_back(std::move(lower));
    }
    return place;
  };
  std::vector<CutPlace> found;
  std::size_t window = 0;  // the first whose place is still to be found
  const std::size_t until = windows.empty() ? 0 : windows.back().until;
  for_each_tag(html, until, [&](const ScannedTag& tag) {
    while (window < windows.size() && tag.pos >= windows[window].until) ++window;
    if (window == windows.size()) return false;
    if (!tag.closing && tag.pos >= windows[window].from && !closes_an_open_item(tag.name) &&
        !makes_no_element_in_body(tag.name)) {
      if (std::optional<CutPlace> place = clean_cut_at(tag.pos)) {
        found.push_back(std::move(*place));
        ++window;
      }
    }
    // html and body stay open to the end of the page: their end tags only change the insertion
    // mode, and a second start tag of either adds its attributes to the first.
    const bool html_or_body = tag.name == packed("html") || tag.name == packed("body");
    if (tag.closing) {
      if (!html_or_body) close_up_to(tag.name, 0);
      return true;
    }
    if (html_or_body && innermost({tag.name}) > 0) return true;
    if (closes_p(tag.name)) close_up_to(packed("p"), innermost({packed("button")}));
    if (tag.name == packed("li")) close_up_to(tag.name, innermost({packed("ul"), packed("ol")}));
    if (tag.name == packed("dt") || tag.name == packed("dd")) {
      const std::size_t list = innermost({packed("dl")});
      close_up_to(packed("dt"), list);
      close_up_to(packed("dd"), list);
    }
    // An element whose text is raw is pushed whatever its slash says (HTML ignores it): its end
    // tag, which for_each_tag finds, closes it.
    if (!is_void(tag.name) && (!tag.self_closing || is_raw_text(tag.name)))
      open.push_back({tag.name, tag.written});
    // Nested deeper than any cut could be: each tag would walk the whole stack.
    return open.size() <= kMaxOpenAtCut;
  });
  return found;
}

std::optional<CutPlace> find_cut(std::string_view html, std::size_t from, std::size_t until,
                                 const std::function<bool(std::string_view)>& may_be_open) {
  std::vector<CutPlace> found = find_cuts(html, {{from, until}}, may_be_open);
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

}  // namespace miniweb::browser::html
