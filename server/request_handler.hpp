#pragma once
// Maps one request to one response: picks the site by Host, checks the method, serves.

#include <string>

#include "server/config.hpp"
#include "shared/http/message.hpp"

namespace miniweb::server {

struct RequestContext {
  bool tls = false;
  std::string sni;  // the name the client asked for in the TLS handshake, if any
};

class RequestHandler {
 public:
  explicit RequestHandler(const ServerConfig& config) : config_(config) {}

  http::Response handle(const http::Request& request, const RequestContext& context) const;

 private:
  const SiteConfig* site_for_host(std::string_view host) const;
  const ServerConfig& config_;
};

}  // namespace miniweb::server
