#pragma once
// Small UTF-8 helpers for layout and painters. Invalid bytes never stop decoding: each one
// reads as U+FFFD and consumes one byte, so no input can make a caller loop or overrun.

#include <cstddef>
#include <string>
#include <string_view>

namespace miniweb::browser::layout {

// Decodes the code point starting at text[pos] and advances pos past it (at least one byte).
char32_t decode_utf8(std::string_view text, std::size_t& pos);

void append_utf8(std::string& out, char32_t code_point);

// Terminal cells a code point takes: 0 (combining, zero-width), 1, or 2 (East Asian wide).
int code_point_width(char32_t code_point);

// Sum of code_point_width over the string.
int display_width(std::string_view utf8);

}  // namespace miniweb::browser::layout
