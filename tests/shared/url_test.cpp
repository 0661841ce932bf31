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
  for (const char* text : {"ftp://example.test/", "www.example.test", "https://", "https://host:0/",
                           "https://host:65536/", "https://host:12ab/", "https://exa mple.test/",
                           "https://[::1/", "https://a\\b/"}) {
    EXPECT_FALSE(Url::parse(text)) << text;
  }
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
