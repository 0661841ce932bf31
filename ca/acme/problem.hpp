#pragma once
// ACME errors as RFC 7807 problem documents (RFC 8555 §6.7).

#include <string>
#include <utility>

namespace miniweb::ca::acme {

struct Problem {
  std::string type;  // the ACME error name, e.g. "badNonce"; the URN is added on output
  std::string detail;
  int status = 400;
};

inline constexpr const char* kErrorNamespace = "urn:ietf:params:acme:error:";

// The problems most requests are refused with.
inline Problem malformed(std::string detail) {
  return Problem{"malformed", std::move(detail), 400};
}
inline Problem unauthorized(std::string detail) {
  return Problem{"unauthorized", std::move(detail), 403};
}
inline Problem not_found(std::string what) {
  return Problem{"malformed", what + " not found", 404};
}

}  // namespace miniweb::ca::acme
