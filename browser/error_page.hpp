#pragma once
// The page a face shows for a load that failed, worded as browsers word them ("Your connection
// is not private" for a refused certificate, "This site can't be reached" for DNS and TCP),
// with the loader's own message, which names the reason (NET::ERR_CERT_DATE_INVALID, ...).

#include <string>

#include "shared/result.hpp"

namespace miniweb::browser {

std::string error_page_html(const Error& error, const std::string& url);

}  // namespace miniweb::browser
