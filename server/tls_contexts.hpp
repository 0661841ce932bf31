#pragma once
// One TLS context per site, chosen by the client's SNI during the handshake.

#include <asio/ssl.hpp>

#include <memory>
#include <string>
#include <vector>

#include "server/config.hpp"
#include "server/ocsp_staple.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

class SiteTlsContexts {
 public:
  // Loads every site's certificate chain and key; refuses a key that does not match. Sites
  // without a certificate (plain-HTTP backends) are skipped. ALPN offers h2 when `http2`,
  // and http/1.1; TLS 1.3 early data is accepted when `early_data` (early_data.hpp).
  static Result<std::unique_ptr<SiteTlsContexts>> create(const std::vector<SiteConfig>& sites,
                                                         bool http2 = true, bool early_data = true);

  // Every handshake starts on the default (first) site's context; SNI may switch it.
  asio::ssl::context& default_context() { return *contexts_.front().context; }
  bool empty() const { return contexts_.empty(); }

  struct SiteContext {
    std::vector<std::string> names;  // none: the stand-in while no site has a certificate
    // The OCSP response its handshakes staple, shared with the stapler; null: none. Declared
    // before the context, so that it outlives it.
    std::shared_ptr<OcspStaple> staple;
    std::unique_ptr<asio::ssl::context> context;
  };
  // In the configuration's order, with each site's certificate and chain in its context.
  const std::vector<SiteContext>& sites() const { return contexts_; }
  // The handshakes of sites()[site] staple what `staple` holds from now on.
  void staple_with(std::size_t site, std::shared_ptr<OcspStaple> staple);

 private:
  static int on_server_name(SSL* ssl, int* alert, void* self);
  std::vector<SiteContext> contexts_;
};

}  // namespace miniweb::server
