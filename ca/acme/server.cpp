#include "ca/acme/server.hpp"

#include <array>
#include <asio/ssl/stream.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "ca/files.hpp"

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/request_reader.hpp"

namespace miniweb::ca::acme {

using asio::ip::tcp;

struct AcmeServer::Connection {
  std::shared_ptr<SocketDeadline> deadline;
};

namespace {

Status bind(asio::io_context& io, std::optional<tcp::acceptor>& slot,
            const tcp::endpoint& endpoint) {
  tcp::acceptor acceptor(io);
  std::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("cannot listen on " + endpoint.address().to_string() + ":" +
                      std::to_string(endpoint.port()) + ": " + ec.message());
  }
  slot.emplace(std::move(acceptor));
  return Ok{};
}

http::Response error_response(int status, const std::string& detail) {
  http::Response response;
  response.status = status;
  response.reason = std::string(http::reason_phrase(status));
  response.headers.set("Content-Type", "text/plain");
  response.body = detail + "\n";
  return response;
}

bool has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace

AcmeServer::AcmeServer(asio::io_context& io, Service& service, asio::ssl::context& tls,
                       ServerLimits limits)
    : io_(io), service_(service), tls_(tls), limits_(limits) {}

Status AcmeServer::listen_https(const tcp::endpoint& endpoint) {
  return bind(io_, https_, endpoint);
}
Status AcmeServer::listen_http(const tcp::endpoint& endpoint) {
  return bind(io_, http_, endpoint);
}

tcp::endpoint AcmeServer::https_endpoint() const {
  return https_->local_endpoint();
}
std::optional<tcp::endpoint> AcmeServer::http_endpoint() const {
  if (!http_) return std::nullopt;
  return http_->local_endpoint();
}

void AcmeServer::start() {
  if (https_) asio::co_spawn(io_, accept_loop(*https_, true), asio::detached);
  if (http_) asio::co_spawn(io_, accept_loop(*http_, false), asio::detached);
}

void AcmeServer::stop() {
  stopping_ = true;
  std::error_code ignored;
  if (https_) https_->close(ignored);
  if (http_) http_->close(ignored);
}

asio::awaitable<void> AcmeServer::accept_loop(tcp::acceptor& acceptor, bool tls) {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      continue;
    }
    if (connections_ >= limits_.max_connections) continue;  // dropped
    asio::co_spawn(io_, run(std::move(socket), tls), asio::detached);
  }
}

asio::awaitable<void> AcmeServer::run(tcp::socket socket, bool tls) {
  ++connections_;
  Connection connection;
  if (tls) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
    connection.deadline = SocketDeadline::start(stream.next_layer());
    connection.deadline->arm(limits_.header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (!ec) {
      co_await serve(stream, connection, true);
      connection.deadline->arm(std::chrono::seconds(1));
      co_await stream.async_shutdown(use_tuple);
    }
    std::error_code ignored;
    stream.next_layer().close(ignored);
  } else {
    connection.deadline = SocketDeadline::start(socket);
    co_await serve(socket, connection, false);
    std::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }
  connection.deadline->stop();
  --connections_;
}

// Requests one after another on a connection (RFC 9112 §9.3), as server/server.cpp does:
// head, body by its framing, answer with Content-Length.
template <class Stream>
asio::awaitable<void> AcmeServer::serve(Stream& stream, Connection& connection, bool tls) {
  const http::Limits parse_limits;
  std::string buffer;
  std::array<char, 16384> chunk{};
  auto read_more = [&]() -> asio::awaitable<bool> {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) co_return false;
    buffer.append(chunk.data(), n);
    co_return true;
  };
  // By reference: GCC 12 miscompiles prvalue class arguments of coroutines.
  auto send = [&](const http::Response& response, bool head_only,
                  bool keep_alive) -> asio::awaitable<bool> {
    http::Response out{response.status, response.reason, 1, response.headers, {}};
    out.headers.set("Server", "miniweb-ca");
    out.headers.set("Date", http::http_date(std::time(nullptr)));
    if (has_body(out.status))
      out.headers.set("Content-Length", std::to_string(response.body.size()));
    if (!keep_alive) out.headers.set("Connection", "close");
    std::string head = out.serialize_head();
    const bool body = !head_only && has_body(out.status);
    std::array<asio::const_buffer, 2> buffers = {
        asio::buffer(head),
        asio::buffer(body ? std::string_view(response.body) : std::string_view())};
    connection.deadline->arm(limits_.send_timeout);
    auto [ec, n] = co_await asio::async_write(stream, buffers, use_tuple);
    co_return !ec;
  };

  for (std::size_t served = 0; served < limits_.max_requests_per_connection && !stopping_;
       ++served) {
    connection.deadline->arm(served == 0 ? limits_.header_timeout : limits_.keepalive_timeout);
    auto became_busy = [&] { connection.deadline->arm(limits_.header_timeout); };
    auto timed_out = [&] { return connection.deadline->expired(); };
    auto request =
        co_await http::read_request_head(buffer, parse_limits, read_more, became_busy, timed_out);
    if (!request) {
      if (const int status = request.error().code) {
        const http::Response refused = error_response(status, request.error().message);
        co_await send(refused, false, false);
      }
      co_return;
    }
    auto send_continue = [&] { return http::send_100_continue(stream); };
    if (auto body = co_await http::read_request_body(*request, buffer, parse_limits, read_more,
                                                     send_continue);
        !body) {
      if (const int status = body.error().code) {
        const http::Response refused = error_response(status, body.error().message);
        co_await send(refused, false, false);
      }
      co_return;
    }
    const http::Response response =
        tls ? service_.handle(*request) : service_.handle_plain(*request);
    const bool keep_alive = request->version_minor >= 1
                                ? !request->headers.has_token("Connection", "close")
                                : request->headers.has_token("Connection", "keep-alive");
    std::clog << (tls ? "acme " : "http ") << request->method << " " << request->target << " "
              << response.status << "\n";
    if (!co_await send(response, request->method == "HEAD", keep_alive && !stopping_) ||
        !keep_alive) {
      co_return;
    }
  }
}

namespace {

// The endpoint's key and chain from an earlier start, when still good for a while and signed
// by the current intermediate; so restarts do not fill the database with endpoint certificates.
struct EndpointCredentials {
  tls::X509Ptr certificate;
  tls::EvpPkeyPtr key;
};

constexpr std::time_t kEndpointRenewBefore = 30 * 24 * 3600;

std::optional<EndpointCredentials> reuse_credentials(Authority& authority,
                                                     const std::filesystem::path& prefix,
                                                     const std::string& name) {
  auto chain = read_file(prefix.string() + ".chain.pem");
  if (!chain) return std::nullopt;
  auto certificate = parse_certificate_pem(*chain);
  auto key = read_private_key(prefix.string() + ".key");
  if (!certificate || !key) return std::nullopt;
  std::time_t renew_at = std::time(nullptr) + kEndpointRenewBefore;
  if (X509_cmp_time(X509_get0_notAfter(certificate->get()), &renew_at) <= 0 ||
      X509_check_issued(authority.intermediate(), certificate->get()) != X509_V_OK ||
      X509_check_host(certificate->get(), name.data(), name.size(), 0, nullptr) != 1 ||
      X509_check_private_key(certificate->get(), key->get()) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return EndpointCredentials{std::move(certificate).value(), std::move(key).value()};
}

}  // namespace

Result<std::unique_ptr<asio::ssl::context>> make_tls_context(Authority& authority,
                                                             const std::string& name) {
  const std::filesystem::path prefix = authority.dir() / ("serve-" + name);
  std::optional<EndpointCredentials> credentials = reuse_credentials(authority, prefix, name);
  if (credentials) {
    std::clog << "miniweb-ca: ACME endpoint certificate for " << name << " from " << prefix.string()
              << ".chain.pem\n";
  } else {
    IssueRequest request;
    request.names = {name};
    auto issued = authority.issue(std::move(request));
    if (!issued) {
      return make_error("cannot issue the ACME endpoint's certificate: " + issued.error().message);
    }
    if (auto s = write_private_key(prefix.string() + ".key", issued->private_key.get()); !s) {
      return s.error();
    }
    if (auto s = write_file_atomically(prefix.string() + ".chain.pem", issued->chain_pem,
                                       kPublicFileMode);
        !s) {
      return s.error();
    }
    std::clog << "miniweb-ca: issued ACME endpoint certificate " << issued->serial << " for "
              << name << "\n";
    credentials =
        EndpointCredentials{std::move(issued->certificate), std::move(issued->private_key)};
  }
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_use_certificate(ctx, credentials->certificate.get()) != 1 ||
      SSL_CTX_add1_chain_cert(ctx, authority.intermediate()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, credentials->key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return make_error("cannot set up TLS: " + tls::openssl_error_text());
  }
  return context;
}

}  // namespace miniweb::ca::acme
