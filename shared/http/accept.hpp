#pragma once
// Content negotiation by the Accept field (RFC 9110 section 12.5.1), for the static files'
// variants and the shop's HTML or JSON.

#include <string_view>

namespace miniweb::http {

// The quality an Accept field gives a media type ("text/html; charset=utf-8" is text/html):
// that of its most specific matching range, exact before type/* before */*; 0 when none
// matches, or the range's q is not a number from 0 to 1.
double accept_quality(std::string_view accept, std::string_view media_type);

}  // namespace miniweb::http
