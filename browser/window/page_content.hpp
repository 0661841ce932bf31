#pragma once
// What the window shows for a load: the page's document, or a page of its own for errors
// and for responses it does not display, all drawn by the same layout.

#include <optional>
#include <string>

#include "browser/html/dom.hpp"
#include "browser/layout/display_list.hpp"
#include "browser/layout/text_measurer.hpp"
#include "browser/page_loader.hpp"
#include "browser/trace.hpp"

namespace miniweb::browser::window {

// text/html is parsed; other text/* shown as preformatted text; anything else gets a page
// saying what it is (the window does not download). Records a "parse" step.
html::Document document_for(const Page& page, Trace& trace);

// The error page for a failed load, worded as browsers word them ("Your connection is not
// private" for certificate refusals, "This site can't be reached" for DNS and TCP...), with
// the loader's own message, which names the reason (NET::ERR_CERT_DATE_INVALID, ...).
std::string error_page_html(const Error& error, const std::string& url);

// Layout numbers links for the terminal ("[3]Home", as lynx does); the window shows links
// by colour instead, so it takes the numbers out and closes the gap on their line.
void strip_link_numbers(layout::DisplayList& list, const layout::TextMeasurer& measurer);


}  // namespace miniweb::browser::window
