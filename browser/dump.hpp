#pragma once
// The dump face (--dump): one visit, the page as text on standard output as lynx -dump prints
// it (links numbered, then their URLs under "References"), the trace on standard error as
// curl -v writes its own, and an exit code that says how it went.

#include <functional>
#include <iosfwd>
#include <vector>

#include "browser/forms/fill.hpp"
#include "browser/navigator.hpp"
#include "browser/observe/watch_settings.hpp"

namespace miniweb::browser {

struct DumpOptions {
  bool trace = false;
  bool packets = false;          // the ladder of the load's packets, on the error stream
  std::string pcap;              // where to save them as pcapng, when set
  observe::WatchSettings watch;  // the capture's bound and the link emulator's drop log
  int width = 80;
  // Standard output is a terminal: text that is not a page goes through printable_text, so
  // that its control characters cannot drive the terminal. To a file or a pipe it goes as is.
  bool terminal = false;
  // --submit=N (1-based; 0: none): after the load, form N of the page is filled with `fills`
  // and submitted, and the page that answers is the one printed. Nothing is ever sent again.
  int submit_form = 0;
  std::vector<forms::FillArgument> fills;
  // Called after the load, before anything is printed (the launcher's stale check).
  std::function<void()> before_output;
};

int run_dump(Navigator& navigator, const Url& url, const DumpOptions& options, std::ostream& out,
             std::ostream& err);

// What the dump prints for a page: the laid-out text with its references (each link resolved
// against the page's base), or the text as it came.
std::string dump_text(const Page& page);

}  // namespace miniweb::browser
