// The shop's application through the real stack: `./miniweb up`, then curl through the reverse
// proxy at shop.example.test (TLS ended there, plain HTTP to three miniweb-shop instances over
// one SQLite database), then `./miniweb down` and `up` again over the same database.

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::RunResult;

class ShopTest : public StackTest {
 protected:
  // curl through the proxy, verified against the stack's CA; `options` before the URL.
  static RunResult shop(const std::string& path, const std::string& options = "") {
    const std::string port = std::to_string(https_port_);
    return run("curl -sS --cacert " + state_.string() +
               "/ca/root.pem --resolve shop.example.test:" + port + ":" + net_ + ".40 " + options +
               " 'https://shop.example.test:" + port + path + "'");
  }
  // The status code alone.
  static std::string status_of(const std::string& path, const std::string& options = "") {
    return shop(path, "-o /dev/null -w '%{http_code}' " + options).out;
  }
};

using miniweb::test_support::occurrences;

TEST_F(ShopTest, StatusListsTheInstancesAndTheDatabaseIsMade) {
  ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  RunResult status = launcher("status");
  for (const char* name : {"backend-1", "backend-2", "backend-3"})
    EXPECT_NE(status.out.find("shop " + std::string(name) + " (miniweb-shop, plain HTTP)"),
              std::string::npos)
        << status.out;
  EXPECT_EQ(occurrences(status.out, "(miniweb-shop, plain HTTP)"), 3u) << status.out;
  EXPECT_EQ(occurrences(status.out, "stopped"), 0u) << status.out;
  EXPECT_TRUE(std::filesystem::exists(state_ / "shop/shop.db"));
  EXPECT_TRUE(std::filesystem::exists(state_ / "shop/shop.db-wal"));
}

TEST_F(ShopTest, TheProductListAsHtmlAndAsJson) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult html = shop("/", "-i");
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("text/html; charset=utf-8"), std::string::npos) << html.out;
  EXPECT_NE(html.out.find("<h1>miniweb shop</h1>"), std::string::npos);
  EXPECT_NE(html.out.find("<a href=\"/products/3\">Salt &amp; Pepper DNS mills</a>"),
            std::string::npos)
      << html.out;
  EXPECT_NE(html.out.find("&lt;blink&gt; sticker"), std::string::npos);
  EXPECT_NE(html.out.find("<input type=\"search\" id=\"q\" name=\"q\""), std::string::npos);

  RunResult json = shop("/", "-H 'Accept: application/json'");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto value = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(value.is_discarded()) << json.out;
  ASSERT_TRUE(value["products"].is_array()) << json.out;
  EXPECT_EQ(value["products"].size(), 6u);
  EXPECT_EQ(value["products"][3]["name"], "<blink> sticker");
}

TEST_F(ShopTest, AProductPageAnd404And405) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult product = shop("/products/2");
  EXPECT_NE(product.out.find("<h1>Packet sniffer mug</h1>"), std::string::npos) << product.out;
  EXPECT_NE(product.out.find("Price: 12.50 EUR"), std::string::npos);
  auto value = nlohmann::json::parse(shop("/products/2", "-H 'Accept: application/json'").out,
                                     nullptr, false);
  EXPECT_EQ(value["product"]["name"], "Packet sniffer mug");
  EXPECT_EQ(status_of("/products/999"), "404");
  EXPECT_EQ(status_of("/no/such/page"), "404");
  EXPECT_EQ(status_of("/", "-X POST -d x=1"), "405");
  EXPECT_EQ(status_of("/products/1", "-X DELETE"), "405");
}

TEST_F(ShopTest, TheSearchFindsWhatTheTextMatchesSoSqlFindsNothing) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  RunResult mug = shop("/?q=mug");
  EXPECT_NE(mug.out.find("1 product matching \"mug\""), std::string::npos) << mug.out;
  RunResult sql = shop("/?q=%27+OR+1%3D1--");
  EXPECT_NE(sql.out.find("0 products matching \"' OR 1=1--\""), std::string::npos) << sql.out;
  EXPECT_EQ(sql.out.find("/products/"), std::string::npos) << sql.out;
  auto value = nlohmann::json::parse(
      shop("/?q=%27+OR+1%3D1--", "-H 'Accept: application/json'").out, nullptr, false);
  EXPECT_TRUE(value["products"].empty()) << value;
  // The products are all still there.
  EXPECT_EQ(occurrences(shop("/").out, "<li><a href=\"/products/"), 6u);
}

// Fifty requests: 30/10/10 by smooth weighted round robin, and each instance gives the same
// bytes every time, so three distinct bodies in all.
TEST_F(ShopTest, TheBalancersShareShowsInTheInstanceNames) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  std::map<std::string, int> bodies;
  std::string all;
  for (int i = 0; i < 50; ++i) {
    RunResult home = shop("/");
    ASSERT_EQ(home.exit_code, 0) << home.err;
    ++bodies[home.out];
    all += home.out;
  }
  EXPECT_EQ(occurrences(all, "served by <b>backend-1</b>"), 30u);
  EXPECT_EQ(occurrences(all, "served by <b>backend-2</b>"), 10u);
  EXPECT_EQ(occurrences(all, "served by <b>backend-3</b>"), 10u);
  EXPECT_EQ(bodies.size(), 3u);
  std::multiset<int> shares;
  for (const auto& [body, n] : bodies) shares.insert(n);
  EXPECT_EQ(shares, (std::multiset<int>{10, 10, 30}));
}

// The instance is named in a header too, through the proxy, on answers that have no page to
// say it: a 404 and a 405 here (over HTTP/2, so the field's name is lowercase), a 303 in the
// browser's trace.
TEST_F(ShopTest, EveryAnswerNamesItsInstanceInAHeader) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  for (const char* target : {"/", "/products/9999", "/cart/add"}) {
    RunResult head = shop(target, "-o /dev/null -D -");
    EXPECT_NE(head.out.find("x-served-by: backend-"), std::string::npos) << target << head.out;
  }
}

// Declared last: gtest runs a suite's tests in declaration order.
TEST_F(ShopTest, DownStopsTheInstancesAndTheDatabaseOutlivesThem) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  std::vector<int> shop_pids;
  for (const char* name : {"shop-backend-1", "shop-backend-2", "shop-backend-3"}) {
    const int pid =
        std::stoi(miniweb::test_support::read_file(state_ / "run" / (std::string(name) + ".pid")));
    EXPECT_TRUE(process_runs_our_program(pid)) << name;
    shop_pids.push_back(pid);
  }
  ASSERT_EQ(launcher("down").exit_code, 0);
  for (int pid : shop_pids) EXPECT_FALSE(process_runs_our_program(pid)) << pid;
  ASSERT_TRUE(std::filesystem::exists(state_ / "shop/shop.db"));

  // A product added while the stack is down is there after `up`: the file was kept, not seeded
  // again.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((state_ / "shop/shop.db").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "INSERT INTO products (id, name, description, price_cents) VALUES "
                         "(7, 'Persistent cookie jar', 'Survives a restart.', 500)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  RunResult again = launcher("up");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  RunResult home = shop("/");
  EXPECT_NE(home.out.find("Persistent cookie jar"), std::string::npos) << home.out;
  EXPECT_EQ(occurrences(home.out, "<li><a href=\"/products/"), 7u);
}

}  // namespace
