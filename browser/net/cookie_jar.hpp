#pragma once
// HTTP state management (RFC 6265): the cookies servers set, kept in memory for the session
// and, with a profile folder, between runs; the Cookie header each request carries.
//
// Persistence: <profile>/cookies.json, rewritten whole (temporary file, then rename) when a
// persistent cookie changes (by the loader's profile writer, beside the load:
// profile_writer.hpp). Only persistent cookies (with Expires or Max-Age) are saved;
// session cookies end with the program, as in browsers. The format is a JSON array of
//   {"name", "value", "domain", "path", "expires" (Unix seconds), "host_only", "secure",
//    "http_only", "same_site" ("Strict", "Lax", "None" or ""), "created" (Unix seconds)}
// A damaged file is ignored, never fatal.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "browser/net/profile_writer.hpp"
#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

struct Cookie {
  std::string name;
  std::string value;
  std::string domain;  // lower case, no leading dot
  std::string path;
  std::optional<std::time_t> expires;  // none: a session cookie
  bool host_only = true;               // sent to `domain` exactly, not to its subdomains
  bool secure = false;
  bool http_only = false;
  std::string same_site;  // as the server wrote it: "Strict", "Lax", "None", or empty
  std::time_t created = 0;
  std::uint64_t order = 0;  // breaks creation-time ties (RFC 6265 section 5.4 step 2)
  std::time_t last_access = 0;
};

// The parts of one Set-Cookie value (RFC 6265 section 5.2), before the storage model.
struct ParsedSetCookie {
  std::string name;
  std::string value;
  std::optional<std::time_t> expires;   // from Expires
  std::optional<std::int64_t> max_age;  // from Max-Age (wins over Expires)
  std::optional<std::string> domain;    // lower case, leading dot removed
  std::optional<std::string> path;      // only a value starting with '/'
  bool secure = false;
  bool http_only = false;
  std::string same_site;
};

// RFC 6265 section 5.2; an error says why the whole header is ignored.
Result<ParsedSetCookie> parse_set_cookie(std::string_view header);
// RFC 6265 section 5.1.1 (the cookie-date algorithm); none when it is not a date.
std::optional<std::time_t> parse_cookie_date(std::string_view text);
// RFC 6265 section 5.1.3 and 5.1.4.
bool domain_matches(std::string_view host, std::string_view domain);
bool path_matches(std::string_view request_path, std::string_view cookie_path);
std::string default_path(std::string_view request_path);
// A domain no cookie may be scoped to: a top-level domain ("test", "com"), or a known
// registry suffix ("co.uk").
bool is_public_suffix(std::string_view domain);

// Where a request goes from (RFC 6265bis section 5.8.3): whether it is cross-site to the
// document that made it, and whether it is a top-level navigation with a safe method (GET,
// HEAD). A typed URL is same-site.
struct CookieContext {
  bool cross_site = false;
  bool top_level_navigation = true;
  bool safe_method = true;
};

// The cookies chosen for one request: the Cookie header, and those withheld by SameSite.
struct CookieSelection {
  std::string header;                                     // empty for none
  std::vector<std::pair<std::string, std::string>> sent;  // name, value, in header order
  std::vector<std::string> withheld;                      // "name (SameSite=Lax, cross-site POST)"
};

class CookieJar {
 public:
  static constexpr std::size_t kMaxCookieBytes = 4096;  // name + value, as browsers
  static constexpr std::size_t kMaxPerDomain = 50;

  // `writer`, when given, writes the profile's file beside the load (it outlives the jar); else
  // it is written here.
  explicit CookieJar(std::filesystem::path profile_dir = {}, ProfileWriter* writer = nullptr);

  // RFC 6265 section 5.3: stores (or replaces, or deletes) the cookie one Set-Cookie header of
  // a response from `url` sets. The text says what happened, for the trace; an error why the
  // cookie was refused.
  Result<std::string> set(const Url& url, std::string_view header, std::time_t now);
  // RFC 6265 section 5.4: the Cookie header value for a request to `url`; empty for none.
  std::string header_for(const Url& url, std::time_t now);
  // The same, with SameSite applied (RFC 6265bis section 5.8.3): a cross-site request carries
  // no SameSite=Strict cookie, and SameSite=Lax ones only on a top-level navigation with a
  // safe method. A cookie without SameSite is sent as SameSite=None (as Firefox and Safari
  // do; Chromium would treat it as Lax).
  CookieSelection select(const Url& url, std::time_t now, const CookieContext& context);

  const std::vector<Cookie>& cookies() const { return cookies_; }

 private:
  void remove_expired(std::time_t now);
  void load();
  void save() const;

  std::filesystem::path file_;
  ProfileWriter* writer_;
  std::vector<Cookie> cookies_;
  std::uint64_t next_order_ = 0;
};

}  // namespace miniweb::browser
