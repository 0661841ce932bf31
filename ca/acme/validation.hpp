#pragma once
// Domain control checks (RFC 8555 §8.3 http-01, RFC 8659 CAA), through the stack's own
// recursive resolver and over plain TCP, as a CA's validation authority does them.

#include <asio/awaitable.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ca/acme/problem.hpp"

namespace miniweb::ca::acme {

struct ValidationConfig {
  asio::ip::udp::endpoint resolver;  // a recursive resolver (miniweb-dns recursive)
  std::uint16_t http_port = 80;      // where http-01 responders listen
  std::string caa_identity = "ca.test";
  std::chrono::milliseconds dns_timeout{3000};
  std::chrono::milliseconds http_timeout{10000};
};

// RFC 8659 §3: finds the relevant CAA RRset by climbing from `name` towards the root and
// decides whether `caa_identity` may issue for it. nullopt when issuance is permitted, else a
// "caa" problem (or "dns" when the lookup fails: a CA must not issue on a SERVFAIL).
asio::awaitable<std::optional<Problem>> check_caa(const ValidationConfig& config,
                                                  const std::string& name);

// RFC 8555 §8.3: resolves `name` (A, then AAAA), fetches
// http://NAME:PORT/.well-known/acme-challenge/TOKEN and compares the body, trailing
// whitespace ignored, with `key_authorization`. nullopt on success. Redirects are not
// followed.
asio::awaitable<std::optional<Problem>> validate_http01(const ValidationConfig& config,
                                                        const std::string& name,
                                                        const std::string& token,
                                                        const std::string& key_authorization);

// The decision of RFC 8659 §4 over one CAA RRset (given as flags, tag, value triples):
// exported for unit tests. nullopt when permitted.
struct CaaRecord {
  int flags = 0;
  std::string tag;
  std::string value;
};
std::optional<std::string> caa_refusal(const std::vector<CaaRecord>& records,
                                       const std::string& caa_identity);

}  // namespace miniweb::ca::acme
