#include "server/acme/http.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/dns/client.hpp"
#include "shared/dns/name.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/tls/openssl_ptr.hpp"
#include "shared/url.hpp"

namespace miniweb::server {

using asio::ip::tcp;

Result<std::unique_ptr<AcmeHttp>> AcmeHttp::create(const AcmeConfig& config) {
  auto http = std::unique_ptr<AcmeHttp>(new AcmeHttp());
  SSL_CTX* ctx = http->tls_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Only the configured roots: the stack's CA is not in the system's store, and the system's
  // roots have no say over the stack's names.
  const std::string bundle = config.ca_bundle.string();
  if (SSL_CTX_load_verify_locations(ctx, bundle.c_str(), nullptr) != 1)
    return make_error("acme: cannot load the CA bundle " + bundle + ": " +
                      tls::openssl_error_text());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!config.resolver.empty()) {
    auto resolver = dns::parse_endpoint(config.resolver, 53);
    if (!resolver)
      return make_error("acme: resolver '" + config.resolver + "': " + resolver.error().message);
    http->resolver_ = *resolver;
  }
  return http;
}

asio::awaitable<Result<asio::ip::address>> AcmeHttp::resolve(const std::string& host) {
  std::error_code literal_error;
  const auto literal = asio::ip::make_address(host, literal_error);
  if (!literal_error) co_return literal;
  if (resolver_) {
    auto name = dns::Name::parse(host);
    if (!name) co_return make_error("'" + host + "' is not a DNS name: " + name.error().message);
    for (std::uint16_t type : {dns::type::A, dns::type::AAAA}) {
      asio::ip::udp::endpoint server = *resolver_;
      dns::Message query = dns::make_query(*name, type);
      auto reply = co_await dns::exchange(server, query, std::chrono::milliseconds(3000));
      if (!reply)
        co_return make_error("looking up " + host + " at " + dns::endpoint_to_string(server) +
                             ": " + reply.error().message);
      for (const auto& rr : reply->answers) {
        if (const auto* a = std::get_if<dns::RdataA>(&rr.rdata); a && rr.type == dns::type::A)
          co_return asio::ip::address(asio::ip::address_v4(a->address));
        if (const auto* aaaa = std::get_if<dns::RdataAAAA>(&rr.rdata);
            aaaa && rr.type == dns::type::AAAA)
          co_return asio::ip::address(asio::ip::address_v6(aaaa->address));
      }
    }
    co_return make_error("no A or AAAA record for " + host + " at " +
                         dns::endpoint_to_string(*resolver_));
  }
  tcp::resolver system(co_await asio::this_coro::executor);
  auto [ec, results] = co_await system.async_resolve(host, "", use_tuple);
  if (ec || results.empty())
    co_return make_error("cannot resolve " + host + ": " + ec.message() +
                         " (set acme.resolver to the stack's resolver)");
  co_return results.begin()->endpoint().address();
}

asio::awaitable<Result<http::Response>> AcmeHttp::request(const std::string& method,
                                                          const std::string& url,
                                                          const std::string& body,
                                                          const std::string& content_type) {
  auto parsed = Url::parse(url);
  if (!parsed || parsed->scheme != "https")
    co_return make_error("'" + url + "' is not an https URL");
  auto address = co_await resolve(parsed->host);
  if (!address) co_return make_error("" + address.error().message);

  auto executor = co_await asio::this_coro::executor;
  asio::ssl::stream<tcp::socket> stream(executor, tls_);
  auto deadline = SocketDeadline::start(stream.next_layer());
  deadline->arm(timeout_);
  auto fail = [&](const std::string& what) {
    deadline->stop();
    return make_error("" + method + " " + url + ": " +
                      (deadline->expired() ? std::string("timed out") : what));
  };
  const tcp::endpoint endpoint(*address, parsed->effective_port());
  auto [connect_error] = co_await stream.next_layer().async_connect(endpoint, use_tuple);
  if (connect_error)
    co_return fail("cannot connect to " + address->to_string() + ":" +
                   std::to_string(endpoint.port()) + ": " + connect_error.message());
  // SNI, and the certificate must name the host (RFC 6125), as a browser checks.
  SSL_set_tlsext_host_name(stream.native_handle(), parsed->host.c_str());
  SSL_set1_host(stream.native_handle(), parsed->host.c_str());
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (handshake_error) {
    const long verify = SSL_get_verify_result(stream.native_handle());
    co_return fail("TLS handshake failed: " +
                   (verify != X509_V_OK ? std::string(X509_verify_cert_error_string(verify)) +
                                              " (is acme.ca_bundle the CA's root?)"
                                        : handshake_error.message()));
  }
  std::string wire = method + " " + parsed->request_target() +
                     " HTTP/1.1\r\nHost: " + parsed->host_for_header() +
                     "\r\nUser-Agent: miniweb-server ACME client\r\nAccept: */*\r\n"
                     "Connection: close\r\n";
  if (method == "POST")
    wire += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n";
  wire += "\r\n" + body;
  auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
  if (write_error) co_return fail("sending the request: " + write_error.message());
  std::string buffer;
  const http::ResponseLimits limits{.max_head_bytes = 65536, .max_body_bytes = 1 << 20};
  auto answer = co_await http::read_response(stream, buffer, *deadline, method, limits);
  deadline->stop();
  std::error_code ignored;
  stream.next_layer().close(ignored);
  if (!answer) co_return make_error("" + method + " " + url + ": " + answer.error().message);
  co_return std::move(answer->response);
}

}  // namespace miniweb::server
