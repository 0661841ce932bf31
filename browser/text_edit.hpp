#pragma once
// A line of text being edited, apart from any face so that it can be tested alone: the
// window's address bar and its form fields, and the terminal's fields edited in place. A
// UTF-8 string, a cursor and a selection anchor, both byte offsets on code point boundaries.
// A textarea's text keeps its line breaks (Lines::Many); everything else is one line.

#include <cstddef>
#include <string>
#include <string_view>

namespace miniweb::browser {

class TextEdit {
 public:
  enum class Lines { One, Many };
  TextEdit() = default;
  explicit TextEdit(Lines lines) : lines_(lines) {}

  const std::string& text() const { return text_; }
  std::size_t cursor() const { return cursor_; }
  bool has_selection() const { return anchor_ != cursor_; }
  std::size_t selection_start() const { return anchor_ < cursor_ ? anchor_ : cursor_; }
  std::size_t selection_end() const { return anchor_ < cursor_ ? cursor_ : anchor_; }
  std::string selected_text() const;

  // Replaces everything (a page loaded, Escape pressed); the cursor goes to the end.
  void set_text(std::string text);
  void select_all();
  // Typed or pasted text replaces the selection. Control characters (a pasted newline) are
  // dropped: a URL has none. With Lines::Many a line break ("\n", "\r\n" or "\r") is kept
  // as "\n".
  void insert(std::string_view utf8);
  void backspace();
  void delete_forward();
  // Moves by one code point, or by a word with `word`; `extend` keeps the selection anchor
  // (Shift held).
  void move_left(bool extend, bool word = false);
  void move_right(bool extend, bool word = false);
  void move_home(bool extend);
  void move_end(bool extend);
  // Places the cursor at a byte offset (a click), rounded down to a code point boundary.
  void place_cursor(std::size_t offset, bool extend = false);

 private:
  void erase_selection();
  std::size_t previous_boundary(std::size_t offset) const;
  std::size_t next_boundary(std::size_t offset) const;

  Lines lines_ = Lines::One;
  std::string text_;
  std::size_t cursor_ = 0;
  std::size_t anchor_ = 0;
};

}  // namespace miniweb::browser

namespace miniweb::browser::window {
using AddressBar = TextEdit;  // the address bar is one line of text like any other
}  // namespace miniweb::browser::window
