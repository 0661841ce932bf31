#pragma once
// The configuration the HTTP/2 and early-data tests start miniweb-server with: one TLS listener
// on a free port and the site www.example.test over `site` (files and certificate as
// test_certificate.hpp writes them), after the test's own sections.

#include <string>

namespace miniweb::test_support {

inline std::string h2_test_config(const std::string& sections, const std::string& site_extra = "") {
  return sections + R"(
[[listener]]
address = "127.0.0.1"
port = 0

[[site]]
names = ["www.example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)" + site_extra;
}

}  // namespace miniweb::test_support
