#pragma once
// The shop's routes: a request in, a response out, against the database. No sockets here, so
// that tests call it directly; shop/app_server puts it on the shared connection loop.
//
//   GET /              the product list; GET /?q=TEXT the products matching TEXT
//   GET /products/ID   one product
// Each answers JSON when the Accept field prefers application/json to text/html (RFC 9110
// section 12.5.1), HTML otherwise; HEAD as GET; 405 for other methods; 404 for other paths.

#include <optional>
#include <string>
#include <string_view>

#include "shared/http/message.hpp"
#include "shop/database.hpp"

namespace miniweb::shop {

http::Response respond(const http::Request& request, const Database& database,
                       std::string_view instance);

// Whether the Accept field ranks application/json above text/html (absent: it does not).
bool prefers_json(const http::Headers& headers);

// The value of `name` in an application/x-www-form-urlencoded query ('+' is a space, %XX a
// byte); nullopt when the name is not there.
std::optional<std::string> form_value(std::string_view query, std::string_view name);

}  // namespace miniweb::shop
