#pragma once
// The network side of `miniweb-ca serve`: an HTTPS listener for ACME and a plain-HTTP
// listener for the CRL, OCSP and the CA certificates, HTTP/1.1 with keep-alive on the shared
// connection loop (shared/http/connection.hpp). One io_context thread; handlers are synchronous
// calls into Service.

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "ca/acme/service.hpp"
#include "shared/http/connection_handler.hpp"
#include "shared/http/server_connection.hpp"
#include "shared/result.hpp"

namespace miniweb::ca::acme {

struct ServerLimits {
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds keepalive_timeout{30};
  std::chrono::seconds send_timeout{10};
  std::size_t max_connections = 512;
  std::size_t max_requests_per_connection = 1000;
};

class AcmeServer {
 public:
  AcmeServer(asio::io_context& io, Service& service, asio::ssl::context& tls,
             ServerLimits limits = {});

  // Binds the listeners; port 0 picks a free port (see the endpoint accessors).
  Status listen_https(const asio::ip::tcp::endpoint& endpoint);
  Status listen_http(const asio::ip::tcp::endpoint& endpoint);
  asio::ip::tcp::endpoint https_endpoint() const;
  std::optional<asio::ip::tcp::endpoint> http_endpoint() const;

  void start();
  void stop();

 public:
  // Which listener a connection came in on.
  enum class Endpoint { AcmeOverHttps, PlainHttp };

 private:
  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, Endpoint endpoint);
  asio::awaitable<void> run(asio::ip::tcp::socket socket,
                            std::shared_ptr<http::ServerConnection> connection, Endpoint endpoint);

  asio::io_context& io_;
  Service& service_;
  asio::ssl::context& tls_;
  ServerLimits limits_;
  http::ConnectionSettings connection_settings_;
  std::optional<asio::ip::tcp::acceptor> https_;
  std::optional<asio::ip::tcp::acceptor> http_;
  http::ConnectionRegistry connections_;
};

// The ACME endpoint's own certificate for `name`, issued from `authority` and kept in
// DIR/serve-NAME.chain.pem and .key (reused on later starts while it has over 30 days left),
// in a TLS server context (TLS 1.2+) presenting it with the intermediate.
Result<std::unique_ptr<asio::ssl::context>> make_tls_context(Authority& authority,
                                                             const std::string& name);

}  // namespace miniweb::ca::acme
