#pragma once
// The terminal line by line (--line-mode, or when standard output is not a terminal): a page
// printed with its links numbered, then one-key commands typed after a prompt, as early lynx
// and w3m's line modes had them (follow a link by number, back, forward, reload, view source,
// toggle the trace, go to a URL, quit). Scripts and pipes drive it.

#include <iosfwd>
#include <optional>

#include "browser/navigator.hpp"

namespace miniweb::browser {

struct LineModeOptions {
  bool ansi = false;        // bold headings and underlined links (when writing to a terminal)
  bool show_trace = false;  // the journey of each load, before its page
  int screen_lines = 24;    // lines per screen when paging
  int width = 80;
};

// Runs until `q` or the end of input. Returns 0, or the exit code of the last failed load.
int run_line_mode(Navigator& navigator, const std::optional<Url>& start,
                  const LineModeOptions& options, std::istream& in, std::ostream& out);

}  // namespace miniweb::browser
