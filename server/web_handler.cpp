#include "server/web_handler.hpp"

#include <openssl/rand.h>

#include <random>

#include "server/access_log.hpp"
#include "server/early_data.hpp"
#include "server/error_log.hpp"
#include "server/static_files.hpp"
#include "shared/http/combined_log.hpp"
#include "shared/http/server_connection.hpp"

namespace miniweb::server {

namespace {

// 128 random bits as hex, from a generator seeded once from OpenSSL's: unique enough to tell
// requests apart in logs, and no system call per request.
std::string random_request_id() {
  thread_local std::mt19937_64 generator = [] {
    std::uint64_t seed = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
    return std::mt19937_64(seed);
  }();
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = generator();
    for (int i = 0; i < 16; ++i, bits >>= 4) id[half * 16 + i] = digits[bits & 0xf];
  }
  return id;
}

// A client's protocol error, at info as nginx logs them ("client sent invalid ...").
void log_client_error(std::string_view why, const http::ServerConnection& connection) {
  if (error_log().enabled(LogLevel::Info))
    error_log().write(LogLevel::Info, std::string(why) + ", client: " + connection.peer_address(),
                      connection.number());
}

}  // namespace

asio::awaitable<http::Reply> WebHandler::respond(http::Request& request, http::Exchange& exchange) {
  // Held by the request: over HTTP/2 other streams' requests run meanwhile, and a reload
  // may replace answering_ before this one is done.
  const std::shared_ptr<Generation> generation = current_;
  answering_ = generation;
  // Every request gets this server's own id, replacing any a client sent (which could collide
  // or lie): the access log shows it, and a proxied request carries it to the application.
  request.headers.set(std::string(http::kRequestIdField), random_request_id());
  // RFC 8470: a request read before the handshake's end came in early data, which whoever
  // captured it could send again (server/early_data.hpp); so may one a proxy before us marked.
  // Only what changes nothing when done twice is answered then; the rest is 425 Too Early, which
  // the client sends again once the handshake is complete.
  const bool early = in_early_data(context_.tls_session);
  http::Reply reply;
  // The method first: a GET, nearly every request, looks no further (no header search).
  if (!answerable_early(request.method) && (early || request.headers.get("Early-Data") == "1")) {
    reply.response = refusal(425, "a " + request.method +
                                      " request in TLS early data may be a replay; send it "
                                      "after the handshake");
    co_return reply;
  }
  Decision decision = generation->handler.decide(request, context_);
  // RFC 8297: HTTP/1.1 and HTTP/2 clients read interim responses before the final one; 1.0
  // cannot.
  if (decision.early_hints && (request.version_major >= 2 || request.version_minor >= 1)) {
    http::Response early;
    early.status = 103;
    for (const std::string& link : decision.early_hints->links) early.headers.add("Link", link);
    if (!co_await exchange.send_interim(early))
      co_return http::Reply::ending(http::Reply::Then::Abandoned);
  }
  if (decision.proxy) {
    UpstreamGroup& group = *generation->upstreams.at(decision.proxy->upstream);
    const ForwardContext forward{.client_address = exchange.connection().peer_address(),
                                 .tls = context_.tls,
                                 .via_name = generation->config.server_name,
                                 .site = decision.site,
                                 .early_data = early};
    reply.response = co_await group.forward(request, forward);
  } else {
    reply.response = std::move(decision.response);
    reply.shared_body = std::move(decision.file_body);
  }
  co_return reply;
}

void WebHandler::connection_failed(std::string_view why, const http::ServerConnection& connection) {
  log_client_error(why, connection);
}

http::Response WebHandler::refuse(int status, std::string_view why, const http::Request*,
                                  const http::ServerConnection& connection) {
  log_client_error(why, connection);
  return refusal(status, why);
}

void WebHandler::responded(const http::Request& request, int status, std::uint64_t body_bytes,
                           const http::ServerConnection& connection) {
  log_response(request, status, body_bytes, connection,
               request.headers.get(http::kRequestIdField).value_or(""));
}

const http::ServerFields& WebHandler::server_fields() const {
  const Generation& generation = answering_ ? *answering_ : *current_;
  return context_.tls ? generation.tls_fields : generation.plain_fields;
}

void log_response(const http::Request& request, int status, std::uint64_t body_bytes,
                  const http::ServerConnection& connection, std::string_view request_id) {
  log_access(http::entry_for(request, status, body_bytes, connection.peer_address(), request_id));
}

}  // namespace miniweb::server
