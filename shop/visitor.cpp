#include "shop/visitor.hpp"

#include <asio/ip/address.hpp>

#include <algorithm>
#include <vector>

#include "shared/text.hpp"
#include "shop/passwords.hpp"

namespace miniweb::shop {

namespace {

bool trusted(std::string_view address, const ShopSettings& settings) {
  std::error_code ec;
  const auto parsed = asio::ip::make_address(std::string(address), ec);
  if (ec) return false;
  return std::any_of(settings.trusted_proxies.begin(), settings.trusted_proxies.end(),
                     [&](const Cidr& range) { return range.contains(parsed); });
}

bool is_address(std::string_view text) {
  std::error_code ec;
  asio::ip::make_address(std::string(text), ec);
  return !ec;
}

}  // namespace

std::optional<std::string> cookie(const http::Headers& headers, std::string_view name) {
  for (std::string_view field : headers.get_all("Cookie")) {
    while (!field.empty()) {
      const auto semicolon = field.find(';');
      const std::string_view pair = trim(field.substr(0, semicolon));
      field =
          semicolon == std::string_view::npos ? std::string_view{} : field.substr(semicolon + 1);
      const auto equals = pair.find('=');
      if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name)
        return std::string(trim(pair.substr(equals + 1)));
    }
  }
  return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, std::int64_t max_age) {
  return std::string(name) + "=" + std::string(value) +
         "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; Secure; SameSite=Lax";
}

std::string client_address(const http::Headers& headers, std::string_view peer,
                           const ShopSettings& settings) {
  if (!trusted(peer, settings)) return std::string(peer);
  // Every X-Forwarded-For field, in order, as one list: the nearest hop is last.
  std::vector<std::string> hops;
  for (std::string_view field : headers.get_all("X-Forwarded-For")) {
    while (!field.empty()) {
      const auto comma = field.find(',');
      hops.emplace_back(trim(field.substr(0, comma)));
      field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    }
  }
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    if (!is_address(*hop)) break;  // what a client wrote itself, or garbage: stop trusting
    if (!trusted(*hop, settings)) return *hop;
  }
  return std::string(peer);
}

std::string request_scheme(const http::Headers& headers, std::string_view peer,
                           const ShopSettings& settings) {
  if (trusted(peer, settings))
    if (auto proto = headers.get("X-Forwarded-Proto"); proto && iequals(*proto, "https"))
      return "https";
  return "http";
}

bool well_formed_token(std::string_view token) {
  return token.size() == 64 && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<std::string> csrf_refusal(const http::Request& request, const Form& form,
                                        const std::optional<Session>& session,
                                        std::string_view scheme) {
  // Fetch metadata (https://www.w3.org/TR/fetch-metadata/): a browser says where a request
  // comes from; "none" is the user's own doing (a bookmark, the address bar).
  if (auto site = request.headers.get("Sec-Fetch-Site"))
    if (!iequals(*site, "same-origin") && !iequals(*site, "none"))
      return "this form was sent from another site (Sec-Fetch-Site: " + std::string(*site) + ")";
  // RFC 6454 section 7: a browser names the page's origin on a POST.
  if (auto origin = request.headers.get("Origin")) {
    const std::string own =
        std::string(scheme) + "://" + std::string(request.headers.get("Host").value_or(""));
    if (!iequals(*origin, own))
      return "this form was sent from another site (Origin: " + std::string(*origin) + ")";
  }
  const std::string* token = form.text("csrf");
  if (!token || token->empty()) return "the form has no csrf token";
  std::string expected;
  if (session)
    expected = session->csrf;
  else if (auto pre = cookie(request.headers, kCsrfCookie); pre && well_formed_token(*pre))
    expected = *pre;
  if (expected.empty() || !constant_time_equals(*token, expected))
    return "the form's csrf token is not this visitor's (an old page? reload it)";
  return std::nullopt;
}

}  // namespace miniweb::shop
