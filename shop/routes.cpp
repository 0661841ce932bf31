#include "shop/routes.hpp"

#include <charconv>
#include <cstdlib>
#include <vector>

#include "shared/http/accept.hpp"
#include "shared/text.hpp"
#include "shared/url.hpp"
#include "shop/pages.hpp"

namespace miniweb::shop {

namespace {

struct Negotiated {
  bool json;
  std::string_view instance;
};

http::Response reply(int status, const Negotiated& as, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.set("Content-Type", as.json ? "application/json" : "text/html; charset=utf-8");
  response.headers.set("Vary", "Accept");
  response.body = std::move(body);
  return response;
}

http::Response error(int status, const Negotiated& as, std::string_view why) {
  return reply(
      status, as,
      as.json ? error_json(as.instance, status, why) : error_html(as.instance, status, why));
}

http::Response database_failed(const Negotiated& as, const Error& failure) {
  return error(500, as, "The shop's database failed: " + failure.message);
}

// "/products/ID": the ID, when it is one (digits only, in range).
std::optional<std::int64_t> product_id(std::string_view path) {
  constexpr std::string_view prefix = "/products/";
  if (!path.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = path.substr(prefix.size());
  std::int64_t id = 0;
  if (digits.empty() || digits.front() < '0' || digits.front() > '9') return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

}  // namespace

bool prefers_json(const http::Headers& headers) {
  auto accept = headers.get("Accept");
  if (!accept) return false;
  return http::accept_quality(*accept, "application/json") >
         http::accept_quality(*accept, "text/html");
}

std::optional<std::string> form_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto equals = pair.find('=');
    std::string key(pair.substr(0, equals));
    std::string value(equals == std::string_view::npos ? std::string_view{}
                                                       : pair.substr(equals + 1));
    // '+' is a space in this format (WHATWG URL, application/x-www-form-urlencoded), before
    // %XX is decoded, so that %2B stays a plus.
    for (std::string* text : {&key, &value})
      for (char& c : *text)
        if (c == '+') c = ' ';
    if (percent_decode(key) == name) return percent_decode(value);
  }
  return std::nullopt;
}

http::Response respond(const http::Request& request, const Database& database,
                       std::string_view instance) {
  const Negotiated as{prefers_json(request.headers), instance};
  const std::string_view target = request.target;
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

  const std::optional<std::int64_t> id = product_id(path);
  if (path != "/" && !id) return error(404, as, "There is no page at " + std::string(path) + ".");
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response refused = error(405, as, request.method + " is not allowed here: GET is.");
    refused.headers.set("Allow", "GET, HEAD");
    return refused;
  }

  if (id) {
    auto product = database.product(*id);
    if (!product) return database_failed(as, product.error());
    if (!*product) return error(404, as, "There is no product " + std::to_string(*id) + ".");
    return reply(200, as,
                 as.json ? product_json(instance, **product) : product_html(instance, **product));
  }
  const std::optional<std::string> q = form_value(query, "q");
  auto products = q && !q->empty() ? database.search(*q) : database.products();
  if (!products) return database_failed(as, products.error());
  const std::optional<std::string> shown = q && !q->empty() ? q : std::nullopt;
  return reply(200, as,
               as.json ? products_json(instance, *products, shown)
                       : products_html(instance, *products, shown));
}

}  // namespace miniweb::shop
