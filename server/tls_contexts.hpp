#pragma once
// One TLS context per site, chosen by the client's SNI during the handshake.

#include <asio/ssl.hpp>

#include <memory>
#include <string>
#include <vector>

#include "server/config.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

class SiteTlsContexts {
 public:
  // Loads every site's certificate chain and key; refuses a key that does not match. Sites
  // without a certificate (plain-HTTP backends) are skipped. ALPN offers h2 when `http2`,
  // and http/1.1.
  static Result<std::unique_ptr<SiteTlsContexts>> create(const std::vector<SiteConfig>& sites,
                                                          bool http2 = true);

  // Every handshake starts on the default (first) site's context; SNI may switch it.
  asio::ssl::context& default_context() { return *contexts_.front().context; }
  bool empty() const { return contexts_.empty(); }

 private:
  struct SiteContext {
    std::vector<std::string> names;
    std::unique_ptr<asio::ssl::context> context;
  };
  static int on_server_name(SSL* ssl, int* alert, void* self);
  std::vector<SiteContext> contexts_;
};

}  // namespace miniweb::server
