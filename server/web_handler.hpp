#pragma once
// The web server's handler on the shared connection loop (shared/http/connection.hpp): each
// request answered from the newest configuration by the site's files, return rules or the
// reverse proxy, with 103 Early Hints first where a site asks for them; refusals logged as
// nginx logs a client's error, and every response in the access log.

#include <memory>

#include "server/generation.hpp"
#include "server/request_handler.hpp"
#include "shared/http/connection_handler.hpp"

namespace miniweb::server {

class WebHandler final : public http::ConnectionHandler {
 public:
  // `current` is the server's newest configuration, read at each request (a reload between
  // two requests of a connection serves the second with the new one).
  WebHandler(const std::shared_ptr<Generation>& current, const RequestContext& context)
      : current_(current), context_(context) {}

  asio::awaitable<http::Reply> respond(http::Request& request, http::Exchange& exchange) override;
  http::Response refuse(int status, std::string_view why, const http::Request* request,
                        const http::ServerConnection& connection) override;
  void responded(const http::Request& request, int status, std::uint64_t body_bytes,
                 const http::ServerConnection& connection) override;
  const http::ServerFields& server_fields() const override;
  void connection_failed(std::string_view why, const http::ServerConnection& connection) override;

 private:
  const std::shared_ptr<Generation>& current_;
  std::shared_ptr<Generation> answering_;  // the configuration answering the request in hand
  RequestContext context_;
};

// The access log line of a response (the web server's and the forward proxy's).
void log_response(const http::Request& request, int status, std::uint64_t body_bytes,
                  const http::ServerConnection& connection, std::string_view request_id = {});

}  // namespace miniweb::server
