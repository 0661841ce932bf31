#include "browser/net/page_loader.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "browser/net/http2_exchange.hpp"
#include "browser/net/proxy_tunnel.hpp"
#include "browser/net/request_trace.hpp"
#include "browser/net/revocation.hpp"
#include "browser/net/tcp_connect.hpp"
#include "browser/net/tls_early_data.hpp"
#include "shared/deadline.hpp"
#include "shared/http/gzip.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/http2/frame_text.hpp"

namespace miniweb::browser {
namespace {

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// The hsts step's outcome.
std::string hsts_outcome(HstsNoted noted) {
  switch (noted) {
    case HstsNoted::Ignored:
      return "ignored: no valid max-age directive (RFC 6797 section 6.1.1)";
    case HstsNoted::NotKept:
      return "applied for this run; no profile to keep it in";
    case HstsNoted::AlreadyKept:
      return "the profile holds it already";
    case HstsNoted::Written:
      break;
  }
  return "applied now, the profile's file handed to its writer";
}

// Reads one response from `stream`, and words a failure as the browser reports it.
// `nothing_received` is set when the connection ended before any byte of a response.
template <class Stream>
asio::awaitable<Result<http::ReceivedResponse>> read_response(Stream& stream, std::string& buffer,
                                                              SocketDeadline& deadline,
                                                              const LoaderOptions& options,
                                                              const std::string& method,
                                                              bool& nothing_received) {
  deadline.arm(options.io_timeout);
  const http::ResponseLimits limits{.max_head_bytes = 65536,
                                    .max_body_bytes = options.max_body_bytes};
  auto received = co_await http::read_response(stream, buffer, deadline, method, limits);
  if (received) co_return received;
  const std::string& why = received.error().message;
  switch (http::failure_of(received.error())) {
    case http::ResponseFailure::TimedOut:
      co_return make_error("timed out: the response did not come within " +
                               seconds_text(options.io_timeout) + " (--timeout)",
                           exit_code::kTimeout);
    case http::ResponseFailure::NoResponse:
      nothing_received = true;
      co_return make_error(why.find("closed") != std::string::npos
                               ? "the server closed the connection without answering"
                               : why,
                           exit_code::kReceive);
    case http::ResponseFailure::CutShort:
      co_return make_error("reading the response failed: " + why, exit_code::kReceive);
    case http::ResponseFailure::TooLarge:
      co_return make_error("the response is too large: " + why, exit_code::kBadResponse);
    case http::ResponseFailure::Malformed:
      break;
  }
  co_return make_error("malformed response: " + why, exit_code::kBadResponse);
}

}  // namespace

PageLoader::PageLoader(HostResolver& resolver, LoaderOptions options)
    : resolver_(resolver),
      options_(std::move(options)),
      hsts_(options_.profile_dir, &profile_writer_),
      cookies_(options_.profile_dir, &profile_writer_),
      tls_(options_.ca_file, options_.insecure, options_.http_versions, options_.tls_head_start,
           options_.profile_dir),
      // Revocation is checked with a plain GET of the CRL through this same loader.
      crls_(options_.profile_dir,
            [this](const Url& url, Trace& trace) { return fetch_resource(url, trace); }),
      pool_(options_.idle_timeout) {}

asio::awaitable<Result<Fetched>> PageLoader::load(const Url& url, Trace& trace) {
  const NavigationRequest request = NavigationRequest::get(url);
  co_return co_await load(request, trace);
}

asio::awaitable<Result<Fetched>> PageLoader::load(const NavigationRequest& first, Trace& trace) {
  NavigationRequest request = first;
  RequestSite site(first.initiator);
  if (!first.fields.empty() || first.is_post()) trace_form(first, trace);
  std::vector<std::string> visited;
  for (int redirects = 0;; ++redirects) {
    Url& url = request.url;
    // What the browser decides before it asks for an address (the scheme, the cookies, a
    // connection to reuse) is a step of its own, as a network panel's "queueing" is. The
    // journey's first request is prepared from the journey's start, as a panel's queueing
    // starts when the request is made: the navigation's set-up on the browser's event loop
    // before this line (0.1 ms of a load) is part of it, not time outside every step.
    const std::string title = request.method + " " + url.to_string() + ": the request prepared";
    Preparing preparing{
        trace.steps().empty() ? trace.begin("fetch", title, {}) : trace.begin("fetch", title), ""};
    // RFC 6797 section 8.3: a known HSTS host is never asked over plain HTTP.
    if (const auto by = url.scheme == "http" ? hsts_.https_required_by(url.host, std::time(nullptr))
                                             : std::nullopt) {
      std::size_t step = trace.begin("hsts", "http:// upgraded to https://");
      url.scheme = "https";
      if (url.port == 80) url.port.reset();
      trace.finish(step, *by == url.host
                             ? url.host + " asked for HTTPS only (Strict-Transport-Security)"
                             : *by +
                                   " asked for HTTPS only for itself and its subdomains "
                                   "(Strict-Transport-Security with includeSubDomains)");
    }
    // A 307 may send a POST to the same URL again on purpose; a loop is the same request twice.
    const std::string key = request.method + " " + url.to_string();
    if (std::find(visited.begin(), visited.end(), key) != visited.end()) {
      trace.finish(preparing.step, "not sent: this request was made before (a redirect loop)");
      co_return make_error("redirect loop: " + url.to_string() + " redirects back to itself",
                           exit_code::kTooManyRedirects);
    }
    visited.push_back(key);
    site.visit(url);

    http::Headers extra;
    // RFC 6265bis section 5.8.3: the cookies for this URL, SameSite judged against the
    // document that started the navigation, along the whole redirect chain.
    const CookieContext context{.cross_site = site.cross_site(),
                                .top_level_navigation = true,
                                .safe_method = request.method == "GET" || request.method == "HEAD"};
    const CookieSelection cookies = cookies_.select(url, std::time(nullptr), context);
    if (!cookies.header.empty() || !cookies.withheld.empty()) trace_cookies(url, cookies, trace);
    if (!cookies.header.empty()) extra.add("Cookie", cookies.header);
    preparing.cookies = cookies.sent.empty()
                            ? "no cookie for it"
                            : std::to_string(cookies.sent.size()) + " cookie(s) for it";
    if (!cookies.withheld.empty())
      preparing.cookies += ", " + std::to_string(cookies.withheld.size()) + " withheld";
    // Fetch §3.1: Origin on every request but GET and HEAD; Fetch Metadata (W3C) on all.
    if (request.method != "GET" && request.method != "HEAD")
      extra.add("Origin", site.origin_header().value_or("null"));
    extra.add("Sec-Fetch-Site", site.fetch_site());
    extra.add("Sec-Fetch-Mode", "navigate");
    extra.add("Sec-Fetch-Dest", "document");
    if (!request.content_type.empty()) extra.add("Content-Type", request.content_type);

    auto page = co_await fetch(request, extra, trace, &preparing);
    if (!page) co_return page;
    page->request = request;
    // RFC 6265 section 5.3: every Set-Cookie of every response, redirects included.
    for (std::string_view set_cookie : page->response.headers.get_all("Set-Cookie")) {
      std::size_t step = trace.begin("cookie", "Set-Cookie from " + url.host);
      auto stored = cookies_.set(url, set_cookie, std::time(nullptr));
      trace.finish(step, stored ? *stored : "refused: " + stored.error().message);
    }
    // Only a response over a verified connection may set HSTS (section 8.1).
    if (url.scheme == "https" && page->security.insecure_warning.empty())
      if (auto sts = page->response.headers.get("Strict-Transport-Security")) {
        const std::size_t step = trace.begin("hsts", "Strict-Transport-Security from " + url.host);
        trace.finish(step, std::string(*sts) + "; " +
                               hsts_outcome(hsts_.note(url.host, *sts, std::time(nullptr))));
      }
    const int status = page->response.status;
    auto location = page->response.headers.get("Location");
    if (!(status == 301 || status == 302 || status == 303 || status == 307 || status == 308) ||
        !location)
      co_return page;
    if (redirects == options_.max_redirects)
      co_return make_error("more than " + std::to_string(options_.max_redirects) + " redirects",
                           exit_code::kTooManyRedirects);
    auto next = url.resolve(*location);
    if (!next)
      co_return make_error("the redirect to '" + std::string(*location) +
                               "' is not a URL we can follow: " + next.error().message,
                           exit_code::kBadResponse);
    NavigationRequest following = redirected(request, status, *next);
    std::size_t step = trace.begin("http", "redirect " + std::to_string(status) + ": " +
                                               request.method + " -> " + following.method);
    trace.finish(step, "to " + next->to_string() + redirect_note(request, following, status));
    request = std::move(following);
  }
}

Http2Limits PageLoader::http2_limits() const {
  Http2Limits limits;
  limits.max_body_bytes = options_.max_body_bytes;
  return limits;
}

std::string PageLoader::origin_key(const Url& url) const {
  const Url* proxy = proxy_for(url);
  return url.scheme + "://" + url.host_for_header() +
         (proxy ? " via " + proxy->host_for_header() : "");
}

const Url* PageLoader::proxy_for(const Url& url) const {
  const std::optional<Url>& proxy =
      url.scheme == "https" ? options_.https_proxy : options_.http_proxy;
  if (!proxy) return nullptr;
  // no_proxy: a host, or a domain whose subdomains go direct too, as curl reads it.
  for (const std::string& entry : options_.no_proxy) {
    if (entry == "*") return nullptr;
    std::string_view domain = entry;
    if (domain.starts_with('.')) domain.remove_prefix(1);
    if (url.host == domain || (url.host.size() > domain.size() && url.host.ends_with(domain) &&
                               url.host[url.host.size() - domain.size() - 1] == '.'))
      return nullptr;
  }
  return &*proxy;
}

asio::awaitable<Result<std::unique_ptr<Connection>>> PageLoader::open_connection(
    const Url& url, Trace& trace, const FirstRequest* first) {
  const Url* proxy = proxy_for(url);
  const Url& first_hop = proxy ? *proxy : url;
  auto resolved = co_await resolver_.resolve(first_hop.host, trace);
  if (!resolved) co_return resolved.error();
  std::uint16_t port = first_hop.effective_port();
  std::uint16_t origin_port = url.effective_port();
  if (!url.port && url.scheme == "https" && resolved->https_port && !proxy)
    port = origin_port = *resolved->https_port;

  // The connection's socket and its watchdog are the first attempt's work (a run's first
  // socket also makes the event loop's epoll instance, eventfd and timerfd): its step begins
  // here.
  const Trace::Clock::duration set_up_since = trace.elapsed();
  auto connection = std::make_unique<Connection>(co_await asio::this_coro::executor);
  connection->watch();
  connection->number = pool_.next_number();
  SocketDeadline& deadline = *connection->deadline;
  const TcpTarget target{first_hop.host, resolved->addresses, port, proxy != nullptr};
  auto peer = co_await connect_tcp(connection->socket, deadline, target, options_.connect_timeout,
                                   connection->number, trace, set_up_since);
  if (!peer) co_return peer.error();
  connection->peer = std::move(*peer);
  if (observer_) {
    std::error_code ignored;
    observer_->tcp_connected(connection->number, connection->socket.local_endpoint(ignored),
                             connection->socket.remote_endpoint(ignored), first_hop.host);
  }

  if (proxy && url.scheme == "https") {
    const bool ipv6 = url.host.find(':') != std::string::npos;
    const std::string authority =
        (ipv6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(origin_port);
    std::size_t step =
        trace.begin("proxy", "CONNECT " + authority + " HTTP/1.1 to " + proxy->host_for_header());
    deadline.arm(options_.io_timeout);
    auto tunnel =
        co_await open_tunnel(connection->socket, deadline, authority, options_.user_agent);
    if (!tunnel) {
      trace.finish(step, "failed: " + tunnel.error().message);
      if (deadline.expired())
        co_return make_error("timed out: " + tunnel.error().message + " (" +
                                 seconds_text(options_.io_timeout) + ", --timeout)",
                             exit_code::kTimeout);
      co_return make_error(tunnel.error().message, exit_code::kReceive);
    }
    trace.finish(step, "tunnel open (" + *tunnel + "); TLS runs inside it, end to end");
  } else if (proxy) {
    std::size_t step = trace.begin("proxy", "through " + proxy->host_for_header());
    trace.finish(step, "plain http: the request names the absolute URL");
  }
  if (url.scheme != "https") co_return std::move(connection);

  const TlsClient::RevocationCheck revocation = [this](SSL* ssl, Trace& revocation_trace) {
    return check_revocation(ssl, crls_, revocation_trace);
  };
  // The first request as early data: over HTTP/2 when the offered session agreed h2 (the
  // server's first flight then carries its answer); over anything else it waits.
  EarlyData early;
  if (first)
    early.make = [&](std::string_view alpn) -> std::optional<std::string> {
      if (alpn != "h2") return std::nullopt;
      auto bytes = prepare_early_http2(*connection, first->request, url, first->body_lines,
                                       http2_limits(), observer_, trace);
      if (!bytes) return std::nullopt;
      return std::move(*bytes);
    };
  auto stream = co_await tls_.handshake(
      connection->socket, deadline, url.host, options_.io_timeout, revocation, connection->number,
      connection->security, trace, "https://" + url.host_for_header(), first ? &early : nullptr);
  if (!stream) co_return stream.error();
  connection->tls = std::move(*stream);
  if (auto settled = co_await settle_early_http2(*connection, early, observer_, trace); !settled)
    co_return settled.error();
  // RFC 9113 section 3.2: "h2" chosen by ALPN, the connection speaks HTTP/2 from its first byte.
  if (connection->security.alpn == "h2" && !connection->h2) {
    // Its own step: nghttp2's session and its first frames, made before any request.
    const std::size_t step = trace.begin(
        "h2", "session on connection #" + std::to_string(connection->number) + " (ALPN chose h2)");
    if (auto started = start_http2(*connection, http2_limits()); !started) {
      trace.finish(step, "failed: " + started.error().message);
      co_return make_error(started.error().message, exit_code::kTlsHandshake);
    }
    // What nghttp2 holds, as it counts it; the frames step shows each as it goes.
    const std::size_t queued = connection->h2->queued_frames();
    trace.finish(step, "nghttp2's client session made, " + std::to_string(queued) +
                           (queued == 1 ? " frame" : " frames") +
                           " queued behind the connection preface, to go with the first request");
  }
  co_return std::move(connection);
}

asio::awaitable<Result<http::Response>> PageLoader::fetch_resource(const Url& url, Trace& trace) {
  const NavigationRequest request = NavigationRequest::get(url);
  const http::Headers none;  // browsers send no cookies with revocation checks
  auto fetched = co_await fetch(request, none, trace);
  if (!fetched) co_return fetched.error();
  co_return std::move(fetched->response);
}

namespace {

// One request and its response on `stream`. `nothing_received` tells a connection the server
// had already closed (no byte of a response) from a failure during the response.
template <class Stream>
asio::awaitable<Result<http::ReceivedResponse>> send_and_receive(
    Stream& stream, Connection& connection, const http::Request& request, const Url& url,
    const std::vector<std::string>& body_lines, const LoaderOptions& options,
    LoadObserver* observer, Trace& trace, bool& nothing_received) {
  std::size_t step = trace.begin("http", "request " + request.method + " " + url.to_string());
  const std::string wire = request.serialize();
  for (const auto& [name, value] : request.headers) trace.detail(step, "> " + name + ": " + value);
  for (const std::string& line : body_lines) trace.detail(step, "> " + line);
  connection.deadline->arm(options.io_timeout);
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
  if (ec) {
    trace.finish(step, "failed: " + ec.message());
    nothing_received = true;
    co_return make_error("cannot send the request: " + ec.message(), exit_code::kReceive);
  }
  if (observer)
    observer->http_request(connection.number, request.method + " " + request.target + " HTTP/1.1",
                           body_lines);
  trace.finish(step, "> " + request.method + " " + request.target + " HTTP/1.1 (" +
                         std::to_string(n) + " bytes) on connection #" +
                         std::to_string(connection.number));
  step = trace.begin("http", "response");
  auto received = co_await read_response(stream, connection.buffer, *connection.deadline, options,
                                         request.method, nothing_received);
  if (!received) {
    if (connection.tls) trace_alerts(connection.tls->native_handle(), step, trace);
    trace.finish(step, "failed: " + received.error().message);
    co_return received;
  }
  for (const http::Response& early : received->interim) {
    trace.detail(step, "< HTTP/1." + std::to_string(early.version_minor) + " " +
                           std::to_string(early.status) + " " + early.reason +
                           " (interim, RFC 9110 section 15.2)");
    for (const auto& [name, value] : early.headers)
      trace.detail(step, "<   " + name + ": " + value);
  }
  const http::Response& response = received->response;
  if (observer)
    observer->http_response(connection.number, "HTTP/1." + std::to_string(response.version_minor) +
                                                   " " + std::to_string(response.status) + " " +
                                                   response.reason);
  for (const auto& [name, value] : response.headers) trace.detail(step, "< " + name + ": " + value);
  trace.finish(step, "< HTTP/1." + std::to_string(response.version_minor) + " " +
                         std::to_string(response.status) + " " + response.reason + " (" +
                         std::to_string(response.body.size()) + " body bytes)");
  co_return received;
}

}  // namespace

asio::awaitable<Result<http::ReceivedResponse>> PageLoader::exchange(
    Connection& connection, const http::Request& request, const Url& url,
    const std::vector<std::string>& body_lines, Trace& trace, bool& nothing_received) {
  if (options_.before_acting) options_.before_acting();
  ++connection.requests;
  if (connection.h2) {
    const Http2ExchangeSettings settings{options_.io_timeout, http2_limits()};
    co_return co_await exchange_http2(connection, request, url, body_lines, settings, observer_,
                                      trace, nothing_received);
  }
  if (connection.tls)
    co_return co_await send_and_receive(*connection.tls, connection, request, url, body_lines,
                                        options_, observer_, trace, nothing_received);
  co_return co_await send_and_receive(connection.socket, connection, request, url, body_lines,
                                      options_, observer_, trace, nothing_received);
}

void PageLoader::set_observer(LoadObserver* observer) {
  observer_ = observer;
  tls_.set_observer(observer);
  pool_.for_each_idle([&](Connection& connection) {
    // OpenSSL's message callback points at the watcher of the moment, or at no one: a watcher
    // is gone once its load is over.
    if (connection.tls) SSL_set_msg_callback(connection.tls->native_handle(), nullptr);
    if (!observer) return;
    std::error_code ignored;
    observer->tcp_connected(connection.number, connection.socket.local_endpoint(ignored),
                            connection.socket.remote_endpoint(ignored),
                            connection.peer.substr(0, connection.peer.find(" (")));
    if (connection.tls) observer->tls_starting(connection.number, connection.tls->native_handle());
  });
}

asio::awaitable<Result<Fetched>> PageLoader::fetch(const NavigationRequest& navigation,
                                                   const http::Headers& extra, Trace& trace,
                                                   const Preparing* preparing) {
  const Url& url = navigation.url;
  const std::string origin = origin_key(url);
  const Url* proxy = proxy_for(url);
  http::Request request;
  request.method = navigation.method;
  // Through a proxy, plain http names the whole URL (RFC 9112 section 3.2.2).
  request.target = proxy && url.scheme == "http"
                       ? url.scheme + "://" + url.host_for_header() + url.request_target()
                       : url.request_target();
  request.headers.add("Host", url.host_for_header());
  request.headers.add("User-Agent", options_.user_agent);
  request.headers.add("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8");
  request.headers.add("Accept-Encoding", "gzip");
  for (const auto& [name, value] : extra) request.headers.add(name, value);
  if (navigation.method != "GET" && navigation.method != "HEAD") {
    request.headers.add("Content-Length", std::to_string(navigation.body.size()));
    request.body = navigation.body;
  }

  // The body as the trace shows it: a password's value masked.
  const std::vector<std::string> body_lines = shown_body(navigation);
  Result<http::ReceivedResponse> received = make_error("not fetched");
  std::unique_ptr<Connection> connection;
  for (int attempt = 0; attempt < 2; ++attempt) {
    connection = pool_.take(origin);
    const bool reused = connection != nullptr;
    if (preparing && attempt == 0)
      trace.finish(preparing->step,
                   preparing->cookies + "; " +
                       (reused ? "connection #" + std::to_string(connection->number) + " to " +
                                     origin + " open, to reuse"
                               : "no connection to " + origin + " open to reuse"));
    if (reused) {
      const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
          Connection::Clock::now() - connection->idle_since);
      std::size_t step =
          trace.begin("tcp", "reusing connection #" + std::to_string(connection->number) + " to " +
                                 connection->peer);
      trace.finish(step, "kept alive, idle " + std::to_string(idle.count()) + " ms, " +
                             std::to_string(connection->requests) + " request(s) before");
    } else {
      // A safe request may go with the handshake (RFC 8470 section 4); one with a body never.
      const FirstRequest first{request, body_lines};
      const bool early_allowed = (request.method == "GET" || request.method == "HEAD") &&
                                 request.body.empty() && attempt == 0;
      auto opened = co_await open_connection(url, trace, early_allowed ? &first : nullptr);
      if (!opened) co_return opened.error();
      connection = std::move(*opened);
    }
    bool nothing_received = false;
    received = co_await exchange(*connection, request, url, body_lines, trace, nothing_received);
    // HTTP/2 says when a stream was not processed (REFUSED_STREAM, or above a GOAWAY's last
    // stream: RFC 9113 section 8.7), on a new connection too; browsers send it again.
    // A new connection that failed before answering is not retried (a broken record is an
    // attack or a fault to show, not to hide behind a second try).
    const bool refused_stream = connection->h2 && connection->stream_refused;
    if (received || !nothing_received || (!reused && !refused_stream)) break;
    // A reused connection that timed out is not sent again (browsers resend after a close or a
    // reset, not a silence).
    if (received.error().code == exit_code::kTimeout) break;
    // Most often the server closed the idle connection as the request went out, before any byte
    // of an answer (the step names what failed). A GET is idempotent (RFC 9110 section 9.2.2), so
    // it is sent again on a new connection, once, as curl does; so is a POST, as browsers do for a
    // kept-alive connection that closed before answering (Chromium's and Firefox's retry on a
    // reused connection).
    std::size_t step = trace.begin(
        "tcp",
        "connection #" + std::to_string(connection->number) +
            (refused_stream ? ": the server did not process the stream"
                            : " failed before any byte of an answer: " + received.error().message));
    trace.finish(step, request.method == "GET"
                           ? "retrying on a new connection"
                           : "retrying the " + request.method +
                                 " on a new connection, as browsers do (no byte of an answer "
                                 "came back)");
    connection.reset();
  }
  if (!received) co_return received.error();
  // The sessions its handshake and its response brought (TLS 1.3's tickets come before the
  // first answer), written beside the rest of the load.
  // After early data the ticket comes later, during the close, which writes the sessions then.
  if (sessions_beside_ && !connection->awaits_ticket()) tls_.save_sessions_beside();
  TlsSecurity security = connection->security;
  if (received->reusable) {
    std::size_t step =
        trace.begin("keep", "connection #" + std::to_string(connection->number) + " left open");
    trace.finish(step, "for the next request to " + origin);
    pool_.give_back(origin, std::move(connection));
  } else {
    co_await close(*connection, trace);
  }

  Fetched page{url, std::move(received->response), std::move(security), navigation};
  if (http::iequals(page.response.headers.get("Content-Encoding").value_or(""), "gzip")) {
    const std::size_t step = trace.begin(
        "decode", "Content-Encoding: gzip, " + http2::with_thousands(page.response.body.size()) +
                      " bytes (zlib)");
    auto plain = http::gzip_decompress(page.response.body, options_.max_body_bytes);
    if (!plain) {
      const std::string why = plain.error().code == 413
                                  ? "the gzip body expands beyond " +
                                        std::to_string(options_.max_body_bytes >> 20) +
                                        " MiB; refused (a compression bomb?)"
                                  : "the gzip body is broken: " + plain.error().message;
      trace.finish(step, "failed: " + why);
      co_return make_error(why, exit_code::kBadResponse);
    }
    trace.finish(step, http2::with_thousands(plain->size()) + " bytes decoded");
    page.response.body = std::move(*plain);
  }
  co_return page;
}

}  // namespace miniweb::browser
