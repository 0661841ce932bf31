#pragma once
// Who is asking: the client's address (as the trusted proxy reports it), the session its cookie
// names, and whether a POST really comes from the shop's own pages (CSRF).
//
// Cookies (all HttpOnly, Secure, SameSite=Lax, Path=/):
//   session      a random token; the database keeps only its SHA-256 (sessions.id), so a copy
//                of the database signs nobody in
//   __Host-csrf  a random token for a visitor without a session (double-submit, as OWASP's
//                cheat sheet describes it), so that the sign-in form works on a first visit
//                without a session row per page view. The __Host- prefix (RFC 6265bis section
//                4.1.3.2) stops a sibling host from planting one.
// A form carries its token in the hidden field `csrf`: the session's own, or the __Host-csrf
// cookie's value when there is no session yet.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/http/message.hpp"
#include "shop/database.hpp"
#include "shop/form.hpp"
#include "shop/settings.hpp"

namespace miniweb::shop {

inline constexpr std::string_view kSessionCookie = "session";
inline constexpr std::string_view kCsrfCookie = "__Host-csrf";

// The value of cookie `name` in the request's Cookie fields (RFC 6265 section 5.4).
std::optional<std::string> cookie(const http::Headers& headers, std::string_view name);
// "NAME=VALUE; Path=/; Max-Age=...; HttpOnly; Secure; SameSite=Lax"; max_age 0 removes it.
std::string set_cookie(std::string_view name, std::string_view value, std::int64_t max_age);

// The client's address: the peer's, or, when the peer is a trusted proxy, the nearest address
// in X-Forwarded-For that is not itself a trusted proxy (nginx's real_ip_recursive).
std::string client_address(const http::Headers& headers, std::string_view peer,
                           const ShopSettings& settings);
// "https" or "http": as the trusted proxy says, else what this listener speaks.
std::string request_scheme(const http::Headers& headers, std::string_view peer,
                           const ShopSettings& settings);

// Whether `token` looks like one this shop makes (hex, 64 characters).
bool well_formed_token(std::string_view token);

// Why a state-changing request is refused (403), or nullopt when it may go on:
// Sec-Fetch-Site other than same-origin or none, an Origin other than the shop's own, a
// missing `csrf` field, or one that is not the session's token (or, without a session, the
// __Host-csrf cookie's).
std::optional<std::string> csrf_refusal(const http::Request& request, const Form& form,
                                        const std::optional<Session>& session,
                                        std::string_view scheme);

}  // namespace miniweb::shop
