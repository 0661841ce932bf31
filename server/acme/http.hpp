#pragma once
// HTTPS requests from the ACME client to the CA: TLS 1.2+ verified against the configured roots
// only, the CA's host name resolved through the configured DNS resolver (the stack's names are
// not in the system's), or taken as an IP literal; one request per connection
// (outbound_http.hpp).

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "server/config.hpp"
#include "server/outbound_http.hpp"
#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

class AcmeHttp {
 public:
  // Loads `config.ca_bundle` and parses `config.resolver`; an error says which is wrong.
  static Result<std::unique_ptr<AcmeHttp>> create(const AcmeConfig& config);
  // settings_ points at tls_: the object stays where create() made it.
  AcmeHttp(AcmeHttp&&) = delete;
  AcmeHttp& operator=(AcmeHttp&&) = delete;

  // GET, HEAD or POST `url` (https only); `body` is sent with `content_type` when not empty.
  // The error of a failure to connect, verify or read names the URL.
  asio::awaitable<Result<http::Response>> request(const std::string& method, const std::string& url,
                                                  const std::string& body,
                                                  const std::string& content_type);

 private:
  AcmeHttp() : tls_(asio::ssl::context::tls_client) {}

  asio::ssl::context tls_;
  OutboundSettings settings_;
};

}  // namespace miniweb::server
