#pragma once
// TLS as a browser does it: one client context for the whole session (the trusted roots read
// once, during the first handshake), and on each connection a handshake with the checks a browser
// makes: SNI, ALPN, the chain up to a trusted root, the host name in subjectAltName (never the
// subject's CN), the dates, then revocation. A refusal is explained as browsers word it. A
// session the server issued on an earlier connection (this run's, or a run before through the
// profile) is offered for resumption: accepted, the server sends no certificate, and what the
// earlier verification found stands (tls_session_store.hpp).

#include <asio/ssl.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "browser/net/load_observer.hpp"
#include "browser/net/tls_context.hpp"
#include "browser/net/tls_early_data.hpp"
#include "browser/net/tls_session_store.hpp"
#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/result.hpp"

namespace miniweb::browser {

// What a handshake established, for the page's information ('=' in the terminal).
// What the browser offers by ALPN (RFC 7301), in its order of preference.
enum class HttpVersions {
  Http2AndHttp11,  // "h2" then "http/1.1", as browsers offer
  Http11Only,      // --http1.1, as curl's flag
};

// The ALPN protocol names offered, space-separated: "h2 http/1.1".
std::string offered_protocols(HttpVersions versions);

struct TlsSecurity {
  std::string version;  // "TLSv1.3"
  std::string cipher;
  std::string group;  // the key exchange: "X25519"
  std::string alpn;   // the protocol the server chose: "h2", "http/1.1", or "" for none
  bool resumed = false;
  std::vector<std::string> chain;  // each certificate described, the server's own first
  std::string verification;        // "OK, chain to ..., name ... matches" or why it failed
  std::string revocation;          // "good, not listed in ..."
  // Set when --insecure let a refused certificate through; every page says so.
  std::string insecure_warning;
};

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket&>;

// The alerts OpenSSL sent and received on a connection of a TlsClient, in order, as its info
// callback reported them: "sent fatal bad_record_mac", "received fatal unknown_ca". The trace
// names them where a connection fails, since an alert is what each end is told of the failure.
std::vector<std::string> tls_alerts(const SSL* ssl);

// What a TLS close did, as its step says it: "close_notify sent, the server's close_notify
// received" when the shutdown completed, else what OpenSSL and the error show of each half.
std::string tls_close_outcome(const SSL* ssl, const std::error_code& shutdown_error);
// Each of them as a detail of the trace's step `step`.
void trace_alerts(const SSL* ssl, std::size_t step, Trace& trace);

class TlsClient {
 public:
  // The verified chain's leaf: revoked or not (revocation.hpp). An Error refuses, a string is
  // the verdict.
  using RevocationCheck = std::function<asio::awaitable<Result<std::string>>(SSL*, Trace&)>;

  // `ca_file`: the only trust anchors, as PEM. `insecure`: accept refused certificates
  // (--insecure). `versions`: the HTTP versions offered by ALPN. `head_start` (may be null,
  // outlives this client): the context begun as the program started, which this one takes.
  // `profile_dir`: where sessions are kept for resumption between runs (tls_session_store.hpp);
  // empty: in memory, for this run's connections.
  TlsClient(std::filesystem::path ca_file, bool insecure,
            HttpVersions versions = HttpVersions::Http2AndHttp11,
            ContextHeadStart* head_start = nullptr, std::filesystem::path profile_dir = {});
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // The handshake with `host` over the connected `socket`, within `timeout`, as connection
  // number `connection`. The stream keeps a reference to `socket` and to this client's context:
  // both outlive it. `origin` ("https://host:port"): a session its server issued before is
  // offered for resumption, and those it issues on this connection are kept; empty: neither.
  // `early`: the first request, sent with the ClientHello when the offered session allows it
  // (tls_early_data.hpp); its outcome is set when the handshake succeeds.
  asio::awaitable<Result<std::unique_ptr<TlsStream>>> handshake(
      asio::ip::tcp::socket& socket, SocketDeadline& deadline, const std::string& host,
      const std::chrono::milliseconds& timeout, const RevocationCheck& check_revocation,
      int connection, TlsSecurity& security, Trace& trace, const std::string& origin = {},
      EarlyData* early = nullptr);

  // The sessions servers issued, written to the profile when that changed what it holds: what
  // was written, or none.
  std::optional<std::string> save_sessions() { return sessions_.save(); }
  bool sessions_to_save() const { return sessions_.to_save(); }
  // The same written on the head start's thread (ContextHeadStart::run_later), beside what the
  // load's own thread does next, the page's parse and layout: when they changed and that thread
  // is there, else nothing (the close writes them, as save_sessions). On the load's thread, the
  // write took 0.10 to 0.19 ms of a warm load's end. finish_saving_sessions waits for the writes
  // begun so and puts each in `trace` as the step it was, at the times it ran.
  void save_sessions_beside();
  void finish_saving_sessions(Trace& trace);

  // How many sessions (TLS 1.3 tickets) the server issued on the connection `ssl` so far.
  static int sessions_issued(const SSL* ssl);
  // Calls `tell` once, from inside OpenSSL, when the server next issues a session on `ssl`, once
  // it is kept; nullptr: no one. For a connection that TlsClient::handshake made.
  static void when_session_issued(SSL* ssl, std::function<void()> tell);

  // Who watches the load in progress (the packet view): told of each handshake and given the
  // key log. nullptr: no one.
  void set_observer(LoadObserver* observer) { observer_ = observer; }

  // Starts building the context on a thread of its own (tls_context), for a load over https
  // about to begin: the first handshake then waits only for what is not done yet. Nothing to
  // do while the program's head start is pending: the first handshake takes it.
  void prepare();

 private:
  // Built (or taken from prepare()'s thread) at the first handshake, as a "tls" step of its
  // own: OpenSSL's TLS methods set up (the trusted roots wait for the handshake: tls_context).
  // `sessions_wanted`: the profile's sessions are read meanwhile. `meanwhile` runs before any
  // wait for the context, once the profile's sessions are read: what a handshake can make
  // without the context.
  Result<asio::ssl::context*> context(Trace& trace, bool sessions_wanted,
                                      const std::function<void()>& meanwhile = {});
  static void on_key_log_line(const SSL* ssl, const char* line);
  // OpenSSL's client session callback: a session the server issued (TLS 1.3's tickets come
  // after the handshake).
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  // What the handshake agreed, into `security`, as the step's last words.
  static std::string negotiated(SSL* ssl, const std::string& offered, TlsSecurity& security);
  // The connection's server accepted as `server` says: its sessions are kept from now on.
  void accept_sessions(SSL* ssl, const VerifiedServer& server);
  // The end of a handshake that resumed `offer`.
  std::unique_ptr<TlsStream> finish_resumed(std::unique_ptr<TlsStream> stream,
                                            const TlsSessionStore::Offer& offer,
                                            const std::string& offered, std::size_t step,
                                            TlsSecurity& security, Trace& trace);

  std::filesystem::path ca_file_;
  bool insecure_;
  HttpVersions versions_;
  ContextHeadStart* head_start_;
  std::unique_ptr<asio::ssl::context> context_;  // built at the first handshake
  std::future<ClientContext> prepared_;          // being built since prepare()
  // SSLKEYLOGFILE, as curl, Chromium and Firefox honour it: the secrets of each connection, so
  // that Wireshark decrypts a capture of it. Opened at the first handshake; -1: none.
  int key_log_file_ = -1;
  // A key share made ahead for the first ClientHello (make_key_share_ahead), not yet seen
  // taken: by this thread, or by another (the head start's).
  enum class KeyShareBy { None, ThisThread, Another };
  KeyShareBy key_share_ahead_ = KeyShareBy::None;
  LoadObserver* observer_ = nullptr;
  TlsSessionStore sessions_;
  // save_sessions_beside's writes, each filled in by the head start's thread as it runs.
  struct WriteBeside {
    WorkBeside times;
    std::string outcome;
  };
  std::vector<std::shared_ptr<WriteBeside>> writes_beside_;
};

}  // namespace miniweb::browser
