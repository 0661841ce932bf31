#pragma once
// The HTTPS server: listeners, one coroutine per connection on the shared HTTP/1.1 connection
// loop (shared/http/connection.hpp) with the web server's or the forward proxy's handler,
// limits, reloads and a clean stop.

#include <asio.hpp>

#include <filesystem>
#include <memory>
#include <vector>

#include "server/config.hpp"
#include "server/generation.hpp"
#include "server/http01_challenges.hpp"
#include "server/ocsp_stapler.hpp"
#include "server/reactor_reserve.hpp"
#include "shared/http/server_connection.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

class Server {
 public:
  Server(asio::io_context& io, ServerConfig config, std::unique_ptr<SiteTlsContexts> tls);
  ~Server();

  // Binds every listener; an address in use or not local is reported with the listener.
  Status listen();
  void start();
  // Stops accepting, closes idle connections, lets requests in flight finish (SIGTERM).
  void stop();

  // SIGHUP: reads the file again with its certificates and, if all is well, serves new
  // requests with it; connections stay open. A bad file is refused (the error says why) and
  // the running configuration stays. Listeners are kept as they are (a change needs a restart).
  Status reload(const std::filesystem::path& file);
  void replace(ServerConfig config, std::unique_ptr<SiteTlsContexts> tls);

  std::vector<asio::ip::tcp::endpoint> local_endpoints() const;
  // The http-01 answers the plain-HTTP listeners serve (filled by the ACME client).
  Http01Challenges& challenges() { return challenges_; }
  const ServerConfig& config() const { return current_->config; }

 private:
  using Connection = std::shared_ptr<http::ServerConnection>;
  // Accepts on acceptors_[listener], the socket of listeners_[listener].
  asio::awaitable<void> accept_loop(std::size_t listener);
  struct HttpsConnection;
  asio::awaitable<void> run_https(asio::ip::tcp::socket socket, Connection connection);
  // HTTP/1.1 over TLS until the connection ends or is parked idle (then a handler waits for
  // its next request and resumes it).
  asio::awaitable<void> serve_https(const std::shared_ptr<HttpsConnection>& https);
  asio::awaitable<void> resume_https(std::shared_ptr<HttpsConnection> https,
                                     std::error_code wait_error);
  asio::awaitable<void> run_http(asio::ip::tcp::socket socket, Connection connection);
  asio::awaitable<void> run_forward_proxy(asio::ip::tcp::socket socket, Connection connection,
                                          std::size_t listener);

  asio::io_context& io_;
  std::shared_ptr<Generation> current_;
  std::vector<ListenerConfig> listeners_;
  std::vector<std::pair<asio::ip::tcp::acceptor, ListenerKind>> acceptors_;
  http::ConnectionRegistry connections_;
  ReactorReserve reactor_reserve_;
  Http01Challenges challenges_;
  // Staples into the handshakes of every generation's contexts (ocsp_stapler.hpp).
  OcspStapler stapler_;
};

}  // namespace miniweb::server
