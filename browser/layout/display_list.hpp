#pragma once
// The layout engine's output: positioned, styled text runs. The engine never draws; the
// terminal painters (browser/render/) and the SDL2 window draw this same list.

#include <string>
#include <vector>

#include "browser/forms/form_model.hpp"

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
  int link = -1;   // link number (1-based, as shown in "[1]"), -1 when not in a link
  int field = -1;  // index in DisplayList::fields when the run draws a form control, else -1
};

// A form control as laid out: which control it is (its identity in the page's FormSet), what
// kind, its state when laid out, and where its box is. A face draws it as a widget over (or
// instead of) its runs, lets the user select it as it selects links, and passes edits to
// FormSet (forms/form_model.hpp); after an edit the page is laid out again
// (Navigator::lay_out), so the runs show the new value.
struct FieldBox {
  forms::ControlId control;  // form index and control index (0-based)
  forms::ControlKind kind = forms::ControlKind::Text;
  std::string value;  // as shown: the text (a password masked), "X" or " ", the option's label
  bool checked = false;
  bool disabled = false;
  // The box in the measurer's units: the first run's top left, the widest line's width, and
  // the height of all its lines (a textarea has `rows` lines). y < 0: not shown (hidden).
  int x = 0;
  int y = -1;
  int width = 0;
  int height = 0;
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
  // Every control of every form, in FormSet order (form by form, in tree order); runs point
  // here with TextRun::field. Hidden fields and controls not drawn have y < 0.
  std::vector<FieldBox> fields;
};

}  // namespace miniweb::browser::layout
