#include "server/return_rules.hpp"

#include "server/static_files.hpp"
#include "shared/html_escape.hpp"

namespace miniweb::server {

const ReturnRule* match_return(const SiteConfig& site, std::string_view path,
                               std::size_t proxy_prefix_length) {
  const ReturnRule* best = nullptr;
  for (const ReturnRule& rule : site.returns) {
    if (!rule.path.empty()) {
      if (rule.path == path) return &rule;
    } else if (path.starts_with(rule.prefix) && rule.prefix.size() >= proxy_prefix_length &&
               (!best || rule.prefix.size() > best->prefix.size())) {
      best = &rule;
    }
  }
  return best;
}

http::Response return_response(const ReturnRule& rule) {
  http::Response response;
  if (rule.body) {
    response.status = rule.status;
    response.body = *rule.body;
    response.headers.set("Content-Type", rule.content_type);
  } else if (!rule.location.empty()) {
    // As nginx: a redirect without text carries a short page linking to the target.
    response = error_response(rule.status);
    response.body.insert(response.body.find("<hr>"), "<p><a href=\"" + html_escape(rule.location) +
                                                         "\">" + html_escape(rule.location) +
                                                         "</a></p>\n");
  } else {
    response = error_response(rule.status);
  }
  if (rule.status == 204 ||
      rule.status == 304) {  // never a body (RFC 9110 sections 15.3.5, 15.4.5)
    response.body.clear();
    response.headers.remove("Content-Type");
  }
  if (!rule.location.empty()) response.headers.set("Location", rule.location);
  for (const auto& [name, value] : rule.headers) response.headers.set(name, value);
  return response;
}

}  // namespace miniweb::server
