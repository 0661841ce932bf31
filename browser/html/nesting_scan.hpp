#pragma once
// The nesting scan that guards gumbo against pathological nesting.
//
// gumbo's tree builder walks the stack of open elements for most start tags ("close a p
// element in button scope", HTML §13.2.6.4.7), so a document nested N deep costs N² steps:
// 100 000 nested <div>s take many seconds. Before parsing, a linear scan estimates the
// nesting; only when it passes kMaxSourceDepth are the tags below that depth taken out
// (their text stays). The DOM would flatten those levels anyway (kMaxTreeDepth).

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/html/dom.hpp"

namespace miniweb::browser::html {

inline constexpr std::size_t kMaxSourceDepth = 2 * kMaxTreeDepth;

// Scans the tags of html and, when output is given, copies html into it without the tags
// nested deeper than kMaxSourceDepth. Returns the deepest nesting seen.
std::size_t scan_nesting(std::string_view html, std::string* output);

// The first place from `from` on where `needle` (lower-case, starting with '<') stands in
// `haystack` in any case, each '<' found by memchr; haystack.size() when it does not.
std::size_t find_case_insensitive(std::string_view haystack, std::string_view needle,
                                  std::size_t from = 0);

// A place to cut a page for the split parse (html/split_parse.hpp): the start of a line that
// begins with a start tag, and the elements open there, outermost first, lower-cased, below
// html and body, as a simple reading of the tags before it estimates them (start tags open, end
// tags close up to their match, a block closes an open p, an li the li open in its list, a dt
// or dd the one open in its dl; comments and raw text passed over).
struct CutPlace {
  std::size_t cut = 0;
  std::vector<std::string> open;
};
// The first such place in each window [from, until), the windows in page order and apart, where
// `may_be_open` accepts every open element: one pass over the tags, each window's place or none
// (a window without a clean line is passed over). The scan stops once more than kMaxOpenAtCut
// elements are open (a page nested that deep is parsed whole). An estimate: split_parse.cpp
// checks each place against gumbo's tree.
inline constexpr std::size_t kMaxOpenAtCut = 1024;
struct CutWindow {
  std::size_t from = 0;
  std::size_t until = 0;
};
std::vector<CutPlace> find_cuts(std::string_view html, const std::vector<CutWindow>& windows,
                                const std::function<bool(std::string_view)>& may_be_open);
// The one window's place, or none.
std::optional<CutPlace> find_cut(std::string_view html, std::size_t from, std::size_t until,
                                 const std::function<bool(std::string_view)>& may_be_open);

}  // namespace miniweb::browser::html
