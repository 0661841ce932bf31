#include "server/ocsp_stapler.hpp"

#include <asio/ip/address.hpp>

#include <algorithm>
#include <ctime>

#include "server/acme/certificate.hpp"
#include "server/error_log.hpp"
#include "server/outbound_http.hpp"
#include "shared/awaitable.hpp"
#include "shared/text.hpp"
#include "shared/url.hpp"

namespace miniweb::server {
namespace {

// RFC 5280 section 4.1.2.2: a serial number is unique per issuer, so the two name a certificate.
std::string certificate_key(X509* leaf) {
  return tls::to_der(X509_get_issuer_name(leaf), i2d_X509_NAME) + '/' + serial_hex(leaf);
}

// The certificate in the context's chain (the site's chain file) that issued `leaf`.
X509* issuer_in_chain(SSL_CTX* ctx, X509* leaf) {
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(ctx, &chain);
  for (int i = 0; chain && i < sk_X509_num(chain); ++i) {
    X509* candidate = sk_X509_value(chain, i);
    if (X509_check_issued(candidate, leaf) == X509_V_OK) return candidate;
  }
  return nullptr;
}

// The configured site a context was made from (SiteTlsContexts keeps its names).
const SiteConfig* site_of(const ServerConfig& config, const std::vector<std::string>& names) {
  for (const SiteConfig& site : config.sites)
    if (site.names == names && !site.certificate_chain.empty()) return &site;
  return nullptr;
}

std::string resolver_for(const ServerConfig& config, const SiteConfig* site) {
  if (!config.resolver.empty()) return config.resolver;
  // The CA that issued an ACME certificate answers for it: its name resolves where the CA's
  // ACME directory's does.
  if (site && site->acme) return site->acme->resolver;
  return "";
}

tls::X509Ptr up_ref(X509* certificate) {
  X509_up_ref(certificate);
  return tls::X509Ptr(certificate);
}

std::string describe(const tls::OcspVerdict& verdict) {
  switch (verdict.status) {
    case tls::OcspVerdict::Status::Good:
      return "good";
    case tls::OcspVerdict::Status::Revoked:
      return "revoked at " + utc_timestamp(verdict.revoked_at) +
             (verdict.reason >= 0 ? " (" + tls::revocation_reason_name(verdict.reason) + ")" : "");
    case tls::OcspVerdict::Status::Unknown:
      break;
  }
  return "unknown";
}

}  // namespace

OcspStapler::OcspStapler(asio::io_context& io) : io_(io) {}

OcspStapler::~OcspStapler() {
  stop();
}

void OcspStapler::track(const ServerConfig& config, SiteTlsContexts& tls) {
  if (stopped_) return;
  std::map<std::string, std::shared_ptr<Certificate>> kept;
  std::vector<std::shared_ptr<Certificate>> added;
  const auto& sites = tls.sites();
  for (std::size_t index = 0; index < sites.size(); ++index) {
    SSL_CTX* ctx = sites[index].context->native_handle();
    X509* leaf = SSL_CTX_get0_certificate(ctx);
    if (!leaf) continue;  // the stand-in while ACME obtains the first certificate
    const SiteConfig* site = site_of(config, sites[index].names);
    if (site && !site->ocsp_stapling) continue;
    std::string url = tls::ocsp_url_of(leaf);
    if (url.empty()) continue;  // no responder named: nothing to staple
    const std::string key = certificate_key(leaf);
    std::shared_ptr<Certificate> certificate;
    if (auto same = kept.find(key); same != kept.end()) {
      certificate = same->second;  // another site with the same certificate
    } else if (auto known = certificates_.find(key); known != certificates_.end()) {
      certificate = known->second;
      certificates_.erase(known);
      kept.emplace(key, certificate);
      // A reload may have set the resolver that the last attempt lacked: without a staple, try
      // again now rather than at the end of the backoff.
      certificate->resolver = resolver_for(config, site);
      if (!certificate->staple->held()) certificate->timer.cancel();
    } else {
      X509* issuer = issuer_in_chain(ctx, leaf);
      if (!issuer) {
        log_event(LogLevel::Info, "ocsp: no staple for " + sites[index].names.front() +
                                      " (serial " + serial_hex(leaf) +
                                      "): its chain file holds no issuer certificate to ask "
                                      "about it and check the answer with");
        continue;
      }
      certificate = std::make_shared<Certificate>(io_);
      certificate->site = sites[index].names.front();
      certificate->serial = serial_hex(leaf);
      certificate->url = std::move(url);
      certificate->resolver = resolver_for(config, site);
      certificate->leaf = up_ref(leaf);
      certificate->issuer = up_ref(issuer);
      kept.emplace(key, certificate);
      added.push_back(certificate);
    }
    tls.staple_with(index, certificate->staple);
  }
  // What is left is no longer served by the newest contexts (older ones keep their staples as
  // they are until their connections end).
  for (auto& [key, certificate] : certificates_) {
    certificate->retired = true;
    certificate->timer.cancel();
  }
  certificates_ = std::move(kept);
  for (auto& certificate : added) asio::co_spawn(io_, maintain(certificate), asio::detached);
}

void OcspStapler::stop() {
  stopped_ = true;
  for (auto& [key, certificate] : certificates_) {
    certificate->retired = true;
    certificate->timer.cancel();
  }
  certificates_.clear();
}

asio::awaitable<Result<OcspStapler::Fetched>> OcspStapler::fetch(const Certificate& certificate) {
  // A responder's name is looked up only through a resolver the configuration names: the
  // system's could be any network's, and a lookup there cannot be cancelled.
  if (auto url = Url::parse(certificate.url); url && certificate.resolver.empty()) {
    std::error_code not_literal;
    (void)asio::ip::make_address(url->host, not_literal);
    if (not_literal)
      co_return make_error("no resolver is configured to look up " + url->host +
                           ": set [server] resolver");
  }
  auto request_der = tls::ocsp_request_for(certificate.leaf.get(), certificate.issuer.get());
  if (!request_der) co_return request_der.error();
  OutboundRequest request;
  request.method = "POST";
  request.url = certificate.url;
  request.body = std::move(*request_der);
  request.content_type = "application/ocsp-request";
  request.accept = "application/ocsp-response";
  OutboundSettings settings;
  settings.user_agent = "miniweb-server OCSP stapling";
  settings.resolver = certificate.resolver;
  settings.timeout = kFetchTimeout;
  settings.max_body_bytes = kMaxResponseBytes;
  auto response = co_await send_outbound(request, settings);
  if (!response) co_return response.error();
  if (response->status != 200)
    co_return make_error("the responder answered " + std::to_string(response->status) + " " +
                         response->reason);
  const std::time_t now = std::time(nullptr);
  auto verdict = tls::check_ocsp_response(response->body, certificate.leaf.get(),
                                          certificate.issuer.get(), now);
  if (!verdict)
    co_return make_error("its response is not to be believed: " + verdict.error().message);
  if (verdict->status == tls::OcspVerdict::Status::Unknown)
    co_return make_error("the responder does not know the certificate (status unknown)");
  // check_ocsp_response allows the clocks some leeway; a staple never outlives its nextUpdate.
  if (verdict->next_update <= now)
    co_return make_error("its response's nextUpdate " + utc_timestamp(verdict->next_update) +
                         " has passed");
  co_return Fetched{std::move(response->body), *verdict};
}

asio::awaitable<void> OcspStapler::maintain(std::shared_ptr<Certificate> shared_certificate) {
  Certificate& certificate = *shared_certificate;
  const std::string subject =
      certificate.site + " (serial " + certificate.serial + ") from " + certificate.url;
  std::chrono::seconds retry = kFirstRetry;
  while (!certificate.retired) {
    auto fetched = co_await fetch(certificate);
    if (certificate.retired) break;
    const std::time_t now = std::time(nullptr);
    std::chrono::seconds wait = retry;
    if (fetched) {
      const tls::OcspVerdict& verdict = fetched->verdict;
      certificate.staple->hold(std::move(fetched->der), verdict.next_update);
      retry = kFirstRetry;
      // Half-way through the validity window, as Caddy refreshes: an outage of the responder
      // has the other half to end before the staple expires.
      const std::time_t refresh =
          verdict.this_update + (verdict.next_update - verdict.this_update) / 2;
      wait = std::chrono::seconds(refresh - now);
      // A response signed ahead of time may be past its half already: then a quarter of what
      // is left, so that the responder is not asked again at once, and again.
      if (refresh <= now)
        wait = std::clamp(std::chrono::seconds((verdict.next_update - now) / 4), kMinRefresh,
                          kMaxRefresh);
      log_event(LogLevel::Info, "ocsp: stapling the response for " + subject + ": " +
                                    describe(verdict) + ", next update " +
                                    utc_timestamp(verdict.next_update) + ", refreshed from " +
                                    utc_timestamp(now + wait.count()));
    } else {
      retry = std::min(retry * 2, kMaxRetry);
      std::string held;
      if (certificate.staple->held() && certificate.staple->next_update() <= now) {
        certificate.staple->drop();
        held = "; the staple held has expired and is dropped";
      } else if (certificate.staple->held()) {
        held = "; the staple held stays until " + utc_timestamp(certificate.staple->next_update());
        // Awake when it expires, to drop it if no new one has come by then.
        wait = std::min(wait, std::chrono::seconds(certificate.staple->next_update() - now));
      }
      log_event(LogLevel::Info, "ocsp: no new staple for " + subject + ": " +
                                    fetched.error().message + held + "; trying again in " +
                                    std::to_string(wait.count()) + " s");
    }
    certificate.timer.expires_after(wait);
    co_await certificate.timer.async_wait(use_tuple);
  }
}

}  // namespace miniweb::server
