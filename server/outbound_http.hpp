#pragma once
// Requests the server makes of other hosts on its own account: the ACME client's to the CA (over
// HTTPS) and the OCSP stapler's to a responder (over plain HTTP). One request per connection
// (Connection: close); the host resolved as the forward proxy resolves its origins
// (proxy_resolver.hpp: through the configured DNS resolver, else the system's); the whole
// exchange within one deadline and the response within limits.

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <string>

#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

struct OutboundRequest {
  std::string method = "GET";
  std::string url;           // http:// or https://
  std::string body;          // sent with content_type when the method is POST
  std::string content_type;  // of the body
  std::string accept = "*/*";
};

struct OutboundSettings {
  std::string user_agent = "miniweb-server";
  // A DNS resolver, "IP" or "IP:PORT"; empty: the system's.
  std::string resolver;
  // Verifies an https peer: its owner loads the roots and sets SSL_VERIFY_PEER; each request
  // adds SNI and the check that the certificate names the host (RFC 6125). Null: https refused.
  asio::ssl::context* tls = nullptr;
  // The configuration keys of the resolver and of the roots, named in the error of a failed
  // lookup or verification so that whoever reads it knows what to change.
  std::string resolver_setting;
  std::string roots_setting;
  std::chrono::seconds timeout{30};  // from the connect to the response's last byte
  std::size_t max_body_bytes = 1 << 20;
};

// The response, whatever its status. The error of a failure to resolve, connect, verify, send
// or read begins with the method and URL and says which step failed.
asio::awaitable<Result<http::Response>> send_outbound(const OutboundRequest& request,
                                                      const OutboundSettings& settings);

}  // namespace miniweb::server
