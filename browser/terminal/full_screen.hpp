#pragma once
// The terminal face, full screen, as lynx and w3m are: the page fills the screen under a title
// bar; arrow keys and Tab move between links with the current one highlighted, Enter follows,
// Left or Backspace goes back; g opens a URL, / searches, \ shows the source, = the page's
// information (URL, status, TLS, certificate), t the journey of the last load, p its packets
// (with --packets), h the keys, q quits. The status line at the bottom shows the current URL and,
// while a page loads, the journey's progress. A resized terminal gets the page laid out again.

#include <optional>

#include "browser/navigator.hpp"
#include "browser/observe/packet_view.hpp"

namespace miniweb::browser {

// Runs until q. Returns 0, or the exit code of the last load when it failed.
int run_full_screen(Navigator& navigator, const std::optional<Url>& start,
                    observe::PacketView& packets);

}  // namespace miniweb::browser
