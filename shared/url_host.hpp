#pragma once
// The host of an http or https URL, as the WHATWG URL Standard's host parser reads it (section
// 3.5), so that the browser connects where every other browser would: IPv4 addresses in their
// number forms (0x7f.1, 127.1, 2130706433) become dotted quads, IPv6 literals are checked and
// written in their canonical form, and a host with a forbidden code point is refused. Domain
// names are lower-cased; international ones are not mapped to punycode (IDNA is not done).

#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb {

// `host` as it stands in the authority (IPv6 in brackets); the result without brackets.
Result<std::string> parse_url_host(std::string_view host);

}  // namespace miniweb
