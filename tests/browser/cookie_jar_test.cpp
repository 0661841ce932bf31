#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "browser/net/cookie_jar.hpp"

namespace miniweb::browser {
namespace {

constexpr std::time_t kNow = 1'700'000'000;  // 2023-11-14

Url url(const std::string& text) {
  auto parsed = Url::parse(text);
  EXPECT_TRUE(parsed) << text;
  return *parsed;
}

TEST(CookieDate, ParsesTheFormatsServersSend) {
  // RFC 6265 section 5.1.1 accepts RFC 1123, RFC 850 and asctime dates alike.
  const std::time_t expected = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_cookie_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT"), expected);
  EXPECT_EQ(parse_cookie_date("Sun Nov  6 08:49:37 1994"), expected);
  EXPECT_EQ(parse_cookie_date("Wed, 09 Jun 2021 10:18:14 GMT"), 1623233894);
  EXPECT_FALSE(parse_cookie_date("not a date"));
  EXPECT_FALSE(parse_cookie_date("Sun, 31 Feb 2021 08:49:37 GMT"));  // no such day
  EXPECT_FALSE(parse_cookie_date("Sun, 06 Nov 1994 25:49:37 GMT"));  // hour 25
  EXPECT_FALSE(parse_cookie_date("Sun, 06 Nov 1500 08:49:37 GMT"));  // before 1601
}

TEST(CookieParse, NameValueAndAttributes) {
  auto cookie = parse_set_cookie(
      " SID = 31d4d96e407aad42 ; Path=/docs; Domain=.Example.COM; Secure; HttpOnly; "
      "SameSite=lax; Max-Age=60; Unknown=1");
  ASSERT_TRUE(cookie);
  EXPECT_EQ(cookie->name, "SID");
  EXPECT_EQ(cookie->value, "31d4d96e407aad42");
  EXPECT_EQ(cookie->path, "/docs");
  EXPECT_EQ(cookie->domain, "example.com");  // leading dot dropped, lower-cased
  EXPECT_TRUE(cookie->secure);
  EXPECT_TRUE(cookie->http_only);
  EXPECT_EQ(cookie->same_site, "Lax");
  EXPECT_EQ(cookie->max_age, 60);
  EXPECT_FALSE(parse_set_cookie("novalue"));  // no '=': ignored (section 5.2 step 2)
  EXPECT_FALSE(parse_set_cookie("=value"));   // empty name: ignored
  // A path that does not start with '/' is the default path (section 5.2.4).
  EXPECT_FALSE(parse_set_cookie("a=b; Path=relative")->path);
  EXPECT_FALSE(parse_set_cookie("a=b; Max-Age=12x")->max_age);
}

TEST(CookieMatch, DomainAndPathRules) {
  EXPECT_TRUE(domain_matches("www.example.com", "example.com"));
  EXPECT_TRUE(domain_matches("example.com", "example.com"));
  EXPECT_FALSE(domain_matches("badexample.com", "example.com"));
  EXPECT_FALSE(domain_matches("example.com", "www.example.com"));
  EXPECT_FALSE(domain_matches("10.0.0.1", "0.0.1"));  // IP addresses match exactly only
  EXPECT_TRUE(path_matches("/docs", "/docs"));
  EXPECT_TRUE(path_matches("/docs/web", "/docs"));
  EXPECT_TRUE(path_matches("/docs/web", "/docs/"));
  EXPECT_FALSE(path_matches("/docsets", "/docs"));
  EXPECT_FALSE(path_matches("/", "/docs"));
  EXPECT_EQ(default_path("/docs/web/page.html"), "/docs/web");
  EXPECT_EQ(default_path("/page.html"), "/");
  EXPECT_EQ(default_path(""), "/");
}

// The examples of RFC 6265 section 3.1, in order.
TEST(CookieJar, Rfc6265Section31Examples) {
  CookieJar jar;
  const Url www = url("https://www.example.com/");
  ASSERT_TRUE(jar.set(www, "SID=31d4d96e407aad42", kNow));
  EXPECT_EQ(jar.header_for(www, kNow), "SID=31d4d96e407aad42");

  CookieJar scoped;
  ASSERT_TRUE(scoped.set(www, "SID=31d4d96e407aad42; Path=/; Domain=example.com", kNow));
  ASSERT_TRUE(scoped.set(www, "lang=en-US; Path=/; Domain=example.com", kNow + 1));
  EXPECT_EQ(scoped.header_for(url("https://www.example.com/"), kNow),
            "SID=31d4d96e407aad42; lang=en-US");
  EXPECT_EQ(scoped.header_for(url("https://example.com/any"), kNow),
            "SID=31d4d96e407aad42; lang=en-US");

  CookieJar secure;
  ASSERT_TRUE(secure.set(www, "SID=31d4d96e407aad42; Path=/; Secure; HttpOnly", kNow));
  ASSERT_TRUE(secure.set(www, "lang=en-US; Path=/; Domain=example.com", kNow + 1));
  EXPECT_EQ(secure.header_for(www, kNow), "SID=31d4d96e407aad42; lang=en-US");
  // Secure cookies are only sent over https.
  EXPECT_EQ(secure.header_for(url("http://www.example.com/"), kNow), "lang=en-US");
  // An Expires in the past removes the cookie.
  auto removed = secure.set(www, "lang=; Expires=Sun, 06 Nov 1994 08:49:37 GMT", kNow);
  ASSERT_TRUE(removed);
  EXPECT_EQ(secure.header_for(www, kNow), "SID=31d4d96e407aad42; lang=en-US")
      << "a host-only lang is a different cookie from the Domain=example.com one";
  ASSERT_TRUE(secure.set(
      www, "lang=; Domain=example.com; Path=/; Expires=Sun, 06 Nov 1994 08:49:37 GMT", kNow));
  EXPECT_EQ(secure.header_for(www, kNow), "SID=31d4d96e407aad42");
}

TEST(CookieJar, HostOnlyCookiesAreNotSentToSubdomains) {
  CookieJar jar;
  ASSERT_TRUE(jar.set(url("https://example.com/"), "a=1", kNow));
  EXPECT_EQ(jar.header_for(url("https://example.com/"), kNow), "a=1");
  EXPECT_EQ(jar.header_for(url("https://www.example.com/"), kNow), "");
}

TEST(CookieJar, RefusesForeignDomainsAndPublicSuffixes) {
  CookieJar jar;
  const Url www = url("https://www.example.test/");
  EXPECT_FALSE(jar.set(www, "a=1; Domain=other.test", kNow));
  EXPECT_FALSE(jar.set(www, "a=1; Domain=ample.test", kNow));
  auto tld = jar.set(www, "a=1; Domain=test", kNow);
  ASSERT_FALSE(tld);
  EXPECT_NE(tld.error().message.find("public suffix"), std::string::npos);
  EXPECT_FALSE(jar.set(url("https://shop.example/"), "a=1; Domain=.example", kNow));
  EXPECT_FALSE(jar.set(url("https://www.bbc.co.uk/"), "a=1; Domain=co.uk", kNow));
  EXPECT_TRUE(jar.cookies().empty());
  // A public suffix equal to the host itself makes a host-only cookie (section 5.3 step 5).
  ASSERT_TRUE(jar.set(url("http://localhost/"), "a=1; Domain=localhost", kNow));
  EXPECT_TRUE(jar.cookies().at(0).host_only);
}

TEST(CookieJar, SecureCookiesOnlyFromHttps) {
  CookieJar jar;
  EXPECT_FALSE(jar.set(url("http://www.example.test/"), "s=1; Secure", kNow));
  ASSERT_TRUE(jar.set(url("https://www.example.test/"), "s=1; Secure", kNow));
  // Plain http may not overwrite it either (RFC 6265bis section 5.7).
  EXPECT_FALSE(jar.set(url("http://www.example.test/"), "s=2", kNow));
  EXPECT_EQ(jar.header_for(url("https://www.example.test/"), kNow), "s=1");
}

TEST(CookieJar, OrderByPathLengthThenCreation) {
  CookieJar jar;
  const Url page = url("https://h.test/a/b/page");
  ASSERT_TRUE(jar.set(page, "root=1; Path=/", kNow));
  ASSERT_TRUE(jar.set(page, "deep=1; Path=/a/b", kNow + 5));
  ASSERT_TRUE(jar.set(page, "mid=1; Path=/a", kNow + 2));
  ASSERT_TRUE(jar.set(page, "root2=1; Path=/", kNow + 1));
  EXPECT_EQ(jar.header_for(page, kNow + 10), "deep=1; mid=1; root=1; root2=1");
  EXPECT_EQ(jar.header_for(url("https://h.test/a"), kNow + 10), "mid=1; root=1; root2=1");
  // The default path is the directory of the request.
  ASSERT_TRUE(jar.set(page, "dir=1", kNow + 20));
  EXPECT_EQ(jar.cookies().back().path, "/a/b");
}

TEST(CookieJar, ReplacementKeepsCreationTimeAndOrder) {
  CookieJar jar;
  const Url page = url("https://h.test/");
  ASSERT_TRUE(jar.set(page, "first=1", kNow));
  ASSERT_TRUE(jar.set(page, "second=1", kNow + 1));
  auto replaced = jar.set(page, "first=2", kNow + 2);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->rfind("replaced", 0), 0u);
  EXPECT_EQ(jar.header_for(page, kNow + 3), "first=2; second=1");
  EXPECT_EQ(jar.cookies().size(), 2u);
}

TEST(CookieJar, ExpiryByMaxAgeAndExpires) {
  CookieJar jar;
  const Url page = url("https://h.test/");
  ASSERT_TRUE(jar.set(page, "short=1; Max-Age=10; Expires=Wed, 09 Jun 2100 10:18:14 GMT", kNow));
  ASSERT_TRUE(jar.set(page, "dated=1; Expires=Wed, 09 Jun 2100 10:18:14 GMT", kNow));
  EXPECT_EQ(jar.header_for(page, kNow + 9), "short=1; dated=1");
  EXPECT_EQ(jar.header_for(page, kNow + 10), "dated=1");  // Max-Age wins over Expires
  ASSERT_TRUE(jar.set(page, "dated=x; Max-Age=0", kNow + 11));
  EXPECT_EQ(jar.header_for(page, kNow + 11), "");
  // Expired on arrival: not stored.
  ASSERT_TRUE(jar.set(page, "old=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT", kNow));
  EXPECT_TRUE(jar.cookies().empty());
}

TEST(CookieJar, SizeAndCountLimits) {
  CookieJar jar;
  const Url page = url("https://h.test/");
  EXPECT_FALSE(jar.set(page, "big=" + std::string(4094, 'x'), kNow));  // 4097 bytes
  EXPECT_TRUE(jar.set(page, "big=" + std::string(4093, 'x'), kNow));   // 4096 bytes
  for (int i = 0; i < 55; ++i) ASSERT_TRUE(jar.set(page, "c" + std::to_string(i) + "=1", kNow + i));
  EXPECT_EQ(jar.cookies().size(), CookieJar::kMaxPerDomain);
  // The least recently used went first: "big" and c0 to c4.
  const std::string header = "; " + jar.header_for(page, kNow + 100);
  EXPECT_EQ(header.find("; big="), std::string::npos);
  EXPECT_EQ(header.find("; c4=1"), std::string::npos);
  EXPECT_NE(header.find("; c5=1"), std::string::npos);
  EXPECT_NE(header.find("; c54=1"), std::string::npos);
}

TEST(CookieJar, PersistsOnlyPersistentCookies) {
  const auto profile =
      std::filesystem::temp_directory_path() / ("miniweb-cookies-" + std::to_string(::getpid()));
  std::filesystem::remove_all(profile);
  const Url page = url("https://h.test/");
  const std::time_t now = std::time(nullptr);
  {
    CookieJar jar(profile);
    ASSERT_TRUE(jar.set(page, "session=1", now));
    ASSERT_TRUE(jar.set(page, "kept=1; Max-Age=3600; Secure; SameSite=Strict", now));
    ASSERT_TRUE(jar.set(page, "gone=1; Max-Age=3600", now));
    ASSERT_TRUE(jar.set(page, "gone=; Max-Age=0", now));
  }
  CookieJar reopened(profile);
  ASSERT_EQ(reopened.cookies().size(), 1u);
  EXPECT_EQ(reopened.cookies()[0].name, "kept");
  EXPECT_TRUE(reopened.cookies()[0].secure);
  EXPECT_EQ(reopened.cookies()[0].same_site, "Strict");
  EXPECT_EQ(reopened.header_for(page, now), "kept=1");
  // Cookies are a user's secrets: the file is the owner's alone, as browsers keep theirs.
  EXPECT_EQ(
      std::filesystem::status(profile / "cookies.json").permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  // A damaged file is ignored.
  std::ofstream(profile / "cookies.json") << "{ not json";
  CookieJar damaged(profile);
  EXPECT_TRUE(damaged.cookies().empty());
  std::filesystem::remove_all(profile);
}

// Found by the cookies fuzz target: a persistent cookie with a byte that is not UTF-8 made
// saving the profile throw (JSON holds UTF-8 only), which ended the browser.
TEST(CookieJar, RefusesCookiesTheProfileCouldNotKeep) {
  const auto profile = std::filesystem::temp_directory_path() /
                       ("miniweb-cookies-utf8-" + std::to_string(::getpid()));
  std::filesystem::remove_all(profile);
  const std::time_t now = std::time(nullptr);
  {
    CookieJar jar(profile);
    EXPECT_FALSE(jar.set(url("https://h.test/"), "v=\xaa; Max-Age=3600", now));
    EXPECT_FALSE(jar.set(url("https://h.test/"), "\xff=1; Max-Age=3600", now));
    EXPECT_FALSE(jar.set(url("https://h.test/"), "p=1; Path=/\xc3; Max-Age=3600", now));
    ASSERT_TRUE(jar.set(url("https://h.test/"), "ok=caf\xc3\xa9; Max-Age=3600", now));
    // A URL's path is percent-encoded as it is parsed (WHATWG URL), so a default path taken
    // from it is always ASCII: the cookie is kept, under "/%E2".
    ASSERT_TRUE(jar.set(url("https://h.test/\xe2/x"), "d=1; Max-Age=3600", now));
  }
  CookieJar reopened(profile);
  ASSERT_EQ(reopened.cookies().size(), 2u);
  EXPECT_EQ(reopened.cookies()[0].value, "caf\xc3\xa9");
  EXPECT_EQ(reopened.cookies()[1].path, "/%E2");
  std::filesystem::remove_all(profile);
}

}  // namespace
}  // namespace miniweb::browser
