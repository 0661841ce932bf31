#include "server/server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <optional>
#include <system_error>

#include "server/error_log.hpp"
#include "server/forward_proxy.hpp"
#include "server/tls_stream.hpp"
#include "server/web_handler.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/connection.hpp"
#include "shared/http2/connection.hpp"
#include "shared/text.hpp"

namespace miniweb::server {

using asio::ip::tcp;

namespace {

http::ConnectionSettings connection_settings(const LimitsConfig& limits,
                                             std::size_t coalesce_bytes) {
  http::ConnectionSettings settings;
  settings.limits = http::ConnectionLimits{.request = limits.http,
                                           .header_timeout = limits.header_timeout,
                                           .keepalive_timeout = limits.keepalive_timeout,
                                           .send_timeout = limits.send_timeout,
                                           .max_requests = limits.max_requests_per_connection,
                                           .http2 = limits.http2};
  settings.coalesce_bytes = coalesce_bytes;
  return settings;
}

http::ServerFields server_fields(const ServerConfig& config, bool tls) {
  http::ServerFields fields{{"Server", config.server_name}};
  if (tls && config.hsts_max_age.count() > 0)
    fields.emplace_back("Strict-Transport-Security",
                        "max-age=" + std::to_string(config.hsts_max_age.count()));
  return fields;
}

// A body up to one TLS record's plaintext joins the head, so that both leave in one record.
constexpr std::size_t kTlsCoalesceBytes = 16 * 1024;
// Over plain TCP the kernel splits it anyway; a copy is cheaper than a second system call.
constexpr std::size_t kPlainCoalesceBytes = 256 * 1024;

bool alpn_chose_h2(SSL* ssl) {
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &protocol, &length);
  return std::string_view(reinterpret_cast<const char*>(protocol), length) == "h2";
}

// HTTP/2 over plain TCP "with prior knowledge" (RFC 9113 section 3.3): the client starts with
// the connection preface, whose method PRI no HTTP/1.1 request has. The first bytes are peeked,
// not read, so that either loop reads the connection from its start.
asio::awaitable<bool> begins_with_h2_preface(tcp::socket& socket,
                                             http::ServerConnection& connection,
                                             const LimitsConfig& limits) {
  connection.arm(limits.header_timeout);
  auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
  if (ec) co_return false;  // the HTTP/1.1 loop meets the same end and answers it
  std::array<char, 4> first{};
  std::error_code peek_ec;
  const std::size_t n = socket.receive(asio::buffer(first), tcp::socket::message_peek, peek_ec);
  co_return !peek_ec && n == first.size() && std::string_view(first.data(), n) == "PRI ";
}

// The same socket: a reload may change a listener's other settings, not these (they are the
// socket's own, set as it began to listen).
bool same_listener(const ListenerConfig& a, const ListenerConfig& b) {
  return a.address == b.address && a.port == b.port && a.kind == b.kind && a.deferred == b.deferred;
}

// A listener with `deferred = true` (nginx's `listen ... deferred`): the kernel completes a
// connection's handshake as always, but wakes the server for it only once its first bytes are
// in, when accepting it and reading them are one wake-up. Every protocol the server speaks
// (HTTP, TLS, a proxy's CONNECT) begins with the client's bytes. Woken at the handshake's end
// instead, the server took the client's CPU as the client went on to send (the kernel puts a
// woken task on its waker's CPU): with the stack's web servers deferred, a warm page load's
// connect step took 0.067 ms against 0.140, and its trace 1.598 against 1.668 (four rounds of
// 60 loads, the stack restarted with and without in turns). The kernel counts the second as
// SYN-ACK retransmissions: a connection that sends nothing is accepted after it, and its
// header timeout runs from then.
void defer_accepting(asio::ip::tcp::acceptor& acceptor, std::error_code& ec) {
  const int seconds = 1;
  if (::setsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds,
                   sizeof seconds) != 0)
    ec = std::error_code(errno, std::system_category());
}

}  // namespace

Generation::Generation(asio::io_context& io, ServerConfig config_in,
                       std::shared_ptr<SiteTlsContexts> tls_in)
    : config(std::move(config_in)),
      tls(std::move(tls_in)),
      handler(config),
      upstreams(make_upstream_groups(io.get_executor(), config.upstreams)),
      https_connections(connection_settings(config.limits, kTlsCoalesceBytes)),
      http_connections(connection_settings(config.limits, kPlainCoalesceBytes)),
      tls_fields(server_fields(config, true)),
      plain_fields(server_fields(config, false)) {}

Server::Server(asio::io_context& io, ServerConfig config, std::unique_ptr<SiteTlsContexts> tls)
    : io_(io), listeners_(config.listeners), reactor_reserve_(io), stapler_(io) {
  current_ = std::make_shared<Generation>(io, std::move(config), std::move(tls));
  // The staples are fetched once the io loop runs; handshakes until then staple nothing.
  stapler_.track(current_->config, *current_->tls);
}

Status Server::reload(const std::filesystem::path& file) {
  auto config = load_config(file);
  if (!config)
    return make_error("reload refused, the running configuration stays: " + config.error().message);
  auto tls = SiteTlsContexts::create(config->sites, config->http2, config->early_data);
  if (!tls)
    return make_error("reload refused, the running configuration stays: " + tls.error().message);
  replace(std::move(*config), std::move(*tls));
  return Ok{};
}

void Server::replace(ServerConfig config, std::unique_ptr<SiteTlsContexts> tls) {
  if (!std::equal(listeners_.begin(), listeners_.end(), config.listeners.begin(),
                  config.listeners.end(), same_listener))
    log_event(LogLevel::Warn, "reload: listeners changed; they take effect at the next restart");
  current_ = std::make_shared<Generation>(io_, std::move(config), std::move(tls));
  // Before a handshake meets the new contexts: those of a certificate already served get its
  // staple at once (a SIGHUP or ACME's swap loses none), a new certificate's is fetched.
  stapler_.track(current_->config, *current_->tls);
  // HTTP/2 clients are asked (GOAWAY) to continue on a new connection, whose handshake meets
  // the new certificates; HTTP/1.1 connections take the new configuration at their next request.
  connections_.drain();
  log_event(LogLevel::Notice, "reload: new configuration in use");
}

Server::~Server() = default;

Status Server::listen() {
  for (const ListenerConfig& listener : listeners_) {
    std::error_code ec;
    auto address = asio::ip::make_address(listener.address, ec);
    if (ec) return make_error("listener address '" + listener.address + "' is not an IP address");
    tcp::endpoint endpoint(address, listener.port);
    tcp::acceptor acceptor(io_);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec && listener.deferred) defer_accepting(acceptor, ec);
    if (ec)
      return make_error("cannot listen on " + listener.address + ":" +
                        std::to_string(listener.port) + ": " + ec.message());
    acceptors_.emplace_back(std::move(acceptor), listener.kind);
  }
  return Ok{};
}

std::vector<tcp::endpoint> Server::local_endpoints() const {
  std::vector<tcp::endpoint> endpoints;
  for (const auto& [acceptor, kind] : acceptors_) endpoints.push_back(acceptor.local_endpoint());
  return endpoints;
}

void Server::start() {
  keep_deadline_timer_when_idle(io_, true);
  reactor_reserve_.cover(0);
  for (std::size_t listener = 0; listener < acceptors_.size(); ++listener)
    asio::co_spawn(io_, accept_loop(listener), asio::detached);
}

void Server::stop() {
  for (auto& [acceptor, kind] : acceptors_) {
    std::error_code ignored;
    acceptor.close(ignored);
  }
  connections_.stop();
  keep_deadline_timer_when_idle(io_, false);
  stapler_.stop();
  for (auto& [name, group] : current_->upstreams) group->close_idle();
}

asio::awaitable<void> Server::accept_loop(std::size_t listener) {
  auto& [acceptor, kind] = acceptors_[listener];
  while (!connections_.stopping()) {
    tcp::socket socket(io_);
    tcp::endpoint peer;
    // The peer's address comes with the accept (no getpeername per connection).
    auto [ec] = co_await acceptor.async_accept(socket, peer, use_tuple);
    if (ec) {
      if (connections_.stopping() || ec == asio::error::operation_aborted) break;
      continue;  // e.g. EMFILE: the next accept may succeed
    }
    if (connections_.size() >= current_->config.limits.max_connections)
      continue;  // dropped, as nginx
    // Responses go out as whole messages; Nagle's algorithm would hold the tail of one back
    // until the client's delayed ACK (40 ms on Linux).
    std::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    Connection connection = connections_.add(peer);
    reactor_reserve_.cover(connections_.size());
    if (kind == ListenerKind::Https) {
      asio::co_spawn(io_, run_https(std::move(socket), std::move(connection)), asio::detached);
    } else if (kind == ListenerKind::ForwardProxy) {
      asio::co_spawn(io_, run_forward_proxy(std::move(socket), std::move(connection), listener),
                     asio::detached);
    } else {
      asio::co_spawn(io_, run_http(std::move(socket), std::move(connection)), asio::detached);
    }
  }
}

// An HTTPS connection and what its requests need, apart from any coroutine: while it is parked
// between keep-alive requests, this object and the socket's pending wait are all it holds.
struct Server::HttpsConnection {
  HttpsConnection(tcp::socket socket, Connection connection_in,
                  const std::shared_ptr<Generation>& generation_in)
      : generation(generation_in),
        stream(std::move(socket), generation->tls->default_context().native_handle()),
        connection(std::move(connection_in)) {}

  // The handshake's contexts belong to the configuration of the moment; keep them alive.
  const std::shared_ptr<Generation> generation;
  TlsStream stream;
  const Connection connection;
  std::optional<WebHandler> handler;  // once the handshake has told the SNI
  http::ParkedConnection park;
};

asio::awaitable<void> Server::run_https(tcp::socket socket, Connection connection) {
  auto https = std::make_shared<HttpsConnection>(std::move(socket), connection, current_);
  TlsStream& stream = https->stream;
  connection->attach(stream.next_layer());
  connection->arm(https->generation->config.limits.header_timeout);

  auto [ec] = co_await stream.async_handshake(use_tuple);
  if (!ec) {
    RequestContext context{.tls = true, .sni = "", .tls_session = stream.native_handle()};
    if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name))
      context.sni = to_lower(name);
    https->handler.emplace(current_, context);
    if (alpn_chose_h2(stream.native_handle())) {
      co_await http2::serve_http2(stream, *connection, https->generation->https_connections,
                                  *https->handler);
    } else {
      co_await serve_https(https);
      co_return;  // it removes the connection when it ends
    }
  } else {
    if (SSL_get_certificate(stream.native_handle()) == nullptr) {
      // Not the client's fault, so not at info: a site with no certificate yet (ACME still
      // obtaining it) refuses every handshake, and whoever runs the server should see why.
      const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      log_event(LogLevel::Notice,
                "TLS handshake refused: no certificate for \"" + std::string(name ? name : "") +
                    "\" yet (a site with acme gets one once the CA has issued it), client: " +
                    connection->peer_address());
    } else if (error_log().enabled(LogLevel::Info)) {
      error_log().write(
          LogLevel::Info,
          "TLS handshake failed (" + ec.message() + "), client: " + connection->peer_address(),
          connection->number());
    }
    co_await http::close_connection(stream.next_layer(), *connection);
  }
  connections_.remove(connection);
}

asio::awaitable<void> Server::serve_https(const std::shared_ptr<HttpsConnection>& https) {
  tcp::socket& socket = https->stream.next_layer();
  for (;;) {
    co_await http::serve_connection(https->stream, *https->connection,
                                    https->generation->https_connections, *https->handler,
                                    &https->park);
    if (!https->park.parked) {
      connections_.remove(https->connection);
      co_return;
    }
    // Bytes (or the client's FIN) may have come while the loop was giving up its wait: Asio's
    // epoll is edge-triggered and a wait does not look first, so such a wait would sleep until
    // the keep-alive timeout. Look now (what came goes into the stream's input); if so, read on.
    if (!http::detail::arrived(https->stream, socket)) break;
  }
  // Idle: no coroutine waits for the next request, a handler does. A keep-alive timeout or a
  // stop cancels the wait (the connection's deadline cancels the socket's operations).
  socket.async_wait(tcp::socket::wait_read, [this, https](const std::error_code& ec) mutable {
    asio::co_spawn(io_, resume_https(std::move(https), ec), asio::detached);
  });
}

asio::awaitable<void> Server::resume_https(std::shared_ptr<HttpsConnection> https,
                                           std::error_code wait_error) {
  if (!wait_error) {
    co_await serve_https(https);
    co_return;
  }
  // Closed while parked, as the loop closes a connection whose idle wait failed.
  co_await http::close_connection(https->stream, *https->connection);
  connections_.remove(https->connection);
}

asio::awaitable<void> Server::run_http(tcp::socket socket, Connection connection) {
  const std::shared_ptr<Generation> generation = current_;
  connection->attach(socket);
  const RequestContext context{.tls = false, .sni = "", .challenges = &challenges_};
  WebHandler handler(current_, context);
  if (co_await begins_with_h2_preface(socket, *connection, generation->config.limits))
    co_await http2::serve_http2(socket, *connection, generation->http_connections, handler);
  else
    co_await http::serve_connection(socket, *connection, generation->http_connections, handler);
  connections_.remove(connection);
}

asio::awaitable<void> Server::run_forward_proxy(tcp::socket socket, Connection connection,
                                                std::size_t listener) {
  const std::shared_ptr<Generation> generation = current_;
  connection->attach(socket);
  // A reload may change the proxy's rules (allow, ports, resolver) of a listener it keeps: the
  // one with this socket's address, port and kind, wherever it now stands in the file.
  const auto& reloaded = generation->config.listeners;
  const auto kept = std::find_if(reloaded.begin(), reloaded.end(), [&](const ListenerConfig& l) {
    return same_listener(l, listeners_[listener]);
  });
  const ListenerConfig& settings = kept != reloaded.end() ? *kept : listeners_[listener];
  ForwardProxyHandler handler(generation->config, settings.forward, *connection);
  co_await http::serve_connection(socket, *connection, generation->http_connections, handler);
  connections_.remove(connection);
}

}  // namespace miniweb::server
