#pragma once
// OCSP stapling, on by default as in Caddy: every certificate served whose leaf names an OCSP
// responder (Authority Information Access, RFC 5280 section 4.2.2.1) has the responder's answer
// about it fetched in the background and stapled into the handshakes of the clients that ask
// (status_request, RFC 6066 section 8).
//
//   when     at start (once the io loop runs), and for each new set of TLS contexts (a SIGHUP,
//            a certificate from ACME); a certificate looked after already keeps its staple and
//            its schedule (certificates are told apart by issuer and serial number), so a
//            reload loses nothing; then again at half the response's validity (thisUpdate to
//            nextUpdate), or, for a response already past its half (a responder that signs
//            ahead), after a quarter of what is left, between kMinRefresh and kMaxRefresh
//   fetch    the DER request POSTed over plain HTTP (RFC 6960 appendix A.1, RFC 5019), the
//            responder's name through [server] resolver, else the site's acme.resolver, never
//            the system's (a lookup there cannot be cancelled, and could go to any network);
//            kFetchTimeout from the connection on (the lookup has its own), at most
//            kMaxResponseBytes
//   staple   only a response that tls::check_ocsp_response believes (signed by the issuer in
//            the site's chain, about this certificate, current), good or revoked (as Caddy);
//            never past its nextUpdate
//   failure  logged; tried again after kFirstRetry, doubling up to kMaxRetry; a staple held
//            stays until its nextUpdate
//
// Handshakes never wait for a fetch: they staple what is held, or nothing. A site opts out
// with `ocsp_stapling = false`.

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "server/config.hpp"
#include "server/ocsp_staple.hpp"
#include "server/tls_contexts.hpp"
#include "shared/result.hpp"
#include "shared/tls/ocsp.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {

class OcspStapler {
 public:
  static constexpr std::chrono::seconds kFetchTimeout{10};
  static constexpr std::size_t kMaxResponseBytes = 64 * 1024;
  static constexpr std::chrono::seconds kFirstRetry{2};
  static constexpr std::chrono::seconds kMaxRetry{300};
  static constexpr std::chrono::seconds kMinRefresh{60};
  static constexpr std::chrono::seconds kMaxRefresh{3600};

  explicit OcspStapler(asio::io_context& io);
  OcspStapler(const OcspStapler&) = delete;
  OcspStapler& operator=(const OcspStapler&) = delete;
  ~OcspStapler();

  // Gives every site of `tls` whose certificate names a responder the staple of that
  // certificate, and looks after it from now on; certificates `tls` no longer serves are let
  // go. Call with each new set of contexts, from the io thread, before it serves a handshake.
  void track(const ServerConfig& config, SiteTlsContexts& tls);
  // Shutting down: no more fetches; one in flight ends with its lookup's or its
  // connection's timeout.
  void stop();

 private:
  // One certificate served, with its issuer (to ask about it and to check the answer).
  struct Certificate {
    explicit Certificate(asio::io_context& io) : timer(io) {}
    std::string site;    // the first name of the first site serving it, for the log
    std::string serial;  // hex
    std::string url;     // the responder's
    std::string resolver;
    tls::X509Ptr leaf;
    tls::X509Ptr issuer;
    std::shared_ptr<OcspStaple> staple = std::make_shared<OcspStaple>();
    asio::steady_timer timer;  // until the next fetch; cancelled to fetch at once
    bool retired = false;      // no longer served: its coroutine ends
  };
  struct Fetched {
    std::string der;
    tls::OcspVerdict verdict;
  };

  // Fetches, staples and refreshes until the certificate is retired. Touches only the
  // certificate it shares, so it may outlive the stapler's interest in it.
  static asio::awaitable<void> maintain(std::shared_ptr<Certificate> certificate);
  static asio::awaitable<Result<Fetched>> fetch(const Certificate& certificate);

  asio::io_context& io_;
  // By issuer name (DER) and serial number.
  std::map<std::string, std::shared_ptr<Certificate>> certificates_;
  bool stopped_ = false;
};

}  // namespace miniweb::server
