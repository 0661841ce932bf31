#pragma once
// What the trace says of a navigation's own parts: the form it sends (fields, with passwords
// masked), its body as sent (masked likewise), the cookies that go with each request and those
// SameSite holds back, and how a redirect changed the method.

#include <string>
#include <vector>

#include "browser/net/cookie_jar.hpp"
#include "browser/net/navigation_request.hpp"
#include "browser/trace.hpp"

namespace miniweb::browser {

// What a password's value is shown as, wherever the browser shows a form's data.
inline constexpr const char* kMaskedValue = "********";

// A "form" step: method, action, encoding, size, and one detail line per field.
void trace_form(const NavigationRequest& request, Trace& trace);
// A "cookie" step: the cookies sent to `url` (long values abbreviated) and those withheld.
void trace_cookies(const Url& url, const CookieSelection& cookies, Trace& trace);
// The body as the request step's details show it: urlencoded and text/plain as their text,
// multipart as its part headers and values; a password's value masked; files by name and size.
std::vector<std::string> shown_body(const NavigationRequest& request);
// Why a redirect kept or changed the method, for its trace step.
std::string redirect_note(const NavigationRequest& before, const NavigationRequest& after,
                          int status);
// A cookie's value as the trace shows it: a long (session-like) value abbreviated.
std::string abbreviated_value(const std::string& value);

}  // namespace miniweb::browser
