#include "server/forward_proxy.hpp"

#include <algorithm>
#include <charconv>

#include "server/access_log.hpp"
#include "server/proxy_resolver.hpp"
#include "server/static_files.hpp"
#include "server/tunnel.hpp"
#include "server/web_handler.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/server_connection.hpp"
#include "shared/text.hpp"
#include "shared/url.hpp"

namespace miniweb::server {

using asio::ip::tcp;

namespace {

// Origins a client connection has talked to, kept for reuse while it stays open.
constexpr std::size_t kMaxOriginsPerConnection = 16;
// Each DNS question to the configured resolver (a recursive resolver answers within this).
constexpr std::chrono::milliseconds kLookupTimeout{2000};

// "host:port" or "[v6]:port" of a CONNECT request (RFC 9110 section 9.3.6: authority-form,
// the port is required).
struct Authority {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

std::optional<Authority> parse_authority(std::string_view target) {
  const auto colon = target.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = target.substr(0, colon);
  const std::string_view port_text = target.substr(colon + 1);
  if (host.starts_with("[")) {
    if (!host.ends_with("]")) return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // an IPv6 literal needs brackets
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535 || host.empty())
    return std::nullopt;
  return Authority{to_lower(host), static_cast<std::uint16_t>(port)};
}

std::string port_list(const std::vector<std::uint16_t>& ports) {
  std::string text;
  for (std::uint16_t port : ports) text += (text.empty() ? "" : ", ") + std::to_string(port);
  return text.empty() ? "none" : text;
}

// How a connection to the origin ended, for the status a client gets (nginx: 502 when refused
// or unreachable, 504 when it timed out).
struct Connected {
  std::unique_ptr<tcp::socket> socket;
  int status = 0;  // 0 when connected
  std::string failure;
};

asio::awaitable<Connected> connect_origin(const std::vector<asio::ip::address>& addresses,
                                          std::uint16_t port, const std::chrono::seconds& timeout) {
  Connected result;
  result.status = 502;
  for (const asio::ip::address& address : addresses) {
    auto socket = std::make_unique<tcp::socket>(co_await asio::this_coro::executor);
    auto deadline = SocketDeadline::start(*socket);
    deadline->arm(timeout);
    const tcp::endpoint endpoint(address, port);
    const std::string where =
        (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
        std::to_string(port);
    auto [ec] = co_await socket->async_connect(endpoint, use_tuple);
    const bool expired = deadline->expired();
    deadline->stop();
    if (!ec) {
      std::error_code ignored;
      socket->set_option(tcp::no_delay(true), ignored);
      result.socket = std::move(socket);
      result.status = 0;
      co_return result;
    }
    // A timeout anywhere makes the answer 504 unless a later address refuses outright.
    result.status = expired ? 504 : 502;
    result.failure = expired ? "connecting to " + where + " timed out"
                             : "cannot connect to " + where + " (" + ec.message() + ")";
  }
  co_return result;
}

}  // namespace

bool client_allowed(const ForwardProxyConfig& proxy, const asio::ip::address& client) {
  return std::any_of(proxy.allow.begin(), proxy.allow.end(),
                     [&](const Cidr& range) { return range.contains(client); });
}

ForwardProxyHandler::ForwardProxyHandler(const ServerConfig& config,
                                         const ForwardProxyConfig& proxy,
                                         const http::ServerConnection& connection)
    : config_(config),
      proxy_(proxy),
      allowed_(client_allowed(proxy, connection.peer().address())),
      fields_{{"Server", config.server_name}} {}

ForwardProxyHandler::~ForwardProxyHandler() = default;

void ForwardProxyHandler::log(LogLevel level, const std::string& message,
                              const http::Request* request,
                              const http::ServerConnection& connection) const {
  if (!error_log().enabled(level)) return;
  std::string line =
      message + ", client: " + connection.peer_address() + ", server: " + config_.server_name;
  if (request)
    line += ", request: \"" + request->method + " " + request->target + " HTTP/1." +
            std::to_string(request->version_minor) + "\"";
  error_log().write(level, line, connection.number());
}

http::Response ForwardProxyHandler::refuse(int status, std::string_view why,
                                           const http::Request* request,
                                           const http::ServerConnection& connection) {
  log(LogLevel::Info, std::string(why), request, connection);
  return refusal(status, why);
}

void ForwardProxyHandler::responded(const http::Request& request, int status,
                                    std::uint64_t body_bytes,
                                    const http::ServerConnection& connection) {
  log_response(request, status, body_bytes, connection);
}

// Permission to send a body only to a client that may use the proxy at all.
bool ForwardProxyHandler::may_continue(const http::Request&, const http::ServerConnection&) {
  return allowed_;
}

bool ForwardProxyHandler::wants_keep_alive(const http::Request& request) const {
  // Proxy-Connection: the field old clients send to proxies instead of Connection.
  return request.version_minor >= 1
             ? http::ConnectionHandler::wants_keep_alive(request) &&
                   !request.headers.has_token("Proxy-Connection", "close")
             : http::ConnectionHandler::wants_keep_alive(request) ||
                   request.headers.has_token("Proxy-Connection", "keep-alive");
}

asio::awaitable<http::Reply> ForwardProxyHandler::respond(http::Request& request,
                                                          http::Exchange& exchange) {
  // squid's http_access: a client outside the allowed ranges is refused whatever it asks.
  if (!allowed_) {
    log(LogLevel::Error, "access forbidden by rule", &request, exchange.connection());
    co_return http::Reply::answer(
        error_response(403, "this proxy serves only the clients it is configured to allow"));
  }
  if (request.method == "CONNECT") co_return co_await tunnel(request, exchange);
  co_return co_await forward(request, exchange);
}

// A refusal after which the connection closes: the client's next bytes cannot be trusted.
http::Reply ForwardProxyHandler::closing(int status, const std::string& why) {
  return http::Reply::answer(error_response(status, why), http::Reply::Then::Close);
}

asio::awaitable<http::Reply> ForwardProxyHandler::tunnel(http::Request& request,
                                                         http::Exchange& exchange) {
  http::ServerConnection& connection = exchange.connection();
  auto authority = parse_authority(request.target);
  if (!authority) {
    log(LogLevel::Info, "client sent a CONNECT target that is not host:port", &request, connection);
    co_return closing(400, "CONNECT needs a target of the form host:port");
  }
  if (std::find(proxy_.connect_ports.begin(), proxy_.connect_ports.end(), authority->port) ==
      proxy_.connect_ports.end()) {
    const std::string port = std::to_string(authority->port);
    log(LogLevel::Info, "CONNECT to port " + port + " is not allowed", &request, connection);
    co_return closing(403, "CONNECT to port " + port +
                               " is not allowed; this proxy tunnels to port " +
                               port_list(proxy_.connect_ports) + " only");
  }
  auto addresses = co_await lookup_host(authority->host, proxy_.resolver, kLookupTimeout);
  if (!addresses) {
    log(LogLevel::Error, authority->host + " could not be resolved: " + addresses.error().message,
        &request, connection);
    co_return closing(502, "cannot resolve " + authority->host + ": " + addresses.error().message);
  }
  Connected origin = co_await connect_origin(*addresses, authority->port, proxy_.connect_timeout);
  if (!origin.socket) {
    log(LogLevel::Error, origin.failure + " while connecting to " + request.target, &request,
        connection);
    co_return closing(origin.status, origin.failure);
  }
  // RFC 9110 section 9.3.6: a 2xx answer to CONNECT has no Content-Length or body.
  static constexpr std::string_view kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";
  tcp::socket& client = connection.socket();
  connection.arm(config_.limits.send_timeout);
  auto [ec, n] = co_await asio::async_write(client, asio::buffer(kEstablished), use_tuple);
  std::error_code ignored;
  if (ec) {
    origin.socket->close(ignored);
    co_return http::Reply::ending(http::Reply::Then::TakenOver);
  }
  // Tunnelled bytes are opaque, with no request boundary to wait for: on stop the server
  // closes a tunnel as it closes an idle keep-alive connection.
  connection.idle = true;
  auto origin_deadline = SocketDeadline::start(*origin.socket);
  const TunnelBytes bytes = co_await relay_tunnel(
      client, connection.deadline(), *origin.socket, *origin_deadline, exchange.unread(),
      proxy_.tunnel_idle_timeout, connection.stopping_flag());
  origin_deadline->stop();
  origin.socket->close(ignored);
  log(LogLevel::Debug,
      "tunnel to " + request.target + " closed, " + std::to_string(bytes.to_origin) +
          " bytes sent, " + std::to_string(bytes.to_client) + " received",
      &request, connection);
  log_response(request, 200, bytes.to_client, connection);
  co_return http::Reply::ending(http::Reply::Then::TakenOver);
}

// Absolute-form (RFC 9112 section 3.2.2): the proxy forwards to the URL's origin, with the Host
// taken from the URL.
asio::awaitable<http::Reply> ForwardProxyHandler::forward(http::Request& request,
                                                          http::Exchange& exchange) {
  const http::ServerConnection& connection = exchange.connection();
  auto url = Url::parse(request.target);
  if (!request.target.starts_with("http://") && !request.target.starts_with("HTTP://")) {
    const bool https = url && url->scheme == "https";
    log(LogLevel::Info,
        https ? "client sent an https:// URL; those go through CONNECT"
              : "client sent a request that is not for a proxy (no absolute http:// URL)",
        &request, connection);
    co_return closing(400, https ? "this proxy opens https:// URLs only through CONNECT"
                                 : "this is a forward proxy: send absolute http:// URLs, or "
                                   "CONNECT");
  }
  if (!url) {
    log(LogLevel::Info, "client sent a bad URL: " + url.error().message, &request, connection);
    co_return closing(400, url.error().message);
  }
  // A request that has already passed through this proxy would loop forever (squid's
  // "forwarding loop detected").
  const std::string via_token = " " + config_.server_name + "-forward-proxy";
  for (std::string_view via : request.headers.get_all("Via")) {
    if (via.find(via_token) != std::string_view::npos) {
      log(LogLevel::Error, "forwarding loop detected", &request, connection);
      co_return closing(508, "forwarding loop detected");
    }
  }
  const std::string origin_key = url->host + ":" + std::to_string(url->effective_port());
  auto group = origins_.find(origin_key);
  if (group == origins_.end()) {
    auto addresses = co_await lookup_host(url->host, proxy_.resolver, kLookupTimeout);
    if (!addresses) {
      log(LogLevel::Error, url->host + " could not be resolved: " + addresses.error().message,
          &request, connection);
      co_return http::Reply::answer(
          error_response(502, "cannot resolve " + url->host + ": " + addresses.error().message));
    }
    UpstreamConfig upstream;
    upstream.name = origin_key;
    for (const asio::ip::address& address : *addresses)
      upstream.servers.push_back(
          UpstreamServerConfig{address.to_string(), url->effective_port(), 1});
    upstream.connect_timeout = proxy_.connect_timeout;
    upstream.read_timeout = proxy_.read_timeout;
    upstream.keepalive = 2;
    if (origins_.size() >= kMaxOriginsPerConnection) origins_.clear();
    group = origins_
                .emplace(origin_key, std::make_unique<UpstreamGroup>(
                                         co_await asio::this_coro::executor, upstream))
                .first;
  }
  http::Request outgoing{request.method, url->request_target(), request.version_minor,
                         request.headers, std::move(request.body)};
  outgoing.headers.set("Host", url->host_for_header());
  const ForwardContext forward{.client_address = connection.peer_address(),
                               .tls = false,
                               .via_name = config_.server_name + "-forward-proxy",
                               .site = nullptr};
  co_return http::Reply::answer(co_await group->second->forward(outgoing, forward));
}

}  // namespace miniweb::server
