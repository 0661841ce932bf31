// Static-file features without sockets: ranges, dates, negotiation, gzip, error pages, and
// the balancer's choices.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "server/request_handler.hpp"
#include "server/static_files.hpp"
#include "server/upstream.hpp"
#include "shared/http/accept.hpp"
#include "shared/http/gzip.hpp"

namespace miniweb::server {
namespace {

TEST(ServerRanges, ParsesSingleSuffixOpenAndListedRanges) {
  using R = std::vector<ByteRange>;
  EXPECT_EQ(*parse_byte_ranges("bytes=0-3", 10), (R{{0, 3}}));
  EXPECT_EQ(*parse_byte_ranges("bytes=5-", 10), (R{{5, 9}}));
  EXPECT_EQ(*parse_byte_ranges("bytes=-4", 10), (R{{6, 9}}));
  EXPECT_EQ(*parse_byte_ranges("bytes=-40", 10), (R{{0, 9}}));
  EXPECT_EQ(*parse_byte_ranges("bytes=8-100", 10), (R{{8, 9}}));
  EXPECT_EQ(*parse_byte_ranges("bytes=0-0, 2-3", 10), (R{{0, 0}, {2, 3}}));
  // Not satisfiable: an empty list, which is 416.
  EXPECT_TRUE(parse_byte_ranges("bytes=10-", 10)->empty());
  EXPECT_TRUE(parse_byte_ranges("bytes=-0", 10)->empty());
  // Not a valid range set: ignored, the whole file is sent.
  for (const char* bad : {"bytes=3-1", "items=0-1", "bytes=a-b", "bytes=", "bytes=1"})
    EXPECT_FALSE(parse_byte_ranges(bad, 10)) << bad;
}

TEST(ServerDates, ReadsTheThreeHttpDateForms) {
  // RFC 9110 section 5.6.7's example, in each form.
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(parse_http_date(http::http_date(1700000000)), 1700000000);
  EXPECT_FALSE(parse_http_date("yesterday"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT junk"));
}

TEST(ServerNegotiation, TheMostSpecificRangeGivesTheQuality) {
  EXPECT_EQ(http::accept_quality("text/html", "text/html; charset=utf-8"), 1.0);
  EXPECT_EQ(http::accept_quality("application/json;q=0.5, */*;q=0.1", "application/json"), 0.5);
  EXPECT_EQ(http::accept_quality("application/json;q=0.5, */*;q=0.1", "text/html"), 0.1);
  EXPECT_EQ(http::accept_quality("text/*;q=0.3, text/html;q=0", "text/html"), 0.0);
  EXPECT_EQ(http::accept_quality("image/png", "text/html"), 0.0);
  // A weight that is not a number from 0 to 1 makes the range unacceptable.
  EXPECT_EQ(http::accept_quality("text/html;q=high", "text/html"), 0.0);
  EXPECT_EQ(http::accept_quality("text/html;q=2", "text/html"), 0.0);
  EXPECT_EQ(http::accept_quality("TEXT/*; Q=0.4", "text/plain"), 0.4);
}

class ServerStaticFeatures : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-static-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "errors");
    std::ofstream(dir_ / "index.html") << "<p>html</p>\n";
    std::ofstream(dir_ / "index.json") << "{\"json\": true}\n";
    std::ofstream(dir_ / "digits.txt") << "0123456789";
    std::ofstream(dir_ / "errors/404.html") << "<p>custom not found</p>\n";
    for (int i = 0; i < 100; ++i) text_ += "a line of text that compresses well\n";
    std::ofstream(dir_ / "long.txt") << text_;
    site_.names = {"www.example.test"};
    site_.root = dir_;
    site_.index_files = {"index.html", "index.json"};
    site_.error_pages[404] = "/errors/404.html";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  http::Response get(const std::string& target,
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    http::Request request{"GET", target, 1, {}, {}};
    request.headers.add("Host", "www.example.test");
    for (const auto& [name, value] : headers) request.headers.add(name, value);
    return serve_static(site_, request);
  }

  std::filesystem::path dir_;
  SiteConfig site_;
  std::string text_;
};

TEST_F(ServerStaticFeatures, AnswersRangesWith206AndUnsatisfiableOnesWith416) {
  auto single = get("/digits.txt", {{"Range", "bytes=2-4"}});
  EXPECT_EQ(single.status, 206);
  EXPECT_EQ(single.body, "234");
  EXPECT_EQ(single.headers.get("Content-Range"), "bytes 2-4/10");
  auto multi = get("/digits.txt", {{"Range", "bytes=0-0,-2"}});
  EXPECT_EQ(multi.status, 206);
  EXPECT_TRUE(multi.headers.get("Content-Type")->starts_with("multipart/byteranges; boundary="));
  EXPECT_NE(multi.body.find("Content-Range: bytes 0-0/10\r\n\r\n0\r\n"), std::string::npos)
      << multi.body;
  EXPECT_NE(multi.body.find("Content-Range: bytes 8-9/10\r\n\r\n89\r\n"), std::string::npos)
      << multi.body;
  auto refused = get("/digits.txt", {{"Range", "bytes=20-"}});
  EXPECT_EQ(refused.status, 416);
  EXPECT_EQ(refused.headers.get("Content-Range"), "bytes */10");
  EXPECT_EQ(get("/digits.txt", {{"Range", "bytes=9-2"}}).status, 200);  // invalid: ignored
  // If-Range with another validator: the whole file.
  auto changed = get("/digits.txt", {{"Range", "bytes=2-4"}, {"If-Range", "\"other\""}});
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, "0123456789");
  auto same = get(
      "/digits.txt",
      {{"Range", "bytes=2-4"}, {"If-Range", std::string(*get("/digits.txt").headers.get("ETag"))}});
  EXPECT_EQ(same.status, 206);
}

TEST_F(ServerStaticFeatures, ComparesIfModifiedSinceAsADate) {
  auto plain = get("/digits.txt");
  const std::string last_modified(*plain.headers.get("Last-Modified"));
  const std::time_t modified = *parse_http_date(last_modified);
  EXPECT_EQ(get("/digits.txt", {{"If-Modified-Since", last_modified}}).status, 304);
  EXPECT_EQ(get("/digits.txt", {{"If-Modified-Since", http::http_date(modified + 3600)}}).status,
            304);
  EXPECT_EQ(get("/digits.txt", {{"If-Modified-Since", http::http_date(modified - 3600)}}).status,
            200);
  EXPECT_EQ(get("/digits.txt", {{"If-Modified-Since", "not a date"}}).status, 200);
  // If-None-Match wins over If-Modified-Since (RFC 9110 section 13.2.2).
  EXPECT_EQ(
      get("/digits.txt", {{"If-None-Match", "\"x\""}, {"If-Modified-Since", last_modified}}).status,
      200);
}

TEST_F(ServerStaticFeatures, CompressesTextForClientsThatAcceptGzip) {
  auto compressed = get("/long.txt", {{"Accept-Encoding", "br, gzip;q=0.8"}});
  EXPECT_EQ(compressed.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(compressed.headers.get("Vary"), "Accept-Encoding");
  EXPECT_TRUE(compressed.headers.get("ETag")->starts_with("W/\""));
  EXPECT_LT(compressed.body.size(), text_.size());
  auto inflated = http::gzip_decompress(compressed.body, 1 << 20);
  ASSERT_TRUE(inflated);
  EXPECT_EQ(*inflated, text_);
  for (const char* refusal : {"gzip;q=0", "identity", "*;q=0"}) {
    auto plain = get("/long.txt", {{"Accept-Encoding", refusal}});
    EXPECT_FALSE(plain.headers.contains("Content-Encoding")) << refusal;
    EXPECT_EQ(plain.body, text_);
    EXPECT_EQ(plain.headers.get("Vary"), "Accept-Encoding");
  }
  EXPECT_FALSE(get("/digits.txt", {{"Accept-Encoding", "gzip"}})
                   .headers.contains("Content-Encoding"));  // small
  site_.gzip = false;
  EXPECT_FALSE(
      get("/long.txt", {{"Accept-Encoding", "gzip"}}).headers.contains("Content-Encoding"));
}

TEST_F(ServerStaticFeatures, ACachedFileIsCompressedOncePerVersion) {
  FileCacheLimits limits;
  limits.settle = std::chrono::seconds(0);  // cached at once, without waiting for it to settle
  FileCache cache(limits);
  const auto fetch = [&](std::shared_ptr<const std::string>& body) {
    http::Request request{"GET", "/long.txt", 1, {}, {}};
    request.headers.add("Host", "www.example.test");
    request.headers.add("Accept-Encoding", "gzip");
    return serve_static(site_, request, cache, body);
  };
  std::shared_ptr<const std::string> first;
  std::shared_ptr<const std::string> second;
  EXPECT_EQ(fetch(first).headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(fetch(second).headers.get("Content-Encoding"), "gzip");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first.get(), second.get());  // the compressed copy kept with the cache's entry
  auto inflated = http::gzip_decompress(*first, 1 << 20);
  ASSERT_TRUE(inflated);
  EXPECT_EQ(*inflated, text_);

  // A new version of the file is compressed anew, never answered with the old bytes.
  const std::string next = text_ + "and one more line that was not there before\n";
  std::ofstream(dir_ / "long.txt", std::ios::trunc) << next;
  std::shared_ptr<const std::string> third;
  fetch(third);
  ASSERT_TRUE(third);
  inflated = http::gzip_decompress(*third, 1 << 20);
  ASSERT_TRUE(inflated);
  EXPECT_EQ(*inflated, next);
}

TEST_F(ServerStaticFeatures, NegotiatesTheIndexVariantByAccept) {
  auto json = get("/", {{"Accept", "application/json"}});
  EXPECT_EQ(json.status, 200);
  EXPECT_EQ(json.body, "{\"json\": true}\n");
  EXPECT_NE(json.headers.get("Vary")->find("Accept"), std::string_view::npos);
  auto html = get("/", {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}});
  EXPECT_EQ(html.body, "<p>html</p>\n");
  EXPECT_EQ(get("/", {{"Accept", "application/json;q=0.9, text/html;q=0.1"}}).body,
            "{\"json\": true}\n");
  EXPECT_EQ(get("/").body, "<p>html</p>\n");  // no Accept: the first index file
  auto none = get("/", {{"Accept", "image/png"}});
  EXPECT_EQ(none.status, 406);
  EXPECT_EQ(none.headers.get("Vary"), "Accept");
}

TEST_F(ServerStaticFeatures, UsesTheSitesErrorPages) {
  ServerConfig config;
  config.sites.push_back(site_);
  RequestHandler handler(config);
  http::Request request{"GET", "/missing", 1, {}, {}};
  request.headers.add("Host", "www.example.test");
  Decision decision =
      handler.decide(request, RequestContext{.tls = true, .sni = "www.example.test"});
  EXPECT_EQ(decision.response.status, 404);
  EXPECT_EQ(decision.response.body, "<p>custom not found</p>\n");
  request.method = "DELETE";  // 405 has no page: the built-in one
  decision = handler.decide(request, RequestContext{.tls = true, .sni = "www.example.test"});
  EXPECT_EQ(decision.response.status, 405);
  EXPECT_NE(decision.response.body.find("405 Method Not Allowed"), std::string::npos);
}

using Clock = Balancer::Clock;

std::string picks(Balancer& balancer, int count) {
  std::string out;
  std::vector<bool> none(balancer.size(), false);
  for (int i = 0; i < count; ++i)
    out += static_cast<char>('a' + *balancer.pick(none, Clock::now()));
  return out;
}

TEST(ServerBalancer, SmoothWeightedRoundRobinInterleavesAsNginxDoes) {
  Balancer balancer(BalanceMethod::WeightedRoundRobin, {3, 1, 1}, 1, std::chrono::seconds(10));
  EXPECT_EQ(picks(balancer, 10), "abacaabaca");
  Balancer heavy(BalanceMethod::WeightedRoundRobin, {5, 1, 1}, 1, std::chrono::seconds(10));
  EXPECT_EQ(picks(heavy, 7), "aabacaa");  // nginx's documented example: never 5 a's in a row
}

TEST(ServerBalancer, RoundRobinIgnoresWeightsAndSkipsTriedServers) {
  Balancer balancer(BalanceMethod::RoundRobin, {3, 1, 1}, 1, std::chrono::seconds(10));
  EXPECT_EQ(picks(balancer, 6), "abcabc");
  std::vector<bool> tried = {false, true, false};
  EXPECT_EQ(balancer.pick(tried, Clock::now()), 0u);
  EXPECT_EQ(balancer.pick(tried, Clock::now()), 2u);
  EXPECT_FALSE(balancer.pick({true, true, true}, Clock::now()));
}

TEST(ServerBalancer, LeastConnectionsPrefersTheLeastBusyPerWeight) {
  Balancer balancer(BalanceMethod::LeastConnections, {1, 1, 2}, 1, std::chrono::seconds(10));
  std::vector<bool> none(3, false);
  balancer.started(0);
  balancer.started(1);
  EXPECT_EQ(balancer.pick(none, Clock::now()), 2u);
  balancer.started(2);
  balancer.started(2);  // 2 active over weight 2 equals 1 over 1: a tie among all three
  balancer.started(0);
  EXPECT_NE(balancer.pick(none, Clock::now()), 0u);
  balancer.finished(0);
  balancer.finished(0);
  EXPECT_EQ(balancer.pick(none, Clock::now()), 0u);
}

TEST(ServerBalancer, TakesAFailingServerOutForFailTimeout) {
  Balancer balancer(BalanceMethod::RoundRobin, {1, 1}, 2, std::chrono::seconds(10));
  const auto start = Clock::now();
  std::vector<bool> none(2, false);
  balancer.failed(0, start);
  EXPECT_TRUE(balancer.available(0, start));  // one failure of two allowed
  balancer.failed(0, start + std::chrono::seconds(1));
  EXPECT_FALSE(balancer.available(0, start + std::chrono::seconds(2)));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(balancer.pick(none, start + std::chrono::seconds(2)), 1u);
  EXPECT_TRUE(balancer.available(0, start + std::chrono::seconds(12)));
  // Failures further apart than fail_timeout do not add up.
  balancer.failed(1, start);
  balancer.failed(1, start + std::chrono::seconds(20));
  EXPECT_TRUE(balancer.available(1, start + std::chrono::seconds(21)));
  // A success forgets earlier failures.
  balancer.succeeded(1);
  balancer.failed(1, start + std::chrono::seconds(22));
  EXPECT_TRUE(balancer.available(1, start + std::chrono::seconds(22)));
}

}  // namespace
}  // namespace miniweb::server
