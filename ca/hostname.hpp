#pragma once
// Validation of the DNS names a certificate may carry in its subjectAltName.

#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::ca {

// Returns the name in canonical form (lower case, no trailing dot) when it is a host name a
// CA may certify: LDH labels of 1-63 octets (RFC 1035 §2.3.1, RFC 5890 A-labels allowed), at
// most 253 octets, at least two labels, and not an IP address. Wildcards are refused until
// dns-01 validation exists.
Result<std::string> normalize_hostname(std::string_view name);

}  // namespace miniweb::ca
