#pragma once
// Fetching one URL the way a browser does: resolve, connect (directly or through a proxy), TLS
// with verification against the stack's CA only, an HTTP/1.1 request with the cookies that
// apply, the response; the connection kept for the next request to the origin when it may be;
// redirects followed.

#include <chrono>
#include <filesystem>
#include <string>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "browser/connection_pool.hpp"
#include "browser/cookie_jar.hpp"
#include "browser/host_resolver.hpp"
#include "browser/hsts_store.hpp"
#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/message.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

// Error::code values follow curl's exit codes, which scripts already know.
namespace exit_code {
inline constexpr int kResolve = 6;
inline constexpr int kConnect = 7;
inline constexpr int kBadResponse = 8;
inline constexpr int kHttpError = 22;
inline constexpr int kTimeout = 28;
inline constexpr int kTlsHandshake = 35;
inline constexpr int kTooManyRedirects = 47;
inline constexpr int kReceive = 56;
inline constexpr int kCertificate = 60;
}  // namespace exit_code

struct LoaderOptions {
  std::filesystem::path ca_file;  // the only trust anchors, as PEM
  int max_redirects = 10;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{10000};  // for a whole response, and each handshake
  // An idle kept-alive connection is not reused after this long.
  std::chrono::milliseconds idle_timeout{60000};
  std::size_t max_body_bytes = 64 << 20;
  std::string user_agent = "miniweb-browser/0.1";
  // Accept certificates that fail verification. Never silent: every page says so.
  bool insecure = false;
  // Where HSTS hosts are remembered between runs; in memory only when empty.
  std::filesystem::path profile_dir;
  // HTTP proxies (http://host:port): https URLs go through a CONNECT tunnel, http URLs are
  // sent to the proxy in absolute form. Hosts (or domains, ".example.test") in no_proxy go
  // direct.
  std::optional<Url> http_proxy;
  std::optional<Url> https_proxy;
  std::vector<std::string> no_proxy;
};

struct Page {
  Url url;  // after redirects
  http::Response response;
  std::string media_type;        // lower-case, without parameters: "text/html"
  std::string insecure_warning;  // set when --insecure let a bad certificate through
};

class PageLoader {
 public:
  PageLoader(HostResolver& resolver, LoaderOptions options);
  asio::awaitable<Result<Page>> load(Url url, Trace& trace);

  // Drops the kept-alive connections without a word; before the event loop they belong to is
  // destroyed.
  void drop_idle_connections() { pool_.clear(); }
  // Closes them as a browser quitting does, TLS close_notify then FIN, each a "close" step.
  asio::awaitable<void> close_idle_connections(Trace& trace);
  std::size_t idle_connections() const { return pool_.idle_count(); }

 private:
  asio::awaitable<Result<Page>> fetch(const Url& url, const std::string& cookie_header,
                                      Trace& trace);
  asio::awaitable<Result<std::unique_ptr<Connection>>> open_connection(const Url& url,
                                                                       Trace& trace);
  asio::awaitable<Result<http::ReceivedResponse>> exchange(Connection& connection,
                                                           const http::Request& request,
                                                           const Url& url, Trace& trace,
                                                           bool& nothing_received);
  asio::awaitable<void> close(Connection& connection, Trace& trace);
  std::string origin_key(const Url& url) const;
  const Url* proxy_for(const Url& url) const;
  // Checks the verified chain's leaf against the CRL it names (RFC 5280 section 6.3). An
  // Error means refuse; a string is what the trace says (including "unknown", a soft fail
  // as browsers do when the CRL cannot be had).
  asio::awaitable<Result<std::string>> check_revocation(SSL* ssl, Trace& trace);
  asio::awaitable<Result<X509_CRL*>> crl_for(const std::string& url, X509* issuer, Trace& trace);

  struct CachedCrl {
    tls::X509CrlPtr crl;
  };
  std::map<std::string, CachedCrl> crls_;  // by URL, kept until nextUpdate
  HostResolver& resolver_;
  LoaderOptions options_;
  HstsStore hsts_;
  CookieJar cookies_;
  ConnectionPool pool_;
};

}  // namespace miniweb::browser
