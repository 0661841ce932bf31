#pragma once
// The layout engine's output: positioned, styled text runs. The engine never draws; the
// terminal painters (browser/render/) and the SDL2 window draw this same list.

#include <string>
#include <vector>

namespace miniweb::browser::layout {

struct Style {
  bool bold = false;
  bool italic = false;
  bool underline = false;
  bool preformatted = false;
  bool monospace = false;  // code, kbd, samp, tt: drawn in a fixed-width font where fonts vary
  int heading = 0;         // 1..6 inside h1..h6, 0 elsewhere

  bool operator==(const Style&) const = default;
};

// One run of text on one line. x and y are in the measurer's units (for the terminal,
// character cells and lines); y is the top of the line the run sits on.
struct TextRun {
  int x = 0;
  int y = 0;
  std::string text;  // UTF-8, no control characters
  Style style;
  int link = -1;  // link number (1-based, as shown in "[1]"), -1 when not in a link
};

struct DisplayList {
  // In document order: by line, except that a table row gives its runs cell by cell, and a
  // list marker comes first on its line. Painters sort by (y, x) when they need to.
  std::vector<TextRun> runs;
  int width = 0;   // the width laid out for
  int height = 0;  // total height in measurer units
  std::string title;
  std::string base_href;  // the document's <base href>, empty when it has none
  // href as written, less the leading/trailing spaces and inner tabs/newlines that URL
  // parsing drops anyway; links[n - 1] is link number n. Not yet resolved: see base_href.
  std::vector<std::string> links;
};

}  // namespace miniweb::browser::layout
