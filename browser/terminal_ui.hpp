#pragma once
// The interactive terminal face: a page on screen with its links numbered, and one-key
// commands as lynx and w3m have them (follow a link by number, back, forward, reload,
// view source, toggle the trace, go to a URL, quit).

#include <iosfwd>
#include <optional>

#include "browser/session.hpp"

namespace miniweb::browser {

struct TerminalOptions {
  bool ansi = false;        // bold headings and underlined links (when writing to a terminal)
  bool show_trace = false;  // the journey of each load, before its page
  int screen_lines = 24;    // lines per screen when paging
};

// Runs until `q` or the end of input. Returns 0, or the exit code of the last failed load.
int run_terminal(Session& session, const std::optional<Url>& start, const TerminalOptions& options,
                 std::istream& in, std::ostream& out);

}  // namespace miniweb::browser
