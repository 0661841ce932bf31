#include "server/server.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <ctime>
#include <iostream>
#include <type_traits>

#include "server/access_log.hpp"
#include "server/error_log.hpp"
#include "server/forward_proxy.hpp"
#include "server/static_files.hpp"
#include "server/tls_stream.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/request_reader.hpp"

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
  std::string peer_text;  // the peer's address, as the access log writes it
  bool idle = true;       // between requests: may be closed at once on stop
  // The client may still be sending (a refusal before its request was read, or requests
  // pipelined past the last answer): close with lingering_close, not at once.
  bool linger = false;
};

namespace {

// Text that changes once a second, formatted once a second rather than per request.
class SecondClock {
 public:
  // RFC 9110 section 5.6.7 IMF-fixdate, for the Date header.
  const std::string& http_date() {
    refresh();
    return http_date_;
  }
  // The access log's local time, as nginx's $time_local.
  const std::string& log_time() {
    refresh();
    return log_time_;
  }

 private:
  void refresh() {
    const std::time_t now = std::time(nullptr);
    if (now == second_) return;
    second_ = now;
    http_date_ = http::http_date(now);
    std::tm local{};
    localtime_r(&now, &local);
    char when[64];
    std::strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S %z", &local);
    log_time_ = when;
  }
  std::time_t second_ = -1;
  std::string http_date_;
  std::string log_time_;
};

// One per thread: the server's connections all run on the thread that runs its io_context.
thread_local SecondClock second_clock;

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(std::begin(digits), std::end(digits), value);
  out.append(digits, end);
}

void access_log(const ConnectionState& state, const http::Request& request, int status,
                std::size_t body_bytes) {
  // One line, one write: stderr is unbuffered, and piecewise output costs a system call each.
  thread_local std::string line;
  line.clear();
  line += state.peer_text;
  line += " - - [";
  line += second_clock.log_time();
  line += "] \"";
  line += request.method;
  line += ' ';
  line += request.target;
  line += " HTTP/1.";
  append_number(line, static_cast<std::uint64_t>(request.version_minor));
  line += "\" ";
  append_number(line, static_cast<std::uint64_t>(status));
  line += ' ';
  append_number(line, body_bytes);
  line += " \"";
  line += request.headers.get("Referer").value_or("-");
  line += "\" \"";
  line += request.headers.get("User-Agent").value_or("-");
  line += "\"\n";
  write_access_log(line);
}

// A client's protocol error, at info as nginx logs them ("client sent invalid ...").
void log_client_error(const ConnectionState& state, std::string_view what) {
  if (error_log().enabled(LogLevel::Info))
    error_log().write(LogLevel::Info, std::string(what) + ", client: " + state.peer_text);
}

void append_field(std::string& head, std::string_view name, std::string_view value) {
  head += name;
  head += ": ";
  head += value;
  head += "\r\n";
}

// A body up to one TLS record's plaintext joins the head in one buffer, so that both leave in
// one record; a larger one is written from where it is, without a copy.
constexpr std::size_t kCoalesceBytes = 16 * 1024;

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

namespace {

// The same socket: a reload may change a listener's other settings, not these.
bool same_listener(const ListenerConfig& a, const ListenerConfig& b) {
  return a.address == b.address && a.port == b.port && a.kind == b.kind;
}

}  // namespace

void Server::replace(ServerConfig config, std::unique_ptr<SiteTlsContexts> tls) {
  if (!std::equal(listeners_.begin(), listeners_.end(), config.listeners.begin(),
                  config.listeners.end(), same_listener))
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
  for (std::size_t listener = 0; listener < acceptors_.size(); ++listener)
    asio::co_spawn(io_, accept_loop(listener), asio::detached);
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

asio::awaitable<void> Server::accept_loop(std::size_t listener) {
  auto& [acceptor, kind] = acceptors_[listener];
  while (!stopping_) {
    tcp::socket socket(io_);
    auto state = std::make_shared<ConnectionState>();
    // The peer's address comes with the accept (no getpeername per connection).
    auto [ec] = co_await acceptor.async_accept(socket, state->peer, use_tuple);
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
    state->peer_text = state->peer.address().to_string();
    connections_.insert(state);
    if (kind == ListenerKind::Https) {
      asio::co_spawn(io_, run_https(std::move(socket), state), asio::detached);
    } else if (kind == ListenerKind::ForwardProxy) {
      asio::co_spawn(io_, run_forward_proxy(std::move(socket), state, listener), asio::detached);
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
  TlsStream stream(std::move(socket), generation->tls->default_context().native_handle());
  state->socket = &stream.next_layer();
  state->deadline = SocketDeadline::start(stream.next_layer());
  state->arm(generation->config.limits.header_timeout);

  auto [ec] = co_await stream.async_handshake(use_tuple);
  if (ec && SSL_get_certificate(stream.native_handle()) == nullptr) {
    // Not the client's fault, so not at info: a site with no certificate yet (ACME still
    // obtaining it) refuses every handshake, and whoever runs the server should see why.
    const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    log_event(LogLevel::Notice,
              "TLS handshake refused: no certificate for \"" + std::string(name ? name : "") +
                  "\" yet (a site with acme gets one once the CA has issued it), client: " +
                  state->peer_text);
  } else if (ec) {
    log_client_error(*state, "TLS handshake failed (" + ec.message() + ")");
  }
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
  if (state->linger) {
    co_await lingering_close(stream.next_layer(), *state);
  } else {
    std::error_code ignored;
    stream.next_layer().close(ignored);
  }
  state->deadline->stop();
  state->socket = nullptr;
  connections_.erase(state);
}

asio::awaitable<void> Server::run_http(tcp::socket socket, std::shared_ptr<ConnectionState> state) {
  state->socket = &socket;
  state->deadline = SocketDeadline::start(socket);
  state->arm(current_->config.limits.header_timeout);
  const RequestContext context{.tls = false, .sni = "", .challenges = &challenges_};
  co_await serve_requests(socket, state, context);
  if (state->linger) {
    co_await lingering_close(socket, *state);
  } else {
    std::error_code ignored;
    socket.close(ignored);
  }
  state->deadline->stop();
  state->socket = nullptr;
  connections_.erase(state);
}

asio::awaitable<void> Server::run_forward_proxy(tcp::socket socket,
                                                std::shared_ptr<ConnectionState> state,
                                                std::size_t listener) {
  const std::shared_ptr<Generation> generation = current_;
  state->socket = &socket;
  state->deadline = SocketDeadline::start(socket);
  // A reload may change the proxy's rules (allow, ports, resolver) of a listener it keeps: the
  // one with this socket's address, port and kind, wherever it now stands in the file.
  const auto& reloaded = generation->config.listeners;
  const auto kept = std::find_if(reloaded.begin(), reloaded.end(), [&](const ListenerConfig& l) {
    return same_listener(l, listeners_[listener]);
  });
  const ListenerConfig& settings = kept != reloaded.end() ? *kept : listeners_[listener];
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
  std::string head;  // the response head; reused while the connection is busy

  // Reads into the end of `buffer`: a page when a request starts, more once a request or a
  // body is coming. An idle keep-alive connection first waits for the socket holding no
  // buffer at all, as nginx's do: the request buffer, the response head and the TLS stream's
  // buffers (over 10 KiB) would otherwise stay with every idle connection.
  auto read_more = [&]() -> asio::awaitable<bool> {
    if (buffer.empty() && state->idle) {
      std::string().swap(buffer);
      std::string().swap(head);
      bool buffered = false;
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        stream.release_buffers();
        buffered = stream.has_buffered_input();
      }
      if (!buffered) {
        auto [ec] = co_await stream.lowest_layer().async_wait(tcp::socket::wait_read, use_tuple);
        if (ec) co_return false;
      }
    }
    if (buffer.empty() && buffer.capacity() > 64 * 1024) std::string().swap(buffer);
    const std::size_t want = buffer.empty() ? 4096 : 16384;
    const std::size_t old_size = buffer.size();
    buffer.resize(old_size + want);
    auto [ec, n] =
        co_await stream.async_read_some(asio::buffer(buffer.data() + old_size, want), use_tuple);
    buffer.resize(old_size + (ec ? 0 : n));
    co_return !ec;
  };
  // Parameters are references: GCC 12 miscompiles prvalue class arguments of coroutines, and
  // every call is awaited at once, so the referenced objects outlive the coroutine.
  // `file_body`, when given, is the body (a cached file), and full.body is empty.
  auto send = [&](const http::Response& full, const http::Request* request, bool keep_alive,
                  const std::string* file_body = nullptr) -> asio::awaitable<bool> {
    const std::string& full_body = file_body ? *file_body : full.body;
    const ServerConfig& config = generation->config;
    const bool is_head = request && request->method == "HEAD";
    // A proxied answer to HEAD keeps the upstream's Content-Length (RFC 9110 section 8.6).
    const bool head_length = is_head && full.headers.contains("Content-Length");
    const bool set_length = response_has_body(full.status) && !head_length;
    const bool set_connection = !keep_alive || (request && request->version_minor == 0);
    const bool set_hsts = context.tls && config.hsts_max_age.count() > 0;
    if (!keep_alive && (full.status >= 400 || !buffer.empty())) state->linger = true;
    // The head is written straight into one buffer; the fields the server sets replace any the
    // response carries.
    head.clear();
    head += "HTTP/1.";
    append_number(head, static_cast<std::uint64_t>(full.version_minor));
    head += ' ';
    append_number(head, static_cast<std::uint64_t>(full.status));
    head += ' ';
    head += full.reason.empty() ? http::reason_phrase(full.status) : std::string_view(full.reason);
    head += "\r\n";
    for (const auto& [name, value] : full.headers) {
      if (http::iequals(name, "Server") || http::iequals(name, "Date") ||
          (set_hsts && http::iequals(name, "Strict-Transport-Security")) ||
          (set_length && http::iequals(name, "Content-Length")) ||
          (set_connection && http::iequals(name, "Connection")))
        continue;
      append_field(head, name, value);
    }
    append_field(head, "Server", config.server_name);
    append_field(head, "Date", second_clock.http_date());
    if (set_hsts) {
      head += "Strict-Transport-Security: max-age=";
      append_number(head, static_cast<std::uint64_t>(config.hsts_max_age.count()));
      head += "\r\n";
    }
    if (set_length) {
      head += "Content-Length: ";
      append_number(head, full_body.size());
      head += "\r\n";
    }
    if (set_connection) append_field(head, "Connection", keep_alive ? "keep-alive" : "close");
    head += "\r\n";
    // Only HEAD and bodiless statuses omit the body; an error answered before any request
    // could be parsed (400, 414, 431) sends the page its Content-Length announces.
    const bool head_only = is_head || !response_has_body(full.status);
    std::string_view body = head_only ? std::string_view{} : std::string_view{full_body};
    if (body.size() <= kCoalesceBytes) {
      head += body;
      body = {};
    }
    state->arm(limits.send_timeout);
    // write_some, not asio::async_write, which hands a stream at most 64 KiB at a time.
    std::error_code ec;
    for (std::size_t written = 0, total = head.size() + body.size(); !ec && written < total;) {
      std::size_t n = 0;
      const std::array<asio::const_buffer, 2> rest =
          written < head.size()
              ? std::array<asio::const_buffer, 2>{asio::buffer(head) + written, asio::buffer(body)}
              : std::array<asio::const_buffer, 2>{asio::buffer(body) + (written - head.size()),
                                                  asio::const_buffer()};
      std::tie(ec, n) = co_await stream.async_write_some(rest, use_tuple);
      written += n;
    }
    if (request) access_log(*state, *request, full.status, head_only ? 0 : full_body.size());
    co_return !ec;
  };

  for (std::size_t served = 0; served < limits.max_requests_per_connection && !stopping_;
       ++served) {
    // Idle keep-alive until the first byte of the next request, then the header timeout.
    state->idle = buffer.empty();
    state->arm(served == 0 || !buffer.empty() ? limits.header_timeout : limits.keepalive_timeout);
    auto became_busy = [&] {
      state->idle = false;
      state->arm(limits.header_timeout);
    };
    auto timed_out = [&] { return state->deadline->expired(); };
    auto request =
        co_await http::read_request_head(buffer, limits.http, read_more, became_busy, timed_out);
    if (!request) {
      if (const int status = request.error().code) {
        log_client_error(*state, request.error().message);
        const http::Response refused = refusal(status, request.error().message);
        co_await send(refused, nullptr, false);
      }
      co_return;
    }
    auto send_continue = [&] { return http::send_100_continue(stream); };
    if (auto body = co_await http::read_request_body(*request, buffer, limits.http, read_more,
                                                     send_continue);
        !body) {
      if (const int status = body.error().code) {
        log_client_error(*state, body.error().message);
        const http::Response refused = refusal(status, body.error().message);
        co_await send(refused, &*request, false);
      }
      co_return;
    }

    generation = current_;
    Decision decision = generation->handler.decide(*request, context);
    // RFC 8297: an HTTP/1.1 client reads interim responses before the final one; 1.0 cannot.
    if (decision.early_hints && request->version_minor >= 1) {
      std::string early = "HTTP/1.1 103 Early Hints\r\n";
      for (const std::string& link : decision.early_hints->links) early += "Link: " + link + "\r\n";
      early += "\r\n";
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(early), use_tuple);
      if (ec) co_return;
    }
    http::Response response;
    if (decision.proxy) {
      UpstreamGroup& group = *generation->upstreams.at(decision.proxy->upstream);
      const ForwardContext forward{.client_address = state->peer_text,
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
    if (!co_await send(response, &*request, keep_alive, decision.file_body.get()) || !keep_alive)
      co_return;
  }
}

}  // namespace miniweb::server
