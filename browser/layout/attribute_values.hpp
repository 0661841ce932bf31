#pragma once
// Attribute values as the layout reads them: integers (colspan, start, size), keywords
// compared without case (type, align), and hrefs cleaned as URL parsing would clean them.

#include <string>
#include <string_view>

#include "browser/html/dom.hpp"

namespace miniweb::browser::layout {

using html::is_space;  // HTML's ASCII whitespace

// ASCII lower case, for keywords that HTML compares without case.
std::string lower(std::string_view text);

// The integer at the start of the value (leading spaces and a '+' allowed), or fallback when
// the attribute is missing or does not start with one.
int parse_int(const std::string_view* text, int fallback);

// The URL Standard's first steps on any input (WHATWG URL §4.4): leading and trailing
// spaces and controls go, and so do tabs and newlines inside.
std::string clean_href(std::string_view href);

}  // namespace miniweb::browser::layout
