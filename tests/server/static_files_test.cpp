#include <gtest/gtest.h>

#include "server/mime_types.hpp"
#include "server/static_files.hpp"

namespace miniweb::server {
namespace {

TEST(ServerStaticFiles, NormalisesPathsInsideTheRoot) {
  EXPECT_EQ(*normalize_request_path("/"), "/");
  EXPECT_EQ(*normalize_request_path("/a/b/../c"), "/a/c");
  EXPECT_EQ(*normalize_request_path("/a/./b/"), "/a/b/");
  EXPECT_EQ(*normalize_request_path("//a///b"), "/a/b");
  EXPECT_EQ(*normalize_request_path("/a%20b?x=/../.."), "/a b");
  EXPECT_EQ(*normalize_request_path("/a/%2e%2e/b"), "/b");
}

TEST(ServerStaticFiles, RefusesPathsThatClimbOutOrAreMalformed) {
  for (const char* target :
       {"/../etc/passwd", "/a/../../etc/passwd", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc", "/a%00b",
        "/a%5c..%5c..", "/%zz", "/%4", "relative", "*"}) {
    auto path = normalize_request_path(target);
    ASSERT_FALSE(path) << target;
    EXPECT_EQ(path.error().code, 400) << target;
  }
}

TEST(ServerStaticFiles, KnowsCommonMediaTypes) {
  EXPECT_EQ(mime_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("STYLE.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("a.tar.gz"), "application/gzip");
  EXPECT_EQ(mime_type_for("README"), "application/octet-stream");
}

}  // namespace
}  // namespace miniweb::server
