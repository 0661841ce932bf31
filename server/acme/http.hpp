#pragma once
// HTTPS requests from the ACME client to the CA: one request per connection, TLS 1.2+ verified
// against the configured roots only, the CA's host name resolved through the configured DNS
// resolver (the stack's names are not in the system's), or taken as an IP literal.

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "server/config.hpp"
#include "shared/http/message.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

class AcmeHttp {
 public:
  // Loads `config.ca_bundle` and parses `config.resolver`; an error says which is wrong.
  static Result<std::unique_ptr<AcmeHttp>> create(const AcmeConfig& config);

  // GET, HEAD or POST `url` (https only); `body` is sent with `content_type` when not empty.
  // The error of a failure to connect, verify or read names the URL.
  asio::awaitable<Result<http::Response>> request(const std::string& method, const std::string& url,
                                                  const std::string& body,
                                                  const std::string& content_type);

 private:
  AcmeHttp() : tls_(asio::ssl::context::tls_client) {}
  asio::awaitable<Result<asio::ip::address>> resolve(const std::string& host);

  asio::ssl::context tls_;
  std::optional<asio::ip::udp::endpoint> resolver_;
  std::chrono::seconds timeout_{30};
};

}  // namespace miniweb::server
