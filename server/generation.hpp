#pragma once
// One loaded configuration of the server with what is built from it: TLS contexts, the
// request handler, upstream groups, and the settings its connections run with. SIGHUP makes a
// new one; requests already running keep theirs alive until they finish.

#include <asio/io_context.hpp>

#include <memory>

#include "server/config.hpp"
#include "server/request_handler.hpp"
#include "server/tls_contexts.hpp"
#include "server/upstream.hpp"
#include "shared/http/connection_handler.hpp"

namespace miniweb::server {

struct Generation {
  Generation(asio::io_context& io, ServerConfig config, std::shared_ptr<SiteTlsContexts> tls);
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  ServerConfig config;
  std::shared_ptr<SiteTlsContexts> tls;
  RequestHandler handler;
  UpstreamGroups upstreams;
  // The connections of each kind of listener (limits, timeouts), and the fields every
  // response carries over TLS and over plain HTTP.
  http::ConnectionSettings https_connections;
  http::ConnectionSettings http_connections;
  http::ServerFields tls_fields;
  http::ServerFields plain_fields;
};

}  // namespace miniweb::server
