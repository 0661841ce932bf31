#include "server/tls_contexts.hpp"

#include <filesystem>

#include "server/early_data.hpp"
#include "server/error_log.hpp"
#include "shared/text.hpp"
#include "shared/tls/cipher_suites.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {
namespace {

// Forward-secret AEAD suites only for TLS 1.2; TLS 1.3 suites are all modern.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// ALPN (RFC 7301), in the server's order of preference: h2 when the client offers it, then
// HTTP/1.1, then HTTP/1.0 for a client that offers only that (curl --http1.0), as nginx does.
constexpr unsigned char kAlpnProtocols[] = {2,   'h', '2', 8,   'h', 't', 't', 'p', '/', '1', '.',
                                            '1', 8,   'h', 't', 't', 'p', '/', '1', '.', '0'};
constexpr std::size_t kHttp11Offset = 3;  // the list without h2: http/1.1, http/1.0

int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void* http2) {
  const unsigned char* ours = kAlpnProtocols;
  unsigned int ours_length = sizeof kAlpnProtocols;
  if (!http2) {
    ours += kHttp11Offset;
    ours_length -= kHttp11Offset;
  }
  unsigned char* selected = nullptr;
  // Walks the server's list first: the server's preference wins.
  if (SSL_select_next_proto(&selected, out_length, ours, ours_length, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;  // RFC 7301 section 3.2: no_application_protocol
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

void configure_protocol(SSL_CTX* ctx, bool http2, bool early_data) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(ctx, kTls12Ciphers);  // constant, known good
  SSL_CTX_set_ciphersuites(ctx, tls::kTls13CipherSuites);
  // The callback's argument is only tested for null: h2 offered or not.
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn,
                             http2 ? const_cast<unsigned char*>(kAlpnProtocols) : nullptr);
  // Session resumption: server-side cache and tickets (OpenSSL's defaults), one id context.
  static constexpr unsigned char kSessionContext[] = "miniweb";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  // TLS 1.3 early data from a resumed session: its safe requests answered a round trip sooner
  // (server/early_data.hpp).
  if (early_data) accept_early_data(ctx);
}

Status configure(SSL_CTX* ctx, const SiteConfig& site, bool http2, bool early_data) {
  configure_protocol(ctx, http2, early_data);
  const std::string chain = site.certificate_chain.string();
  const std::string key = site.private_key.string();
  if (SSL_CTX_use_certificate_chain_file(ctx, chain.c_str()) != 1)
    return make_error("site " + site.names.front() + ": cannot load certificate chain " + chain +
                      ": " + tls::openssl_error_text());
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
    return make_error("site " + site.names.front() + ": cannot load private key " + key + ": " +
                      tls::openssl_error_text());
  if (SSL_CTX_check_private_key(ctx) != 1)
    return make_error("site " + site.names.front() + ": the key " + key +
                      " does not match the certificate in " + chain);
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<SiteTlsContexts>> SiteTlsContexts::create(
    const std::vector<SiteConfig>& sites, bool http2, bool early_data) {
  auto contexts = std::unique_ptr<SiteTlsContexts>(new SiteTlsContexts());
  for (const SiteConfig& site : sites) {
    if (site.certificate_chain.empty()) continue;  // served over plain HTTP only
    // An ACME site whose certificate is not obtained yet: its handshakes wait for it.
    if (site.acme && !std::filesystem::exists(site.certificate_chain)) continue;
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    if (auto status = configure(context->native_handle(), site, http2, early_data); !status) {
      if (!site.acme) return status.error();
      // A damaged ACME certificate is replaced by the ACME client, not a reason not to start.
      log_event(LogLevel::Warn, status.error().message + "; ACME will obtain a new one");
      continue;
    }
    SSL_CTX_set_tlsext_servername_callback(context->native_handle(),
                                           &SiteTlsContexts::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(context->native_handle(), contexts.get());
    contexts->contexts_.push_back(SiteContext{site.names, nullptr, std::move(context)});
  }
  // Only ACME sites still waiting for their first certificate: handshakes fail (no certificate
  // to present) until one arrives, as Caddy's do.
  if (contexts->contexts_.empty()) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    configure_protocol(context->native_handle(), http2, early_data);
    contexts->contexts_.push_back(SiteContext{{}, nullptr, std::move(context)});
  }
  return contexts;
}

void SiteTlsContexts::staple_with(std::size_t site, std::shared_ptr<OcspStaple> staple) {
  SiteContext& context = contexts_.at(site);
  context.staple = std::move(staple);
  OcspStaple::serve_from(context.context->native_handle(), context.staple.get());
}

int SiteTlsContexts::on_server_name(SSL* ssl, int*, void* self) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!name) return SSL_TLSEXT_ERR_OK;  // no SNI: the default site answers, as nginx does
  const std::string wanted = to_lower(name);
  auto* contexts = static_cast<SiteTlsContexts*>(self);
  for (const SiteContext& site : contexts->contexts_) {
    for (const std::string& site_name : site.names) {
      if (site_name == wanted) {
        // Switching copies the context's certificate state: not when it is already in use.
        if (SSL_get_SSL_CTX(ssl) != site.context->native_handle())
          SSL_set_SSL_CTX(ssl, site.context->native_handle());
        return SSL_TLSEXT_ERR_OK;
      }
    }
  }
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace miniweb::server
