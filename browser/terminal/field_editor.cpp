#include "browser/terminal/field_editor.hpp"

#include <algorithm>
#include <string_view>

#include "browser/layout/utf8.hpp"
#include "browser/text_edit.hpp"

namespace miniweb::browser::terminal {
namespace {

constexpr int kCtrlC = 3;
constexpr int kCtrlG = 7;
constexpr int kCtrlU = 21;

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (true) {
    const std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return lines;
    text.remove_prefix(end + 1);
  }
}

// What a line shows: itself, or a star per character of a password.
std::string shown(std::string_view line, Masking masking) {
  if (masking == Masking::None) return std::string(line);
  std::string stars;
  for (std::size_t pos = 0; pos < line.size();) {
    layout::decode_utf8(line, pos);
    stars += '*';
  }
  return stars;
}

// The part of `text` from cell `skip` that fits in `cells`, padded with underscores as the
// layout draws a field.
std::string window_of(std::string_view text, int skip, int cells) {
  std::string out;
  int at = 0;
  int used = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const int width = layout::code_point_width(layout::decode_utf8(text, pos));
    if (at < skip) {
      at += width;
      continue;
    }
    if (used + width > cells) break;
    out.append(text.substr(start, pos - start));
    used += width;
  }
  out.append(static_cast<std::size_t>(std::max(0, cells - used)), '_');
  return out;
}

// The byte offset in `line` of the code point at `cells` cells from its start (or its end).
std::size_t offset_at_cells(std::string_view line, int cells) {
  std::size_t pos = 0;
  for (int at = 0; pos < line.size();) {
    std::size_t next = pos;
    at += layout::code_point_width(layout::decode_utf8(line, next));
    if (at > cells) break;
    pos = next;
  }
  return pos;
}

}  // namespace

EditOutcome edit_in_place(Screen& screen, const FieldPlace& place, const std::string& text,
                          Masking masking, TextLines lines) {
  TextEdit edit(lines == TextLines::Many ? TextEdit::Lines::Many : TextEdit::Lines::One);
  edit.set_text(text);
  const int inner = std::max(1, place.cells - 2);  // between the brackets
  const int rows = lines == TextLines::Many ? std::max(1, place.rows) : 1;
  int first_line = 0;
  while (true) {
    const std::string_view all = edit.text();
    const std::vector<std::string_view> split = split_lines(all);
    const std::string_view before = all.substr(0, edit.cursor());
    const int cursor_line = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const std::size_t line_start =
        before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    const int cursor_cells =
        layout::display_width(shown(all.substr(line_start, edit.cursor() - line_start), masking));
    first_line = std::clamp(first_line, cursor_line - rows + 1, cursor_line);
    // The cursor's line scrolls sideways to keep the cursor inside the brackets.
    const int skip = std::max(0, cursor_cells - inner + 1);
    for (int row = 0; row < rows; ++row) {
      const int index = first_line + row;
      const std::string line = index < static_cast<int>(split.size())
                                   ? shown(split[static_cast<std::size_t>(index)], masking)
                                   : std::string();
      screen.put(place.row + row, place.column + 1,
                 window_of(line, index == cursor_line ? skip : 0, inner),
                 Attributes{.bold = true, .underline = true}, inner);
    }
    screen.show_cursor(place.row + cursor_line - first_line,
                       place.column + 1 + cursor_cells - skip);
    const int pressed = screen.read_key(-1);
    auto move_line = [&](int by) {
      const int target = cursor_line + by;
      std::size_t start = 0;
      for (int i = 0; i < target; ++i) start += split[static_cast<std::size_t>(i)].size() + 1;
      edit.place_cursor(start +
                        offset_at_cells(split[static_cast<std::size_t>(target)], cursor_cells));
    };
    switch (pressed) {
      case key::kEnter:
        if (lines == TextLines::Many) {
          edit.insert("\n");
          break;
        }
        [[fallthrough]];
      case '\t':
        screen.hide_cursor();
        return {edit.text(), EditEnd::Next};
      case key::kBackTab:
        screen.hide_cursor();
        return {edit.text(), EditEnd::Previous};
      case key::kUp:
        if (cursor_line > 0) {
          move_line(-1);
          break;
        }
        screen.hide_cursor();
        return {edit.text(), EditEnd::Previous};
      case key::kDown:
        if (cursor_line + 1 < static_cast<int>(split.size())) {
          move_line(1);
          break;
        }
        screen.hide_cursor();
        return {edit.text(), EditEnd::Next};
      case key::kEscape:
      case kCtrlG:
      case kCtrlC:
        screen.hide_cursor();
        return {text, EditEnd::Cancelled};
      case key::kResize:  // the page is laid out again for the new size: the text is kept
        screen.hide_cursor();
        return {edit.text(), EditEnd::Next};
      case key::kBackspace:
        edit.backspace();
        break;
      case key::kLeft:
        edit.move_left(false);
        break;
      case key::kRight:
        edit.move_right(false);
        break;
      case key::kHome:
        edit.move_home(false);
        break;
      case key::kEnd:
        edit.move_end(false);
        break;
      case kCtrlU:
        edit.select_all();
        edit.backspace();
        break;
      default:
        // UTF-8 arrives a byte at a time; the bytes of one character follow each other.
        if (pressed >= 0x20 && pressed < 0x100 && pressed != 0x7F) {
          const char byte = static_cast<char>(pressed);
          edit.insert(std::string_view(&byte, 1));
        }
        break;
    }
  }
}

std::optional<std::size_t> pick_option(Screen& screen, const FieldPlace& place,
                                       const std::vector<forms::SelectOption>& options) {
  if (options.empty()) return std::nullopt;
  std::size_t chosen = 0;
  for (std::size_t i = 0; i < options.size(); ++i)
    if (options[i].selected) {
      chosen = i;
      break;
    }
  int widest = 1;
  for (const forms::SelectOption& option : options)
    widest = std::max(widest, layout::display_width(option.label));
  const int width = std::min(widest + 4, std::max(6, screen.columns()));
  // The list under the field, above the two bottom lines; over it when there is no room.
  const int room_below = screen.rows() - 2 - (place.row + 1);
  const int room_above = place.row - 1;
  const int wanted = static_cast<int>(options.size()) + 2;
  const bool below = room_below >= wanted || room_below >= room_above;
  const int height = std::max(3, std::min(wanted, below ? room_below : room_above));
  const int top = below ? place.row + 1 : place.row - height;
  const int column = std::clamp(place.column, 0, std::max(0, screen.columns() - width));
  const int visible = height - 2;
  std::size_t first = 0;
  const Attributes frame{};
  const std::string rule = "+" + std::string(static_cast<std::size_t>(width - 2), '-') + "+";
  while (true) {
    if (chosen < first) first = chosen;
    if (chosen >= first + static_cast<std::size_t>(visible))
      first = chosen + 1 - static_cast<std::size_t>(visible);
    screen.put(top, column, rule, frame, width);
    for (int row = 0; row < visible; ++row) {
      const std::size_t index = first + static_cast<std::size_t>(row);
      std::string label = index < options.size() ? options[index].label : std::string();
      label += std::string(
          static_cast<std::size_t>(std::max(0, width - 4 - layout::display_width(label))), ' ');
      screen.put(top + 1 + row, column, "| ", frame, 2);
      screen.put(top + 1 + row, column + 2, label,
                 Attributes{.reverse = index == chosen,
                            .dim = index < options.size() && options[index].disabled},
                 width - 4);
      screen.put(top + 1 + row, column + width - 2, " |", frame, 2);
    }
    screen.put(top + height - 1, column, rule, frame, width);
    screen.show();
    switch (screen.read_key(-1)) {
      case key::kUp:
        if (chosen > 0) --chosen;
        break;
      case key::kDown:
      case '\t':
        if (chosen + 1 < options.size()) ++chosen;
        break;
      case key::kHome:
      case key::kPageUp:
        chosen = 0;
        break;
      case key::kEnd:
      case key::kPageDown:
        chosen = options.size() - 1;
        break;
      case key::kEnter:
      case ' ':
        return chosen;
      case key::kEscape:
      case key::kLeft:
      case kCtrlG:
      case kCtrlC:
      case key::kResize:
        return std::nullopt;
      default:
        break;
    }
  }
}

bool confirm(Screen& screen, const std::string& question) {
  // The question over the two bottom lines, broken at a space when it is longer than one.
  const std::string text = question + " (y/n)";
  const int columns = std::max(10, screen.columns() - 2);
  std::string first = text;
  std::string second;
  if (layout::display_width(text) > columns) {
    std::size_t cut = offset_at_cells(text, columns);
    if (const std::size_t space = text.rfind(' ', cut); space != std::string::npos && space > 0)
      cut = space;
    first = text.substr(0, cut);
    second = text.substr(cut == text.size() || text[cut] != ' ' ? cut : cut + 1);
  }
  const int row = screen.rows() - 2;
  screen.bar(row, " " + first, "", Attributes{.bold = true, .reverse = true});
  screen.bar(row + 1, " " + second, "", Attributes{.bold = true, .reverse = true});
  screen.show();
  while (true) {
    switch (screen.read_key(-1)) {
      case 'y':
      case 'Y':
        return true;
      case 'n':
      case 'N':
      case key::kEscape:
      case kCtrlG:
      case kCtrlC:
        return false;
      default:
        break;
    }
  }
}

}  // namespace miniweb::browser::terminal
