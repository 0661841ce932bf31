// The text helpers every program uses for protocol text.

#include "shared/text.hpp"

#include <gtest/gtest.h>

namespace miniweb {
namespace {

TEST(SharedText, LowersAsciiOnly) {
  EXPECT_EQ(to_lower("WWW.Example.TEST"), "www.example.test");
  // Bytes above ASCII (UTF-8) are left as they are: the helpers never consult the locale.
  EXPECT_EQ(to_lower("\xC3\x89T\xC3\x89"), "\xC3\x89t\xC3\x89");
  std::string text = "Content-Type";
  lower_in_place(text);
  EXPECT_EQ(text, "content-type");
}

TEST(SharedText, ComparesWithoutCase) {
  EXPECT_TRUE(iequals("Transfer-Encoding", "transfer-encoding"));
  EXPECT_FALSE(iequals("Transfer-Encoding", "transfer-encodings"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(istarts_with("Charset=UTF-8", "charset="));
  EXPECT_FALSE(istarts_with("char", "charset="));
}

TEST(SharedText, Trims) {
  EXPECT_EQ(trim("  \t value \r\n"), "value");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim("in ner"), "in ner");
}

TEST(SharedText, ParsesMediaTypes) {
  MediaType media = parse_media_type("Text/HTML; Charset=\"ISO-8859-1\"");
  EXPECT_EQ(media.type, "text/html");
  EXPECT_EQ(media.charset, "iso-8859-1");
  media = parse_media_type("application/json");
  EXPECT_EQ(media.type, "application/json");
  EXPECT_EQ(media.charset, "");
  media = parse_media_type("text/plain ; format=flowed; charset = utf-8 ");
  EXPECT_EQ(media.type, "text/plain");
  // "charset = utf-8" is not a parameter (no whitespace around '=', RFC 9110 section 5.6.6).
  EXPECT_EQ(media.charset, "");
  EXPECT_EQ(parse_media_type("").type, "");
  EXPECT_EQ(parse_media_type(";;;charset=").charset, "");
}

}  // namespace
}  // namespace miniweb
