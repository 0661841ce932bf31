#pragma once
// One request being answered, and the helpers every route file (routes.cpp, account_routes.cpp,
// order_routes.cpp) answers with: pages in HTML or JSON, errors naming fields, redirects, the
// checked form of a POST, sessions started.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "shared/http/message.hpp"
#include "shop/database.hpp"
#include "shop/form.hpp"
#include "shop/pages.hpp"
#include "shop/settings.hpp"

namespace miniweb::shop {

struct Exchange {
  const http::Request& request;
  const Database& database;
  const ShopSettings& settings;
  bool json = false;
  std::string client;    // shop/visitor's client_address
  std::string scheme;    // "https" behind the proxy
  std::int64_t now = 0;  // Unix seconds
  std::optional<Session> session;
  std::vector<std::string> set_cookies;

  bool signed_in() const { return session && session->user_id; }
};

// Header and footer of a page; `with_forms` gives it a csrf token (the session's, or a
// pre-session one, set as a cookie when the visitor has none yet).
Chrome chrome(Exchange& exchange, bool with_forms);

http::Response reply(Exchange& exchange, int status, std::string body);
http::Response error(Exchange& exchange, int status, std::string_view why,
                     const std::vector<FieldProblem>& fields = {});
http::Response database_failed(Exchange& exchange, const Error& failure);
// 303 See Other (RFC 9110 section 15.4.4): after a POST, the browser GETs `location`, so a
// reload repeats the GET, never the POST.
http::Response see_other(Exchange& exchange, std::string_view location);
http::Response not_signed_in(Exchange& exchange, std::string_view to);

// A POST's form, read and its csrf token checked; or the response refusing it.
std::variant<Form, http::Response> checked_form(Exchange& exchange);
// A new session (for `user_id`, or anonymous), its cookie set on the response. A sign-in
// replaces the old session, moving its cart to the user's.
Result<Session> start_session(Exchange& exchange, std::optional<std::int64_t> user_id);

// Digits only, no sign, in range: "42" is 42; "", "-1", "4x", "+4" are nullopt.
std::optional<std::int64_t> parse_id(std::string_view digits);

// Whose cart the visitor's is; nullopt without a session.
std::optional<CartOwner> cart_owner(const Exchange& exchange);

// --- the routes of account_routes.cpp
http::Response signup_form(Exchange& exchange);
http::Response signup(Exchange& exchange);
http::Response signin_form(Exchange& exchange);
http::Response signin(Exchange& exchange);
http::Response signout(Exchange& exchange);
http::Response account(Exchange& exchange);
http::Response upload_avatar(Exchange& exchange);
http::Response avatar(Exchange& exchange, std::int64_t user_id);

// --- the routes of order_routes.cpp
http::Response show_cart(Exchange& exchange);
http::Response add_to_cart(Exchange& exchange);
http::Response remove_from_cart(Exchange& exchange);
http::Response place_order(Exchange& exchange);
http::Response list_orders(Exchange& exchange);
http::Response show_order(Exchange& exchange, std::int64_t id);

}  // namespace miniweb::shop
