#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "browser/content.hpp"
#include "browser/exit_codes.hpp"

namespace miniweb::browser {
namespace {

class BrowserContent : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-content-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<Content> show(const std::string& media_type, const std::string& body,
                       const std::string& charset = "",
                       const std::string& url = "https://a.test/x/file") {
    const std::string content_type =
        charset.empty() ? media_type : media_type + "; charset=" + charset;
    return dispatch(content_type, body, *Url::parse(url), dir_);
  }

  std::filesystem::path dir_;
};

TEST_F(BrowserContent, HtmlIsAPageToLayOut) {
  auto shown = show("text/html", "<title>T</title><p>Hello <a href='../y'>there</a>");
  ASSERT_TRUE(shown) << shown.error().message;
  EXPECT_EQ(shown->kind, ContentKind::Page);
  EXPECT_EQ(shown->media_type, "text/html");
  EXPECT_EQ(shown->text, "<title>T</title><p>Hello <a href='../y'>there</a>");
  // Shown as received: the source is the text itself, not a second copy.
  EXPECT_TRUE(shown->text_is_body);
  EXPECT_TRUE(shown->body.empty());
  EXPECT_EQ(shown->source().data(), shown->text.data());
  auto typed = show("Application/XHTML+XML", "<p>x</p>");
  ASSERT_TRUE(typed);
  EXPECT_EQ(typed->kind, ContentKind::Page);
  EXPECT_EQ(typed->media_type, "application/xhtml+xml");
}

TEST_F(BrowserContent, Latin1IsConvertedToUtf8) {
  auto shown = show("text/plain", "caf\xe9 cr\xe8me", "iso-8859-1");
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->text, "caf\xc3\xa9 cr\xc3\xa8me");
  // View-source shows the bytes as they came.
  EXPECT_EQ(shown->source(), "caf\xe9 cr\xe8me");
  auto page = show("text/html", "<p>na\xefve</p>", "iso-8859-1");
  ASSERT_TRUE(page);
  EXPECT_NE(page->text.find("na\xc3\xafve"), std::string::npos) << page->text;
  EXPECT_EQ(page->source(), "<p>na\xefve</p>");
}

TEST_F(BrowserContent, JsonIsPrettyPrinted) {
  auto shown = show("application/json", R"({"b":[1,2],"a":"x"})");
  ASSERT_TRUE(shown);
  EXPECT_EQ(shown->text, "{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": \"x\"\n}\n");
  EXPECT_EQ(shown->source(), R"({"b":[1,2],"a":"x"})");  // view-source: as it came
  EXPECT_TRUE(show("application/problem+json", R"({"type":"x"})"));
}

TEST_F(BrowserContent, MalformedJsonSaysWhere) {
  auto shown = show("application/json", "{\n  \"a\": 1,\n  \"b\": tru\n}");
  ASSERT_FALSE(shown);
  EXPECT_EQ(shown.error().code, exit_code::kBadResponse);
  EXPECT_NE(shown.error().message.find("line 3"), std::string::npos) << shown.error().message;
}

TEST_F(BrowserContent, AnythingElseIsSavedAsADownloadWithoutOverwriting) {
  auto first = show("application/pdf", "%PDF-1.4 bytes", "", "https://a.test/files/report.pdf");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->kind, ContentKind::Download);
  EXPECT_EQ(first->saved_to, dir_ / "report.pdf");
  auto second = show("application/pdf", "other", "", "https://a.test/files/report.pdf");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->saved_to, dir_ / "report.pdf.1");
  std::ifstream in(dir_ / "report.pdf");
  std::string content((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(content, "%PDF-1.4 bytes");
  EXPECT_NE(first->text.find("Saved 14 bytes of application/pdf"), std::string::npos);
  auto unnamed = show("application/octet-stream", "x", "", "https://a.test/");
  ASSERT_TRUE(unnamed);
  EXPECT_EQ(unnamed->saved_to, dir_ / "download");
}

}  // namespace
}  // namespace miniweb::browser
