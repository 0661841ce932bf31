#pragma once
// ACME errors as RFC 7807 problem documents (RFC 8555 §6.7).

#include <string>

namespace miniweb::ca::acme {

struct Problem {
  std::string type;  // the ACME error name, e.g. "badNonce"; the URN is added on output
  std::string detail;
  int status = 400;
};

inline constexpr const char* kErrorNamespace = "urn:ietf:params:acme:error:";

}  // namespace miniweb::ca::acme
