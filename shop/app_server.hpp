#pragma once
// The network side of miniweb-shop: one plain-HTTP listener (the reverse proxy ends TLS in
// front of it), HTTP/1.1 with keep-alive on the shared connection loop
// (shared/http/connection.hpp), the routes of shop/routes as its handler. One io_context
// thread; the database calls are synchronous and short.

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <optional>
#include <string>

#include "shared/http/connection_handler.hpp"
#include "shared/http/server_connection.hpp"
#include "shared/result.hpp"
#include "shop/database.hpp"
#include "shop/settings.hpp"

namespace miniweb::shop {

class AppServer {
 public:
  AppServer(asio::io_context& io, const Database& database, ShopSettings settings);

  // Binds the listener; port 0 picks a free port (see endpoint()).
  Status listen(const asio::ip::tcp::endpoint& endpoint);
  asio::ip::tcp::endpoint endpoint() const { return acceptor_->local_endpoint(); }

  void start();
  // Stops accepting; idle connections close now, busy ones after their response.
  void stop();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> run(asio::ip::tcp::socket socket,
                            std::shared_ptr<http::ServerConnection> connection);

  asio::io_context& io_;
  const Database& database_;
  ShopSettings shop_settings_;
  http::ConnectionSettings settings_;
  std::size_t max_connections_ = 512;
  std::optional<asio::ip::tcp::acceptor> acceptor_;
  http::ConnectionRegistry connections_;
};

}  // namespace miniweb::shop
