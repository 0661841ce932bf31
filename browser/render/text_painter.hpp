#pragma once
// Painters for a terminal: they draw a display list laid out with MonospaceMeasurer
// (x in character cells, y in lines).

#include <functional>
#include <string>
#include <string_view>

#include "browser/layout/display_list.hpp"

namespace miniweb::browser::render {

// The page as plain lines of text, trailing spaces and trailing blank lines removed; each
// line ends with '\n'.
std::string paint_text(const layout::DisplayList& list);

// What `browser --dump` prints, after `lynx -dump`: the title and a blank line (when the
// page has a title), the page text, then, when the page has links, a blank line,
// "References", a blank line and one "%4d. URL" line per link. resolve_href turns an href
// as written into an absolute URL.
std::string dump_page(const layout::DisplayList& list,
                      const std::function<std::string(const std::string& href)>& resolve_href);

// Text from a page made fit to print on a terminal as it is (view-source, a text/plain page, a
// title in the trace): control characters, which could drive the terminal, shown as '?' (line
// ends and tabs kept, carriage returns dropped); invalid UTF-8 as U+FFFD.
std::string printable_text(std::string_view text);

// paint_text with ANSI SGR styling: bold for headings and <b>, italic, underline for <u>
// and links. Every styled run ends with a reset, so lines can be printed one by one.
std::string paint_ansi(const layout::DisplayList& list);

}  // namespace miniweb::browser::render
