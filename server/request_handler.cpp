#include "server/request_handler.hpp"

#include <algorithm>

#include "server/static_files.hpp"

namespace miniweb::server {
namespace {

std::string host_without_port(std::string_view host) {
  std::string name(host.starts_with("[") ? host.substr(0, host.find(']') + 1)
                                         : host.substr(0, host.rfind(':')));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name.ends_with(".")) name.pop_back();
  return name;
}

}  // namespace

const SiteConfig* RequestHandler::site_for_host(std::string_view host) const {
  for (const SiteConfig& site : config_.sites)
    if (std::find(site.names.begin(), site.names.end(), host) != site.names.end()) return &site;
  return nullptr;
}

http::Response RequestHandler::handle(const http::Request& request, const RequestContext& context) const {
  const std::string host = host_without_port(request.headers.get("Host").value_or(""));
  if (!context.tls) {
    // Plain HTTP answers with the HTTPS URL of the same resource (RFC 9110 section 15.4.2).
    http::Response response = error_response(301);
    response.headers.set("Location", "https://" + (host.empty() ? config_.sites.front().names.front() : host) +
                                         request.target);
    return response;
  }
  const SiteConfig* site = site_for_host(host);
  // A request for another host on a connection made for this one (RFC 9110 section 15.5.20).
  if (!context.sni.empty() && host != context.sni && site && site != site_for_host(context.sni))
    return error_response(421, "this connection was made for " + context.sni);
  if (!site) site = &config_.sites.front();  // the default site, as nginx's default_server

  if (request.method == "OPTIONS") {
    http::Response response;
    response.status = 204;
    response.headers.set("Allow", "GET, HEAD, OPTIONS");
    return response;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = error_response(405);
    response.headers.set("Allow", "GET, HEAD, OPTIONS");
    return response;
  }
  return serve_static(*site, request);
}

}  // namespace miniweb::server
