#pragma once
// Maps one request to one response: picks the site by Host, checks the method, serves.

#include <openssl/types.h>

#include <memory>
#include <string>

#include "server/config.hpp"
#include "server/file_cache.hpp"
#include "shared/http/message.hpp"

namespace miniweb::server {

class Http01Challenges;

struct RequestContext {
  bool tls = false;
  std::string sni;  // the name the client asked for in the TLS handshake, if any
  // Plain HTTP only: the ACME client's pending http-01 answers (server/http01_challenges.hpp).
  const Http01Challenges* challenges = nullptr;
  // HTTPS: the connection's TLS state, to tell a request that came in early data
  // (server/early_data.hpp).
  const SSL* tls_session = nullptr;
};

// What to do with a request: forward it along a proxy route, or answer with `response`.
struct Decision {
  const SiteConfig* site = nullptr;  // the site that answers, when one was chosen
  const ProxyRoute* proxy = nullptr;
  http::Response response;
  const EarlyHints* early_hints = nullptr;  // a 103 to send first, for this path
  // When set, the body of `response`: a whole file from the cache, sent without a copy.
  std::shared_ptr<const std::string> file_body;
};

class RequestHandler {
 public:
  explicit RequestHandler(const ServerConfig& config) : config_(config) {}

  Decision decide(const http::Request& request, const RequestContext& context) const;
  // decide() without proxying: a proxy route answers 502 (for callers without upstreams).
  http::Response handle(const http::Request& request, const RequestContext& context) const;

 private:
  const SiteConfig* site_for_host(std::string_view host) const;
  const SiteConfig& default_site(bool tls) const;
  const ServerConfig& config_;
  // Files already resolved under the sites' roots; revalidated on each use. A cache, not a part
  // of the handler's meaning: decide() stays const. One thread serves with one handler.
  mutable FileCache files_;
};

}  // namespace miniweb::server
