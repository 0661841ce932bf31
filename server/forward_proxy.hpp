#pragma once
// A forward-proxy listener's handler on the shared connection loop, as squid and tinyproxy
// serve: CONNECT opens a tunnel to an allowed port (RFC 9110 section 9.3.6) and takes the
// connection over, an absolute-form http:// request is forwarded to its origin (RFC 9112
// section 3.2.2), anything else is refused. Only clients in the listener's `allow` ranges may
// use it; everyone else gets 403.

#include <asio/ip/address.hpp>

#include <map>
#include <memory>
#include <string>

#include "server/config.hpp"
#include "server/error_log.hpp"
#include "shared/http/connection_handler.hpp"

namespace miniweb::server {

class UpstreamGroup;

bool client_allowed(const ForwardProxyConfig& proxy, const asio::ip::address& client);

// One per client connection: it keeps the connections to the origins that connection used.
// `config` (limits, the server's name) and `proxy` outlive it.
class ForwardProxyHandler final : public http::ConnectionHandler {
 public:
  ForwardProxyHandler(const ServerConfig& config, const ForwardProxyConfig& proxy,
                      const http::ServerConnection& connection);
  ~ForwardProxyHandler() override;

  asio::awaitable<http::Reply> respond(http::Request& request, http::Exchange& exchange) override;
  http::Response refuse(int status, std::string_view why, const http::Request* request,
                        const http::ServerConnection& connection) override;
  void responded(const http::Request& request, int status, std::uint64_t body_bytes,
                 const http::ServerConnection& connection) override;
  bool may_continue(const http::Request& request,
                    const http::ServerConnection& connection) override;
  bool wants_keep_alive(const http::Request& request) const override;
  const http::ServerFields& server_fields() const override { return fields_; }

 private:
  asio::awaitable<http::Reply> tunnel(http::Request& request, http::Exchange& exchange);
  asio::awaitable<http::Reply> forward(http::Request& request, http::Exchange& exchange);
  static http::Reply closing(int status, const std::string& why);
  void log(LogLevel level, const std::string& message, const http::Request* request,
           const http::ServerConnection& connection) const;

  const ServerConfig& config_;
  const ForwardProxyConfig& proxy_;
  const bool allowed_;
  const http::ServerFields fields_;
  std::map<std::string, std::unique_ptr<UpstreamGroup>, std::less<>> origins_;
};

}  // namespace miniweb::server
