#include "ca/hostname.hpp"

#include <gtest/gtest.h>

namespace miniweb::ca {
namespace {

TEST(CaHostname, NormalizesCaseAndTrailingDot) {
  auto name = normalize_hostname("WWW.Example.TEST.");
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(*name, "www.example.test");
}

TEST(CaHostname, AcceptsHyphensDigitsAndALabels) {
  EXPECT_TRUE(normalize_hostname("a-1.b2.example.test"));
  EXPECT_TRUE(normalize_hostname("xn--bcher-kva.example.test"));
  EXPECT_TRUE(normalize_hostname(std::string(63, 'a') + ".test"));
}

TEST(CaHostname, RefusesWhatACaMustNotCertify) {
  for (const char* bad : {"", ".", "*.example.test", "www.*.test", "localhost", "127.0.0.1",
                          "a..test", ".example.test", "-a.test", "a-.test", "a_b.test", "a b.test",
                          "exa\xc3\xa9mple.test", "a.test/", "a.test:443"}) {
    EXPECT_FALSE(normalize_hostname(bad)) << "accepted '" << bad << "'";
  }
  EXPECT_FALSE(normalize_hostname(std::string(64, 'a') + ".test"));
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  long_name += "test";  // 254 characters
  EXPECT_FALSE(normalize_hostname(long_name));
}

TEST(CaHostname, WildcardMessageSaysWhy) {
  auto name = normalize_hostname("*.example.test");
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().message.find("wildcard"), std::string::npos);
}

}  // namespace
}  // namespace miniweb::ca
