#pragma once
// Pages the browser writes itself, laid out like any other: a page's information (lynx's '=',
// a desktop browser's page info: URL, status, type, size, links, the TLS connection and the
// certificate chain as the handshake showed them), and text shown as a page.

#include <string>

#include "browser/navigator.hpp"

namespace miniweb::browser {

std::string page_info_html(const Page& page);

// HTML that shows `text` as it is, under `title` (the source of a page, the journey's trace).
std::string preformatted_html(const std::string& title, const std::string& text);

// Where a page of the browser's own says it is ("about:keys"): it is loaded from nowhere.
Url own_page_url(const std::string& name);

// A page of the browser's own at `url`, laid out for `viewport`.
Page page_from_html(const Url& url, const std::string& html, const Viewport& viewport);

}  // namespace miniweb::browser
