#pragma once
// The seam between layout and a back end: layout asks how wide a piece of text is and how
// tall a line is, in the back end's own units (cells for a terminal, pixels for SDL2).

#include <string_view>

#include "browser/layout/display_list.hpp"

namespace miniweb::browser::layout {

class TextMeasurer {
 public:
  virtual ~TextMeasurer() = default;
  virtual int text_width(std::string_view utf8, const Style& style) const = 0;
  virtual int line_height(const Style& style) const = 0;
};

// A terminal: one cell per code point, zero for combining marks, two for East Asian wide
// and fullwidth characters (as wcwidth(3) counts them); one line per line.
class MonospaceMeasurer : public TextMeasurer {
 public:
  int text_width(std::string_view utf8, const Style& style) const override;
  int line_height(const Style& style) const override;
};

}  // namespace miniweb::browser::layout
