#include "server/server.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <iostream>

#include "server/access_log.hpp"
#include "server/error_log.hpp"
#include "server/forward_proxy.hpp"
#include "server/static_files.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/parser.hpp"

namespace miniweb::server {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// What the server knows of one live connection. Its deadline's watchdog cancels the socket's
// operations when time runs out; the connection then answers 408 or closes.
struct ConnectionState {
  void arm(Clock::duration timeout) { deadline->arm(timeout); }

  std::shared_ptr<SocketDeadline> deadline;
  tcp::socket* socket = nullptr;  // owned by the connection's coroutine
  tcp::endpoint peer;
  bool idle = true;  // between requests: may be closed at once on stop
};

namespace {

void access_log(const ConnectionState& state, const http::Request& request,
                const http::Response& response, std::size_t body_bytes) {
  std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char when[64];
  std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S %z", &local);
  // One line, one write: stderr is unbuffered, and piecewise output costs a system call each.
  std::string line = state.peer.address().to_string() + " - - [" + when + "] \"" + request.method +
                     ' ' + request.target + " HTTP/1." + std::to_string(request.version_minor) +
                     "\" " + std::to_string(response.status) + ' ' + std::to_string(body_bytes) +
                     " \"" + std::string(request.headers.get("Referer").value_or("-")) + "\" \"" +
                     std::string(request.headers.get("User-Agent").value_or("-")) + "\"\n";
  write_access_log(line);
}

// A client's protocol error, at info as nginx logs them ("client sent invalid ...").
void log_client_error(const ConnectionState& state, std::string_view what) {
  if (error_log().enabled(LogLevel::Info))
    error_log().write(LogLevel::Info,
                      std::string(what) + ", client: " + state.peer.address().to_string());
}

constexpr std::size_t kCoalesceBytes = 256 * 1024;

bool response_has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace

Generation::Generation(asio::io_context& io, ServerConfig config_in,
                       std::shared_ptr<SiteTlsContexts> tls_in)
    : config(std::move(config_in)),
      tls(std::move(tls_in)),
      handler(config),
      upstreams(make_upstream_groups(io.get_executor(), config.upstreams)) {}

Server::Server(asio::io_context& io, ServerConfig config, std::unique_ptr<SiteTlsContexts> tls)
    : io_(io), listeners_(config.listeners) {
  current_ = std::make_shared<Generation>(io, std::move(config), std::move(tls));
}

Status Server::reload(const std::filesystem::path& file) {
  auto config = load_config(file);
  if (!config)
    return make_error("reload refused, the running configuration stays: " + config.error().message);
  auto tls = SiteTlsContexts::create(config->sites);
  if (!tls)
    return make_error("reload refused, the running configuration stays: " + tls.error().message);
  replace(std::move(*config), std::move(*tls));
  return Ok{};
}

void Server::replace(ServerConfig config, std::unique_ptr<SiteTlsContexts> tls) {
  auto same = [](const ListenerConfig& a, const ListenerConfig& b) {
    return a.address == b.address && a.port == b.port && a.kind == b.kind;
  };
  if (!std::equal(listeners_.begin(), listeners_.end(), config.listeners.begin(),
                  config.listeners.end(), same))
    log_event(LogLevel::Warn, "reload: listeners changed; they take effect at the next restart");
  current_ = std::make_shared<Generation>(io_, std::move(config), std::move(tls));
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
  for (auto& [acceptor, kind] : acceptors_)
    asio::co_spawn(io_, accept_loop(acceptor, kind), asio::detached);
}

void Server::stop() {
  stopping_ = true;
  for (auto& [acceptor, kind] : acceptors_) {
    std::error_code ignored;
    acceptor.close(ignored);
  }
  for (const auto& state : connections_) {
    std::error_code ignored;
    if (state->idle && state->socket) state->socket->cancel(ignored);
  }
  for (auto& [name, group] : current_->upstreams) group->close_idle();
}

asio::awaitable<void> Server::accept_loop(tcp::acceptor& acceptor, ListenerKind kind) {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      continue;  // e.g. EMFILE: the next accept may succeed
    }
    if (connections_.size() >= current_->config.limits.max_connections)
      continue;  // dropped, as nginx
    // Responses go out as whole messages; Nagle's algorithm would hold the tail of one back
    // until the client's delayed ACK (40 ms on Linux).
    std::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    auto state = std::make_shared<ConnectionState>();
    std::error_code peer_ec;
    state->peer = socket.remote_endpoint(peer_ec);
    connections_.insert(state);
    if (kind == ListenerKind::Https) {
      asio::co_spawn(io_, run_https(std::move(socket), state), asio::detached);
    } else if (kind == ListenerKind::ForwardProxy) {
      asio::co_spawn(io_, run_forward_proxy(std::move(socket), state, listener_index(acceptor)),
                     asio::detached);
    } else {
      asio::co_spawn(io_, run_http(std::move(socket), state), asio::detached);
    }
  }
}

namespace {

// nginx's lingering close: the last response is written; send FIN, then read and drop what the
// client still sends (for a while, up to a limit) before closing. Closing a socket with unread
// data makes the kernel answer with RST, which can destroy the response before the client has
// read it (a 413 sent while the client is still uploading, say).
asio::awaitable<void> lingering_close(tcp::socket& socket, ConnectionState& state) {
  std::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  state.arm(std::chrono::seconds(2));
  std::array<char, 4096> sink;
  for (std::size_t drained = 0; drained < (1u << 20);) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) break;
    drained += n;
  }
  socket.close(ignored);
}

}  // namespace

asio::awaitable<void> Server::run_https(tcp::socket socket,
                                        std::shared_ptr<ConnectionState> state) {
  // The handshake's contexts belong to the configuration of the moment; keep them alive.
  const std::shared_ptr<Generation> generation = current_;
  asio::ssl::stream<tcp::socket> stream(std::move(socket), generation->tls->default_context());
  state->socket = &stream.next_layer();
  state->deadline = SocketDeadline::start(stream.next_layer());
  state->arm(generation->config.limits.header_timeout);

  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
  if (ec) log_client_error(*state, "TLS handshake failed (" + ec.message() + ")");
  if (!ec) {
    RequestContext context{.tls = true, .sni = ""};
    if (const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
      context.sni = name;
      for (char& c : context.sni)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    co_await serve_requests(stream, state, context);
    // Send close_notify, without waiting long for the peer's.
    state->arm(std::chrono::seconds(1));
    co_await stream.async_shutdown(use_tuple);
  }
  co_await lingering_close(stream.next_layer(), *state);
  state->deadline->stop();
  state->socket = nullptr;
  connections_.erase(state);
}

asio::awaitable<void> Server::run_http(tcp::socket socket, std::shared_ptr<ConnectionState> state) {
  state->socket = &socket;
  state->deadline = SocketDeadline::start(socket);
  state->arm(current_->config.limits.header_timeout);
  const RequestContext context{.tls = false, .sni = ""};
  co_await serve_requests(socket, state, context);
  co_await lingering_close(socket, *state);
  state->deadline->stop();
  state->socket = nullptr;
  connections_.erase(state);
}

std::size_t Server::listener_index(const tcp::acceptor& acceptor) const {
  for (std::size_t i = 0; i < acceptors_.size(); ++i)
    if (&acceptors_[i].first == &acceptor) return i;
  return 0;
}

asio::awaitable<void> Server::run_forward_proxy(tcp::socket socket,
                                                std::shared_ptr<ConnectionState> state,
                                                std::size_t listener) {
  const std::shared_ptr<Generation> generation = current_;
  state->socket = &socket;
  state->deadline = SocketDeadline::start(socket);
  // A reload may change the proxy's rules (allow, ports, resolver) of a listener it keeps.
  const auto& reloaded = generation->config.listeners;
  const ListenerConfig& settings =
      reloaded.size() == listeners_.size() && reloaded[listener].kind == ListenerKind::ForwardProxy
          ? reloaded[listener]
          : listeners_[listener];
  ProxyConnection connection{socket,      *state->deadline, state->peer,
                             state->idle, stopping_,        next_connection_number()};
  co_await serve_forward_proxy(connection, generation->config, settings.forward);
  co_await lingering_close(socket, *state);
  state->deadline->stop();
  state->socket = nullptr;
  connections_.erase(state);
}

// One connection's life: read a request, answer it, and again while keep-alive holds
// (RFC 9112 section 9.3). Bytes past one request stay in `buffer`: that is pipelining.
template <class Stream>
asio::awaitable<void> Server::serve_requests(Stream& stream, std::shared_ptr<ConnectionState> state,
                                             const RequestContext& context) {
  // Limits stay those of the connection's start; each request uses the newest configuration.
  const std::shared_ptr<Generation> connection_generation = current_;
  const LimitsConfig& limits = connection_generation->config.limits;
  std::shared_ptr<Generation> generation = connection_generation;
  std::string buffer;
  std::array<char, 16384> chunk;

  auto read_more = [&]() -> asio::awaitable<bool> {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) co_return false;
    buffer.append(chunk.data(), n);
    co_return true;
  };
  // Parameters are references: GCC 12 miscompiles prvalue class arguments of coroutines, and
  // every call is awaited at once, so the referenced objects outlive the coroutine.
  auto send = [&](const http::Response& full, const http::Request* request,
                  bool keep_alive) -> asio::awaitable<bool> {
    http::Response response{full.status, full.reason, full.version_minor, full.headers, {}};
    const ServerConfig& config = generation->config;
    response.headers.set("Server", config.server_name);
    response.headers.set("Date", http::http_date(std::time(nullptr)));
    if (context.tls && config.hsts_max_age.count() > 0)
      response.headers.set("Strict-Transport-Security",
                           "max-age=" + std::to_string(config.hsts_max_age.count()));
    // A proxied answer to HEAD keeps the upstream's Content-Length (RFC 9110 section 8.6).
    const bool head_length =
        request && request->method == "HEAD" && response.headers.contains("Content-Length");
    if (response_has_body(response.status) && !head_length)
      response.headers.set("Content-Length", std::to_string(full.body.size()));
    if (!keep_alive) {
      response.headers.set("Connection", "close");
    } else if (request && request->version_minor == 0) {
      response.headers.set("Connection", "keep-alive");
    }
    // Only HEAD and bodiless statuses omit the body; an error answered before any request
    // could be parsed (400, 414, 431) sends the page its Content-Length announces.
    const bool head_only =
        (request && request->method == "HEAD") || !response_has_body(response.status);
    std::string head = response.serialize_head();
    // Asio's TLS stream encrypts one buffer at a time: a small body joins the head so that
    // both leave in one record and one system call.
    std::string_view body = head_only ? std::string_view{} : std::string_view{full.body};
    if (body.size() <= kCoalesceBytes) {
      head += body;
      body = {};
    }
    std::array<asio::const_buffer, 2> buffers = {asio::buffer(head), asio::buffer(body)};
    state->arm(limits.send_timeout);
    auto [ec, n] = co_await asio::async_write(stream, buffers, use_tuple);
    if (request) access_log(*state, *request, response, head_only ? 0 : full.body.size());
    co_return !ec;
  };

  for (std::size_t served = 0; served < limits.max_requests_per_connection && !stopping_;
       ++served) {
    // Idle keep-alive until the first byte of the next request, then the header timeout.
    state->idle = buffer.empty();
    state->arm(served == 0 || !buffer.empty() ? limits.header_timeout : limits.keepalive_timeout);
    std::size_t head_end;
    while ((head_end = http::find_head_end(buffer)) == std::string::npos) {
      if (buffer.size() > limits.http.max_header_bytes) {
        bool line_too_long = buffer.find('\n') == std::string::npos ||
                             buffer.find('\n') > limits.http.max_request_line;
        log_client_error(*state, line_too_long ? "client sent too long a URI"
                                               : "client sent too large a request head");
        co_await send(line_too_long ? error_response(414) : error_response(431), nullptr, false);
        co_return;
      }
      const bool was_idle = buffer.empty();
      if (!co_await read_more()) {
        // A client that started a request and stalled gets 408 (slowloris); an idle one is closed.
        if (state->deadline->expired() && !was_idle) {
          log_client_error(*state, "client timed out sending the request head");
          co_await send(error_response(408), nullptr, false);
        }
        co_return;
      }
      if (was_idle) {
        state->idle = false;
        state->arm(limits.header_timeout);
      }
    }

    auto request =
        http::parse_request_head(std::string_view(buffer).substr(0, head_end), limits.http);
    if (!request) {
      log_client_error(*state, "client sent an invalid request: " + request.error().message);
      co_await send(error_response(request.error().code, request.error().message), nullptr, false);
      co_return;
    }
    buffer.erase(0, head_end);
    auto body_length = http::request_body_length(*request);
    if (!body_length) {
      log_client_error(*state, "client sent an invalid body: " + body_length.error().message);
      co_await send(error_response(body_length.error().code, body_length.error().message),
                    &*request, false);
      co_return;
    }
    // RFC 9110 section 10.1.1: answer 100-continue only when a body is still to come.
    if (body_length->framing != http::BodyFraming::None && buffer.empty() &&
        request->headers.has_token("Expect", "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kContinue), use_tuple);
      if (ec) co_return;
    }
    if (body_length->framing == http::BodyFraming::ContentLength) {
      if (body_length->content_length > limits.http.max_body_bytes) {
        log_client_error(*state, "client intended to send too large a body");
        co_await send(error_response(413), &*request, false);
        co_return;
      }
      while (buffer.size() < body_length->content_length) {
        if (!co_await read_more()) co_return;
      }
      request->body = buffer.substr(0, body_length->content_length);
      buffer.erase(0, body_length->content_length);
    } else if (body_length->framing == http::BodyFraming::Chunked) {
      http::ChunkedDecoder decoder;
      while (true) {
        auto progress = decoder.feed(buffer, request->body, limits.http.max_body_bytes);
        if (!progress) {
          co_await send(error_response(progress.error().code, progress.error().message), &*request,
                        false);
          co_return;
        }
        if (*progress == http::ChunkedDecoder::Progress::Done) break;
        if (!co_await read_more()) co_return;
      }
    }

    generation = current_;
    Decision decision = generation->handler.decide(*request, context);
    http::Response response;
    if (decision.proxy) {
      UpstreamGroup& group = *generation->upstreams.at(decision.proxy->upstream);
      const ForwardContext forward{.client_address = state->peer.address().to_string(),
                                   .tls = context.tls,
                                   .via_name = generation->config.server_name,
                                   .site = decision.site};
      response = co_await group.forward(*request, forward);
    } else {
      response = std::move(decision.response);
    }
    bool keep_alive = request->version_minor >= 1
                          ? !request->headers.has_token("Connection", "close")
                          : request->headers.has_token("Connection", "keep-alive");
    keep_alive = keep_alive && !stopping_ && served + 1 < limits.max_requests_per_connection;
    if (!co_await send(response, &*request, keep_alive) || !keep_alive) co_return;
  }
}

}  // namespace miniweb::server
