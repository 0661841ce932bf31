#pragma once
// The shop's routes: a request in, a response out, against the database. No sockets here, so
// that tests call it directly; shop/app_server puts it on the shared connection loop.
//
//   GET  /                 the product list; GET /?q=TEXT the products matching TEXT
//   GET  /products/ID      one product, with the form that adds it to the cart
//   GET  /cart             the cart;  POST /cart/add (product, quantity), /cart/remove (product)
//   GET  /signup, /signin  the forms; POST them (username, password); POST /signout
//   POST /orders           the cart becomes an order: 303 to /orders/ID (201 for JSON)
//   GET  /orders           the user's orders;  GET /orders/ID  one of them
//   GET  /account          the account, with the avatar form; POST /account/avatar (multipart,
//                          field avatar);  GET /avatars/ID  a user's avatar
// Each answers JSON when the Accept field prefers application/json to text/html (RFC 9110
// section 12.5.1), HTML otherwise; HEAD as GET; 405 with Allow for other methods; 404 for other
// paths. Every POST carries the form's `csrf` token (shop/visitor). The statuses of failures:
// 400 a malformed form, 401 not signed in or a wrong password, 403 a bad token, a cross-site
// POST or someone else's order, 409 a username taken or stock run out, 413 a body or upload
// too large, 415 a body that is not a form, 422 fields missing or invalid (named), 429 too
// many failed sign-ins (with Retry-After).

#include <optional>
#include <string>
#include <string_view>

#include "shared/http/message.hpp"
#include "shop/database.hpp"
#include "shop/settings.hpp"

namespace miniweb::shop {

// `peer` is the address of the connection's other end (the proxy, when there is one).
http::Response respond(const http::Request& request, std::string_view peer,
                       const Database& database, const ShopSettings& settings);

// Whether the Accept field ranks application/json above text/html (absent: it does not).
bool prefers_json(const http::Headers& headers);

// The value of `name` in an application/x-www-form-urlencoded query ('+' is a space, %XX a
// byte); nullopt when the name is not there. Lenient, for the search's query string.
std::optional<std::string> form_value(std::string_view query, std::string_view name);

}  // namespace miniweb::shop
