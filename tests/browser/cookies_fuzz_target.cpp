// libFuzzer entry point for cookies (RFC 6265): the browser's Set-Cookie parser, cookie dates and
// jar (browser/net/cookie_jar.hpp), and the shop's reading of the Cookie header
// (shop/visitor.hpp), shared by the clang fuzzer and the corpus driver
// (tests/support/fuzz_driver.cpp). Nothing may crash, hang or leak, and:
//   - a Set-Cookie value that parses, written out again, parses to the same cookie (a date
//     written as an IMF-fixdate reads back as the same instant);
//   - what the jar stores keeps its rules: a name, a path starting with '/', a domain the
//     setting host domain-matches, within the size limits;
//   - the Cookie header the jar sends for a URL carries exactly the cookies that match it, and
//     the shop reads back, for each name, the value of the first one;
//   - persistent cookies saved to a profile and loaded by a new jar are the same cookies.
// The first byte picks the URL the cookies come from, the request URLs and whether to go
// through a profile; the rest is Set-Cookie values, one a line.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "browser/net/cookie_jar.hpp"
#include "shared/http/message.hpp"
#include "shop/visitor.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace miniweb;
using browser::Cookie;
using browser::CookieJar;
using browser::ParsedSetCookie;

constexpr std::time_t kNow = 1'800'000'000;  // 2027-01-15

const char* const kUrls[] = {
    "http://shop.test/account/orders",
    "https://www.shop.test/",
    "https://shop.test/cart/items/1",
    "http://10.0.0.7:8080/a/b",
    "https://a.b.example.co.uk/x",
    "https://co.uk/",
    "http://localhost/",
    "https://[::1]/deep/path/",
};
constexpr std::size_t kUrlCount = sizeof kUrls / sizeof kUrls[0];

Url url_at(std::size_t index) {
  auto url = Url::parse(kUrls[index % kUrlCount]);
  if (!url) __builtin_trap();
  return *url;
}

// The parsed cookie as a server would write it (an Expires date as an IMF-fixdate).
std::string written(const ParsedSetCookie& cookie) {
  std::string out = cookie.name + "=" + cookie.value;
  if (cookie.expires) out += "; Expires=" + http::http_date(*cookie.expires);
  if (cookie.max_age) out += "; Max-Age=" + std::to_string(*cookie.max_age);
  if (cookie.domain) out += "; Domain=." + *cookie.domain;
  if (cookie.path) out += "; Path=" + *cookie.path;
  if (cookie.secure) out += "; Secure";
  if (cookie.http_only) out += "; HttpOnly";
  if (!cookie.same_site.empty()) out += "; SameSite=" + cookie.same_site;
  return out;
}

void check_set_cookie(std::string_view line) {
  auto parsed = browser::parse_set_cookie(line);
  if (!parsed) return;
  if (parsed->name.empty() || parsed->name.find_first_of(";=") != std::string::npos ||
      parsed->value.find(';') != std::string::npos)
    __builtin_trap();
  if (parsed->path && !parsed->path->starts_with("/")) __builtin_trap();
  if (parsed->domain && to_lower(*parsed->domain) != *parsed->domain) __builtin_trap();
  auto again = browser::parse_set_cookie(written(*parsed));
  if (!again || again->name != parsed->name || again->value != parsed->value ||
      again->expires != parsed->expires || again->max_age != parsed->max_age ||
      again->domain != parsed->domain || again->path != parsed->path ||
      again->secure != parsed->secure || again->http_only != parsed->http_only ||
      again->same_site != parsed->same_site)
    __builtin_trap();
}

// The jar drops expired cookies lazily (when it stores or selects), so an expired one may still
// be held here; check_sent checks that none is sent.
void check_stored(const CookieJar& jar) {
  for (const Cookie& cookie : jar.cookies()) {
    if (cookie.name.empty() || cookie.domain.empty() || !cookie.path.starts_with("/") ||
        cookie.name.size() + cookie.value.size() > CookieJar::kMaxCookieBytes)
      __builtin_trap();
    std::size_t same_domain = 0;
    for (const Cookie& other : jar.cookies()) same_domain += other.domain == cookie.domain;
    if (same_domain > CookieJar::kMaxPerDomain) __builtin_trap();
  }
}

bool sent_to(const Cookie& cookie, const Url& url) {
  const bool domain_fits = cookie.host_only ? url.host == cookie.domain
                                            : browser::domain_matches(url.host, cookie.domain);
  return domain_fits && browser::path_matches(url.path, cookie.path) &&
         (!cookie.secure || url.scheme == "https");
}

void check_sent(CookieJar& jar, const Url& url, std::time_t now) {
  const browser::CookieSelection selection = jar.select(url, now, browser::CookieContext{});
  std::size_t expected = 0;
  for (const Cookie& cookie : jar.cookies()) {
    if (cookie.expires && *cookie.expires <= now) __builtin_trap();  // select dropped them
    expected += sent_to(cookie, url);
  }
  if (selection.sent.size() != expected || !selection.withheld.empty()) __builtin_trap();
  if (selection.header.empty() != selection.sent.empty()) __builtin_trap();
  // The shop reads the header the browser writes: the first cookie of a name wins.
  http::Headers headers;
  if (!selection.header.empty()) headers.add("Cookie", selection.header);
  for (std::size_t i = 0; i < selection.sent.size(); ++i) {
    const auto& [name, value] = selection.sent[i];
    bool first = true;
    for (std::size_t j = 0; j < i; ++j) first = first && selection.sent[j].first != name;
    if (first && shop::cookie(headers, name) != value) __builtin_trap();
  }
  // Cross-site, SameSite splits the same cookies into those sent and those withheld.
  const browser::CookieSelection cross = jar.select(url, now, {true, false, false});
  if (cross.sent.size() + cross.withheld.size() != expected) __builtin_trap();
}

// A folder for the profile, made once for the process and removed when it ends.
const std::filesystem::path& profile_dir() {
  static const test_support::TempDir dir("cookies-fuzz");
  return dir.path();
}

// Saved and loaded: a new jar on the same profile holds the same persistent cookies. Loading
// drops what has expired by the clock, so the jar runs on the clock here, and cookies that
// could expire between the two are left out of the comparison.
void check_profile(const std::vector<std::string_view>& lines, std::size_t url_index) {
  std::error_code ignored;
  std::filesystem::remove(profile_dir() / "cookies.json", ignored);
  const std::time_t now = std::time(nullptr);
  CookieJar jar(profile_dir());
  for (std::size_t i = 0; i < lines.size(); ++i)
    (void)jar.set(url_at(url_index + i), lines[i], now);
  CookieJar loaded(profile_dir());
  auto lasting = [&](const Cookie& c) { return c.expires && *c.expires > now + 3600; };
  std::size_t expected = 0;
  for (const Cookie& cookie : jar.cookies()) {
    if (!lasting(cookie)) continue;
    ++expected;
    bool found = false;
    for (const Cookie& other : loaded.cookies())
      found = found || (other.name == cookie.name && other.value == cookie.value &&
                        other.domain == cookie.domain && other.path == cookie.path &&
                        other.expires == cookie.expires && other.host_only == cookie.host_only &&
                        other.secure == cookie.secure && other.http_only == cookie.http_only &&
                        other.same_site == cookie.same_site && other.created == cookie.created);
    if (!found) __builtin_trap();
  }
  std::size_t loaded_lasting = 0;
  for (const Cookie& cookie : loaded.cookies()) loaded_lasting += lasting(cookie);
  if (loaded_lasting != expected) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned choice = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> lines;
  while (!rest.empty() && lines.size() < 64) {
    const std::size_t newline = rest.find('\n');
    lines.push_back(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
  }
  for (std::string_view line : lines) {
    check_set_cookie(line);
    (void)browser::parse_cookie_date(line);
  }

  // Each line set from one of the URLs (the choice picks the first), then read back from all.
  const std::size_t first_url = choice % kUrlCount;
  CookieJar jar;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // Half the lines a minute apart: Max-Age and Expires take effect as time passes.
    const std::time_t now = kNow + static_cast<std::time_t>(i / 2) * 60;
    (void)jar.set(url_at(first_url + i), lines[i], now);
    check_stored(jar);
  }
  const std::time_t later = kNow + static_cast<std::time_t>(lines.size()) * 60;
  for (std::size_t i = 0; i < kUrlCount; ++i) check_sent(jar, url_at(i), later);
  check_stored(jar);

  if (choice & 0x80) check_profile(lines, first_url);
  return 0;
}
