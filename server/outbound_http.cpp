#include "server/outbound_http.hpp"

#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>

#include <optional>

#include "server/proxy_resolver.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/tls/openssl_ptr.hpp"
#include "shared/url.hpp"

namespace miniweb::server {

using asio::ip::tcp;

namespace {

// Each DNS query's wait; the exchange's own deadline starts at the connect.
constexpr std::chrono::milliseconds kLookupTimeout{3000};

std::string request_wire(const OutboundRequest& request, const Url& url,
                         const OutboundSettings& settings) {
  std::string wire = request.method + " " + url.request_target() +
                     " HTTP/1.1\r\nHost: " + url.host_for_header() +
                     "\r\nUser-Agent: " + settings.user_agent + "\r\nAccept: " + request.accept +
                     "\r\nConnection: close\r\n";
  if (request.method == "POST")
    wire += "Content-Type: " + request.content_type +
            "\r\nContent-Length: " + std::to_string(request.body.size()) + "\r\n";
  wire += "\r\n" + request.body;
  return wire;
}

// The request out and the response in, over a connected (and, for https, shaken-hands) stream.
template <class Stream>
asio::awaitable<Result<http::Response>> exchange(Stream& stream, const std::string& wire,
                                                 const SocketDeadline& deadline,
                                                 const std::string& method,
                                                 std::size_t max_body_bytes) {
  auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(wire), use_tuple);
  if (write_error) co_return make_error("sending the request: " + write_error.message());
  std::string buffer;
  const http::ResponseLimits limits{.max_head_bytes = 65536, .max_body_bytes = max_body_bytes};
  auto answer = co_await http::read_response(stream, buffer, deadline, method, limits);
  if (!answer) co_return answer.error();
  co_return std::move(answer->response);
}

}  // namespace

asio::awaitable<Result<http::Response>> send_outbound(const OutboundRequest& request,
                                                      const OutboundSettings& settings) {
  const std::string what = request.method + " " + request.url + ": ";
  auto url = Url::parse(request.url);
  if (!url || (url->scheme != "http" && url->scheme != "https"))
    co_return make_error("'" + request.url + "' is not an http or https URL");
  const bool https = url->scheme == "https";
  if (https && !settings.tls) co_return make_error(what + "https is not used for this request");

  auto addresses = co_await lookup_host(url->host, settings.resolver, kLookupTimeout);
  if (!addresses) {
    std::string hint;
    if (settings.resolver.empty() && !settings.resolver_setting.empty())
      hint = " (the system's resolver was asked: set " + settings.resolver_setting +
             " to the stack's resolver)";
    co_return make_error(what + addresses.error().message + hint);
  }

  auto executor = co_await asio::this_coro::executor;
  std::optional<asio::ssl::stream<tcp::socket>> tls_stream;
  std::optional<tcp::socket> plain;
  if (https)
    tls_stream.emplace(executor, *settings.tls);
  else
    plain.emplace(executor);
  tcp::socket& socket = https ? tls_stream->next_layer() : *plain;
  auto deadline = SocketDeadline::start(socket);
  deadline->arm(settings.timeout);
  auto fail = [&](const std::string& step) {
    deadline->stop();
    return make_error(what + (deadline->expired() ? std::string("timed out") : step));
  };

  const tcp::endpoint endpoint(addresses->front(), url->effective_port());
  auto [connect_error] = co_await socket.async_connect(endpoint, use_tuple);
  if (connect_error)
    co_return fail("cannot connect to " + endpoint.address().to_string() + ":" +
                   std::to_string(endpoint.port()) + ": " + connect_error.message());
  const std::string wire = request_wire(request, *url, settings);
  Result<http::Response> answer = make_error("");
  if (https) {
    // SNI, and the certificate must name the host (RFC 6125), as a browser checks.
    SSL_set_tlsext_host_name(tls_stream->native_handle(), url->host.c_str());
    SSL_set1_host(tls_stream->native_handle(), url->host.c_str());
    auto [handshake_error] =
        co_await tls_stream->async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_error) {
      const long verify = SSL_get_verify_result(tls_stream->native_handle());
      std::string why = handshake_error.message();
      if (verify != X509_V_OK) {
        why = X509_verify_cert_error_string(verify);
        if (!settings.roots_setting.empty())
          why += " (is " + settings.roots_setting + " the CA's root?)";
      }
      co_return fail("TLS handshake failed: " + why);
    }
    answer =
        co_await exchange(*tls_stream, wire, *deadline, request.method, settings.max_body_bytes);
  } else {
    answer = co_await exchange(*plain, wire, *deadline, request.method, settings.max_body_bytes);
  }
  if (!answer) co_return fail(answer.error().message);
  deadline->stop();
  std::error_code ignored;
  socket.close(ignored);
  co_return answer;
}

}  // namespace miniweb::server
