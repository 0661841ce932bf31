#include "server/request_handler.hpp"

#include <algorithm>

#include "server/http01_challenges.hpp"
#include "server/return_rules.hpp"
#include "server/static_files.hpp"
#include "shared/text.hpp"

namespace miniweb::server {
namespace {

std::string host_without_port(std::string_view host) {
  std::string name = to_lower(host.starts_with("[") ? host.substr(0, host.find(']') + 1)
                                                    : host.substr(0, host.rfind(':')));
  if (name.ends_with(".")) name.pop_back();
  return name;
}

}  // namespace

const SiteConfig* RequestHandler::site_for_host(std::string_view host) const {
  for (const SiteConfig& site : config_.sites)
    if (std::find(site.names.begin(), site.names.end(), host) != site.names.end()) return &site;
  return nullptr;
}

const SiteConfig& RequestHandler::default_site(bool tls) const {
  // Over TLS, the first site with a certificate (the one whose certificate was presented).
  if (tls)
    for (const SiteConfig& site : config_.sites)
      if (!site.certificate_chain.empty()) return site;
  return config_.sites.front();
}

Decision RequestHandler::decide(const http::Request& request, const RequestContext& context) const {
  Decision decision;
  // RFC 8555 §8.3: the ACME client's key authorization, for any Host, never redirected.
  if (!context.tls && context.challenges && request.method == "GET") {
    if (auto answer = context.challenges->answer(request.target)) {
      decision.response.status = 200;
      decision.response.reason = "OK";
      decision.response.headers.set("Content-Type", "application/octet-stream");
      decision.response.body = std::move(*answer);
      return decision;
    }
  }
  const std::string host = host_without_port(request.headers.get("Host").value_or(""));
  const SiteConfig* site = site_for_host(host);
  if (!context.tls && !(site ? site : &default_site(false))->redirect_to_https) {
    site = site ? site : &default_site(false);  // a plain-HTTP site (a backend) serves here
  } else if (!context.tls) {
    // Plain HTTP answers with the HTTPS URL of the same resource (RFC 9110 section 15.4.2).
    decision.response = error_response(301);
    decision.response.headers.set(
        "Location",
        "https://" + (host.empty() ? config_.sites.front().names.front() : host) + request.target);
    return decision;
  } else {
    // A request for another host on a connection made for this one (RFC 9110 section 15.5.20).
    if (!context.sni.empty() && host != context.sni && site && site != site_for_host(context.sni)) {
      decision.response = error_response(421, "this connection was made for " + context.sni);
      return decision;
    }
    if (!site) site = &default_site(true);  // the default site, as nginx's default_server
  }
  decision.site = site;
  const std::string_view path =
      std::string_view(request.target).substr(0, request.target.find('?'));
  for (const EarlyHints& hints : site->early_hints)
    if (path == hints.path) decision.early_hints = &hints;

  // The longest matching prefix routes to an upstream group; any method goes upstream.
  for (const ProxyRoute& route : site->proxies)
    if (path.starts_with(route.prefix) &&
        (!decision.proxy || route.prefix.size() > decision.proxy->prefix.size()))
      decision.proxy = &route;
  // nginx's `return`: an exact path, or a prefix at least as long as the proxy route's.
  if (const ReturnRule* rule =
          match_return(*site, path, decision.proxy ? decision.proxy->prefix.size() : 0)) {
    decision.proxy = nullptr;
    decision.response = return_response(*rule);
    if (!rule->body && decision.response.status >= 400) use_error_page(*site, decision.response);
    return decision;
  }
  if (decision.proxy) return decision;

  if (request.method == "OPTIONS") {
    decision.response.status = 204;
    decision.response.headers.set("Allow", "GET, HEAD, OPTIONS");
    return decision;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    decision.response = error_response(405);
    decision.response.headers.set("Allow", "GET, HEAD, OPTIONS");
  } else {
    decision.response = serve_static(*site, request, files_, decision.file_body);
  }
  if (decision.response.status >= 400) use_error_page(*site, decision.response);
  return decision;
}

http::Response RequestHandler::handle(const http::Request& request,
                                      const RequestContext& context) const {
  Decision decision = decide(request, context);
  if (decision.proxy) return error_response(502, "no upstream group is running");
  if (decision.file_body) decision.response.body = *decision.file_body;
  return std::move(decision.response);
}

}  // namespace miniweb::server
