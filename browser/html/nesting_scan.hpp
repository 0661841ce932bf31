#pragma once
// The nesting scan that guards gumbo against pathological nesting.
//
// gumbo's tree builder walks the stack of open elements for most start tags ("close a p
// element in button scope", HTML §13.2.6.4.7), so a document nested N deep costs N² steps:
// 100 000 nested <div>s take many seconds. Before parsing, a linear scan estimates the
// nesting; only when it passes kMaxSourceDepth are the tags below that depth taken out
// (their text stays). The DOM would flatten those levels anyway (kMaxTreeDepth).

#include <cstddef>
#include <string>
#include <string_view>

#include "browser/html/dom.hpp"

namespace miniweb::browser::html {

inline constexpr std::size_t kMaxSourceDepth = 2 * kMaxTreeDepth;

// Scans the tags of html and, when output is given, copies html into it without the tags
// nested deeper than kMaxSourceDepth. Returns the deepest nesting seen.
std::size_t scan_nesting(std::string_view html, std::string* output);

}  // namespace miniweb::browser::html
