#include "server/forward_proxy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <map>
#include <memory>

#include "server/access_log.hpp"
#include "server/error_log.hpp"
#include "server/proxy_resolver.hpp"
#include "server/static_files.hpp"
#include "server/tunnel.hpp"
#include "server/upstream.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/request_reader.hpp"
#include "shared/url.hpp"

namespace miniweb::server {

using asio::ip::tcp;

namespace {

// Origins a client connection has talked to, kept for reuse while it stays open.
constexpr std::size_t kMaxOriginsPerConnection = 16;
constexpr std::size_t kCoalesceBytes = 256 * 1024;
// Each DNS question to the configured resolver (a recursive resolver answers within this).
constexpr std::chrono::milliseconds kLookupTimeout{2000};

bool response_has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

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
  std::string lowered(host);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return Authority{lowered, static_cast<std::uint16_t>(port)};
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

asio::awaitable<void> serve_forward_proxy(ProxyConnection& connection, const ServerConfig& config,
                                          const ForwardProxyConfig& proxy) {
  const LimitsConfig& limits = config.limits;
  tcp::socket& socket = connection.socket;
  const std::string client = connection.peer.address().to_string();
  const bool allowed = client_allowed(proxy, connection.peer.address());
  std::string buffer;
  std::array<char, 16384> chunk;
  std::map<std::string, std::unique_ptr<UpstreamGroup>, std::less<>> origins;

  auto log = [&](LogLevel level, const std::string& message, const http::Request* request) {
    if (!error_log().enabled(level)) return;
    std::string line = message + ", client: " + client + ", server: " + config.server_name;
    if (request)
      line += ", request: \"" + request->method + " " + request->target + " HTTP/1." +
              std::to_string(request->version_minor) + "\"";
    error_log().write(level, line, connection.number);
  };
  auto access = [&](const http::Request& request, int status, std::uint64_t bytes) {
    const AccessLogEntry entry{
        .client = client,
        .method = request.method,
        .target = request.target,
        .version_minor = request.version_minor,
        .status = status,
        .body_bytes = bytes,
        .referer = request.headers.get("Referer").value_or(""),
        .user_agent = request.headers.get("User-Agent").value_or(""),
    };
    write_access_log(combined_log_line(entry));
  };
  auto read_more = [&]() -> asio::awaitable<bool> {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) co_return false;
    buffer.append(chunk.data(), n);
    co_return true;
  };
  // As the server's own: Server, Date, Content-Length and Connection set here; HEAD and
  // bodiless statuses send no body. Parameters are references (GCC 12, see ARCHITECTURE.md).
  auto send = [&](const http::Response& full, const http::Request* request,
                  bool keep_alive) -> asio::awaitable<bool> {
    http::Response response{full.status, full.reason, full.version_minor, full.headers, {}};
    response.headers.set("Server", config.server_name);
    response.headers.set("Date", http::http_date(std::time(nullptr)));
    const bool head_length =
        request && request->method == "HEAD" && response.headers.contains("Content-Length");
    if (response_has_body(response.status) && !head_length)
      response.headers.set("Content-Length", std::to_string(full.body.size()));
    if (!keep_alive) {
      response.headers.set("Connection", "close");
    } else if (request && request->version_minor == 0) {
      response.headers.set("Connection", "keep-alive");
    }
    const bool head_only =
        (request && request->method == "HEAD") || !response_has_body(response.status);
    std::string head = response.serialize_head();
    std::string_view body = head_only ? std::string_view{} : std::string_view{full.body};
    if (body.size() <= kCoalesceBytes) {
      head += body;
      body = {};
    }
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head), asio::buffer(body)};
    connection.deadline.arm(limits.send_timeout);
    auto [ec, n] = co_await asio::async_write(socket, buffers, use_tuple);
    if (request) access(*request, response.status, head_only ? 0 : full.body.size());
    co_return !ec;
  };

  for (std::size_t served = 0; served < limits.max_requests_per_connection && !connection.stopping;
       ++served) {
    connection.idle = buffer.empty();
    connection.deadline.arm(served == 0 || !buffer.empty() ? limits.header_timeout
                                                           : limits.keepalive_timeout);
    auto became_busy = [&] {
      connection.idle = false;
      connection.deadline.arm(limits.header_timeout);
    };
    auto timed_out = [&] { return connection.deadline.expired(); };
    auto request =
        co_await http::read_request_head(buffer, limits.http, read_more, became_busy, timed_out);
    if (!request) {
      if (const int status = request.error().code) {
        log(LogLevel::Info, request.error().message, nullptr);
        const http::Response refused = refusal(status, request.error().message);
        co_await send(refused, nullptr, false);
      }
      co_return;
    }
    const bool connect = request->method == "CONNECT";
    // A CONNECT's bytes after the head belong to the tunnel, whatever its fields say.
    if (!connect) {
      // Permission to send a body only to a client that may use the proxy at all.
      auto send_continue = [&]() -> asio::awaitable<bool> {
        if (!allowed) co_return true;
        co_return co_await http::send_100_continue(socket);
      };
      if (auto body = co_await http::read_request_body(*request, buffer, limits.http, read_more,
                                                       send_continue);
          !body) {
        if (const int status = body.error().code) {
          log(LogLevel::Info, body.error().message, &*request);
          const http::Response refused = refusal(status, body.error().message);
          co_await send(refused, &*request, false);
        }
        co_return;
      }
    }
    bool keep_alive = request->version_minor >= 1
                          ? !request->headers.has_token("Connection", "close") &&
                                !request->headers.has_token("Proxy-Connection", "close")
                          : request->headers.has_token("Connection", "keep-alive") ||
                                request->headers.has_token("Proxy-Connection", "keep-alive");
    keep_alive =
        keep_alive && !connection.stopping && served + 1 < limits.max_requests_per_connection;

    // squid's http_access: a client outside the allowed ranges is refused whatever it asks.
    if (!allowed) {
      log(LogLevel::Error, "access forbidden by rule", &*request);
      const http::Response refused =
          error_response(403, "this proxy serves only the clients it is configured to allow");
      if (!co_await send(refused, &*request, keep_alive && !connect) || !keep_alive || connect)
        co_return;
      continue;
    }

    if (connect) {
      auto authority = parse_authority(request->target);
      if (!authority) {
        log(LogLevel::Info, "client sent a CONNECT target that is not host:port", &*request);
        const http::Response bad =
            error_response(400, "CONNECT needs a target of the form host:port");
        co_await send(bad, &*request, false);
        co_return;
      }
      if (std::find(proxy.connect_ports.begin(), proxy.connect_ports.end(), authority->port) ==
          proxy.connect_ports.end()) {
        log(LogLevel::Info,
            "CONNECT to port " + std::to_string(authority->port) + " is not allowed", &*request);
        const http::Response refused =
            error_response(403, "CONNECT to port " + std::to_string(authority->port) +
                                    " is not allowed; this proxy tunnels to port " +
                                    port_list(proxy.connect_ports) + " only");
        co_await send(refused, &*request, false);
        co_return;
      }
      auto addresses = co_await lookup_host(authority->host, proxy.resolver, kLookupTimeout);
      if (!addresses) {
        log(LogLevel::Error,
            authority->host + " could not be resolved: " + addresses.error().message, &*request);
        const http::Response failed = error_response(
            502, "cannot resolve " + authority->host + ": " + addresses.error().message);
        co_await send(failed, &*request, false);
        co_return;
      }
      Connected origin =
          co_await connect_origin(*addresses, authority->port, proxy.connect_timeout);
      if (!origin.socket) {
        log(LogLevel::Error, origin.failure + " while connecting to " + request->target, &*request);
        const http::Response failed = error_response(origin.status, origin.failure);
        co_await send(failed, &*request, false);
        co_return;
      }
      // RFC 9110 section 9.3.6: a 2xx answer to CONNECT has no Content-Length or body.
      static constexpr std::string_view kEstablished =
          "HTTP/1.1 200 Connection established\r\n\r\n";
      connection.deadline.arm(limits.send_timeout);
      auto [ec, n] = co_await asio::async_write(socket, asio::buffer(kEstablished), use_tuple);
      if (ec) {
        std::error_code ignored;
        origin.socket->close(ignored);
        co_return;
      }
      // Tunnelled bytes are opaque, with no request boundary to wait for: on stop the server
      // closes a tunnel as it closes an idle keep-alive connection.
      connection.idle = true;
      auto origin_deadline = SocketDeadline::start(*origin.socket);
      const TunnelBytes bytes =
          co_await relay_tunnel(socket, connection.deadline, *origin.socket, *origin_deadline,
                                buffer, proxy.tunnel_idle_timeout, connection.stopping);
      origin_deadline->stop();
      std::error_code ignored;
      origin.socket->close(ignored);
      log(LogLevel::Debug,
          "tunnel to " + request->target + " closed, " + std::to_string(bytes.to_origin) +
              " bytes sent, " + std::to_string(bytes.to_client) + " received",
          &*request);
      access(*request, 200, bytes.to_client);
      co_return;
    }

    // Absolute-form (RFC 9112 section 3.2.2): the proxy forwards to the URL's origin, with
    // the Host taken from the URL.
    auto url = Url::parse(request->target);
    if (!request->target.starts_with("http://") && !request->target.starts_with("HTTP://")) {
      const bool https = url && url->scheme == "https";
      log(LogLevel::Info,
          https ? "client sent an https:// URL; those go through CONNECT"
                : "client sent a request that is not for a proxy (no absolute http:// URL)",
          &*request);
      const http::Response bad = error_response(
          400, https ? "this proxy opens https:// URLs only through CONNECT"
                     : "this is a forward proxy: send absolute http:// URLs, or CONNECT");
      co_await send(bad, &*request, false);
      co_return;
    }
    if (!url) {
      log(LogLevel::Info, "client sent a bad URL: " + url.error().message, &*request);
      const http::Response bad = error_response(400, url.error().message);
      co_await send(bad, &*request, false);
      co_return;
    }
    // A request that has already passed through this proxy would loop forever (squid's
    // "forwarding loop detected").
    const std::string via_token = " " + config.server_name + "-forward-proxy";
    bool loop = false;
    for (std::string_view via : request->headers.get_all("Via"))
      if (via.find(via_token) != std::string_view::npos) loop = true;
    if (loop) {
      log(LogLevel::Error, "forwarding loop detected", &*request);
      const http::Response refused = error_response(508, "forwarding loop detected");
      co_await send(refused, &*request, false);
      co_return;
    }
    const std::string origin_key = url->host + ":" + std::to_string(url->effective_port());
    auto group = origins.find(origin_key);
    if (group == origins.end()) {
      auto addresses = co_await lookup_host(url->host, proxy.resolver, kLookupTimeout);
      if (!addresses) {
        log(LogLevel::Error, url->host + " could not be resolved: " + addresses.error().message,
            &*request);
        const http::Response failed =
            error_response(502, "cannot resolve " + url->host + ": " + addresses.error().message);
        if (!co_await send(failed, &*request, keep_alive) || !keep_alive) co_return;
        continue;
      }
      UpstreamConfig upstream;
      upstream.name = origin_key;
      for (const asio::ip::address& address : *addresses)
        upstream.servers.push_back(
            UpstreamServerConfig{address.to_string(), url->effective_port(), 1});
      upstream.connect_timeout = proxy.connect_timeout;
      upstream.read_timeout = proxy.read_timeout;
      upstream.keepalive = 2;
      if (origins.size() >= kMaxOriginsPerConnection) origins.clear();
      group = origins
                  .emplace(origin_key, std::make_unique<UpstreamGroup>(
                                           co_await asio::this_coro::executor, upstream))
                  .first;
    }
    http::Request outgoing{request->method, url->request_target(), request->version_minor,
                           request->headers, std::move(request->body)};
    outgoing.headers.set("Host", url->host_for_header());
    const ForwardContext forward{.client_address = client,
                                 .tls = false,
                                 .via_name = config.server_name + "-forward-proxy",
                                 .site = nullptr};
    http::Response response = co_await group->second->forward(outgoing, forward);
    if (!co_await send(response, &*request, keep_alive) || !keep_alive) co_return;
  }
}

}  // namespace miniweb::server
