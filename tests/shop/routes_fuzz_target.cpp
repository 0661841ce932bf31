// libFuzzer entry point for the shop's request handlers (shop/routes.hpp: respond, what the
// application server calls for every request), shared by the clang fuzzer and the corpus driver
// (tests/support/fuzz_driver.cpp). Requests are answered in-process, against one temporary
// database per process (seeded as a new shop is), with a user `fuzzer` in it.
//
// The input is a request:
//   byte 0     the route: method and path (see kRoutes), or the last entry, which takes the
//              method and target from the text
//   byte 1     flags: bits 0-1 the visitor (none; signed in as `fuzzer`; an anonymous session;
//              only the pre-session csrf cookie), bit 2 Accept: application/json, bit 3 the
//              form carries the visitor's csrf token, bits 4-5 the Content-Type (urlencoded,
//              multipart with boundary b0undary, none, text/plain), bit 6 the peer is the
//              trusted proxy (so X-Forwarded-For and -Proto count), bit 7 HEAD for GET
//   then       up to the first newline: appended to the route's target (an id, a query);
//              then "Name: value" lines, up to an empty line: header fields; then the body.
// A byte 0x01 anywhere after the flags becomes the text "<xss>", which no HTML page may then
// show unescaped. Fields are kept as the HTTP parser would pass them (token names; values
// without CR, LF or NUL; a target without spaces or controls).
//
// Every response must have a final status, a Content-Type, fields that could go on the wire,
// JSON that parses when it says JSON, a Location on a 303, an Allow on a 405, and only the
// shop's own cookies, each for the whole site.

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "shop/database.hpp"
#include "shop/passwords.hpp"
#include "shop/routes.hpp"
#include "shop/visitor.hpp"
#include "tests/shop/temp_database.hpp"

namespace {

using namespace miniweb;

void check(bool promise) {
  if (!promise) __builtin_trap();
}

struct Route {
  std::string_view method;
  std::string_view target;
};

constexpr std::array kRoutes = {
    Route{"GET", "/"},          Route{"GET", "/?q="},
    Route{"GET", "/products/"}, Route{"GET", "/cart"},
    Route{"POST", "/cart/add"}, Route{"POST", "/cart/remove"},
    Route{"GET", "/signup"},    Route{"POST", "/signup"},
    Route{"GET", "/signin"},    Route{"POST", "/signin"},
    Route{"POST", "/signout"},  Route{"GET", "/orders"},
    Route{"POST", "/orders"},   Route{"GET", "/orders/"},
    Route{"GET", "/account"},   Route{"POST", "/account/avatar"},
    Route{"GET", "/avatars/"},  Route{"", ""},  // method and target from the text: "METHOD TARGET"
};

enum class Visitor { None, SignedIn, Anonymous, PreSessionCookie };

constexpr std::string_view kBoundary = "b0undary";
constexpr std::string_view kMarker = "<xss>";
// The tokens the shop hands out are 64 hex digits (shop/visitor: well_formed_token).
constexpr std::string_view kCsrf =
    "c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0c5f0";
constexpr std::string_view kProxy = "127.0.0.2";

// The shop of this process: a database in a folder removed at exit, and the user `fuzzer`
// (its password hashed cheaply, so that signing in as it does not cost a real scrypt).
struct Shop {
  shop::test::TempFolder folder;
  std::optional<shop::Database> database;
  std::int64_t user_id = 0;
  shop::ShopSettings settings;
  std::uint64_t sessions = 0;

  Shop() {
    auto opened = shop::Database::open(folder.database());
    if (!opened) {
      std::fprintf(stderr, "shop fuzz target: %s\n", opened.error().message.c_str());
      __builtin_trap();
    }
    database.emplace(std::move(*opened));
    auto hash = shop::hash_password("fuzzer-password", shop::ScryptCost{2, 1, 1});
    if (!hash) __builtin_trap();
    auto created = database->create_user("fuzzer", *hash);
    if (!created || !*created) __builtin_trap();
    user_id = **created;
    settings.instance = "fuzz-1";
    settings.trusted_proxies = {*Cidr::parse("127.0.0.2/32")};
  }

  // A new session's cookie token, for the user or anonymous; made in the database as a sign-in
  // would, so that an input's sign-out or sign-in never changes what the next input finds.
  std::string new_session(std::optional<std::int64_t> user) {
    char token[65];
    std::snprintf(token, sizeof token, "%064llx", static_cast<unsigned long long>(++sessions));
    const shop::Session session{shop::sha256_hex(token), user, "", std::string(kCsrf),
                                static_cast<std::int64_t>(std::time(nullptr)) + 3600};
    if (!database->create_session(session)) __builtin_trap();
    return token;
  }
};

Shop& the_shop() {
  static Shop shop;
  return shop;
}

bool token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), token_char);
}

std::string with_markers(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\x01')
      out += kMarker;
    else
      out += c;
  }
  return out;
}

// What the HTTP parser lets through in a target: visible ASCII and bytes above it.
std::string as_target(std::string_view text) {
  std::string out;
  for (char c : text)
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) out += c;
  return out;
}

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  return out;
}

http::Request request_from(const std::uint8_t* data, std::size_t size, Shop& shop) {
  const Route& route = kRoutes[data[0] % kRoutes.size()];
  const std::uint8_t flags = data[1];
  const std::string text =
      with_markers(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2));
  std::string_view rest = text;
  auto line = [&rest]() {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    std::string_view taken = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (taken.ends_with('\r')) taken.remove_suffix(1);
    return taken;
  };

  http::Request request;
  const std::string_view tail = line();
  if (route.method.empty()) {
    const std::size_t space = tail.find(' ');
    request.method = std::string(tail.substr(0, space));
    if (!is_token(request.method)) request.method = "GET";
    request.target =
        as_target(space == std::string_view::npos ? std::string_view{} : tail.substr(space + 1));
  } else {
    request.method = std::string(route.method);
    request.target = as_target(std::string(route.target) + std::string(tail));
    if (request.method == "GET" && (flags & 0x80)) request.method = "HEAD";
  }

  switch (static_cast<Visitor>(flags & 3)) {
    case Visitor::None:
      break;
    case Visitor::SignedIn:
      request.headers.add("Cookie", "session=" + shop.new_session(shop.user_id));
      break;
    case Visitor::Anonymous:
      request.headers.add("Cookie", "session=" + shop.new_session(std::nullopt));
      break;
    case Visitor::PreSessionCookie:
      request.headers.add("Cookie", std::string(shop::kCsrfCookie) + "=" + std::string(kCsrf));
      break;
  }
  if (flags & 4) request.headers.add("Accept", "application/json");
  const int content = (flags >> 4) & 3;
  if (content == 0) request.headers.add("Content-Type", "application/x-www-form-urlencoded");
  if (content == 1)
    request.headers.add("Content-Type", "multipart/form-data; boundary=" + std::string(kBoundary));
  if (content == 3) request.headers.add("Content-Type", "text/plain");

  for (std::string_view field = line(); !field.empty(); field = line()) {
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || !is_token(field.substr(0, colon))) continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    request.headers.add(std::string(field.substr(0, colon)), one_line(value));
  }

  std::string body(rest);
  if (flags & 8) {
    if (content == 1)
      body = "--" + std::string(kBoundary) +
             "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + std::string(kCsrf) +
             "\r\n" + body;
    else
      body = "csrf=" + std::string(kCsrf) + (body.empty() ? "" : "&") + body;
  }
  request.body = std::move(body);
  request.headers.add("Content-Length", std::to_string(request.body.size()));
  return request;
}

void check_response(const http::Response& response) {
  check(response.status >= 200 && response.status <= 599);
  for (const auto& [name, value] : response.headers.fields())
    check(is_token(name) &&
          value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
  const auto type = response.headers.get("Content-Type");
  check(type.has_value());
  if (*type == "application/json") check(nlohmann::json::accept(response.body));
  if (type->starts_with("text/html")) check(response.body.find(kMarker) == std::string::npos);
  if (response.status == 303) check(response.headers.get("Location").value_or("").starts_with("/"));
  if (response.status == 405) check(response.headers.contains("Allow"));
  for (std::string_view cookie : response.headers.get_all("Set-Cookie")) {
    check(cookie.starts_with(std::string(shop::kSessionCookie) + "=") ||
          cookie.starts_with(std::string(shop::kCsrfCookie) + "="));
    check(cookie.find("; Path=/") != std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  Shop& shop = the_shop();
  const http::Request request = request_from(data, size, shop);
  const std::string peer((data[1] & 0x40) ? kProxy : "127.0.0.1");
  check_response(shop::respond(request, peer, *shop.database, shop.settings));
  return 0;
}
