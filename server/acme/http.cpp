#include "server/acme/http.hpp"

#include <asio/ssl.hpp>

#include "shared/dns/endpoint.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {

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
    if (auto resolver = dns::parse_endpoint(config.resolver, 53); !resolver)
      return make_error("acme: resolver '" + config.resolver + "': " + resolver.error().message);
  }
  http->settings_.user_agent = "miniweb-server ACME client";
  http->settings_.resolver = config.resolver;
  http->settings_.tls = &http->tls_;
  http->settings_.resolver_setting = "acme.resolver";
  http->settings_.roots_setting = "acme.ca_bundle";
  return http;
}

asio::awaitable<Result<http::Response>> AcmeHttp::request(const std::string& method,
                                                          const std::string& url,
                                                          const std::string& body,
                                                          const std::string& content_type) {
  if (!url.starts_with("https://")) co_return make_error("'" + url + "' is not an https URL");
  OutboundRequest outbound;
  outbound.method = method;
  outbound.url = url;
  outbound.body = body;
  outbound.content_type = content_type;
  co_return co_await send_outbound(outbound, settings_);
}

}  // namespace miniweb::server
