#pragma once
// A site's return rules (nginx's `return`): which rule a path matches, and its response.

#include <string_view>

#include "server/config.hpp"
#include "shared/http/message.hpp"

namespace miniweb::server {

// An exact path first (nginx's `location =`); otherwise the longest matching prefix, unless a
// proxy route's prefix is longer (`proxy_prefix_length`, 0 for none).
const ReturnRule* match_return(const SiteConfig& site, std::string_view path,
                               std::size_t proxy_prefix_length);

// The rule's answer: its status, Location and headers, and its body or, without one, a small
// page for the status (with the Location as a link for a redirect).
http::Response return_response(const ReturnRule& rule);

}  // namespace miniweb::server
