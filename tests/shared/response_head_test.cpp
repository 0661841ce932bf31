// The head every server's responses leave with (shared/http/response_head).

#include "shared/http/response_head.hpp"

#include <gtest/gtest.h>

namespace miniweb::http {
namespace {

const std::vector<std::pair<std::string, std::string>> kServerFields = {
    {"Server", "miniweb"}, {"Strict-Transport-Security", "max-age=60"}};

std::string head_of(const Response& response, const ResponseFraming& framing) {
  std::string head;
  write_response_head(head, response, kServerFields, framing);
  return head;
}

TEST(SharedResponseHead, SetsTheServersFieldsInPlaceOfTheHandlers) {
  Response response;
  response.headers.add("Content-Type", "text/plain");
  response.headers.add("server", "spoofed");
  response.headers.add("Content-Length", "999");
  response.headers.add("Date", "yesterday");
  const std::string head = head_of(response, {.body_bytes = 5});
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_NE(head.find("Content-Type: text/plain\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Server: miniweb\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("spoofed"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Length: 5\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("999"), std::string::npos) << head;
  EXPECT_EQ(head.find("yesterday"), std::string::npos) << head;
  EXPECT_NE(head.find("Date: " + http_date_now() + "\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Connection:"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
}

TEST(SharedResponseHead, SaysConnectionWhenItMatters) {
  Response response;
  EXPECT_NE(head_of(response, {.keep_alive = false}).find("Connection: close\r\n"),
            std::string::npos);
  // HTTP/1.0 closes unless told otherwise (RFC 9112 section 9.3).
  EXPECT_NE(head_of(response, {.request_version_minor = 0}).find("Connection: keep-alive\r\n"),
            std::string::npos);
  // A refusal of a request that could not be read.
  EXPECT_NE(head_of(response, {.keep_alive = false, .request_version_minor = -1})
                .find("Connection: close\r\n"),
            std::string::npos);
}

TEST(SharedResponseHead, FramesBodilessStatusesAndHead) {
  Response not_modified;
  not_modified.status = 304;
  EXPECT_EQ(head_of(not_modified, {}).find("Content-Length"), std::string::npos);
  Response no_content;
  no_content.status = 204;
  EXPECT_EQ(head_of(no_content, {}).find("Content-Length"), std::string::npos);
  // A proxied answer to HEAD keeps the upstream's Content-Length (RFC 9110 section 8.6).
  Response proxied;
  proxied.headers.add("Content-Length", "1234");
  const std::string head = head_of(proxied, {.body_bytes = 0, .head_request = true});
  EXPECT_NE(head.find("Content-Length: 1234\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length: 0"), std::string::npos) << head;
  Response teapot;
  teapot.status = 418;
  teapot.reason = "I'm a teapot";
  EXPECT_TRUE(head_of(teapot, {}).starts_with("HTTP/1.1 418 I'm a teapot\r\n"));
}

}  // namespace
}  // namespace miniweb::http
