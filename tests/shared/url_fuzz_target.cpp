// libFuzzer entry point for the URL parser (shared/url.hpp), shared by the clang fuzzer and the
// corpus driver (tests/support/fuzz_driver.cpp). Nothing may crash, hang or leak, and:
//   - splitting a URI reference into its five components and recomposing them gives the input
//     back (RFC 3986 appendix B matches every string, section 5.3 recomposes);
//   - a URL that parses, written out again, parses to the same URL, and writes out the same;
//   - a reference resolved against a URL that parses gives an absolute URL that round-trips
//     the same way, or an error, never anything else.
// The input is "BASE\nREFERENCE": without a newline it is a URL alone.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "shared/url.hpp"

namespace {

using miniweb::UriReference;
using miniweb::Url;

bool same(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.path == b.path &&
         a.query == b.query && a.fragment == b.fragment;
}

// What Url::parse promises of what it accepts.
void check_parsed(const Url& url) {
  const bool file = url.scheme == "file";
  if (!file && url.scheme != "http" && url.scheme != "https") __builtin_trap();
  if (!file && url.host.empty()) __builtin_trap();
  if (url.path.empty() || url.path.front() != '/') __builtin_trap();
  if (url.port && url.port == miniweb::default_port(url.scheme)) __builtin_trap();
  if (miniweb::remove_dot_segments(url.path) != url.path) __builtin_trap();
  const std::string text = url.to_string();
  auto again = Url::parse(text);
  if (!again || !same(*again, url) || again->to_string() != text) __builtin_trap();
}

void check_split(std::string_view text) {
  if (UriReference::split(text).recompose() != text) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view base_text = input.substr(0, newline);
  check_split(input);
  auto base = Url::parse(base_text);
  if (base) check_parsed(*base);
  if (newline == std::string_view::npos) return 0;

  const std::string_view reference = input.substr(newline + 1);
  check_split(reference);
  // Resolution over any two strings, as RFC 3986 section 5.2 defines it for any reference.
  (void)miniweb::resolve_reference(base_text, reference);
  if (!base) return 0;
  auto resolved = base->resolve(reference);
  if (resolved) check_parsed(*resolved);
  return 0;
}
