#include "browser/net/tls_client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/net/certificate_policy.hpp"
#include "browser/net/certificate_text.hpp"
#include "browser/net/revocation.hpp"
#include "browser/packets/tls_names.hpp"
#include "shared/unique_fd.hpp"

namespace miniweb::browser {

TlsClient::TlsClient(std::filesystem::path ca_file, bool insecure, HttpVersions versions,
                     ContextHeadStart* head_start, std::filesystem::path profile_dir)
    : ca_file_(std::move(ca_file)),
      insecure_(insecure),
      versions_(versions),
      head_start_(head_start),
      sessions_(std::move(profile_dir)) {}

std::string offered_protocols(HttpVersions versions) {
  return versions == HttpVersions::Http11Only ? "http/1.1" : "h2 http/1.1";
}

TlsClient::~TlsClient() {
  if (key_log_file_ >= 0) ::close(key_log_file_);
  // The faces that quit without closing their connections (the terminal's, the window's) keep
  // their sessions here; a dump wrote them as it closed its connections.
  (void)sessions_.save();
}

namespace {

// The SSL_CTX's slot for its TlsClient. Not the app data: Asio keeps its verify callback there.
int client_slot() {
  static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// An SSL's slot holding a T of its own, which goes with the SSL: one slot for each T.
template <class T>
int owned_slot() {
  static const int slot = SSL_get_ex_new_index(
      0, nullptr, nullptr, nullptr, [](void*, void* held, CRYPTO_EX_DATA*, int, long, void*) {
        std::unique_ptr<T> owned(static_cast<T*>(held));
      });
  return slot;
}

// The alerts of a connection (tls_alerts).
using AlertList = std::vector<std::string>;
int alert_slot() {
  return owned_slot<AlertList>();
}

// What a connection's sessions are kept with: its origin, and, once its handshake has verified
// the server, what it found. A session that comes before then (TLS 1.2 sends it within the
// handshake) waits here for the verdict.
struct ConnectionSessions {
  std::string origin;
  std::optional<VerifiedServer> verified;  // set once the handshake has accepted the server
  std::vector<SslSessionPtr> waiting;      // issued before that
  int issued = 0;                          // sessions the server issued on it so far
  std::function<void()> when_issued;       // told of the next one, once (when_session_issued)
};
int sessions_slot() {
  return owned_slot<ConnectionSessions>();
}

// The session offered, as the handshake's step tells it.
std::string describe_offer(const TlsSessionStore::Offer& offer, std::time_t now) {
  return "session offered for resumption: issued by this origin's server on a connection whose "
         "handshake verified it " +
         std::to_string(now - offer.server.verified_at) + " s ago, " +
         (offer.from_profile ? "kept in the profile" : "kept since, in this run") + ", good for " +
         std::to_string(offer.expires - now) + " s more";
}

// The first handshake's reading of its context's trusted roots (finish_client_context), on the
// handshake's own thread as soon as the ClientHello has left OpenSSL's output for the socket:
// the server works on its answer meanwhile. Not on a thread of its own, as it was: creating
// one held the ClientHello back (its clone3 took 0.76 ms in this team's machine's kernel,
// traced); read here, a warm load's TLS step was 0.3 to 0.8 ms shorter and the whole process
// 0.4 to 0.9 ms (paired runs, 100 each).
class RootsReading {
 public:
  RootsReading(const SSL* ssl, int socket) : ssl_(ssl), socket_(socket) {}
  // OpenSSL's info callback as SSL_connect returns: the ClientHello's bytes in its output.
  void hello_made() {
    if (hello_bytes_ == 0) hello_bytes_ = BIO_ctrl_wpending(SSL_get_wbio(ssl_));
  }
  // The read, run once the handshake's first step has handed the ClientHello on.
  void read() {
    hello_left_ = hello_bytes_ > 0 && BIO_ctrl_wpending(SSL_get_wbio(ssl_)) == 0;
    (void)finish_client_context(SSL_get_SSL_CTX(ssl_), socket_);  // its error is said after
  }
  // The ClientHello's bytes as SSL_connect returned (0: it returned with none), and whether
  // they had left OpenSSL's output when the read began.
  std::size_t hello_bytes() const { return hello_bytes_; }
  bool hello_left() const { return hello_left_; }

 private:
  const SSL* ssl_;
  int socket_;
  std::size_t hello_bytes_ = 0;
  bool hello_left_ = false;
};

// The SSL's slot for the RootsReading of its handshake (not owned).
int roots_reading_slot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return slot;
}

// OpenSSL's info callback: SSL_CB_ALERT carries the alert's level and description (RFC 8446 6);
// SSL_CB_CONNECT_EXIT, SSL_connect returning, counts a first handshake's ClientHello. (Both of
// its bits: SSL_CB_CONNECT_LOOP shares SSL_ST_CONNECT, and comes before the ClientHello is made.)
void on_info(const SSL* ssl, int where, int alert) {
  if ((where & SSL_CB_CONNECT_EXIT) == SSL_CB_CONNECT_EXIT)
    if (auto* roots = static_cast<RootsReading*>(SSL_get_ex_data(ssl, roots_reading_slot())))
      roots->hello_made();
  if ((where & SSL_CB_ALERT) == 0) return;
  auto* alerts = static_cast<AlertList*>(SSL_get_ex_data(ssl, alert_slot()));
  if (!alerts) return;
  alerts->push_back(std::string((where & SSL_CB_WRITE) ? "sent " : "received ") +
                    packets::tls_alert_level_name(static_cast<std::uint8_t>(alert >> 8)) + " " +
                    packets::tls_alert_description_name(static_cast<std::uint8_t>(alert & 0xff)));
}

// The trusted roots' read, as the handshake's step tells it: when, how long, and whether the
// server's answer was already waiting when it was done (the socket's queue, FIONREAD).
// `roots`: the handshake's account of its ClientHello (null: the read began otherwise).
std::string describe_roots_read(const TrustedRootsRead& read, const std::filesystem::path& ca_file,
                                const RootsReading* roots, const Trace& trace) {
  const auto since_load = read.began - trace.began();
  std::string text =
      "trusted roots: " + std::to_string(read.roots) + " read from " + ca_file.string() +
      ", and OpenSSL's tables for the server's answer built, in " + format_duration(read.took);
  if (since_load.count() >= 0)
    text += ", starting " + format_duration(since_load) + " into the load";
  else
    text += ", starting " + format_duration(-since_load) + " before the load began";
  if (read.ahead) return text + ", on the head start's thread once it had made the context";
  if (read.by_verification) return text + ", as the certificate verification began";
  if (roots != nullptr && roots->hello_bytes() > 0) {
    const std::string hello =
        " the ClientHello SSL_connect made (" + std::to_string(roots->hello_bytes()) + " bytes)";
    text += roots->hello_left() ? ", once" + hello + " had left OpenSSL's output for the socket"
                                : ", while" + hello + " was still in OpenSSL's output";
  } else
    text += ", before the server's answer was read";
  if (read.answer_waiting)
    text += *read.answer_waiting == 0 ? "; the server's answer had not arrived by then"
                                      : "; " + std::to_string(*read.answer_waiting) +
                                            " bytes of the server's answer were waiting by then";
  return text;
}

// The certificate the server sent as `cert`'s issuer when its key did not decode: OpenSSL then
// finds no issuer at all, and says only that. Null when there is none.
tls::X509Ptr sent_issuer_without_key(X509_STORE_CTX* store, X509* cert) {
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store);
  for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) {
    X509* candidate = sk_X509_value(sent, i);
    if (candidate != cert &&
        X509_NAME_cmp(X509_get_subject_name(candidate), X509_get_issuer_name(cert)) == 0 &&
        key_if_decoded(candidate) == nullptr) {
      X509_up_ref(candidate);
      return tls::X509Ptr(candidate);
    }
  }
  return nullptr;
}

}  // namespace

void trace_alerts(const SSL* ssl, std::size_t step, Trace& trace) {
  for (const std::string& alert : tls_alerts(ssl))
    trace.detail(step, "TLS alert " + alert + " (from OpenSSL's info callback)");
}

std::vector<std::string> tls_alerts(const SSL* ssl) {
  const auto* alerts = static_cast<const AlertList*>(SSL_get_ex_data(ssl, alert_slot()));
  return alerts ? *alerts : AlertList{};
}

std::string tls_close_outcome(const SSL* ssl, const std::error_code& shutdown_error) {
  if (!shutdown_error) return "close_notify sent, the server's close_notify received";
  const std::string why = "(" + shutdown_error.message() + ")";
  // The server's came: what failed was sending ours.
  if (SSL_get_shutdown(ssl) & SSL_RECEIVED_SHUTDOWN)
    return "the server's close_notify received; ours not sent " + why;
  // The stream ended: ours had gone (asio writes it before it reads), and the server closed
  // without one.
  if (shutdown_error == asio::error::eof || shutdown_error == asio::ssl::error::stream_truncated)
    return "close_notify sent; no close_notify back " + why;
  // Anything else leaves ours unknown here (the capture shows it): not claimed.
  return "no close_notify back " + why;
}

int TlsClient::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsClient*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_slot()));
  auto* connection = static_cast<ConnectionSessions*>(SSL_get_ex_data(ssl, sessions_slot()));
  if (self == nullptr || connection == nullptr) return 0;  // OpenSSL frees it
  ++connection->issued;
  // Told once the store holds it; a callback set while this one runs waits for the next.
  const auto tell = std::exchange(connection->when_issued, nullptr);
  if (!connection->verified) {
    connection->waiting.emplace_back(session);
    if (tell) tell();
    return 1;  // held until the handshake's verdict
  }
  self->sessions_.keep(connection->origin, session, self->ca_file_, *connection->verified);
  if (tell) tell();
  return 0;  // the store keeps its own copy
}

void TlsClient::when_session_issued(SSL* ssl, std::function<void()> tell) {
  if (auto* connection = static_cast<ConnectionSessions*>(SSL_get_ex_data(ssl, sessions_slot())))
    connection->when_issued = std::move(tell);
}

int TlsClient::sessions_issued(const SSL* ssl) {
  const auto* connection = static_cast<ConnectionSessions*>(SSL_get_ex_data(ssl, sessions_slot()));
  return connection != nullptr ? connection->issued : 0;
}

void TlsClient::on_key_log_line(const SSL* ssl, const char* line) {
  auto* self = static_cast<TlsClient*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_slot()));
  if (!self) return;
  if (self->key_log_file_ >= 0) write_all(self->key_log_file_, std::string(line) + "\n");
  if (self->observer_) self->observer_->tls_secret(line);
}

// A head start already on its way is taken by the handshake's own thread, in context(): a
// thread of its own would be one more wake-up between it and the handshake, and its creation
// waits for the dynamic loader's lock, which the head start holds while it loads OpenSSL.
void TlsClient::prepare() {
  if (!context_ && !prepared_.valid() && !(head_start_ && head_start_->pending()))
    prepared_ = prepare_client_context(ca_file_, versions_, head_start_);
}

Result<asio::ssl::context*> TlsClient::context(Trace& trace, bool sessions_wanted,
                                               const std::function<void()>& meanwhile) {
  if (context_) {
    if (meanwhile) meanwhile();
    return context_.get();
  }
  const bool prepared = prepared_.valid();
  const bool from_head_start = !prepared && head_start_ != nullptr && head_start_->pending();
  std::string begun = prepared ? "client context (built since the start), " : "client context, ";
  // The head start's work began before this trace's clock did: the title says how long before,
  // so that the trace hides none of it.
  if (const auto began = head_start_ ? head_start_->began() : std::nullopt)
    begun = "client context (begun as the program started, " +
            format_duration(trace.began() - *began) + " before this load), ";
  const std::size_t step = trace.begin("tls", begun + "trusting " + ca_file_.string());
  // The profile's sessions read while the head start may still be making the context (no
  // OpenSSL call: they are decoded as they are taken).
  if (sessions_wanted)
    if (const auto read = sessions_.read_profile()) trace.detail(step, *read);
  if (meanwhile) meanwhile();
  // The ClientHello's key share: the head start's thread makes it once it has made the
  // context; made here if it has not begun to.
  if (const auto share = make_key_share_ahead()) {
    key_share_ahead_ = share->made_here ? KeyShareBy::ThisThread : KeyShareBy::Another;
    if (share->made_here)
      trace.detail(step, "the ClientHello's key share (X25519) made meanwhile, in " +
                             format_duration(share->took));
  }
  ClientContext built =
      prepared ? prepared_.get() : build_client_context(ca_file_, versions_, head_start_);
  if (!built) {
    trace.finish(step, "failed: " + built.error().message);
    return built.error();
  }
  std::unique_ptr<asio::ssl::context> context = std::move(*built);
  // The secrets go to SSLKEYLOGFILE when it is set, and to whoever captures the load
  // (handshake() installs the callback when either wants them).
  SSL_CTX_set_ex_data(context->native_handle(), client_slot(), this);
  // The sessions servers issue come to on_new_session; OpenSSL keeps none itself.
  SSL_CTX_set_session_cache_mode(context->native_handle(),
                                 SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(context->native_handle(), &TlsClient::on_new_session);
  if (const char* path = std::getenv("SSLKEYLOGFILE"); path && *path)
    key_log_file_ = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  context_ = std::move(context);
  trace.finish(step, prepared          ? "ready (the wait is this step's length)"
                     : from_head_start ? "taken from the head start and set up (the wait is this "
                                         "step's length), for every connection of this run"
                                       : "built once, for every connection of this run");
  return context_.get();
}

asio::awaitable<Result<std::unique_ptr<TlsStream>>> TlsClient::handshake(
    asio::ip::tcp::socket& socket, SocketDeadline& deadline, const std::string& host,
    const std::chrono::milliseconds& timeout, const RevocationCheck& check_revocation,
    int connection, TlsSecurity& security, Trace& trace, const std::string& origin,
    EarlyData* early) {
  const std::string protocols = offered_protocols(versions_);
  // The session this origin's server issued before, to offer, and with it the first request as
  // early data: taken and made while the head start's thread makes the context, which the load
  // otherwise waits for (with its nghttp2 session and request, 0.05 ms of a warm load's).
  std::optional<TlsSessionStore::Offer> offer;
  std::string sessions_problem;
  std::time_t now = 0;
  const auto take_offer = [&] {
    if (origin.empty()) return;
    now = std::time(nullptr);
    offer = sessions_.take(origin, ca_file_, now);
    sessions_problem = sessions_.take_load_problem();
    if (offer && early) make_early_data(offer->session.get(), protocols, *early);
  };
  auto context = this->context(trace, !origin.empty(), take_offer);
  if (!context) co_return context.error();
  // The step spans the connection's own TLS state made (SSL_new) and set up, then the
  // handshake.
  const std::string offered = "ALPN offered " + protocols;
  std::size_t step = trace.begin("tls", "handshake with " + host + " (SNI), " + offered);
  auto stream = std::make_unique<TlsStream>(socket, **context);
  SSL* ssl = stream->native_handle();
  SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI (RFC 6066 section 3)
  SSL_set1_host(ssl, host.c_str());             // the name check (RFC 6125), as browsers do
  // subjectAltName only: browsers stopped falling back to the subject's CN in 2017.
  SSL_set_hostflags(ssl,
                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  request_stapled_status(ssl);

  VerifyObservation seen;
  stream->set_verify_callback([&](bool preverified, asio::ssl::verify_context& verify) {
    X509_STORE_CTX* store = verify.native_handle();
    if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
      const int depth = X509_STORE_CTX_get_error_depth(store);
      seen.presented.emplace(depth, describe_certificate(cert));
      X509_up_ref(cert);
      tls::X509Ptr held(cert);
      if (depth == 0 && !seen.leaf) {
        X509_up_ref(cert);
        seen.leaf.reset(cert);
      }
      seen.top = std::move(held);
    }
    if (seen.sent_intermediates < 0)
      if (STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store))
        seen.sent_intermediates = sk_X509_num(sent) - 1;
    if (!preverified && !seen.issuer_without_key && seen.top)
      seen.issuer_without_key = sent_issuer_without_key(store, seen.top.get());
    // What OpenSSL accepted may still break a rule of the browser's own (certificate_policy).
    if (preverified)
      if (const int violation = browser_rule_violation(store); violation != X509_V_OK) {
        X509_STORE_CTX_set_error(store, violation);
        preverified = false;
      }
    // --insecure: carry on, but the verdict is still shown on every page.
    return preverified || insecure_;
  });

  SSL_set_ex_data(ssl, alert_slot(), std::make_unique<AlertList>().release());
  SSL_set_info_callback(ssl, &on_info);
  // Only when someone takes the secrets: with a callback set, OpenSSL writes every secret out
  // in hex, one sprintf a byte (400 of them a handshake, 0.28 million instructions). The
  // context's callback is read as each secret is made, and the loads of one run share one
  // observer, so each handshake sets it for itself.
  SSL_CTX_set_keylog_callback(SSL_get_SSL_CTX(ssl), key_log_file_ >= 0 || observer_
                                                        ? &TlsClient::on_key_log_line
                                                        : nullptr);
  if (observer_) observer_->tls_starting(connection, ssl);
  // The session taken above, offered: resumed, the handshake has no certificate to verify, and
  // the roots are not read for it.
  if (!origin.empty()) {
    if (!sessions_problem.empty()) trace.detail(step, "sessions kept: " + sessions_problem);
    if (offer && SSL_set_session(ssl, offer->session.get()) == 1)
      trace.detail(step, describe_offer(*offer, now));
    else
      offer.reset();
    if (early) write_early_data(ssl, offer.has_value(), *early, step, trace);
    if (early && early->outcome == EarlyData::Outcome::Failed) {
      trace.finish(step, "failed: " + early->failure);
      co_return make_error("TLS handshake with " + host + " failed: " + early->failure,
                           exit_code::kTlsHandshake);
    }
    auto sessions = std::make_unique<ConnectionSessions>();
    sessions->origin = origin;
    SSL_set_ex_data(ssl, sessions_slot(), sessions.release());
  }
  deadline.arm(timeout);
  // The context's roots are read once the ClientHello is on its way, while the server works on
  // its answer (RootsReading); with a session offered, by the verification, should the server
  // decline it.
  std::shared_ptr<RootsReading> roots;
  if (!offer && !client_context_finished(SSL_get_SSL_CTX(ssl))) {
    roots = std::make_shared<RootsReading>(ssl, socket.native_handle());
    SSL_set_ex_data(ssl, roots_reading_slot(), roots.get());
    // Run once the handshake's first step has handed the ClientHello to the socket (Asio tries
    // a write at once, before it waits for the socket).
    asio::post(socket.get_executor(), [roots] { roots->read(); });
  }
  std::error_code handshake_error;
  if (early && early->outcome == EarlyData::Outcome::Sent)
    std::tie(handshake_error, std::ignore) =
        co_await asio::async_write(socket, asio::buffer(early->first_flight), use_tuple);
  if (!handshake_error)
    std::tie(handshake_error) =
        co_await stream->async_handshake(asio::ssl::stream_base::client, use_tuple);
  SSL_set_ex_data(ssl, roots_reading_slot(), nullptr);
  // The callback refers to this frame's `seen`; later renegotiation is not expected.
  stream->set_verify_callback([insecure = insecure_](bool preverified, asio::ssl::verify_context&) {
    return preverified || insecure;
  });
  if (!handshake_error && early) note_early_data_outcome(ssl, *early, step, trace);
  if (key_share_ahead_ != KeyShareBy::None && !key_share_ahead_waiting()) {
    const auto beside = head_start_ ? head_start_->key_share_made() : std::nullopt;
    trace.detail(step,
                 key_share_ahead_ == KeyShareBy::ThisThread
                     ? "the ClientHello offered the key share made while the context was"
                     : "the ClientHello offered the key share the head start's thread made once "
                       "it had made the context" +
                           (beside ? " (in " + format_duration(*beside) + ")" : std::string()));
    key_share_ahead_ = KeyShareBy::None;
  }
  const bool resumed = !handshake_error && SSL_session_reused(ssl) != 0;
  if (offer && !resumed && !handshake_error)
    trace.detail(step,
                 "the server did not resume the session (it no longer holds the key of its "
                 "ticket, or chose not to): a full handshake");
  if (resumed && offer)
    co_return finish_resumed(std::move(stream), *offer, offered, step, security, trace);
  if (auto read = take_trusted_roots_read(SSL_get_SSL_CTX(ssl)))
    trace.detail(step, describe_roots_read(*read, ca_file_, roots.get(), trace));
  if (auto trusted = finish_client_context(SSL_get_SSL_CTX(ssl)); !trusted) {
    trace_alerts(ssl, step, trace);
    trace.finish(step, "failed: " + trusted.error().message);
    co_return trusted.error();
  }
  for (const auto& [depth, text] : seen.presented) {
    trace.detail(step, "certificate " + std::to_string(depth) + ": " + text);
    security.chain.push_back(text);
  }
  const long verify_result = SSL_get_verify_result(ssl);
  if (verify_result != X509_V_OK) {
    const std::string reason = explain_refusal(verify_result, seen, host);
    security.verification = "FAILED, " + reason;
    trace.detail(step, "verification: " + security.verification);
    if (!insecure_ || handshake_error) {
      trace_alerts(ssl, step, trace);
      trace.finish(step, "refused: " + browser_error_name(verify_result));
      co_return make_error(browser_error_name(verify_result) + ": the certificate of " + host +
                               " is not trusted: " + reason,
                           exit_code::kCertificate);
    }
    security.insecure_warning = "INSECURE: --insecure is on and the certificate of " + host +
                                " failed verification (" + browser_error_name(verify_result) +
                                ": " + reason + ")";
  }
  if (handshake_error) {
    const std::string why = deadline.expired() ? "timed out" : handshake_error.message();
    trace_alerts(ssl, step, trace);
    trace.finish(step, "failed: " + why);
    co_return make_error("TLS handshake with " + host + " failed: " + why,
                         deadline.expired() ? exit_code::kTimeout : exit_code::kTlsHandshake);
  }
  if (verify_result == X509_V_OK) {
    std::string root_name = "the trusted root";
    if (STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl); chain && sk_X509_num(chain) > 0)
      root_name = name_text(X509_get_subject_name(sk_X509_value(chain, sk_X509_num(chain) - 1)));
    security.verification = "OK, chain to " + root_name + ", name " + host + " matches";
    trace.detail(step, "verification: " + security.verification);
    auto revocation = co_await check_revocation(ssl, trace);
    if (!revocation) {
      security.revocation = "REVOKED, " + revocation.error().message;
      trace.detail(step, "revocation: " + security.revocation);
      trace.finish(step, "refused: NET::ERR_CERT_REVOKED");
      co_return make_error("NET::ERR_CERT_REVOKED: the certificate of " + host +
                               " is not trusted: revoked: " + revocation.error().message,
                           exit_code::kCertificate);
    }
    security.revocation = *revocation;
    trace.detail(step, "revocation: " + security.revocation);
  }
  // Sessions from this connection are kept only from a server the browser accepted.
  if (verify_result == X509_V_OK && security.insecure_warning.empty() && !security.chain.empty())
    accept_sessions(ssl, VerifiedServer{.verified_at = std::time(nullptr),
                                        .verification = security.verification,
                                        .revocation = security.revocation,
                                        .certificate = security.chain.front(),
                                        .certificate_ends = certificate_end(seen.leaf.get())});
  trace.finish(step, negotiated(ssl, offered, security));
  co_return std::move(stream);
}

std::string TlsClient::negotiated(SSL* ssl, const std::string& offered, TlsSecurity& security) {
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
  // A resumed TLS 1.2 session made no key exchange on this connection.
  const bool exchanged = SSL_session_reused(ssl) == 0 || SSL_version(ssl) == TLS1_3_VERSION;
  const char* group = exchanged ? SSL_group_to_name(ssl, SSL_get_negotiated_group(ssl)) : nullptr;
  security.version = SSL_get_version(ssl);
  security.cipher = SSL_get_cipher_name(ssl);
  security.group = !exchanged ? "none (a resumed TLS 1.2 session)" : group ? group : "unknown";
  security.alpn = alpn_length ? std::string(reinterpret_cast<const char*>(alpn), alpn_length) : "";
  security.resumed = SSL_session_reused(ssl) != 0;
  // No ALPN answer means HTTP/1.1 (RFC 7301 section 3.2: the server may ignore the extension).
  return security.version + ", " + security.cipher + ", key exchange " + security.group + ", " +
         offered + ", protocol " +
         (security.alpn.empty() ? "http/1.1 (the server chose none)" : security.alpn) +
         (security.resumed ? ", resumed" : "");
}

void TlsClient::accept_sessions(SSL* ssl, const VerifiedServer& server) {
  auto* connection = static_cast<ConnectionSessions*>(SSL_get_ex_data(ssl, sessions_slot()));
  if (connection == nullptr) return;
  connection->verified = server;
  for (SslSessionPtr& session : connection->waiting)
    sessions_.keep(connection->origin, session.get(), ca_file_, server);
  connection->waiting.clear();
}

void TlsClient::save_sessions_beside() {
  if (head_start_ == nullptr || !head_start_->runs_later()) return;
  auto snapshot = sessions_.take_snapshot();
  if (!snapshot) return;
  auto write = std::make_shared<WriteBeside>();
  write->times.handed_over = Trace::Clock::now();
  const auto job = [write,
                    kept = std::make_shared<TlsSessionStore::Snapshot>(std::move(*snapshot))] {
    write->times.began = Trace::Clock::now();
    write->outcome = TlsSessionStore::write(*kept);
    write->times.ended = Trace::Clock::now();
  };
  if (!head_start_->run_later(job)) job();  // its thread is gone after all: written here
  writes_beside_.push_back(std::move(write));
}

void TlsClient::finish_saving_sessions(Trace& trace) {
  if (writes_beside_.empty()) return;
  if (head_start_ != nullptr) head_start_->wait_for_later();
  for (const std::shared_ptr<WriteBeside>& write : writes_beside_)
    record_beside(trace, write->times, "tls", "sessions kept for resumption, for the next run",
                  write->outcome, "the head start's thread");
  writes_beside_.clear();
}

// A resumed session: the server proved it holds the session's key, which only the server this
// browser verified when the session was made can hold (RFC 8446 section 2.2). No certificate
// came: what that verification and revocation check said stands, and the step says when.
std::unique_ptr<TlsStream> TlsClient::finish_resumed(std::unique_ptr<TlsStream> stream,
                                                     const TlsSessionStore::Offer& offer,
                                                     const std::string& offered, std::size_t step,
                                                     TlsSecurity& security, Trace& trace) {
  SSL* ssl = stream->native_handle();
  const VerifiedServer& server = offer.server;
  const std::string when = "when the session was made, " +
                           std::to_string(std::time(nullptr) - server.verified_at) + " s ago";
  trace.detail(step, "certificate 0 (none sent: the session's, verified " + when +
                         "): " + server.certificate);
  security.chain = {server.certificate};
  security.verification = server.verification + " (" + when + ")";
  security.revocation = server.revocation + " (checked " + when + ")";
  trace.detail(step, "verification: " + security.verification);
  trace.detail(step, "revocation: " + security.revocation);
  accept_sessions(ssl, server);
  // TLS 1.3 resumes with a fresh key exchange beside the session's key (psk_dhe_ke, the only
  // mode OpenSSL offers by default); TLS 1.2's abbreviated handshake has none.
  trace.finish(step, negotiated(ssl, offered, security) +
                         (SSL_version(ssl) == TLS1_3_VERSION
                              ? ": the session's key and a fresh key exchange, no certificate or "
                                "signature to verify"
                              : ": the session's keys, with no key exchange, certificate or "
                                "signature"));
  return stream;
}

}  // namespace miniweb::browser
