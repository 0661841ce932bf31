// miniweb's URL parser (shared/url.hpp) on each input, printed as JSON for url_diff.py to
// compare with Node's WHATWG URL (whatwg_url.js prints the same shape). Each input line is
// "BASE_HEX INPUT_HEX", BASE_HEX "-" for none; each output line is
//   {"ok": true, "scheme", "username", "password", "host", "port", "path", "query",
//    "fragment", "href"}  or  {"ok": false, "error": "..."}
// with query and fragment null when absent, port "" when it is the scheme's default.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "shared/url.hpp"
#include "tests/differential/node/byte_json.hpp"

namespace {

using miniweb::Url;
using miniweb::differential::json_bytes;

std::string optional_json(const std::optional<std::string>& text) {
  return text ? json_bytes(*text) : "null";
}

std::string url_json(const Url& url) {
  // The host as WHATWG's hostname writes it: IPv6 literals in brackets.
  const std::string host =
      url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const bool file = url.scheme == "file";
  return "{\"ok\":true,\"scheme\":" + json_bytes(url.scheme) +
         ",\"username\":\"\",\"password\":\"\",\"host\":" + json_bytes(file ? "" : host) +
         ",\"port\":\"" + (url.port ? std::to_string(*url.port) : "") +
         "\",\"path\":" + json_bytes(url.path) + ",\"query\":" + optional_json(url.query) +
         ",\"fragment\":" + optional_json(url.fragment) +
         ",\"href\":" + json_bytes(url.to_string()) + "}";
}

miniweb::Result<Url> parse(const std::string& base, const std::string& input, bool has_base) {
  if (!has_base) return Url::parse(input);
  auto base_url = Url::parse(base);
  if (!base_url) return base_url.error();
  return base_url->resolve(input);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " BASE_AND_INPUT_HEX_FILE\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string base_hex;
    std::string input_hex;
    if (!(fields >> base_hex)) continue;
    fields >> input_hex;
    const bool has_base = base_hex != "-";
    auto url = parse(miniweb::differential::from_hex(base_hex),
                     miniweb::differential::from_hex(input_hex), has_base);
    std::cout << (url ? url_json(*url)
                      : "{\"ok\":false,\"error\":" + json_bytes(url.error().message) + "}")
              << "\n";
  }
  return 0;
}
