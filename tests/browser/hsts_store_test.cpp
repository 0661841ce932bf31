#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "browser/net/hsts_store.hpp"

namespace miniweb::browser {
namespace {

TEST(BrowserHsts, RemembersHostsForMaxAge) {
  HstsStore store;
  store.note("www.example.test", "max-age=100", 1000);
  EXPECT_TRUE(store.requires_https("www.example.test", 1050));
  EXPECT_FALSE(store.requires_https("www.example.test", 1100));
  EXPECT_FALSE(store.requires_https("other.example.test", 1050));
  EXPECT_FALSE(store.requires_https("sub.www.example.test", 1050));  // no includeSubDomains
}

TEST(BrowserHsts, IncludeSubdomainsCoversChildrenOnly) {
  HstsStore store;
  store.note("example.test", "max-age=\"500\"; includeSubDomains", 0);
  EXPECT_TRUE(store.requires_https("a.b.example.test", 10));
  EXPECT_TRUE(store.requires_https("example.test", 10));
  EXPECT_FALSE(store.requires_https("badexample.test", 10));
}

TEST(BrowserHsts, MaxAgeZeroForgetsAndInvalidValuesAreIgnored) {
  HstsStore store;
  store.note("h.test", "max-age=100", 0);
  store.note("h.test", "max-age=0", 1);
  EXPECT_FALSE(store.requires_https("h.test", 2));
  store.note("x.test", "max-age=abc", 0);
  store.note("y.test", "includeSubDomains", 0);
  store.note("z.test", "max-age=-5", 0);
  EXPECT_FALSE(store.requires_https("x.test", 1));
  EXPECT_FALSE(store.requires_https("y.test", 1));
  EXPECT_FALSE(store.requires_https("z.test", 1));
}

TEST(BrowserHsts, PersistsInTheProfileAndSurvivesADamagedFile) {
  auto dir =
      std::filesystem::temp_directory_path() / ("miniweb-hsts-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    HstsStore store(dir);
    store.note("www.example.test", "max-age=31536000", std::time(nullptr));
  }
  EXPECT_TRUE(HstsStore(dir).requires_https("www.example.test", std::time(nullptr)));
  std::ofstream(dir / "hsts.json") << "{ not json";
  EXPECT_FALSE(HstsStore(dir).requires_https("www.example.test", std::time(nullptr)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace miniweb::browser
