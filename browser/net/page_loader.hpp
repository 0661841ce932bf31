#pragma once
// Fetching one URL the way a browser does: resolve (host_resolver), connect directly or
// through a proxy (tcp_connect, proxy_tunnel), TLS verified against the stack's CA only
// (tls_client, crl_cache), an HTTP/1.1 request with the cookies that apply, the response; the
// connection kept for the next request to the origin when it may be; redirects followed.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/net/connection_pool.hpp"
#include "browser/net/cookie_jar.hpp"
#include "browser/net/crl_cache.hpp"
#include "browser/net/host_resolver.hpp"
#include "browser/net/hsts_store.hpp"
#include "browser/net/load_observer.hpp"
#include "browser/net/navigation_request.hpp"
#include "browser/net/profile_writer.hpp"
#include "browser/net/tls_client.hpp"
#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/message.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

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
  // What ALPN offers: h2 and http/1.1, or http/1.1 alone (--http1.1).
  HttpVersions http_versions = HttpVersions::Http2AndHttp11;
  // The TLS context begun before the options were read (main's), taken by the first context
  // built; it outlives the loader. Null: none.
  ContextHeadStart* tls_head_start = nullptr;
  // Called on the load's thread before each request is sent and each local file read: what
  // must be settled before a load does what a second run would do again (the launcher's
  // stale check, browser/stale_check.hpp). Resolving and connecting come before it; so does a
  // GET or HEAD sent as TLS early data: for that one the call comes after the handshake,
  // before its answer is read.
  std::function<void()> before_acting;
};

// A response as the loader hands it on: after redirects, its body decoded from gzip.
struct Fetched {
  Url url;  // after redirects
  http::Response response;
  TlsSecurity security;       // over https: what the handshake established
  NavigationRequest request;  // the request as sent last (a redirect may have made it a GET)
};

class PageLoader {
 public:
  PageLoader(HostResolver& resolver, LoaderOptions options);
  asio::awaitable<Result<Fetched>> load(const Url& url, Trace& trace);
  // A navigation: its method and body, its initiator's Origin, Sec-Fetch-Site and the
  // SameSite rules for its cookies; redirects followed by Fetch's method rules (a POST
  // answered 303 goes on as a GET, one answered 307 as the same POST), cookies sent and stored
  // at every step.
  asio::awaitable<Result<Fetched>> load(const NavigationRequest& request, Trace& trace);

  // Builds the TLS context from now on, on a thread of its own (TlsClient::prepare).
  void prepare_tls() { tls_.prepare(); }
  // The profile's TLS sessions, which a load's responses began writing beside it
  // (TlsClient::save_sessions_beside), written: for the end of the load.
  void finish_saving_sessions(Trace& trace) { tls_.finish_saving_sessions(trace); }
  // The sessions written while the first TLS close waits for its server, not beside the load:
  // for a load whose page is itself built beside while its connections close
  // (Navigator::expect_no_further_request), which the write would otherwise hold up.
  void write_sessions_at_close() { sessions_beside_ = false; }
  // The profile's HSTS policies and cookies, which the loads began writing beside them
  // (profile_writer.hpp): those written so far put in `trace`; with `wait`, all of them, once
  // written.
  void record_profile_writes(Trace& trace, bool wait) { profile_writer_.record(trace, wait); }
  void on_profile_written(std::function<void()> told) {
    profile_writer_.on_written(std::move(told));
  }

  // Drops the kept-alive connections without a word; before the event loop they belong to is
  // destroyed.
  void drop_idle_connections() { pool_.clear(); }
  // Closes them as a browser quitting does, TLS close_notify then FIN, each a "close" step.
  asio::awaitable<void> close_idle_connections(Trace& trace);
  std::size_t idle_connections() const { return pool_.idle_count(); }

  // Who watches the load in progress (the packet view), or nullptr.
  // Who watches the loads from now on (nullptr: no one). The connections kept alive are told
  // to the new watcher, since a load may reuse one.
  void set_observer(LoadObserver* observer);

 private:
  // A navigation's step that prepares its request: begun as the hop begins, finished by fetch
  // once the pool has answered, with what was decided (`cookies`, then the connection).
  struct Preparing {
    std::size_t step;
    std::string cookies;
  };
  // One request, no redirects followed; `extra` are the navigation's own header fields
  // (Cookie, Origin, Sec-Fetch-*, Content-Type).
  asio::awaitable<Result<Fetched>> fetch(const NavigationRequest& request,
                                         const http::Headers& extra, Trace& trace,
                                         const Preparing* preparing = nullptr);
  // A GET without cookies or redirects (a CRL).
  asio::awaitable<Result<http::Response>> fetch_resource(const Url& url, Trace& trace);
  // The connection's first request, when it may go as TLS 1.3 early data (a safe one:
  // tls_early_data.hpp), with its body as the trace shows it.
  struct FirstRequest {
    const http::Request& request;
    const std::vector<std::string>& body_lines;
  };
  // DNS, TCP (tcp_connect), the proxy's tunnel (proxy_tunnel), TLS (tls_client). With `first`,
  // the handshake sends that request early when the session it offers allows it, and the
  // exchange then reads its answer.
  asio::awaitable<Result<std::unique_ptr<Connection>>> open_connection(
      const Url& url, Trace& trace, const FirstRequest* first = nullptr);
  asio::awaitable<Result<http::ReceivedResponse>> exchange(
      Connection& connection, const http::Request& request, const Url& url,
      const std::vector<std::string>& body_lines, Trace& trace, bool& nothing_received);
  // One close step; `meanwhile` runs while the server answers a TLS close_notify (at once for a
  // plain connection, which waits for nothing).
  asio::awaitable<void> close(Connection& connection, Trace& trace,
                              const std::function<void()>& meanwhile = nullptr);
  std::string origin_key(const Url& url) const;
  // The HTTP/2 session's limits, from the loader's.
  Http2Limits http2_limits() const;
  const Url* proxy_for(const Url& url) const;

  HostResolver& resolver_;
  LoaderOptions options_;
  ProfileWriter profile_writer_;  // before the stores that hand it their files
  HstsStore hsts_;
  CookieJar cookies_;
  TlsClient tls_;                // before the pool: kept-alive TLS streams use its context
  bool sessions_beside_ = true;  // write_sessions_at_close()
  CrlCache crls_;
  ConnectionPool pool_;
  LoadObserver* observer_ = nullptr;
};

}  // namespace miniweb::browser
