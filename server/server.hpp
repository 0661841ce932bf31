#pragma once
// The HTTPS server: listeners, one coroutine per connection, limits and a clean stop.

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <memory>
#include <set>
#include <vector>

#include "server/config.hpp"
#include "server/request_handler.hpp"
#include "server/tls_contexts.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

struct ConnectionState;

class Server {
 public:
  Server(asio::io_context& io, ServerConfig config, std::unique_ptr<SiteTlsContexts> tls);
  ~Server();

  // Binds every listener; an address in use or not local is reported with the listener.
  Status listen();
  void start();
  // Stops accepting, closes idle connections, lets requests in flight finish (SIGTERM).
  void stop();

  std::vector<asio::ip::tcp::endpoint> local_endpoints() const;

 private:
  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, ListenerKind kind);
  asio::awaitable<void> run_https(asio::ip::tcp::socket socket, std::shared_ptr<ConnectionState> state);
  asio::awaitable<void> run_http(asio::ip::tcp::socket socket, std::shared_ptr<ConnectionState> state);
  template <class Stream>
  asio::awaitable<void> serve_requests(Stream& stream, std::shared_ptr<ConnectionState> state,
                                       const RequestContext& context);

  asio::io_context& io_;
  ServerConfig config_;
  std::unique_ptr<SiteTlsContexts> tls_;
  RequestHandler handler_;
  std::vector<std::pair<asio::ip::tcp::acceptor, ListenerKind>> acceptors_;
  std::set<std::shared_ptr<ConnectionState>> connections_;
  bool stopping_ = false;
};

}  // namespace miniweb::server
