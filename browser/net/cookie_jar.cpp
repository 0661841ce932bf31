#include "browser/net/cookie_jar.hpp"

#include "shared/atomic_file.hpp"

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <limits>

#include "shared/http/message.hpp"
#include "shared/text.hpp"

namespace miniweb::browser {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 6265 section 5.1.1: delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E.
bool is_date_delimiter(unsigned char c) {
  return c == 0x09 || (c >= 0x20 && c <= 0x2F) || (c >= 0x3B && c <= 0x40) ||
         (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

// Reads 1 to `max_digits` digits at the start of `text`, then requires that the next
// character (if any) is not a digit.
std::optional<int> leading_number(std::string_view& text, std::size_t min_digits,
                                  std::size_t max_digits) {
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  if (n < min_digits || n > max_digits) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < n; ++i) value = value * 10 + (text[i] - '0');
  text.remove_prefix(n);
  return value;
}

std::optional<std::array<int, 3>> time_token(std::string_view token) {
  std::array<int, 3> hms{};
  for (int i = 0; i < 3; ++i) {
    auto field = leading_number(token, 1, 2);
    if (!field) return std::nullopt;
    hms[i] = *field;
    if (i < 2) {
      if (token.empty() || token.front() != ':') return std::nullopt;
      token.remove_prefix(1);
    }
  }
  return hms;
}

// The cookie's expiry as the store keeps it; an expiry in the past deletes.
std::time_t expiry_from_max_age(std::int64_t seconds, std::time_t now) {
  if (seconds <= 0) return 0;  // "the earliest representable date and time"
  const auto limit = std::numeric_limits<std::time_t>::max() - now;
  return now + static_cast<std::time_t>(std::min<std::int64_t>(seconds, limit));
}

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  return !host.empty() &&
         std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; });
}

std::string describe_expiry(const Cookie& cookie) {
  if (!cookie.expires) return "session";
  std::array<char, 64> text{};
  std::tm tm{};
  const std::time_t when = *cookie.expires;
  gmtime_r(&when, &tm);
  std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return std::string("until ") + text.data();
}

}  // namespace

std::optional<std::time_t> parse_cookie_date(std::string_view text) {
  std::optional<std::array<int, 3>> time;
  std::optional<int> day, month, year;
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_date_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_date_delimiter(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view token = text.substr(start, i - start);
    if (token.empty()) continue;
    if (!time) {
      if (auto hms = time_token(token)) {
        time = hms;
        continue;
      }
    }
    if (!day) {
      std::string_view rest = token;
      if (auto value = leading_number(rest, 1, 2)) {
        day = value;
        continue;
      }
    }
    if (!month && token.size() >= 3) {
      const std::string prefix = to_lower(token.substr(0, 3));
      auto found = std::find(kMonths.begin(), kMonths.end(), prefix);
      if (found != kMonths.end()) {
        month = static_cast<int>(found - kMonths.begin()) + 1;
        continue;
      }
    }
    if (!year) {
      std::string_view rest = token;
      if (auto value = leading_number(rest, 2, 4)) {
        year = value;
        continue;
      }
    }
  }
  if (!time || !day || !month || !year) return std::nullopt;
  int y = *year;
  if (y >= 70 && y <= 99) y += 1900;
  if (y >= 0 && y <= 69) y += 2000;
  const auto [hour, minute, second] = *time;
  if (*day < 1 || *day > 31 || y < 1601 || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (*day > kDays[*month - 1] || (*month == 2 && *day == 29 && !leap)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return timegm(&tm);
}

Result<ParsedSetCookie> parse_set_cookie(std::string_view header) {
  ParsedSetCookie cookie;
  // Step 1: the name-value pair runs to the first ';'.
  const auto semicolon = header.find(';');
  std::string_view pair = header.substr(0, semicolon);
  std::string_view attributes =
      semicolon == std::string_view::npos ? std::string_view{} : header.substr(semicolon + 1);
  // Steps 2 to 5: no '=' or an empty name, and the whole header is ignored.
  const auto equals = pair.find('=');
  if (equals == std::string_view::npos) return make_error("no '=' in the name-value pair");
  cookie.name = std::string(trim(pair.substr(0, equals)));
  cookie.value = std::string(trim(pair.substr(equals + 1)));
  if (cookie.name.empty()) return make_error("the cookie has no name");

  // Section 5.2 step 6: the attributes; unknown ones are ignored, the last one of a name wins.
  while (!attributes.empty()) {
    const auto end = attributes.find(';');
    std::string_view av = attributes.substr(0, end);
    attributes = end == std::string_view::npos ? std::string_view{} : attributes.substr(end + 1);
    const auto eq = av.find('=');
    const std::string name = to_lower(trim(av.substr(0, eq)));
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : trim(av.substr(eq + 1));
    if (name == "expires") {  // section 5.2.1
      if (auto when = parse_cookie_date(value)) cookie.expires = when;
    } else if (name == "max-age") {  // section 5.2.2
      if (value.empty() || !(is_digit(value.front()) || value.front() == '-')) continue;
      std::string_view digits = value.front() == '-' ? value.substr(1) : value;
      if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) continue;
      std::int64_t seconds = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc::result_out_of_range)
        seconds = value.front() == '-' ? std::numeric_limits<std::int64_t>::min()
                                       : std::numeric_limits<std::int64_t>::max();
      else if (ec != std::errc{})
        continue;
      cookie.max_age = seconds;
    } else if (name == "domain") {  // section 5.2.3
      if (value.empty()) continue;
      std::string_view domain = value.front() == '.' ? value.substr(1) : value;
      cookie.domain = to_lower(domain);
    } else if (name == "path") {  // section 5.2.4
      if (value.empty() || value.front() != '/')
        cookie.path.reset();  // the default path applies
      else
        cookie.path = std::string(value);
    } else if (name == "secure") {  // section 5.2.5
      cookie.secure = true;
    } else if (name == "httponly") {  // section 5.2.6
      cookie.http_only = true;
    } else if (name == "samesite") {  // RFC 6265bis section 5.6.7
      const std::string kind = to_lower(value);
      if (kind == "strict")
        cookie.same_site = "Strict";
      else if (kind == "lax")
        cookie.same_site = "Lax";
      else if (kind == "none")
        cookie.same_site = "None";
    }
  }
  return cookie;
}

bool domain_matches(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  // The domain is a suffix of the host, the character before it is '.', and the host is a
  // name, not an IP address.
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.' && !is_ip_literal(host);
}

bool path_matches(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

std::string default_path(std::string_view request_path) {
  if (request_path.empty() || request_path.front() != '/') return "/";
  const auto last = request_path.rfind('/');
  if (last == 0) return "/";
  return std::string(request_path.substr(0, last));
}

bool is_public_suffix(std::string_view domain) {
  if (domain.find('.') == std::string_view::npos) return true;  // a TLD: "test", "com"
  // A few registry suffixes under which anyone may register; the full Public Suffix List is
  // not bundled.
  static constexpr std::array<std::string_view, 12> kSuffixes = {
      "co.uk",  "org.uk", "ac.uk", "gov.uk", "com.au", "net.au",
      "org.au", "co.jp",  "co.nz", "com.br", "com.cn", "github.io"};
  return std::find(kSuffixes.begin(), kSuffixes.end(), domain) != kSuffixes.end();
}

CookieJar::CookieJar(std::filesystem::path profile_dir, ProfileWriter* writer) : writer_(writer) {
  if (!profile_dir.empty()) {
    file_ = profile_dir / "cookies.json";
    load();
  }
}

Result<std::string> CookieJar::set(const Url& url, std::string_view header, std::time_t now) {
  auto parsed = parse_set_cookie(header);
  if (!parsed) return parsed.error();
  if (parsed->name.size() + parsed->value.size() > kMaxCookieBytes)
    return make_error(parsed->name + " is over " + std::to_string(kMaxCookieBytes) + " bytes");
  const std::string& host = url.host;
  const bool secure_origin = url.scheme == "https";

  // RFC 6265 section 5.3, the storage model.
  Cookie cookie;
  cookie.name = std::move(parsed->name);
  cookie.value = std::move(parsed->value);
  cookie.created = now;
  cookie.last_access = now;
  // Step 3: Max-Age wins over Expires; neither makes a session cookie.
  if (parsed->max_age)
    cookie.expires = expiry_from_max_age(*parsed->max_age, now);
  else if (parsed->expires)
    cookie.expires = parsed->expires;
  // Steps 4 to 6: the domain.
  std::string domain = parsed->domain.value_or("");
  if (!domain.empty() && is_public_suffix(domain)) {
    if (domain != host)
      return make_error(cookie.name + ": Domain=" + domain +
                        " is a public suffix; a cookie cannot be set for all of it");
    domain.clear();  // the host is the suffix itself: a host-only cookie
  }
  if (!domain.empty()) {
    if (!domain_matches(host, domain))
      return make_error(cookie.name + ": Domain=" + domain + " does not cover the host " + host);
    cookie.host_only = false;
    cookie.domain = domain;
  } else {
    cookie.host_only = true;
    cookie.domain = host;
  }
  // Step 7: the path.
  cookie.path = parsed->path ? *parsed->path : default_path(url.path);
  // The profile keeps cookies as JSON, which holds UTF-8 text only: a cookie it could not save
  // would end the browser when written (nlohmann::json throws), so it is refused here, as
  // browsers refuse cookies with bytes they cannot keep.
  if (!is_utf8(cookie.name) || !is_utf8(cookie.value) || !is_utf8(cookie.domain) ||
      !is_utf8(cookie.path))
    return make_error("a cookie whose name, value, domain or path is not UTF-8 was refused");
  cookie.secure = parsed->secure;
  cookie.http_only = parsed->http_only;
  cookie.same_site = parsed->same_site;
  // RFC 6265bis section 5.7 steps 13 and 16: only a secure origin may set a Secure cookie,
  // or overwrite one.
  if (cookie.secure && !secure_origin)
    return make_error(cookie.name + " is Secure but came over http://");
  if (!secure_origin) {
    for (const Cookie& old : cookies_)
      if (old.secure && old.name == cookie.name &&
          (domain_matches(cookie.domain, old.domain) ||
           domain_matches(old.domain, cookie.domain)) &&
          path_matches(cookie.path, old.path))
        return make_error(cookie.name + " would overwrite a Secure cookie from http://");
  }

  // Step 11: a cookie of the same name, domain, host-only-ness and path is replaced, and
  // the new one keeps the old creation time.
  std::string what = "stored";
  bool persistent_changed = cookie.expires.has_value();
  auto old = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& c) {
    return c.name == cookie.name && c.domain == cookie.domain && c.host_only == cookie.host_only &&
           c.path == cookie.path;
  });
  if (old != cookies_.end()) {
    cookie.created = old->created;
    cookie.order = old->order;
    persistent_changed = persistent_changed || old->expires.has_value();
    cookies_.erase(old);
    what = "replaced";
  } else {
    cookie.order = next_order_++;
  }
  const std::string scope =
      cookie.domain + (cookie.host_only ? "" : " and subdomains") + " " + cookie.path;
  if (cookie.expires && *cookie.expires <= now) {
    if (persistent_changed) save();
    return std::string(what == "replaced" ? "deleted " : "expired on arrival, not stored: ") +
           cookie.name + " for " + scope;
  }
  what += " " + cookie.name + " for " + scope + " (" + describe_expiry(cookie) +
          (cookie.secure ? ", Secure" : "") + (cookie.http_only ? ", HttpOnly" : "") +
          (cookie.same_site.empty() ? "" : ", SameSite=" + cookie.same_site) + ")";
  cookies_.push_back(std::move(cookie));

  // Browsers keep at most 50 cookies per domain, forgetting the least recently used.
  remove_expired(now);
  const std::string& stored_domain = cookies_.back().domain;
  std::vector<std::size_t> same_domain;
  for (std::size_t i = 0; i < cookies_.size(); ++i)
    if (cookies_[i].domain == stored_domain) same_domain.push_back(i);
  if (same_domain.size() > kMaxPerDomain) {
    auto victim = std::min_element(same_domain.begin(), same_domain.end() - 1,
                                   [&](std::size_t a, std::size_t b) {
                                     return std::tie(cookies_[a].last_access, cookies_[a].order) <
                                            std::tie(cookies_[b].last_access, cookies_[b].order);
                                   });
    what += "; evicted " + cookies_[*victim].name + " (over " + std::to_string(kMaxPerDomain) +
            " cookies for " + stored_domain + ")";
    persistent_changed = persistent_changed || cookies_[*victim].expires.has_value();
    cookies_.erase(cookies_.begin() + static_cast<std::ptrdiff_t>(*victim));
  }
  if (persistent_changed) save();
  return what;
}

std::string CookieJar::header_for(const Url& url, std::time_t now) {
  return select(url, now, CookieContext{}).header;
}

CookieSelection CookieJar::select(const Url& url, std::time_t now, const CookieContext& context) {
  CookieSelection selection;
  remove_expired(now);
  // RFC 6265 section 5.4 step 1: the cookies whose domain, path and Secure flag fit.
  std::vector<Cookie*> chosen;
  for (Cookie& cookie : cookies_) {
    const bool domain_fits =
        cookie.host_only ? url.host == cookie.domain : domain_matches(url.host, cookie.domain);
    if (!domain_fits || !path_matches(url.path, cookie.path)) continue;
    if (cookie.secure && url.scheme != "https") continue;
    // RFC 6265bis section 5.8.3 step 1, SameSite.
    if (context.cross_site && cookie.same_site == "Strict") {
      selection.withheld.push_back(cookie.name + " (SameSite=Strict, cross-site request)");
      continue;
    }
    if (context.cross_site && cookie.same_site == "Lax" &&
        !(context.top_level_navigation && context.safe_method)) {
      selection.withheld.push_back(cookie.name + " (SameSite=Lax, cross-site " +
                                   (context.safe_method ? "subresource" : "POST") + ")");
      continue;
    }
    chosen.push_back(&cookie);
  }
  // Step 2: longer paths first, then earlier creation.
  std::stable_sort(chosen.begin(), chosen.end(), [](const Cookie* a, const Cookie* b) {
    if (a->path.size() != b->path.size()) return a->path.size() > b->path.size();
    return std::tie(a->created, a->order) < std::tie(b->created, b->order);
  });
  for (Cookie* cookie : chosen) {
    cookie->last_access = now;  // step 3
    if (!selection.header.empty()) selection.header += "; ";
    selection.header += cookie->name + "=" + cookie->value;
    selection.sent.emplace_back(cookie->name, cookie->value);
  }
  return selection;
}

void CookieJar::remove_expired(std::time_t now) {
  std::erase_if(cookies_, [&](const Cookie& c) { return c.expires && *c.expires <= now; });
}

void CookieJar::load() {
  std::ifstream in(file_);
  if (!in) return;
  nlohmann::json stored = nlohmann::json::parse(in, nullptr, false);
  if (!stored.is_array()) return;
  const std::time_t now = std::time(nullptr);
  for (const auto& entry : stored) {
    if (!entry.is_object()) continue;
    Cookie cookie;
    try {
      cookie.name = entry.at("name").get<std::string>();
      cookie.value = entry.at("value").get<std::string>();
      cookie.domain = entry.at("domain").get<std::string>();
      cookie.path = entry.at("path").get<std::string>();
      cookie.expires = entry.at("expires").get<std::time_t>();
      cookie.host_only = entry.value("host_only", true);
      cookie.secure = entry.value("secure", false);
      cookie.http_only = entry.value("http_only", false);
      cookie.same_site = entry.value("same_site", "");
      cookie.created = entry.value("created", std::time_t{0});
    } catch (const nlohmann::json::exception&) {
      continue;  // a damaged entry is skipped
    }
    if (cookie.name.empty() || *cookie.expires <= now) continue;
    cookie.order = next_order_++;
    cookie.last_access = cookie.created;
    cookies_.push_back(std::move(cookie));
  }
}

void CookieJar::save() const {
  if (file_.empty()) return;
  nlohmann::json stored = nlohmann::json::array();
  for (const Cookie& cookie : cookies_) {
    if (!cookie.expires) continue;  // session cookies end with the session
    stored.push_back({{"name", cookie.name},
                      {"value", cookie.value},
                      {"domain", cookie.domain},
                      {"path", cookie.path},
                      {"expires", *cookie.expires},
                      {"host_only", cookie.host_only},
                      {"secure", cookie.secure},
                      {"http_only", cookie.http_only},
                      {"same_site", cookie.same_site},
                      {"created", cookie.created}});
  }
  // Cookies are a user's secrets (sessions): owner-only, as browsers keep them.
  write_profile_file(writer_, file_, stored.dump(2) + "\n", kPrivateFileMode, "cookie",
                     "the persistent cookies written to the profile");
}

}  // namespace miniweb::browser
