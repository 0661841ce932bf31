#include <gtest/gtest.h>

#include "shared/http/gzip.hpp"

namespace miniweb::http {
namespace {

TEST(SharedGzip, RoundTrips) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "line " + std::to_string(i) + "\n";
  std::string packed = gzip_compress(text);
  EXPECT_LT(packed.size(), text.size());
  auto unpacked = gzip_decompress(packed, 1 << 20);
  ASSERT_TRUE(unpacked) << unpacked.error().message;
  EXPECT_EQ(*unpacked, text);
}

TEST(SharedGzip, RefusesCorruptTruncatedAndBombs) {
  std::string packed = gzip_compress(std::string(100000, 'a'));
  EXPECT_FALSE(gzip_decompress(packed.substr(0, packed.size() / 2), 1 << 20));
  EXPECT_FALSE(gzip_decompress("not gzip at all", 1 << 20));
  auto bomb = gzip_decompress(packed, 1000);
  ASSERT_FALSE(bomb);
  EXPECT_NE(bomb.error().message.find("limit"), std::string::npos);
}

}  // namespace
}  // namespace miniweb::http
