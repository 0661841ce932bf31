#include "browser/terminal/screen.hpp"

// Functions, not ncurses' macros of the same names (clear, erase, move, refresh, timeout...).
#define NCURSES_NOMACROS
#include <curses.h>
#include <langinfo.h>

#include <algorithm>
#include <clocale>
#include <cstdlib>
#include <cstring>

#include "browser/layout/utf8.hpp"

namespace miniweb::browser::terminal {
namespace {

// UTF-8 in and out whatever the environment says: with LANG=C, ncursesw would draw every byte
// above 127 as an escape ("M-C"), so the C.UTF-8 locale (built into glibc) is taken instead.
// Only the character type: numbers in the trace keep their '.' whatever LC_NUMERIC says.
void use_utf8_locale() {
  std::setlocale(LC_CTYPE, "");
  const char* codeset = nl_langinfo(CODESET);
  if (codeset && std::strcmp(codeset, "UTF-8") == 0) return;
  if (!std::setlocale(LC_CTYPE, "C.UTF-8")) std::setlocale(LC_CTYPE, "C.utf8");
}

attr_t curses_attributes(const Attributes& attributes) {
  attr_t value = A_NORMAL;
  if (attributes.bold) value |= A_BOLD;
  if (attributes.underline) value |= A_UNDERLINE;
  if (attributes.reverse) value |= A_REVERSE;
  if (attributes.standout) value |= A_STANDOUT;
  if (attributes.dim) value |= A_DIM;
  return value;
}

bool is_control(char32_t code_point) {
  return code_point < 0x20 || code_point == 0x7F || (code_point >= 0x80 && code_point < 0xA0);
}

// The part of `utf8` that fits in `cells`, controls replaced, and the cells it takes.
std::string fitting(std::string_view utf8, int cells, int& used) {
  std::string out;
  used = 0;
  for (std::size_t pos = 0; pos < utf8.size();) {
    const std::size_t start = pos;
    const char32_t code_point = layout::decode_utf8(utf8, pos);
    const int width = is_control(code_point) ? 1 : layout::code_point_width(code_point);
    if (used + width > cells) break;
    used += width;
    if (is_control(code_point) || code_point == 0xFFFD)
      out += is_control(code_point) ? "?" : "\xEF\xBF\xBD";
    else
      out.append(utf8.substr(start, pos - start));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Screen>> Screen::open() {
  use_utf8_locale();
  // newterm, not initscr, which exits the program when the terminal is not known.
  SCREEN* terminal = newterm(nullptr, stdout, stdin);
  if (terminal == nullptr) {
    const char* term = std::getenv("TERM");
    return make_error("cannot use this terminal: TERM=" + std::string(term ? term : "(unset)") +
                      " is not known (--line-mode works on any)");
  }
  raw();  // Ctrl-C and Ctrl-Z come as keys: the browser decides what they do
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  set_escdelay(25);  // Escape alone, not the start of an arrow key's sequence
  curs_set(0);
  return std::unique_ptr<Screen>(new Screen(terminal));
}

Screen::~Screen() {
  curs_set(1);
  endwin();
  delscreen(terminal_);
}

int Screen::rows() const {
  return LINES;
}
int Screen::columns() const {
  return COLS;
}

void Screen::clear() {
  erase();
}

void Screen::put(int row, int column, std::string_view utf8, const Attributes& attributes,
                 int max_cells) {
  if (row < 0 || row >= LINES || column < 0 || column >= COLS) return;
  int used = 0;
  const std::string text = fitting(utf8, std::min(max_cells, COLS - column), used);
  if (text.empty()) return;
  attrset(curses_attributes(attributes));
  mvaddnstr(row, column, text.data(), static_cast<int>(text.size()));
  attrset(A_NORMAL);
}

void Screen::bar(int row, std::string_view left, std::string_view right,
                 const Attributes& attributes) {
  if (row < 0 || row >= LINES) return;
  attrset(curses_attributes(attributes));
  mvhline(row, 0, ' ', COLS);
  attrset(A_NORMAL);
  int right_cells = 0;
  const std::string right_text = fitting(right, COLS / 2, right_cells);
  put(row, 0, left, attributes, COLS - right_cells - (right_cells ? 1 : 0));
  if (right_cells) put(row, COLS - right_cells, right_text, attributes, right_cells);
}

void Screen::show() {
  refresh();
}

void Screen::show_cursor(int row, int column) {
  curs_set(1);
  move(std::clamp(row, 0, LINES - 1), std::clamp(column, 0, COLS - 1));
  refresh();
}

void Screen::hide_cursor() {
  curs_set(0);
}

int Screen::read_key(int timeout_ms) {
  timeout(timeout_ms);
  const int c = getch();
  switch (c) {
    case ERR:
      return key::kNone;
    case KEY_UP:
      return key::kUp;
    case KEY_DOWN:
      return key::kDown;
    case KEY_LEFT:
      return key::kLeft;
    case KEY_RIGHT:
      return key::kRight;
    case KEY_PPAGE:
      return key::kPageUp;
    case KEY_NPAGE:
      return key::kPageDown;
    case KEY_HOME:
      return key::kHome;
    case KEY_END:
      return key::kEnd;
    case KEY_BTAB:
      return key::kBackTab;
    case KEY_BACKSPACE:
    case 127:
    case 8:
      return key::kBackspace;
    case KEY_ENTER:
    case '\r':
    case '\n':
      return key::kEnter;
    case KEY_RESIZE:
      return key::kResize;
    case 27:
      return key::kEscape;
    default:
      return c;
  }
}

std::optional<std::string> Screen::prompt(int row, const std::string& label,
                                          const std::string& initial) {
  std::string text = initial;
  curs_set(1);
  std::optional<std::string> result;
  while (true) {
    // The end of what was typed stays in view: a long URL scrolls to the left.
    const int room = std::max(1, COLS - static_cast<int>(label.size()) - 1);
    std::string_view shown = text;
    while (layout::display_width(shown) > room) {
      std::size_t pos = 0;
      layout::decode_utf8(shown, pos);
      shown.remove_prefix(pos);
    }
    attrset(A_NORMAL);
    mvhline(row, 0, ' ', COLS);
    put(row, 0, label, Attributes{.bold = true}, COLS);
    put(row, static_cast<int>(label.size()), shown, Attributes{}, room);
    move(row, static_cast<int>(label.size()) + layout::display_width(shown));
    refresh();
    const int c = read_key(-1);
    if (c == key::kEnter) {
      result = text;
      break;
    }
    if (c == key::kEscape || c == 7 || c == 3) break;  // Escape, Ctrl-G, Ctrl-C
    if (c == key::kResize) {
      // The typing is given up; the resize goes on to the browser, which lays out again.
      ungetch(KEY_RESIZE);
      break;
    }
    if (c == key::kBackspace) {
      // One code point, not one byte.
      while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
        text.pop_back();
      if (!text.empty()) text.pop_back();
    } else if (c == 21) {  // Ctrl-U, as in a shell
      text.clear();
    } else if (c >= 0x20 && c < 0x100 && c != 0x7F) {
      text += static_cast<char>(c);
    }
  }
  curs_set(0);
  return result;
}

}  // namespace miniweb::browser::terminal
