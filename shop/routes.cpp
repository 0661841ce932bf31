#include "shop/routes.hpp"

#include <charconv>
#include <ctime>
#include <functional>

#include "shared/http/accept.hpp"
#include "shared/url.hpp"
#include "shop/exchange.hpp"
#include "shop/passwords.hpp"
#include "shop/visitor.hpp"

namespace miniweb::shop {

namespace {

using Handler = std::function<http::Response(Exchange&)>;

// The route's handler for the request's method, or 405 with the methods it has.
http::Response by_method(Exchange& exchange, const Handler& get, const Handler& post) {
  const std::string& method = exchange.request.method;
  if ((method == "GET" || method == "HEAD") && get) return get(exchange);
  if (method == "POST" && post) return post(exchange);
  std::string allow = get ? "GET, HEAD" : "";
  if (post) allow += allow.empty() ? "POST" : ", POST";
  http::Response refused = error(exchange, 405, method + " is not allowed here: " + allow + ".");
  refused.headers.set("Allow", allow);
  return refused;
}

// "/PREFIX/ID": the ID, when the path is that.
std::optional<std::int64_t> id_after(std::string_view path, std::string_view prefix) {
  if (!path.starts_with(prefix)) return std::nullopt;
  return parse_id(path.substr(prefix.size()));
}

http::Response home(Exchange& exchange, std::string_view query) {
  const std::optional<std::string> q = form_value(query, "q");
  const Database& database = exchange.database;
  auto products = q && !q->empty() ? database.search(*q) : database.products();
  if (!products) return database_failed(exchange, products.error());
  const std::optional<std::string> shown = q && !q->empty() ? q : std::nullopt;
  if (exchange.json)
    return reply(exchange, 200, products_json(exchange.settings.instance, *products, shown));
  // No form that changes anything: an anonymous visitor's home page is the same bytes each time.
  return reply(exchange, 200, products_html(chrome(exchange, false), *products, shown));
}

http::Response show_product(Exchange& exchange, std::int64_t id) {
  auto product = exchange.database.product(id);
  if (!product) return database_failed(exchange, product.error());
  if (!*product) return error(exchange, 404, "There is no product " + std::to_string(id) + ".");
  if (exchange.json)
    return reply(exchange, 200, product_json(exchange.settings.instance, **product));
  return reply(exchange, 200, product_html(chrome(exchange, true), **product));
}

http::Response route(Exchange& exchange, std::string_view path, std::string_view query) {
  if (path == "/")
    return by_method(
        exchange, [&](Exchange& e) { return home(e, query); }, nullptr);
  if (auto id = id_after(path, "/products/"))
    return by_method(
        exchange, [&](Exchange& e) { return show_product(e, *id); }, nullptr);
  if (path == "/cart") return by_method(exchange, show_cart, nullptr);
  if (path == "/cart/add") return by_method(exchange, nullptr, add_to_cart);
  if (path == "/cart/remove") return by_method(exchange, nullptr, remove_from_cart);
  if (path == "/signup") return by_method(exchange, signup_form, signup);
  if (path == "/signin") return by_method(exchange, signin_form, signin);
  if (path == "/signout") return by_method(exchange, nullptr, signout);
  if (path == "/orders") return by_method(exchange, list_orders, place_order);
  if (auto id = id_after(path, "/orders/"))
    return by_method(
        exchange, [&](Exchange& e) { return show_order(e, *id); }, nullptr);
  if (path == "/account") return by_method(exchange, account, nullptr);
  if (path == "/account/avatar") return by_method(exchange, nullptr, upload_avatar);
  if (auto id = id_after(path, "/avatars/"))
    return by_method(
        exchange, [&](Exchange& e) { return avatar(e, *id); }, nullptr);
  return error(exchange, 404, "There is no page at " + std::string(path) + ".");
}

}  // namespace

std::optional<std::int64_t> parse_id(std::string_view digits) {
  std::int64_t id = 0;
  if (digits.empty() || digits.front() < '0' || digits.front() > '9') return std::nullopt;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

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

Chrome chrome(Exchange& exchange, bool with_forms) {
  Chrome chrome{exchange.settings.instance, std::nullopt, ""};
  if (exchange.session) {
    if (exchange.session->user_id) chrome.username = exchange.session->username;
    chrome.csrf = exchange.session->csrf;
  } else if (with_forms) {
    auto pre = cookie(exchange.request.headers, kCsrfCookie);
    if (pre && well_formed_token(*pre)) {
      chrome.csrf = *pre;
    } else {
      chrome.csrf = random_token();
      exchange.set_cookies.push_back(
          set_cookie(kCsrfCookie, chrome.csrf, exchange.settings.session_seconds));
    }
  }
  return chrome;
}

http::Response reply(Exchange& exchange, int status, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.set("Content-Type",
                       exchange.json ? "application/json" : "text/html; charset=utf-8");
  response.headers.set("Vary", "Accept, Cookie");
  // A page for one visitor is nobody else's: no cache keeps it.
  if (exchange.session || !exchange.set_cookies.empty())
    response.headers.set("Cache-Control", "no-store");
  for (const std::string& set : exchange.set_cookies) response.headers.add("Set-Cookie", set);
  response.body = std::move(body);
  return response;
}

http::Response error(Exchange& exchange, int status, std::string_view why,
                     const std::vector<FieldProblem>& fields) {
  if (exchange.json)
    return reply(exchange, status, error_json(exchange.settings.instance, status, why, fields));
  return reply(exchange, status, error_html(chrome(exchange, false), status, why, fields));
}

http::Response database_failed(Exchange& exchange, const Error& failure) {
  return error(exchange, 500, "The shop's database failed: " + failure.message);
}

http::Response see_other(Exchange& exchange, std::string_view location) {
  http::Response response =
      reply(exchange, 303,
            exchange.json ? "{\"location\": \"" + std::string(location) + "\"}\n"
                          : "<!DOCTYPE html>\n<p>See <a href=\"" + std::string(location) + "\">" +
                                std::string(location) + "</a>.</p>\n");
  response.headers.set("Location", std::string(location));
  return response;
}

http::Response not_signed_in(Exchange& exchange, std::string_view to) {
  return error(exchange, 401,
               "Sign in (at /signin) or sign up (at /signup) to " + std::string(to) + ".");
}

std::variant<Form, http::Response> checked_form(Exchange& exchange) {
  Form::Read read = Form::read(exchange.request, exchange.settings.form_limits);
  if (auto* rejected = std::get_if<FormRejection>(&read))
    return error(exchange, rejected->status, rejected->why, rejected->fields);
  Form& form = std::get<Form>(read);
  if (auto refusal = csrf_refusal(exchange.request, form, exchange.session, exchange.scheme))
    return error(exchange, 403, *refusal);
  return std::move(form);
}

Result<Session> start_session(Exchange& exchange, std::optional<std::int64_t> user_id) {
  const std::string token = random_token();
  Session fresh{sha256_hex(token), user_id, "", random_token(),
                exchange.now + exchange.settings.session_seconds};
  std::optional<std::string_view> old;
  if (exchange.session) old = exchange.session->id;
  if (user_id) {
    if (auto done = exchange.database.sign_in_session(old, fresh); !done) return done.error();
  } else if (auto done = exchange.database.create_session(fresh); !done) {
    return done.error();
  }
  exchange.set_cookies.push_back(
      set_cookie(kSessionCookie, token, exchange.settings.session_seconds));
  return fresh;
}

std::optional<CartOwner> cart_owner(const Exchange& exchange) {
  if (!exchange.session) return std::nullopt;
  if (exchange.session->user_id) return CartOwner::of_user(*exchange.session->user_id);
  return CartOwner::of_session(exchange.session->id);
}

http::Response respond(const http::Request& request, std::string_view peer,
                       const Database& database, const ShopSettings& settings) {
  Exchange exchange{request, database, settings, false, {}, {}, 0, std::nullopt, {}};
  exchange.json = prefers_json(request.headers);
  exchange.client = client_address(request.headers, peer, settings);
  exchange.scheme = request_scheme(request.headers, peer, settings);
  exchange.now = static_cast<std::int64_t>(std::time(nullptr));
  if (auto token = cookie(request.headers, kSessionCookie); token && well_formed_token(*token)) {
    auto session = database.session(sha256_hex(*token), exchange.now);
    if (!session) return database_failed(exchange, session.error());
    exchange.session = std::move(*session);
  }
  const std::string_view target = request.target;
  const auto question = target.find('?');
  return route(
      exchange, target.substr(0, question),
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1));
}

}  // namespace miniweb::shop
