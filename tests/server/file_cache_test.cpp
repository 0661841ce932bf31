// The open-file cache: reuse while stat shows a file unchanged, and every change noticed —
// rewritten, replaced, removed, or a symbolic link turned to point outside the root.

#include "server/file_cache.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "server/static_files.hpp"

namespace miniweb::server {
namespace {

class ServerFileCache : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = std::filesystem::temp_directory_path() /
            ("miniweb-file-cache-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    root_ = base_ / "root";
    std::filesystem::create_directories(root_ / "dir");
    write(root_ / "page.txt", "first version");
    write(base_ / "secret.txt", "outside the root");
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  static void write(const std::filesystem::path& file, const std::string& content) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  }
  // A cache that trusts files at once, so that the tests need not wait for them to settle.
  static FileCacheLimits trusting() {
    FileCacheLimits limits;
    limits.settle = std::chrono::seconds(0);
    return limits;
  }

  std::filesystem::path base_;
  std::filesystem::path root_;
};

TEST_F(ServerFileCache, ReusesAnUnchangedFile) {
  FileCache cache(trusting());
  FileLookup first = cache.open(root_, "page.txt");
  ASSERT_EQ(first.result, Lookup::Found);
  EXPECT_EQ(*first.file->content, "first version");
  EXPECT_EQ(first.file->media_type, "text/plain; charset=utf-8");
  FileLookup second = cache.open(root_, "page.txt");
  ASSERT_EQ(second.result, Lookup::Found);
  EXPECT_EQ(second.file.get(), first.file.get());  // the same entry, not read again
}

TEST_F(ServerFileCache, NoticesARewrittenFile) {
  FileCache cache(trusting());
  ASSERT_EQ(cache.open(root_, "page.txt").result, Lookup::Found);
  write(root_ / "page.txt", "the second, longer version");
  FileLookup after = cache.open(root_, "page.txt");
  ASSERT_EQ(after.result, Lookup::Found);
  EXPECT_EQ(*after.file->content, "the second, longer version");
}

TEST_F(ServerFileCache, NoticesAFileReplacedByRenameWithTheSameSize) {
  FileCache cache(trusting());
  ASSERT_EQ(cache.open(root_, "page.txt").result, Lookup::Found);
  write(root_ / "next.tmp", "other version");  // as many bytes as "first version"
  std::filesystem::rename(root_ / "next.tmp", root_ / "page.txt");
  FileLookup after = cache.open(root_, "page.txt");
  ASSERT_EQ(after.result, Lookup::Found);
  EXPECT_EQ(*after.file->content, "other version");
}

TEST_F(ServerFileCache, NoticesARemovedFile) {
  FileCache cache(trusting());
  ASSERT_EQ(cache.open(root_, "page.txt").result, Lookup::Found);
  std::filesystem::remove(root_ / "page.txt");
  EXPECT_EQ(cache.open(root_, "page.txt").result, Lookup::NotFound);
}

TEST_F(ServerFileCache, RefusesASymlinkTurnedToPointOutsideTheRoot) {
  FileCache cache(trusting());
  std::filesystem::create_symlink(root_ / "page.txt", root_ / "link.txt");
  FileLookup inside = cache.open(root_, "link.txt");
  ASSERT_EQ(inside.result, Lookup::Found);
  EXPECT_EQ(*inside.file->content, "first version");
  std::filesystem::remove(root_ / "link.txt");
  std::filesystem::create_symlink(base_ / "secret.txt", root_ / "link.txt");
  EXPECT_EQ(cache.open(root_, "link.txt").result, Lookup::OutsideRoot);
  // A directory on the path turned into a link outside is refused too.
  std::filesystem::create_directories(base_ / "elsewhere");
  write(base_ / "elsewhere/file.txt", "outside");
  write(root_ / "dir/file.txt", "inside!");
  ASSERT_EQ(cache.open(root_, "dir/file.txt").result, Lookup::Found);
  std::filesystem::remove_all(root_ / "dir");
  std::filesystem::create_directory_symlink(base_ / "elsewhere", root_ / "dir");
  EXPECT_EQ(cache.open(root_, "dir/file.txt").result, Lookup::OutsideRoot);
}

TEST_F(ServerFileCache, ReadsAJustWrittenFileAgainEvenWhenItsTimestampsDoNotMove) {
  // By default a file changed within the last seconds is not trusted to show its next change:
  // two writes of the same size within one clock tick leave size and times alike.
  FileCache cache;
  ASSERT_EQ(*cache.open(root_, "page.txt").file->content, "first version");
  std::ofstream(root_ / "page.txt", std::ios::binary | std::ios::in | std::ios::out) << "FIRST";
  EXPECT_EQ(*cache.open(root_, "page.txt").file->content, "FIRST version");
}

TEST_F(ServerFileCache, KeepsLargeFilesOutOfMemory) {
  FileCacheLimits limits = trusting();
  limits.max_file_bytes = 4;
  FileCache cache(limits);
  FileLookup lookup = cache.open(root_, "page.txt");
  ASSERT_EQ(lookup.result, Lookup::Found);
  EXPECT_EQ(lookup.file->content, nullptr);
  EXPECT_EQ(lookup.file->real_path, std::filesystem::canonical(root_ / "page.txt"));
}

TEST_F(ServerFileCache, ServeStaticAnswersTheNewVersionAfterAChange) {
  FileCache cache(trusting());
  SiteConfig site;
  site.names = {"www.example.test"};
  site.root = root_;
  http::Request request{"GET", "/page.txt", 1, {}, {}};
  request.headers.add("Host", "www.example.test");
  http::Response first = serve_static(site, request, cache);
  ASSERT_EQ(first.status, 200);
  const std::string etag(*first.headers.get("ETag"));
  request.headers.add("If-None-Match", etag);
  EXPECT_EQ(serve_static(site, request, cache).status, 304);
  write(root_ / "page.txt", "a new version, longer");
  http::Response changed = serve_static(site, request, cache);
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "a new version, longer");
  EXPECT_NE(*changed.headers.get("ETag"), etag);
  // Directory, missing root: the same answers as without a cache.
  http::Request directory{"GET", "/dir", 1, {}, {}};
  EXPECT_EQ(serve_static(site, directory, cache).status, 301);
  site.root = base_ / "missing";
  EXPECT_EQ(serve_static(site, request, cache).status, 500);
}

}  // namespace
}  // namespace miniweb::server
