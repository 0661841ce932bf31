#pragma once
// The terminal as a full screen, through ncursesw: rows of UTF-8 text with attributes, keys as
// they are pressed, and a line to type into. The locale is set so that UTF-8 draws right even
// when the environment says C (C.UTF-8 is taken then), as w3m and lynx manage their charset.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"

struct screen;  // ncurses' SCREEN

namespace miniweb::browser::terminal {

// How text is drawn (any together).
struct Attributes {
  bool bold = false;
  bool underline = false;
  bool reverse = false;   // the selected link, the title and status bars
  bool standout = false;  // a search match
  bool dim = false;       // less important text in the bars
};

// Keys that are not characters, as read_key returns them (characters come as their byte).
namespace key {
inline constexpr int kNone = -1;  // no key within the timeout
inline constexpr int kUp = 0x1000;
inline constexpr int kDown = 0x1001;
inline constexpr int kLeft = 0x1002;
inline constexpr int kRight = 0x1003;
inline constexpr int kPageUp = 0x1004;
inline constexpr int kPageDown = 0x1005;
inline constexpr int kHome = 0x1006;
inline constexpr int kEnd = 0x1007;
inline constexpr int kBackTab = 0x1008;
inline constexpr int kBackspace = 0x1009;
inline constexpr int kEnter = 0x100A;
inline constexpr int kResize = 0x100B;
inline constexpr int kEscape = 0x100C;
}  // namespace key

class Screen {
 public:
  // Takes the terminal over (the alternate screen, no echo, keys one by one).
  static Result<std::unique_ptr<Screen>> open();
  ~Screen();  // gives the terminal back as it was
  Screen(const Screen&) = delete;
  Screen& operator=(const Screen&) = delete;

  int rows() const;
  int columns() const;

  void clear();
  // `utf8` at (row, column), cut to what fits in `max_cells` cells and on the screen. Control
  // characters never reach the terminal (each shows as '?').
  void put(int row, int column, std::string_view utf8, const Attributes& attributes, int max_cells);
  // The whole row in `attributes` (a bar's background), then `left` and `right` on it.
  void bar(int row, std::string_view left, std::string_view right, const Attributes& attributes);
  void show();  // what was drawn appears
  // The terminal's cursor shown at (row, column), where typing goes (a field edited in place),
  // or hidden again.
  void show_cursor(int row, int column);
  void hide_cursor();

  // The next key, or key::kNone after `timeout_ms` (-1: wait for one).
  int read_key(int timeout_ms);
  // A line typed on `row` after `label`, starting as `initial`; nullopt when cancelled (Escape,
  // Ctrl-G, Ctrl-C).
  std::optional<std::string> prompt(int row, const std::string& label, const std::string& initial);

 private:
  explicit Screen(::screen* terminal) : terminal_(terminal) {}
  ::screen* terminal_;
};

}  // namespace miniweb::browser::terminal
