#include "browser/text_edit.hpp"

#include <algorithm>

namespace miniweb::browser {

namespace {

bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool is_word_character(char c) {
  // URL separators end a word, as in every browser's address bar.
  return std::string_view("/:.?#&=@-_~%+").find(c) == std::string_view::npos && c != ' ';
}

}  // namespace

std::string TextEdit::selected_text() const {
  return text_.substr(selection_start(), selection_end() - selection_start());
}

void TextEdit::set_text(std::string text) {
  text_ = std::move(text);
  cursor_ = anchor_ = text_.size();
}

void TextEdit::select_all() {
  anchor_ = 0;
  cursor_ = text_.size();
}

void TextEdit::insert(std::string_view utf8) {
  std::string clean;
  clean.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (lines_ == Lines::Many && (byte == '\n' || byte == '\r')) {
      if (byte == '\r' && i + 1 < utf8.size() && utf8[i + 1] == '\n') ++i;
      clean.push_back('\n');
    } else if (byte >= 0x20 && byte != 0x7F) {
      clean.push_back(utf8[i]);
    }
  }
  erase_selection();
  text_.insert(cursor_, clean);
  cursor_ += clean.size();
  anchor_ = cursor_;
}

void TextEdit::backspace() {
  if (has_selection()) {
    erase_selection();
    return;
  }
  if (cursor_ == 0) return;
  const std::size_t start = previous_boundary(cursor_);
  text_.erase(start, cursor_ - start);
  cursor_ = anchor_ = start;
}

void TextEdit::delete_forward() {
  if (has_selection()) {
    erase_selection();
    return;
  }
  if (cursor_ >= text_.size()) return;
  text_.erase(cursor_, next_boundary(cursor_) - cursor_);
}

void TextEdit::move_left(bool extend, bool word) {
  if (has_selection() && !extend) {
    cursor_ = anchor_ = selection_start();
    return;
  }
  std::size_t at = previous_boundary(cursor_);
  if (word) {
    while (at > 0 && !is_word_character(text_[at])) at = previous_boundary(at);
    while (at > 0 && is_word_character(text_[previous_boundary(at)])) at = previous_boundary(at);
  }
  cursor_ = at;
  if (!extend) anchor_ = cursor_;
}

void TextEdit::move_right(bool extend, bool word) {
  if (has_selection() && !extend) {
    cursor_ = anchor_ = selection_end();
    return;
  }
  std::size_t at = next_boundary(cursor_);
  if (word) {
    while (at < text_.size() && is_word_character(text_[at])) at = next_boundary(at);
  }
  cursor_ = at;
  if (!extend) anchor_ = cursor_;
}

void TextEdit::move_home(bool extend) {
  cursor_ = 0;
  if (!extend) anchor_ = cursor_;
}

void TextEdit::move_end(bool extend) {
  cursor_ = text_.size();
  if (!extend) anchor_ = cursor_;
}

void TextEdit::place_cursor(std::size_t offset, bool extend) {
  offset = std::min(offset, text_.size());
  while (offset > 0 && offset < text_.size() && is_continuation(text_[offset])) --offset;
  cursor_ = offset;
  if (!extend) anchor_ = cursor_;
}

void TextEdit::erase_selection() {
  const std::size_t start = selection_start();
  text_.erase(start, selection_end() - start);
  cursor_ = anchor_ = start;
}

std::size_t TextEdit::previous_boundary(std::size_t offset) const {
  if (offset == 0) return 0;
  --offset;
  while (offset > 0 && is_continuation(text_[offset])) --offset;
  return offset;
}

std::size_t TextEdit::next_boundary(std::size_t offset) const {
  if (offset >= text_.size()) return text_.size();
  ++offset;
  while (offset < text_.size() && is_continuation(text_[offset])) ++offset;
  return offset;
}

}  // namespace miniweb::browser
