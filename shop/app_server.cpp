#include "shop/app_server.hpp"

#include <iostream>

#include "shared/awaitable.hpp"
#include "shared/http/combined_log.hpp"
#include "shared/http/connection.hpp"
#include "shop/routes.hpp"
#include "shop/visitor.hpp"

namespace miniweb::shop {

using asio::ip::tcp;

namespace {

// The shop's handler on the shared connection loop; each request logged on standard error
// (the launcher's .state/logs/<service>.log) in the Combined Log Format, with the client the
// trusted proxy reports and the request id it gave.
class ShopHandler final : public http::ConnectionHandler {
 public:
  ShopHandler(const Database& database, const ShopSettings& settings)
      : database_(database), settings_(settings) {}

  asio::awaitable<http::Reply> respond(http::Request& request, http::Exchange& exchange) override {
    http::Response response =
        shop::respond(request, exchange.connection().peer_address(), database_, settings_);
    name_instance(response);
    co_return http::Reply::answer(std::move(response));
  }
  http::Response refuse(int status, std::string_view why, const http::Request*,
                        const http::ServerConnection&) override {
    http::Response response;
    response.status = status;
    response.headers.set("Content-Type", "text/plain; charset=utf-8");
    response.body = std::string(why) + "\n";
    name_instance(response);
    return response;
  }
  // Every answer names the instance that gave it, in a header as well as on the page, so that
  // a trace shows which one answered each step, a redirect and an error included.
  void name_instance(http::Response& response) const {
    response.headers.set("X-Served-By", settings_.instance);
  }
  const http::ServerFields& server_fields() const override {
    static const http::ServerFields fields{{"Server", "miniweb-shop"}};
    return fields;
  }
  void responded(const http::Request& request, int status, std::uint64_t body_bytes,
                 const http::ServerConnection& connection) override {
    const std::string client =
        client_address(request.headers, connection.peer_address(), settings_);
    std::string line;
    // The request id only when the proxy sent it: a client talking to the instance directly
    // could name any.
    const bool proxied = client != connection.peer_address();
    http::append_combined_log_line(
        line, http::entry_for(request, status, body_bytes, client,
                              proxied ? request.headers.get(http::kRequestIdField).value_or("")
                                      : std::string_view{}));
    std::clog << line << std::flush;
  }

 private:
  const Database& database_;
  const ShopSettings& settings_;
};

}  // namespace

AppServer::AppServer(asio::io_context& io, const Database& database, ShopSettings settings)
    : io_(io), database_(database), shop_settings_(std::move(settings)) {}

Status AppServer::listen(const tcp::endpoint& endpoint) {
  tcp::acceptor acceptor(io_);
  std::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return make_error("cannot listen on " + endpoint.address().to_string() + ":" +
                      std::to_string(endpoint.port()) + ": " + ec.message());
  acceptor_.emplace(std::move(acceptor));
  return Ok{};
}

void AppServer::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

void AppServer::stop() {
  std::error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  connections_.stop();
}

asio::awaitable<void> AppServer::accept_loop() {
  while (!connections_.stopping()) {
    tcp::socket socket(io_);
    tcp::endpoint peer;
    auto [ec] = co_await acceptor_->async_accept(socket, peer, use_tuple);
    if (ec) {
      if (connections_.stopping() || ec == asio::error::operation_aborted) break;
      continue;
    }
    if (connections_.size() >= max_connections_) continue;  // dropped
    // A named object: GCC 12 miscompiles class-type prvalue arguments of coroutines.
    std::shared_ptr<http::ServerConnection> connection = connections_.add(peer);
    asio::co_spawn(io_, run(std::move(socket), std::move(connection)), asio::detached);
  }
}

asio::awaitable<void> AppServer::run(tcp::socket socket,
                                     std::shared_ptr<http::ServerConnection> connection) {
  ShopHandler handler(database_, shop_settings_);
  connection->attach(socket);
  co_await http::serve_connection(socket, *connection, settings_, handler);
  connections_.remove(connection);
}

}  // namespace miniweb::shop
