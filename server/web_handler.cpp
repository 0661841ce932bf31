#include "server/web_handler.hpp"

#include "server/access_log.hpp"
#include "server/error_log.hpp"
#include "server/static_files.hpp"
#include "shared/http/server_connection.hpp"

namespace miniweb::server {

asio::awaitable<http::Reply> WebHandler::respond(http::Request& request, http::Exchange& exchange) {
  answering_ = current_;
  Decision decision = answering_->handler.decide(request, context_);
  http::Reply reply;
  // RFC 8297: an HTTP/1.1 client reads interim responses before the final one; 1.0 cannot.
  if (decision.early_hints && request.version_minor >= 1) {
    http::Response early;
    early.status = 103;
    for (const std::string& link : decision.early_hints->links) early.headers.add("Link", link);
    if (!co_await exchange.send_interim(early))
      co_return http::Reply::ending(http::Reply::Then::Abandoned);
  }
  if (decision.proxy) {
    UpstreamGroup& group = *answering_->upstreams.at(decision.proxy->upstream);
    const ForwardContext forward{.client_address = exchange.connection().peer_address(),
                                 .tls = context_.tls,
                                 .via_name = answering_->config.server_name,
                                 .site = decision.site};
    reply.response = co_await group.forward(request, forward);
  } else {
    reply.response = std::move(decision.response);
    reply.shared_body = std::move(decision.file_body);
  }
  co_return reply;
}

http::Response WebHandler::refuse(int status, std::string_view why, const http::Request*,
                                  const http::ServerConnection& connection) {
  // A client's protocol error, at info as nginx logs them ("client sent invalid ...").
  if (error_log().enabled(LogLevel::Info))
    error_log().write(LogLevel::Info, std::string(why) + ", client: " + connection.peer_address(),
                      connection.number());
  return refusal(status, why);
}

void WebHandler::responded(const http::Request& request, int status, std::uint64_t body_bytes,
                           const http::ServerConnection& connection) {
  log_response(request, status, body_bytes, connection);
}

const http::ServerFields& WebHandler::server_fields() const {
  const Generation& generation = answering_ ? *answering_ : *current_;
  return context_.tls ? generation.tls_fields : generation.plain_fields;
}

void log_response(const http::Request& request, int status, std::uint64_t body_bytes,
                  const http::ServerConnection& connection) {
  log_access(AccessLogEntry{
      .client = connection.peer_address(),
      .method = request.method,
      .target = request.target,
      .protocol = request.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1",
      .status = status,
      .body_bytes = body_bytes,
      .referer = request.headers.get("Referer").value_or(""),
      .user_agent = request.headers.get("User-Agent").value_or(""),
  });
}

}  // namespace miniweb::server
