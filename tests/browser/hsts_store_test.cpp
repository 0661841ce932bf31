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
  // Which host's policy it was, for the trace to name: the parent's for a child.
  EXPECT_EQ(store.https_required_by("a.b.example.test", 10),
            std::optional<std::string>("example.test"));
  EXPECT_EQ(store.https_required_by("example.test", 10),
            std::optional<std::string>("example.test"));
  EXPECT_EQ(store.https_required_by("badexample.test", 10), std::nullopt);
}

TEST(BrowserHsts, MaxAgeZeroForgetsAndInvalidValuesAreIgnored) {
  HstsStore store;  // no profile: kept for this run only
  EXPECT_EQ(store.note("h.test", "max-age=100", 0), HstsNoted::NotKept);
  EXPECT_EQ(store.note("h.test", "max-age=0", 1), HstsNoted::NotKept);
  EXPECT_FALSE(store.requires_https("h.test", 2));
  EXPECT_EQ(store.note("x.test", "max-age=abc", 0), HstsNoted::Ignored);
  EXPECT_EQ(store.note("y.test", "includeSubDomains", 0), HstsNoted::Ignored);
  EXPECT_EQ(store.note("z.test", "max-age=-5", 0), HstsNoted::Ignored);
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

// A site repeats its header on every response: the file is written again only when what it
// holds would fall short by more than a 64th of max-age, or anything else changed.
TEST(BrowserHsts, RewritesTheProfileOnlyWhenItsContentsWouldMatter) {
  auto dir = std::filesystem::temp_directory_path() /
             ("miniweb-hsts-rewrite-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::time_t now = std::time(nullptr);
  {
    HstsStore store(dir);
    EXPECT_EQ(HstsNoted::Written, store.note("www.example.test", "max-age=6400", now));
    EXPECT_EQ(HstsNoted::AlreadyKept, store.note("www.example.test", "max-age=6400", now + 100));
    // In memory the expiry moved all the same.
    EXPECT_TRUE(store.requires_https("www.example.test", now + 6450));
    EXPECT_EQ(HstsNoted::Written, store.note("www.example.test", "max-age=6400", now + 101));
    EXPECT_EQ(HstsNoted::Written,
              store.note("www.example.test", "max-age=6400; includeSubDomains", now + 102));
    EXPECT_EQ(HstsNoted::Written,
              store.note("www.example.test", "max-age=10; includeSubDomains", now + 103));
    EXPECT_EQ(HstsNoted::Written, store.note("other.example.test", "max-age=6400", now + 104));
  }
  {
    // A later run reads the file as last written, and compares with it.
    HstsStore store(dir);
    EXPECT_TRUE(store.requires_https("a.www.example.test", now + 110));
    EXPECT_FALSE(store.requires_https("www.example.test", now + 120));
    EXPECT_EQ(HstsNoted::AlreadyKept, store.note("other.example.test", "max-age=6400", now + 105));
    EXPECT_EQ(HstsNoted::Written, store.note("other.example.test", "max-age=0", now + 106));
  }
  EXPECT_FALSE(HstsStore(dir).requires_https("other.example.test", now + 107));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace miniweb::browser
