#include "ca/acme/server.hpp"

#include <array>
#include <asio/ssl/stream.hpp>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "ca/files.hpp"

#include "shared/awaitable.hpp"
#include "shared/http/connection.hpp"

namespace miniweb::ca::acme {

using asio::ip::tcp;

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
  response.headers.set("Content-Type", "text/plain");
  response.body = detail + "\n";
  return response;
}

// The CA's handler on the shared connection loop: ACME over HTTPS, the CRL, OCSP and the CA
// certificates over plain HTTP; each request logged on the CA's standard error.
class AcmeHandler final : public http::ConnectionHandler {
 public:
  // The ACME endpoint over HTTPS, or the plain-HTTP one (the CRL, OCSP, the CA certificates).
  AcmeHandler(Service& service, AcmeServer::Endpoint endpoint)
      : service_(service), tls_(endpoint == AcmeServer::Endpoint::AcmeOverHttps) {}

  asio::awaitable<http::Reply> respond(http::Request& request, http::Exchange&) override {
    co_return http::Reply::answer(tls_ ? service_.handle(request) : service_.handle_plain(request));
  }
  http::Response refuse(int status, std::string_view why, const http::Request*,
                        const http::ServerConnection&) override {
    return error_response(status, std::string(why));
  }
  const http::ServerFields& server_fields() const override {
    static const http::ServerFields fields{{"Server", "miniweb-ca"}};
    return fields;
  }
  void responded(const http::Request& request, int status, std::uint64_t,
                 const http::ServerConnection&) override {
    std::clog << (tls_ ? "acme " : "http ") + request.method + " " + request.target + " " +
                     std::to_string(status) + "\n";
  }

 private:
  Service& service_;
  bool tls_;
};

http::ConnectionSettings connection_settings(const ServerLimits& limits) {
  http::ConnectionSettings settings;
  settings.limits = http::ConnectionLimits{.request = http::Limits{},
                                           .header_timeout = limits.header_timeout,
                                           .keepalive_timeout = limits.keepalive_timeout,
                                           .send_timeout = limits.send_timeout,
                                           .max_requests = limits.max_requests_per_connection,
                                           .http2 = {}};
  return settings;
}

}  // namespace

AcmeServer::AcmeServer(asio::io_context& io, Service& service, asio::ssl::context& tls,
                       ServerLimits limits)
    : io_(io),
      service_(service),
      tls_(tls),
      limits_(limits),
      connection_settings_(connection_settings(limits)) {}

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
  if (https_) asio::co_spawn(io_, accept_loop(*https_, Endpoint::AcmeOverHttps), asio::detached);
  if (http_) asio::co_spawn(io_, accept_loop(*http_, Endpoint::PlainHttp), asio::detached);
}

void AcmeServer::stop() {
  std::error_code ignored;
  if (https_) https_->close(ignored);
  if (http_) http_->close(ignored);
  connections_.stop();
}

asio::awaitable<void> AcmeServer::accept_loop(tcp::acceptor& acceptor, Endpoint endpoint) {
  while (!connections_.stopping()) {
    tcp::socket socket(io_);
    tcp::endpoint peer;
    auto [ec] = co_await acceptor.async_accept(socket, peer, use_tuple);
    if (ec) {
      if (connections_.stopping() || ec == asio::error::operation_aborted) break;
      continue;
    }
    if (connections_.size() >= limits_.max_connections) continue;  // dropped
    // A named object: GCC 12 miscompiles class-type prvalue arguments of coroutines.
    std::shared_ptr<http::ServerConnection> connection = connections_.add(peer);
    asio::co_spawn(io_, run(std::move(socket), std::move(connection), endpoint), asio::detached);
  }
}

asio::awaitable<void> AcmeServer::run(tcp::socket socket,
                                      std::shared_ptr<http::ServerConnection> connection,
                                      Endpoint endpoint) {
  AcmeHandler handler(service_, endpoint);
  if (endpoint == Endpoint::AcmeOverHttps) {
    asio::ssl::stream<tcp::socket> stream(std::move(socket), tls_);
    connection->attach(stream.next_layer());
    connection->arm(limits_.header_timeout);
    auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (!ec) {
      co_await http::serve_connection(stream, *connection, connection_settings_, handler);
    } else {
      co_await http::close_connection(stream.next_layer(), *connection);
    }
  } else {
    connection->attach(socket);
    co_await http::serve_connection(socket, *connection, connection_settings_, handler);
  }
  connections_.remove(connection);
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
