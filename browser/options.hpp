#pragma once
// The browser's command line, read the same way by miniweb-browser and by the window's own
// program (miniweb-browser-window), which the first starts when a window is wanted.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "browser/forms/fill.hpp"
#include "browser/navigator.hpp"
#include "browser/observe/watch_settings.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

enum class Face {
  Dump,        // --dump: the page as text on standard output, as lynx -dump
  FullScreen,  // the terminal, full screen, as lynx and w3m
  LineMode,    // the terminal, line by line (--line-mode, or when output is not a terminal)
  Window,      // the SDL2 window (--window, --screenshot, or a display without --terminal)
};

struct BrowserOptions {
  std::string url;  // as typed; empty: none
  Face face = Face::FullScreen;
  bool trace = false;
  bool packets = false;          // the ladder of the load's packets
  std::string pcap;              // where to save them, when set
  observe::WatchSettings watch;  // the capture's bound, in frames, and the link drop log
  int width = 0;                 // 0: the terminal's width (the dump: 80)
  std::string screenshot;
  // --fill NAME=VALUE (in order) and --submit[=N]: the page's form N (1-based; 0: none) filled
  // and submitted, and the resulting page dumped.
  std::vector<forms::FillArgument> fills;
  int submit_form = 0;
  NavigatorOptions navigator;
};

// The options in argv, the face chosen from them and the environment (a display, a terminal).
// On --help, or an error, Error::code is the exit code and the message is already printed,
// after before_output (when given) returned.
Result<BrowserOptions> parse_options(int argc, char** argv,
                                     const std::function<void()>& before_output = {});

}  // namespace miniweb::browser
