#pragma once
// A laid-out page on a screen of rows, as lynx shows one: which line is at the top, which link
// or form field is selected, where a search found its text. Moving between links and fields
// follows reading order and scrolls the page as lynx does. No drawing here: the full-screen
// face draws what this says.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "browser/layout/display_list.hpp"

namespace miniweb::browser::terminal {

class PageView {
 public:
  PageView() = default;
  // `list` is laid out in cells and lines, and outlives the view.
  explicit PageView(const layout::DisplayList& list);

  void set_height(int rows);  // the rows the page has on screen
  int height() const { return height_; }
  int top() const { return top_; }
  // Columns: a table wider than the screen (its words kept whole, as w3m keeps them) is seen
  // by shifting the view sideways, as w3m's < and > do.
  void set_width(int columns);
  int left() const { return left_; }
  void shift_by(int columns);

  // The selected link's number (as the layout numbers links, from 1), or 0 when none is.
  int selected_link() const;
  // The selected form field (its index in DisplayList::fields), or -1 when none is.
  int selected_field() const;
  // Selects link `number` and scrolls to show it; false when the page has no such link.
  bool select_link(int number);
  // Selects field `index` (of DisplayList::fields); false when it cannot be selected (hidden,
  // disabled, not drawn).
  bool select_field(int index);

  // Tab and Down: the next link or field in reading order, scrolled into view when it is at
  // most a screen below; otherwise the page moves down a screen. Up and Shift-Tab: the same
  // upwards.
  void next_link();
  void previous_link();
  // Scrolling keeps the selection while it stays on screen; otherwise the first link on the
  // new screen is selected, as lynx does.
  void scroll_by(int rows);
  void page_down() { scroll_by(height_); }
  void page_up() { scroll_by(-height_); }
  void to_top();
  void to_bottom();

  // Finds `text` (without regard to case) after the last match, or from the top of the screen,
  // going round to the start; scrolls to it. False when the page does not have it.
  bool find(std::string_view text);
  struct Match {
    int line = -1;  // none
    int column = 0;
    int cells = 0;
  };
  const Match& match() const { return match_; }

  // The indices of the runs on line `y` of the page (empty past its end), for drawing a screen
  // without going through the whole page.
  std::vector<std::size_t> runs_on_line(int y) const;
  // The page's text on line `y`, as painted (for showing a match).
  std::string_view line_text(int y);

  // Where the view is, to come back to it after a relayout or another page shown over this one.
  struct Place {
    int top = 0;
    int link = 0;
    int field = -1;
  };
  Place place() const { return {top_, selected_link(), selected_field()}; }
  void restore(const Place& place);

 private:
  // A place the selection can be: a link's first run, or a form field's box.
  struct LinkStart {
    int number;  // the link's, 0 for a field
    int field;   // the field's index, -1 for a link
    int y;
    int x;
  };
  void select(std::size_t index);
  bool on_screen(const LinkStart& link) const { return link.y >= top_ && link.y < top_ + height_; }
  void show_line(int y);
  void show_column(int x);
  void select_first_on_screen();
  int last_top() const;

  const layout::DisplayList* list_ = nullptr;
  std::vector<LinkStart> links_;          // links and fields, in reading order
  std::vector<std::size_t> by_line_;      // run indices ordered by line
  std::vector<std::size_t> line_starts_;  // where each line's runs start in by_line_
  std::vector<std::string> lines_;        // the page's text line by line, made at the first search
  void paint_lines();
  int top_ = 0;
  int height_ = 1;
  int left_ = 0;
  int width_ = 80;
  int widest_ = 0;  // where the page's rightmost run ends
  std::size_t selected_ = kNone;
  Match match_;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
};

}  // namespace miniweb::browser::terminal
