#include "browser/layout/inline_layout.hpp"

#include <utility>

#include "browser/layout/attribute_values.hpp"
#include "browser/layout/utf8.hpp"

namespace miniweb::browser::layout {

namespace {

bool is_printable_ascii(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x7F;
}

}  // namespace

void append_sanitized(std::string& out, std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    // Printable ASCII, most of any page's text, goes in runs: one append each, where a
    // push_back for each byte had been a tenth of the layout (python's stdtypes.html).
    std::size_t end = pos;
    while (end < text.size() && is_printable_ascii(text[end])) ++end;
    if (end > pos) {
      out.append(text.data() + pos, end - pos);
      pos = end;
      continue;
    }
    const char32_t cp = decode_utf8(text, pos);
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD) continue;
    if (cp == 0xA0) {
      out.push_back(' ');
      continue;
    }
    append_utf8(out, cp);
  }
}

InlineLayout::InlineLayout(const TextMeasurer& measurer, int left, int right, Style style)
    : measurer_(measurer), left_(left), right_(right), style_(style) {
  cell_ = std::max(1, measurer_.text_width("n", Style{}));
  space_width_ = measurer_.text_width(" ", Style{});
  blank_height_ = std::max(1, measurer_.line_height(Style{}));
  line_x_ = left_;
}

// --- inline content -----------------------------------------------------------------------

void InlineLayout::add_text(std::string_view text) {
  if (preformatted_) {
    add_preformatted(text);
    return;
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (is_space(text[pos])) {
      end_word();
      pending_space_ = true;
      ++pos;
      continue;
    }
    std::size_t end = pos;
    bool plain = true;  // printable ASCII only: nothing to sanitize
    for (; end < text.size() && !is_space(text[end]); ++end) plain &= is_printable_ascii(text[end]);
    const std::string_view word = text.substr(pos, end - pos);
    // Most words stand whole between two spaces of one text: placed as they are, without
    // being built up piece by piece (no piece, no copy into the word's buffer, no sanitizing:
    // python's stdtypes.html laid out in 2.00 ms instead of 2.16).
    if (plain && end < text.size() && word_.empty() && link_label_.empty())
      place_whole_word(word);
    else
      append_to_word(word);
    pos = end;
  }
}

void InlineLayout::place_whole_word(std::string_view word) {
  const int width = measurer_.text_width(word, style_);
  if (left_ + width > right_) {  // longer than a whole line: broken as any such word is
    append_to_word(word);
    end_word();
    return;
  }
  bool spaced = false;
  const int x = word_position(width, spaced);
  append_fragment(x, width, word, style_, link_, field_, spaced);
  pending_space_ = false;
}

int InlineLayout::word_position(int width, bool& spaced) {
  spaced = pending_space_ && !line_.empty();
  int x = line_.empty() ? left_ : line_x_ + (spaced ? space_width_ : 0);
  if (!line_.empty() && x + width > right_) {
    flush_line();
    spaced = false;
    x = left_;
  }
  max_word_ = std::max(max_word_, left_ + width);
  return x;
}

void InlineLayout::append_to_word(std::string_view text) {
  if (!link_label_.empty()) {
    std::string label = std::move(link_label_);
    link_label_.clear();
    append_to_word(label);
  }
  if (word_.empty() || !(word_.back().style == style_) || word_.back().link != link_ ||
      word_.back().field != field_) {
    word_.push_back({word_text_.size(), style_, link_, field_});
  }
  append_sanitized(word_text_, text);
}

std::string_view InlineLayout::piece_text(std::size_t i) const {
  const std::size_t end = i + 1 < word_.size() ? word_[i + 1].begin : word_text_.size();
  return std::string_view(word_text_).substr(word_[i].begin, end - word_[i].begin);
}

// Places the word being built on the line, wrapping first if it does not fit.
void InlineLayout::end_word() {
  if (word_.empty()) return;
  // A member, reused: a page has a word every few bytes, and a vector each was an allocation.
  std::vector<int>& widths = word_widths_;
  widths.clear();
  int width = 0;
  for (std::size_t i = 0; i < word_.size(); ++i) {
    widths.push_back(measurer_.text_width(piece_text(i), word_[i].style));
    width += widths.back();
  }
  bool spaced = false;
  int x = word_position(width, spaced);
  if (x + width > right_) {
    hard_break_word();
  } else {
    for (std::size_t i = 0; i < word_.size(); ++i) {
      append_fragment(x, widths[i], piece_text(i), word_[i].style, word_[i].link, word_[i].field,
                      spaced && i == 0);
      x += widths[i];
    }
  }
  word_.clear();
  word_text_.clear();
  pending_space_ = false;
}

// A word longer than the line: as many code points as fit on each line, never splitting
// one (and a zero-width mark always stays with the character before it).
void InlineLayout::hard_break_word() {
  for (std::size_t i = 0; i < word_.size(); ++i) {
    const Piece& piece = word_[i];
    const std::string_view text = piece_text(i);
    // The code points from chunk_begin on, not yet placed.
    std::size_t chunk_begin = 0;
    int chunk_width = 0;
    int x = line_.empty() ? left_ : line_x_;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t start = pos;
      decode_utf8(text, pos);
      const int width = measurer_.text_width(text.substr(start, pos - start), piece.style);
      if (x + chunk_width + width > right_ && x + chunk_width > left_) {
        if (start > chunk_begin)
          append_fragment(x, chunk_width, text.substr(chunk_begin, start - chunk_begin),
                          piece.style, piece.link, piece.field, false);
        flush_line();
        chunk_begin = start;
        chunk_width = 0;
        x = left_;
      }
      chunk_width += width;
    }
    if (text.size() > chunk_begin)
      append_fragment(x, chunk_width, text.substr(chunk_begin), piece.style, piece.link,
                      piece.field, false);
  }
}

void InlineLayout::append_fragment(int x, int width, std::string_view text, const Style& style,
                                   int link, int field, bool after_space) {
  if (!line_.empty() && line_.back().style == style && line_.back().link == link &&
      line_.back().field == field) {
    Fragment& last = line_.back();
    if (after_space) line_text_.push_back(' ');
    last.width = x + width - last.x;
  } else {
    line_.push_back({x, width, line_text_.size(), style, link, field});
  }
  line_text_.append(text);
  line_x_ = x + width;
}

// <pre>: every character kept, lines broken only where the source breaks them.
void InlineLayout::add_preformatted(std::string_view text) {
  std::size_t chunk_begin = 0;
  for (std::size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c != '\n' && c != '\t') continue;
    place_preformatted(text.substr(chunk_begin, pos - chunk_begin));
    chunk_begin = pos + 1;
    if (c == '\n') {
      emit_line();
    } else {
      const int column = ((line_.empty() ? left_ : line_x_) - left_) / cell_;
      place_preformatted(std::string_view("        ").substr(0, 8 - column % 8));
    }
  }
  place_preformatted(text.substr(chunk_begin));
}

void InlineLayout::place_preformatted(std::string_view text) {
  // A carriage return is dropped, and text of nothing else places nothing.
  if (text.find_first_not_of('\r') == std::string_view::npos) return;
  sanitized_.clear();
  append_sanitized(sanitized_, text);
  const int x = line_.empty() ? left_ : line_x_;
  const int width = measurer_.text_width(sanitized_, style_);
  append_fragment(x, width, sanitized_, style_, link_, field_, false);
  // A preformatted line never wraps: all of it is as narrow as the box can be.
  max_word_ = std::max(max_word_, line_x_);
}

void InlineLayout::add_field_text(std::string_view text, int field) {
  if (preformatted_) {
    const int saved = field_;
    field_ = field;
    add_preformatted(text);
    field_ = saved;
    return;
  }
  // Text before the control with no space between stays with it, as in any word.
  const int saved = field_;
  field_ = field;
  append_to_word(text);
  field_ = saved;
  end_word();
}

void InlineLayout::line_break() {
  end_word();
  emit_line();
  pending_space_ = false;
}

void InlineLayout::add_rule() {
  end_block(Margin::None);
  const int underscore = std::max(1, measurer_.text_width("_", style_));
  // Measuring a table cell: a rule takes any width it is given.
  const int available = right_ >= kUnbounded / 2 ? underscore : right_ - left_;
  const int count = std::max(1, available / underscore);
  append_fragment(left_, count * underscore, std::string(static_cast<std::size_t>(count), '_'),
                  style_, -1, -1, false);
  end_block(Margin::None);
}

void InlineLayout::begin_link(int number) {
  link_ = number;
  // lynx -dump: the number goes just before the link's text, "[1]Home", even when the
  // text inside the element starts with a space.
  const std::string label = "[" + std::to_string(number) + "]";
  if (preformatted_) {
    add_text(label);
  } else {
    link_label_ = label;
  }
}

void InlineLayout::end_link(int enclosing_link) {
  if (!link_label_.empty()) append_to_word("");  // a link with nothing to show
  link_ = enclosing_link;
}

// --- lines and blocks ---------------------------------------------------------------------

void InlineLayout::flush_line() {
  if (!line_.empty()) emit_line();
}

int InlineLayout::start_line() {
  if (any_content_) y_ += pending_gap_ * blank_height_;
  pending_gap_ = 0;
  if (marker_pending_) {
    runs_.push_back({marker_x_, y_, std::move(marker_), Style{}, -1, -1});
    marker_pending_ = false;
  }
  return y_;
}

void InlineLayout::emit_line() {
  start_line();
  int height = line_.empty() ? blank_height_ : 0;
  for (const Fragment& fragment : line_) {
    height = std::max(height, measurer_.line_height(fragment.style));
  }
  // (Not while measuring a table cell: centring in an unbounded box would make it huge.)
  if (centered_ && !line_.empty() && right_ < kUnbounded / 2) {
    const int used = line_.back().x + line_.back().width - left_;
    const int shift = std::max(0, (right_ - left_ - used) / 2);
    for (Fragment& fragment : line_) fragment.x += shift;
  }
  for (std::size_t i = 0; i < line_.size(); ++i) {
    const Fragment& fragment = line_[i];
    const std::size_t end = i + 1 < line_.size() ? line_[i + 1].begin : line_text_.size();
    max_extent_ = std::max(max_extent_, fragment.x + fragment.width);
    runs_.push_back({fragment.x, y_, line_text_.substr(fragment.begin, end - fragment.begin),
                     fragment.style, fragment.link, fragment.field});
  }
  line_.clear();
  line_text_.clear();
  y_ += height;
  line_x_ = left_;
  any_content_ = true;
}

void InlineLayout::end_block(Margin margin) {
  end_word();
  flush_line();
  pending_space_ = false;
  if (margin == Margin::BlankLine) pending_gap_ = 1;
  line_x_ = left_;
}

void InlineLayout::finish() {
  end_block(Margin::None);
  if (marker_pending_) emit_line();
}

void InlineLayout::set_marker(int x, std::string marker) {
  marker_x_ = x;
  marker_ = std::move(marker);
  marker_pending_ = true;
}

// --- content laid out elsewhere -----------------------------------------------------------

void InlineLayout::place_runs(std::vector<TextRun> runs, int x) {
  for (TextRun& run : runs) {
    run.x += x;
    run.y += y_;
    runs_.push_back(std::move(run));
  }
}

void InlineLayout::move_down_to(int y) {
  y_ = y;
  if (y_ > 0) any_content_ = true;
}

}  // namespace miniweb::browser::layout
