#include <gtest/gtest.h>

#include "shared/url.hpp"

namespace miniweb {
namespace {

// RFC 3986 section 5.4: every example, against the base it gives.
TEST(SharedUrl, Rfc3986NormalExamples) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"},
      {";x", "http://a/b/c/;x"},
      {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
  };
  for (const auto& [reference, expected] : cases)
    EXPECT_EQ(resolve_reference(base, reference), expected) << reference;
}

TEST(SharedUrl, Rfc3986AbnormalExamples) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
      {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},
      {"g#s/../x", "http://a/b/c/g#s/../x"},
      {"http:g", "http:g"},
  };
  for (const auto& [reference, expected] : cases)
    EXPECT_EQ(resolve_reference(base, reference), expected) << reference;
}

TEST(SharedUrl, ParsesAndNormalisesLikeABrowser) {
  auto url = Url::parse("HTTPS://WWW.Example.TEST:443/a/./b/../c?x=1#top");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "www.example.test");
  EXPECT_FALSE(url->port);  // the default port is dropped
  EXPECT_EQ(url->effective_port(), 443);
  EXPECT_EQ(url->path, "/a/c");
  EXPECT_EQ(url->query, "x=1");
  EXPECT_EQ(url->fragment, "top");
  EXPECT_EQ(url->request_target(), "/a/c?x=1");
  EXPECT_EQ(url->to_string(), "https://www.example.test/a/c?x=1#top");

  auto plain = Url::parse("http://example.test:8080");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->path, "/");
  EXPECT_EQ(plain->effective_port(), 8080);
  EXPECT_EQ(plain->host_for_header(), "example.test:8080");

  auto v6 = Url::parse("https://[::1]:8443/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_for_header(), "[::1]:8443");
}

TEST(SharedUrl, TakesLocalFileUrls) {
  auto file = Url::parse("file:///usr/share/doc/a/../index.html");
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->scheme, "file");
  EXPECT_EQ(file->path, "/usr/share/doc/index.html");
  EXPECT_EQ(file->to_string(), "file:///usr/share/doc/index.html");
  EXPECT_EQ(file->resolve("other.html")->to_string(), "file:///usr/share/doc/other.html");
  EXPECT_TRUE(Url::parse("file://localhost/tmp/x"));
  EXPECT_FALSE(Url::parse("file://remote.example/tmp/x"));
}

// Found by the url fuzz target: the host "\xa5::1]" (no opening bracket), written out with
// brackets as "[\xa5::1]]", read back as another host and junk. Outside brackets, a host has no
// ':', '[' or ']'.
TEST(SharedUrl, RefusesBracketsAndColonsInAHostOutsideBrackets) {
  for (const char* text :
       {"http://\xa5::1]:8080/path", "http://a]:80/", "http://a[b/", "http://a:b:80/"})
    EXPECT_FALSE(Url::parse(text)) << text;
  // Found by the url fuzz target too: "[fe[0125th0]" was taken as a host and written out
  // without brackets. Brackets hold an IPv6 address only.
  for (const char* text : {"http://[fe[012x5th0]/", "http://[example.test]/", "http://[1.2.3.4]/"})
    EXPECT_FALSE(Url::parse(text)) << text;
  auto v6 = Url::parse("http://[::1]:8080/");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->to_string(), "http://[::1]:8080/");
}

// Found by the url fuzz target: "file:Y//a" kept the path "Y//a", written out as file://Y//a,
// which reads back as a file on the host Y (refused).
TEST(SharedUrl, FilePathWithoutSlashKeepsItsMeaningWhenWritten) {
  auto file = Url::parse("file:Y//a/b/c");
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->path, "/Y//a/b/c");
  EXPECT_EQ(file->to_string(), "file:///Y//a/b/c");
  auto again = Url::parse(file->to_string());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->path, file->path);
}

TEST(SharedUrl, RefusesWhatIsNotAnHttpUrl) {
  for (const char* text :
       {"ftp://example.test/", "www.example.test", "https://", "https://host:0/",
        "https://host:65536/", "https://host:12ab/", "https://exa mple.test/", "https://[::1/",
        "https://[example.test]/", "http://256.0.0.1/", "http://1.2.3.4.5/", "http://a^b.test/"}) {
    EXPECT_FALSE(Url::parse(text)) << text;
  }
}

// Found by the differential suite against Node's WHATWG URL (tests/differential/node): the
// browser reads URLs as other browsers do (URL Standard), where RFC 3986 leaves it open.
TEST(SharedUrl, ReadsUrlsAsTheUrlStandardDoes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // Backslashes are slashes: the host is a.test, not what follows a backslash and '@'.
      {"http://a.test\\@b.test/", "http://a.test/@b.test/"},
      {"http:\\\\a.test\\x\\y?q\\#f\\", "http://a.test/x/y?q\\#f\\"},
      {"http:a.test/x", "http://a.test/x"},
      // Tabs and newlines are removed, C0 controls and spaces at the ends stripped.
      {" \x01http://a.te\nst/p\ta\rth \n", "http://a.test/path"},
      // IPv4 number forms are addresses; IPv6 literals are written canonically.
      {"http://0x7f.1/", "http://127.0.0.1/"},
      {"http://2130706433/", "http://127.0.0.1/"},
      {"http://0177.0.0.1./", "http://127.0.0.1/"},
      {"http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080/"},
      {"http://[::FFFF:127.0.0.1]/", "http://[::ffff:7f00:1]/"},
      {"http://[2001:db8:0:0:1:0:0:1]/", "http://[2001:db8::1:0:0:1]/"},
      // Percent-encode sets of the path, query and fragment; %2e segments are dot segments.
      {"http://a.test/a b\"<>`{}?c d'\"#e f`",
       "http://a.test/a%20b%22%3C%3E%60%7B%7D?c%20d%27%22#e%20f%60"},
      {"http://a.test/caf\xc3\xa9?\xc3\xa9", "http://a.test/caf%C3%A9?%C3%A9"},
      {"http://a.test/a/%2e/b/%2E%2e/c", "http://a.test/a/c"},
  };
  for (const auto& [text, expected] : cases) {
    auto url = Url::parse(text);
    ASSERT_TRUE(url) << text << ": " << url.error().message;
    EXPECT_EQ(url->to_string(), expected) << text;
  }
  auto page = Url::parse("http://a/b/c/d;p?q");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->resolve("http:g")->to_string(), "http://a/b/c/g");  // RFC 3986 5.4.2 non-strict
  EXPECT_EQ(page->resolve("\\\\other.test\\x")->to_string(), "http://other.test/x");
  EXPECT_EQ(page->resolve("///other.test/./x")->to_string(), "http://other.test/x");
  EXPECT_EQ(page->resolve("a\n b.html")->to_string(), "http://a/b/c/a%20b.html");
}

TEST(SharedUrl, ResolvesLinksAgainstAPage) {
  auto page = Url::parse("https://www.example.test/docs/index.html");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->resolve("about.html")->to_string(), "https://www.example.test/docs/about.html");
  EXPECT_EQ(page->resolve("/")->to_string(), "https://www.example.test/");
  EXPECT_EQ(page->resolve("//other.test/x")->to_string(), "https://other.test/x");
  EXPECT_EQ(page->resolve("../../../x")->to_string(), "https://www.example.test/x");
  EXPECT_FALSE(page->resolve("mailto:someone@example.test"));
}

}  // namespace
}  // namespace miniweb
