#include "browser/net/navigation_request.hpp"

#include "browser/net/cookie_jar.hpp"

namespace miniweb::browser {
namespace {

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

}  // namespace

NavigationRequest redirected(const NavigationRequest& request, int status, const Url& next) {
  NavigationRequest out = request;
  out.url = next;
  const bool to_get = ((status == 301 || status == 302) && request.method == "POST") ||
                      (status == 303 && request.method != "GET" && request.method != "HEAD");
  if (to_get) {
    out.method = "GET";
    out.body.clear();
    out.content_type.clear();
    out.fields.clear();
  }
  return out;
}

std::string origin_of(const Url& url) {
  return url.scheme + "://" + url.host_for_header();
}

bool same_origin(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.effective_port() == b.effective_port();
}

std::string registrable_domain(std::string_view host) {
  if (is_ip_literal(host)) return std::string(host);
  // The longest public suffix of the host, and the label before it.
  std::size_t start = 0;
  std::size_t previous = std::string_view::npos;
  while (true) {
    const std::string_view candidate = host.substr(start);
    if (is_public_suffix(candidate))
      return std::string(previous == std::string_view::npos ? candidate : host.substr(previous));
    const auto dot = host.find('.', start);
    if (dot == std::string_view::npos) return std::string(host);
    previous = start;
    start = dot + 1;
  }
}

bool same_site(const Url& a, const Url& b) {
  return a.scheme == b.scheme && registrable_domain(a.host) == registrable_domain(b.host);
}

void RequestSite::visit(const Url& url) {
  if (!initiator_) return;
  if (!same_origin(*initiator_, url)) cross_origin_ = true;
  if (!same_site(*initiator_, url)) cross_site_ = true;
  // Fetch's redirect-taint: a hop between two origins, neither of them the initiator's.
  if (last_ && !same_origin(url, *last_) && !same_origin(*initiator_, *last_)) tainted_ = true;
  last_ = url;
}

std::string RequestSite::fetch_site() const {
  if (!initiator_) return "none";
  if (cross_site_) return "cross-site";
  if (cross_origin_) return "same-site";
  return "same-origin";
}

std::optional<std::string> RequestSite::origin_header() const {
  if (!initiator_) return std::nullopt;
  if (tainted_ || initiator_->scheme == "file") return "null";  // file: is an opaque origin
  return origin_of(*initiator_);
}

}  // namespace miniweb::browser
