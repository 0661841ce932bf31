#pragma once
// Inline layout: the lines of one block box. Text comes in as it stands in the DOM; words
// are built from it (a word may change style or link midway), placed on the current line
// while they fit and on the next one when they do not (a word longer than a whole line
// breaks between code points), and every finished line becomes text runs one line lower.
// The block layout over it moves the box's left edge (indentation), ends lines at block
// boundaries and asks for blank lines between blocks.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "browser/layout/display_list.hpp"
#include "browser/layout/text_measurer.hpp"
#include "shared/prefault.hpp"

namespace miniweb::browser::layout {

// The width a table cell is measured at: wide enough that nothing wraps.
inline constexpr int kUnbounded = 1 << 24;

enum class Margin { None, BlankLine };

// Text fit for any painter: no control characters (a page must not be able to drive the
// terminal), no soft hyphens, no-break spaces as plain spaces (they never reach the
// word-breaking step, so they still do not break).
void append_sanitized(std::string& out, std::string_view text);

class InlineLayout {
 public:
  // Lines run from left to right, in the measurer's units.
  InlineLayout(const TextMeasurer& measurer, int left, int right, Style style);

  // --- inline content ---------------------------------------------------------------------
  // Text as written: runs of white space are one space, and a place to break the line.
  // In preformatted text every character counts and only newlines break lines.
  void add_text(std::string_view text);
  // Places the word being built on the line; a place to break, but no space (<wbr>).
  void end_word();
  // Ends the line here, however short (<br>).
  void line_break();
  // A line of underscores across the box (<hr>).
  void add_rule();
  // The link that the text from here on belongs to: its number, shown as "[n]" just before
  // its first word (lynx -dump writes "[1]Home"). end_link returns to the enclosing link.
  void begin_link(int number);
  void end_link(int enclosing_link);
  int link() const { return link_; }
  // A form control's text: one unbreakable word (spaces inside kept, never wrapped at), its
  // runs marked with the control's field index (TextRun::field).
  void add_field_text(std::string_view text, int field);
  // The field the runs from here on draw (a textarea's lines), -1 for none.
  void set_field(int field) { field_ = field; }

  Style& style() { return style_; }
  bool preformatted() const { return preformatted_; }
  void set_preformatted(bool preformatted) { preformatted_ = preformatted; }
  bool centered() const { return centered_; }
  void set_centered(bool centered) { centered_ = centered; }

  // --- lines and blocks -------------------------------------------------------------------
  // Starts or ends a block: the line in progress ends, and a blank line is wanted before
  // whatever comes next (blank lines collapse: two blocks never get two).
  void end_block(Margin margin);
  // Ends the current line, even an empty one (a <br> on its own, a blank line in <pre>).
  void emit_line();
  // Ends the last line; call once after the last node.
  void finish();

  // The width of an "n" and of a space: the units of indentation and spacing.
  int cell() const { return cell_; }
  int space_width() const { return space_width_; }
  // The height of an empty line: the unit of blank lines.
  int blank_height() const { return blank_height_; }
  int left() const { return left_; }
  int right() const { return right_; }
  // Moves the left edge; the next line starts there.
  void set_left(int left) {
    left_ = left;
    line_x_ = left_;
  }

  // A list item's marker, drawn in the margin at x on the item's first line.
  void set_marker(int x, std::string marker);
  bool marker_pending() const { return marker_pending_; }

  // --- content laid out elsewhere (table cells) -------------------------------------------
  // The top of the next line, after any blank line wanted before it; a pending marker is
  // placed there.
  int start_line();
  // Runs laid out in a box of their own, moved right by x and down to the current line.
  void place_runs(std::vector<TextRun> runs, int x);
  // Continues below what was placed: the next line starts at y.
  void move_down_to(int y);
  // Widens the min-content and max-content widths to take content placed there.
  void include_min_width(int width) { max_word_ = std::max(max_word_, width); }
  void include_max_width(int width) { max_extent_ = std::max(max_extent_, width); }

  // --- results ----------------------------------------------------------------------------
  int height() const { return y_; }
  // The narrowest this box can be without breaking a word, and the width it takes when
  // nothing wraps (CSS's min-content and max-content widths), for table columns.
  int min_width() const { return max_word_; }
  int max_width() const { return max_extent_; }
  std::vector<TextRun> take_runs() { return std::move(runs_); }
  // Room for a page's runs at once, in huge pages when it is large (shared/prefault.hpp).
  void reserve_runs(std::size_t count) { reserve_in_huge_pages(runs_, count); }

 private:
  // A word's pieces and a line's fragments keep their text in one buffer each, reused from
  // word to word and line to line (word_text_, line_text_): a string of its own for each word
  // and fragment had been a fifth of the layout in malloc, free and the copies between them
  // (python's stdtypes.html). Only a finished line's runs own their text.
  struct Piece {
    std::size_t begin;  // in word_text_; it ends where the next piece begins
    Style style;
    int link;
    int field;
  };

  struct Fragment {
    int x;
    int width;
    std::size_t begin;  // in line_text_; it ends where the next fragment begins
    Style style;
    int link;
    int field;
  };

  // Piece i's text, which ends where piece i + 1 begins.
  std::string_view piece_text(std::size_t i) const;
  void append_to_word(std::string_view text);
  // A word that is all of itself (printable ASCII, nothing of it built yet, a space after
  // it) placed on the line as end_word would place it.
  void place_whole_word(std::string_view word);
  // Where a word `width` wide goes: after the line's last (with a space when one came
  // between: `spaced`), or at the start of a new line when it does not fit there.
  int word_position(int width, bool& spaced);
  void hard_break_word();
  void append_fragment(int x, int width, std::string_view text, const Style& style, int link,
                       int field, bool after_space);
  void add_preformatted(std::string_view text);
  // Preformatted text as it stands, sanitized, measured and placed where the line has got to.
  void place_preformatted(std::string_view text);
  void flush_line();

  const TextMeasurer& measurer_;
  int left_;
  int right_;
  Style style_;
  int link_ = -1;
  int field_ = -1;
  std::string link_label_;  // "[n]" waiting for the link's first word
  bool preformatted_ = false;
  bool centered_ = false;

  int cell_ = 1;
  int space_width_ = 1;
  int blank_height_ = 1;

  std::vector<TextRun> runs_;
  int y_ = 0;
  bool any_content_ = false;
  int pending_gap_ = 0;

  std::vector<Piece> word_;
  std::string word_text_;
  std::vector<int> word_widths_;  // end_word's scratch: each piece's width
  bool pending_space_ = false;
  std::vector<Fragment> line_;
  std::string line_text_;
  std::string sanitized_;  // place_preformatted's scratch
  int line_x_ = 0;

  std::string marker_;
  int marker_x_ = 0;
  bool marker_pending_ = false;

  int max_word_ = 0;
  int max_extent_ = 0;
};

}  // namespace miniweb::browser::layout
