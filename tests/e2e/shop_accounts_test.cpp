// The shop's accounts, carts and orders through the real stack: `./miniweb up`, then curl
// through the reverse proxy at shop.example.test (and, where a test needs one instance, straight
// to a backend over plain HTTP): sign-up, sign-in, a cart kept in the database whichever
// instance answers, orders, every failure's status, the request id in both access logs, many
// orders at once from two instances, and an instance killed in the middle of an order.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <regex>
#include <string>
#include <thread>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

// Any well-formed token: a visitor without a session proves the form is its own by sending the
// same value as the __Host-csrf cookie and as the field (double submit).
const std::string kPreToken(64, 'c');

class ShopAccountsTest : public StackTest {
 protected:
  // curl through the proxy with a cookie jar of the user's own; `options` before the URL. curl
  // chooses HTTP/2, so the shop's forms, cookies and statuses are checked over it (the proxy
  // speaks HTTP/1.1 to the shop).
  static RunResult shop(const std::string& jar, const std::string& path,
                        const std::string& options = "") {
    const std::string port = std::to_string(https_port_);
    return run("curl -sS --cacert " + state_.string() +
               "/ca/root.pem --resolve shop.example.test:" + port + ":" + net_ + ".40 -c " +
               jar_path(jar) + " -b " + jar_path(jar) + " " + options +
               " 'https://shop.example.test:" + port + path + "'");
  }
  static std::string status_of(const std::string& jar, const std::string& path,
                               const std::string& options = "") {
    return shop(jar, path, "-o /dev/null -w '%{http_code}' " + options).out;
  }
  static std::string jar_path(const std::string& jar) {
    return state_.string() + "/" + jar + ".jar";
  }

  // The csrf token of the form on `path`, as this jar's browser sees it.
  static std::string csrf(const std::string& jar, const std::string& path) {
    const std::string page = shop(jar, path).out;
    static const std::regex token("name=\"csrf\" value=\"([0-9a-f]+)\"");
    std::smatch match;
    EXPECT_TRUE(std::regex_search(page, match, token)) << path << ": " << page;
    return match.empty() ? "" : std::string(match[1]);
  }
  // POSTs `fields` with the token of the form on `form_page`; the status code.
  static std::string post(const std::string& jar, const std::string& form_page,
                          const std::string& target, const std::string& fields,
                          const std::string& options = "") {
    const std::string token = csrf(jar, form_page);
    return status_of(jar, target,
                     "-d 'csrf=" + token + (fields.empty() ? "" : "&" + fields) + "' " + options);
  }

  // Straight to backend-N (plain HTTP, no proxy), from `source` (an address of the stack's
  // net), with the cookies given.
  static RunResult backend(int n, const std::string& path, const std::string& options,
                           const std::string& source = "1") {
    return run("curl -sS --interface " + net_ + "." + source + " " + options + " 'http://" + net_ +
               "." + std::to_string(40 + n) + ":" + std::to_string(http_port_) + path + "'");
  }
  // A new user signed up straight at backend-N; the session cookie's value.
  static std::string signup_at(int n, const std::string& name) {
    RunResult done =
        backend(n, "/signup",
                "-o /dev/null -D - -H 'Cookie: __Host-csrf=" + kPreToken +
                    "' -d 'csrf=" + kPreToken + "&username=" + name + "&password=long+enough'");
    static const std::regex session("Set-Cookie: session=([0-9a-f]+)", std::regex::icase);
    std::smatch match;
    EXPECT_TRUE(std::regex_search(done.out, match, session)) << done.out << done.err;
    return match.empty() ? "" : std::string(match[1]);
  }
  // The session's csrf token, from a page of backend-N.
  static std::string session_csrf(int n, const std::string& session) {
    const std::string page = backend(n, "/cart", "-H 'Cookie: session=" + session + "'").out;
    static const std::regex token("name=\"csrf\" value=\"([0-9a-f]+)\"");
    std::smatch match;
    EXPECT_TRUE(std::regex_search(page, match, token)) << page;
    return match.empty() ? "" : std::string(match[1]);
  }

  static std::int64_t query(const std::string& sql) {
    sqlite3* db = nullptr;
    std::int64_t value = -1;
    if (sqlite3_open((state_ / "shop/shop.db").c_str(), &db) == SQLITE_OK) {
      sqlite3_busy_timeout(db, 10'000);
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
          sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
      sqlite3_finalize(statement);
    }
    sqlite3_close(db);
    return value;
  }
  static void execute(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((state_ / "shop/shop.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10'000);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
};

using miniweb::test_support::occurrences;

TEST_F(ShopAccountsTest, SignUpSearchACartAcrossInstancesAndAnOrder) {
  ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  EXPECT_EQ(post("alice", "/signup", "/signup", "username=alice&password=correct+horse"), "303");
  EXPECT_NE(shop("alice", "/account").out.find("Signed in as <b>alice</b>"), std::string::npos);
  EXPECT_NE(read_file(jar_path("alice")).find("#HttpOnly_"), std::string::npos);
  // Out and in again.
  EXPECT_EQ(post("alice", "/account", "/signout", ""), "303");
  EXPECT_EQ(status_of("alice", "/account"), "303");  // to /signin
  EXPECT_EQ(post("alice", "/signin", "/signin", "username=alice&password=correct+horse"), "303");
  EXPECT_NE(shop("alice", "/?q=mug").out.find("1 product matching \"mug\""), std::string::npos);

  // The cart filled at backend-2 is the cart backend-3 shows: sessions live in the database.
  const std::string jar = read_file(jar_path("alice"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(jar, match, std::regex("\tsession\t([0-9a-f]+)"))) << jar;
  const std::string session = match[1];
  const std::string token = session_csrf(2, session);
  RunResult added = backend(2, "/cart/add",
                            "-o /dev/null -w '%{http_code}' -H 'Cookie: session=" + session +
                                "' -d 'csrf=" + token + "&product=2&quantity=2'");
  EXPECT_EQ(added.out, "303") << added.err;
  RunResult cart = backend(3, "/cart", "-H 'Cookie: session=" + session + "'");
  EXPECT_NE(cart.out.find("Packet sniffer mug"), std::string::npos) << cart.out;
  EXPECT_NE(cart.out.find("served by <b>backend-3</b>"), std::string::npos);

  // The order: 303 to its page, which a reload only GETs again.
  RunResult placed = shop(
      "alice", "/orders",
      "-o /dev/null -w '%{http_code} %{redirect_url}' -d 'csrf=" + csrf("alice", "/cart") + "'");
  ASSERT_TRUE(placed.out.starts_with("303 https://shop.example.test:")) << placed.out;
  const std::string location = placed.out.substr(placed.out.find("/orders/"));
  RunResult order = shop("alice", location, "-i");
  EXPECT_NE(order.out.find("HTTP/2 200"), std::string::npos) << order.out;
  EXPECT_NE(order.out.find("Packet sniffer mug"), std::string::npos);
  EXPECT_NE(order.out.find("25.00 EUR"), std::string::npos);
  EXPECT_NE(shop("alice", "/orders").out.find("href=\"" + location + "\""), std::string::npos);
  EXPECT_EQ(query("SELECT count(*) FROM orders"), 1);

  // JSON: 201 with Location.
  EXPECT_EQ(post("alice", "/products/4", "/cart/add", "product=4&quantity=1"), "303");
  RunResult json =
      shop("alice", "/orders",
           "-i -H 'Accept: application/json' -d 'csrf=" + csrf("alice", "/cart") + "'");
  EXPECT_NE(json.out.find("HTTP/2 201"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("location: /orders/"), std::string::npos) << json.out;
}

TEST_F(ShopAccountsTest, EveryFailureHasItsStatus) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  EXPECT_EQ(post("bob", "/signup", "/signup", "username=bob&password=bobs+password"), "303");
  // 409: the name is taken.
  EXPECT_EQ(post("eve", "/signup", "/signup", "username=BOB&password=another+one"), "409");
  // 422: fields missing, named in the page and in JSON; invalid UTF-8 too.
  EXPECT_EQ(post("eve", "/signup", "/signup", "username=eve"), "422");
  const std::string named =
      shop("eve", "/signup",
           "-H 'Accept: application/json' -d 'csrf=" + csrf("eve", "/signup") + "&username=%FF'")
          .out;
  EXPECT_NE(named.find("\"username\""), std::string::npos) << named;
  // 400: malformed.
  EXPECT_EQ(post("eve", "/signup", "/signup", "username=e%zz&password=long+enough"), "400");
  // 403: no token, a wrong one, or from another site with the right one.
  EXPECT_EQ(status_of("eve", "/signup", "-d 'username=eve&password=long+enough'"), "403");
  EXPECT_EQ(status_of("eve", "/signup",
                      "-d 'csrf=" + std::string(64, '0') + "&username=eve&password=long+enough'"),
            "403");
  EXPECT_EQ(post("eve", "/signup", "/signup", "username=eve&password=long+enough",
                 "-H 'Origin: https://www.example'"),
            "403");
  EXPECT_EQ(post("eve", "/signup", "/signup", "username=eve&password=long+enough",
                 "-H 'Sec-Fetch-Site: cross-site'"),
            "403");
  EXPECT_EQ(query("SELECT count(*) FROM users WHERE username = 'eve'"), 0);
  // 401: a wrong password, with a valid token.
  EXPECT_EQ(post("eve", "/signin", "/signin", "username=bob&password=wrong+password"), "401");
  // 403: someone else's order; 404: none.
  EXPECT_EQ(post("bob", "/products/1", "/cart/add", "product=1&quantity=1"), "303");
  RunResult placed = shop(
      "bob", "/orders", "-o /dev/null -w '%{redirect_url}' -d 'csrf=" + csrf("bob", "/cart") + "'");
  const std::string location = placed.out.substr(placed.out.find("/orders/"));
  EXPECT_EQ(status_of("bob", location), "200");
  EXPECT_EQ(post("eve", "/signup", "/signup", "username=eve&password=long+enough"), "303");
  EXPECT_EQ(status_of("eve", location), "403");
  EXPECT_EQ(status_of("eve", "/orders/999999"), "404");
  // 405 with Allow.
  RunResult refused = shop("eve", "/cart/add", "-i");
  EXPECT_NE(refused.out.find("HTTP/2 405"), std::string::npos);
  EXPECT_NE(refused.out.find("allow: POST"), std::string::npos) << refused.out;
  // 413: an avatar above its limit.
  run("head -c 100000 /dev/zero > " + state_.string() + "/big.png");
  EXPECT_EQ(status_of("eve", "/account/avatar",
                      "-F csrf=" + csrf("eve", "/account") + " -F avatar=@" + state_.string() +
                          "/big.png"),
            "413");
  run("printf '\\211PNG\\r\\n\\032\\nimage' > " + state_.string() + "/small.png");
  EXPECT_EQ(status_of("eve", "/account/avatar",
                      "-F csrf=" + csrf("eve", "/account") + " -F avatar=@" + state_.string() +
                          "/small.png"),
            "303");
  EXPECT_NE(shop("eve", "/account").out.find("<img src=\"/avatars/"), std::string::npos);
}

// Failed sign-ins are counted per client as the proxy reports it; a client that talks to an
// instance directly cannot name itself someone else with X-Forwarded-For.
TEST_F(ShopAccountsTest, TooManySignInsAre429PerClientAndOnlyTheProxyIsBelieved) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  EXPECT_EQ(post("carol", "/signup", "/signup", "username=carol&password=carols+password"), "303");
  const std::string guesser = "--interface " + net_ + ".77";
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(
        post("guesser", "/signin", "/signin", "username=carol&password=guess" + std::to_string(i),
             guesser + " -H 'X-Forwarded-For: 192.0.2." + std::to_string(i) + "'"),
        "401")
        << i;
  RunResult limited = shop("guesser", "/signin",
                           "-i " + guesser + " -d 'csrf=" + csrf("guesser", "/signin") +
                               "&username=carol&password=carols+password'");
  EXPECT_NE(limited.out.find("HTTP/2 429"), std::string::npos) << limited.out;
  EXPECT_NE(limited.out.find("retry-after: "), std::string::npos) << limited.out;
  // Another client through the proxy is not held back.
  EXPECT_EQ(post("other", "/signin", "/signin", "username=carol&password=carols+password",
                 "--interface " + net_ + ".79"),
            "303");

  // Straight to backend-1, a new X-Forwarded-For each time: the peer's own address counts.
  std::string statuses;
  for (int i = 0; i < 6; ++i)
    statuses += backend(1, "/signin",
                        "-o /dev/null -w '%{http_code} ' -H 'Cookie: __Host-csrf=" + kPreToken +
                            "' -H 'X-Forwarded-For: 198.51.100." + std::to_string(i) +
                            "' -d 'csrf=" + kPreToken + "&username=carol&password=nope'",
                        "78")
                    .out;
  EXPECT_EQ(statuses, "401 401 401 401 401 429 ");
}

TEST_F(ShopAccountsTest, TheRequestIdIsInTheServersAndTheApplicationsLog) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::string target = "/products/3?trace=e2e-request-id";
  ASSERT_EQ(status_of("anyone", target, "-H 'X-Request-Id: chosen-by-the-client'"), "200");
  run("sleep 0.3");
  const std::string server_log = read_file(state_ / "logs/shop.log");
  std::smatch match;
  const std::regex line("\"GET " + std::regex_replace(target, std::regex("[?]"), "[?]") +
                        " HTTP/2.0\" 200 [0-9]+ \"-\" \"curl[^\"]*\" \"([0-9a-f]{32})\"");
  ASSERT_TRUE(std::regex_search(server_log, match, line))
      << server_log.substr(server_log.size() > 3000 ? server_log.size() - 3000 : 0);
  const std::string id = match[1];
  std::string application_logs;
  for (int n = 1; n <= 3; ++n)
    application_logs += read_file(state_ / ("logs/shop-backend-" + std::to_string(n) + ".log"));
  EXPECT_EQ(occurrences(application_logs, "\"" + id + "\""), 1u) << application_logs;
  EXPECT_EQ(application_logs.find("chosen-by-the-client"), std::string::npos);
  // The application's line names the client, not the proxy.
  EXPECT_NE(application_logs.find("127.0.0.1 - - ["), std::string::npos);
}

// Many orders for the last items at once, half at backend-1 and half at backend-2: as many
// succeed as there was stock, the others get 409, and the counts agree.
TEST_F(ShopAccountsTest, ConcurrentOrdersFromTwoInstancesLoseNoUpdate) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  constexpr int kBuyers = 16;
  constexpr int kStock = 9;
  execute("UPDATE products SET stock = " + std::to_string(kStock) + " WHERE id = 6");
  const std::int64_t orders_before = query("SELECT count(*) FROM orders");
  std::string commands;
  for (int i = 0; i < kBuyers; ++i) {
    const int n = 1 + i % 2;
    const std::string session = signup_at(n, "buyer" + std::to_string(i));
    const std::string token = session_csrf(n, session);
    ASSERT_EQ(backend(n, "/cart/add",
                      "-o /dev/null -w '%{http_code}' -H 'Cookie: session=" + session +
                          "' -d 'csrf=" + token + "&product=6&quantity=1'")
                  .out,
              "303");
    commands += "curl -sS -o /dev/null -w '%{http_code}\\n' -H 'Cookie: session=" + session +
                "' -d 'csrf=" + token + "' 'http://" + net_ + "." + std::to_string(40 + n) + ":" +
                std::to_string(http_port_) + "/orders' >> " + state_.string() + "/orders.txt & ";
  }
  run("rm -f " + state_.string() + "/orders.txt; " + commands + "wait");
  const std::string statuses = read_file(state_ / "orders.txt");
  EXPECT_EQ(occurrences(statuses, "303"), static_cast<std::size_t>(kStock)) << statuses;
  EXPECT_EQ(occurrences(statuses, "409"), static_cast<std::size_t>(kBuyers - kStock)) << statuses;
  EXPECT_EQ(query("SELECT stock FROM products WHERE id = 6"), 0);
  EXPECT_EQ(query("SELECT count(*) FROM orders") - orders_before, kStock);
  EXPECT_EQ(query("SELECT coalesce(sum(quantity), 0) FROM order_items WHERE product_id = 6"),
            kStock);
  EXPECT_EQ(query("SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i "
                  "WHERE i.order_id = o.id)"),
            0);
}

// An instance of our own over the stack's database, told to stop inside an order's
// transaction, is killed there: the order is not there at all, stock and cart are unchanged,
// and the other instances take the same order afterwards.
TEST_F(ShopAccountsTest, AnInstanceKilledInsideAnOrderLeavesNoHalfOrder) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const int port = miniweb::e2e::free_port();
  const std::string where = net_ + ".49:" + std::to_string(port);
  const std::string log = state_.string() + "/paused-shop.log";
  RunResult started = run("MINIWEB_SHOP_PAUSE_IN_ORDER=1 setsid " MINIWEB_BINARY_DIR
                          "/shop/miniweb-shop --listen " +
                          where + " --instance backend-9 --database " + state_.string() +
                          "/shop/shop.db > " + log + " 2>&1 < /dev/null & echo $!");
  const int pid = std::stoi(started.out);
  for (int i = 0; i < 100 && run("curl -s -o /dev/null http://" + where + "/").exit_code != 0; ++i)
    run("sleep 0.1");
  const std::string session = signup_at(1, "dora");
  const std::string token = session_csrf(1, session);
  ASSERT_EQ(backend(1, "/cart/add",
                    "-o /dev/null -w '%{http_code}' -H 'Cookie: session=" + session +
                        "' -d 'csrf=" + token + "&product=3&quantity=2'")
                .out,
            "303");
  const std::int64_t stock = query("SELECT stock FROM products WHERE id = 3");
  const std::int64_t orders = query("SELECT count(*) FROM orders");
  const std::int64_t items = query("SELECT count(*) FROM order_items");

  run("curl -sS -m 30 -o /dev/null -H 'Cookie: session=" + session + "' -d 'csrf=" + token +
      "' http://" + where + "/orders > /dev/null 2>&1 & echo $! > " + state_.string() +
      "/order-curl.pid");
  bool paused = false;
  for (int i = 0; i < 200 && !paused; ++i) {
    paused = read_file(log).find("paused in order") != std::string::npos;
    if (!paused) run("sleep 0.05");
  }
  ASSERT_TRUE(paused) << read_file(log);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  run("sleep 0.3; wait $(cat " + state_.string() + "/order-curl.pid) 2>/dev/null; true");

  EXPECT_EQ(query("SELECT count(*) FROM orders"), orders);
  EXPECT_EQ(query("SELECT count(*) FROM order_items"), items);
  EXPECT_EQ(query("SELECT stock FROM products WHERE id = 3"), stock);
  EXPECT_EQ(query("SELECT quantity FROM cart_items c JOIN sessions s ON c.cart = 'user:' || "
                  "s.user_id JOIN users u ON u.id = s.user_id WHERE u.username = 'dora'"),
            2);
  // The lock went with the process: another instance takes the same order now, once.
  EXPECT_EQ(backend(2, "/orders",
                    "-o /dev/null -w '%{http_code}' -H 'Cookie: session=" + session +
                        "' -d 'csrf=" + token + "'")
                .out,
            "303");
  EXPECT_EQ(query("SELECT count(*) FROM orders"), orders + 1);
  EXPECT_EQ(query("SELECT stock FROM products WHERE id = 3"), stock - 2);
}

}  // namespace
