#pragma once
// URLs for http and https (RFC 3986), and reference resolution (RFC 3986 section 5).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb {

// The five components of a URI reference, each either defined or not (RFC 3986 appendix B).
struct UriReference {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  static UriReference split(std::string_view text);
  std::string recompose() const;  // RFC 3986 section 5.3
};

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path);

// Resolves `reference` against an absolute `base` (RFC 3986 section 5.2.2, strict).
std::string resolve_reference(std::string_view base, std::string_view reference);

// An absolute http, https or file URL, normalised as a browser does: scheme and host lower-cased,
// the default port dropped, an empty path made "/", dot segments removed.
struct Url {
  std::string scheme;
  std::string host;  // without brackets for IPv6 literals
  std::optional<std::uint16_t> port;
  std::string path = "/";
  std::optional<std::string> query;
  std::optional<std::string> fragment;

  static Result<Url> parse(std::string_view text);

  std::uint16_t effective_port() const;
  std::string host_for_header() const;  // host[:port], with brackets for IPv6
  std::string request_target() const;   // path[?query]
  std::string to_string() const;
  Result<Url> resolve(std::string_view reference) const;
};

std::optional<std::uint16_t> default_port(std::string_view scheme);

// A local path as the path of a file URL (RFC 8089, RFC 3986 section 2.1): what URLs give
// meaning to (space, '#', '?', '%'), control characters and bytes above ASCII percent-encoded.
std::string percent_encode_path(std::string_view path);
// %XX decoded (RFC 3986 section 2.1); a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text);

}  // namespace miniweb
