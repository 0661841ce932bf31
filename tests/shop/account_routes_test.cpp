// The shop's routes that change things, called directly with a little browser of the test's own
// (a cookie jar, the csrf token from the last form): sign-up, sign-in, the cart, orders, the
// avatar, and every failure's status.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <regex>

#include "shop/database.hpp"
#include "shop/routes.hpp"
#include "tests/shop/temp_database.hpp"

namespace miniweb::shop {
namespace {

constexpr const char* kHost = "shop.example.test:8443";
constexpr const char* kProxy = "127.0.0.40";

class ShopAccountRoutes : public ::testing::Test {
 protected:
  // One browser: its cookies and the token of the last form it was shown.
  struct Browser {
    std::map<std::string, std::string> cookies;
    std::string csrf;
    std::string client = "192.0.2.10";  // as the proxy reports it
  };

  void SetUp() override {
    auto opened = Database::open(folder_.database());
    ASSERT_TRUE(opened) << opened.error().message;
    database_.emplace(std::move(*opened));
    settings_.instance = "backend-7";
    settings_.trusted_proxies.push_back(*Cidr::parse(kProxy));
    settings_.signin_limit = {3, 60'000};
  }

  http::Response send(Browser& browser, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::vector<std::string>& headers = {},
                      const std::string& peer = kProxy) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.headers.set("Host", kHost);
    request.headers.set("X-Forwarded-For", browser.client);
    request.headers.set("X-Forwarded-Proto", "https");
    std::string jar;
    for (const auto& [name, value] : browser.cookies)
      jar += (jar.empty() ? "" : "; ") + name + "=" + value;
    if (!jar.empty()) request.headers.set("Cookie", jar);
    if (method == "POST") request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    for (const std::string& header : headers) {
      const auto colon = header.find(": ");
      request.headers.set(header.substr(0, colon), header.substr(colon + 2));
    }
    request.body = body;
    http::Response response = respond(request, peer, *database_, settings_);
    for (std::string_view set : response.headers.get_all("Set-Cookie")) {
      const std::string text(set);
      const auto equals = text.find('=');
      const auto semicolon = text.find(';');
      const std::string name = text.substr(0, equals);
      const std::string value = text.substr(equals + 1, semicolon - equals - 1);
      EXPECT_NE(text.find("; HttpOnly; Secure; SameSite=Lax"), std::string::npos) << text;
      if (text.find("Max-Age=0") != std::string::npos)
        browser.cookies.erase(name);
      else
        browser.cookies[name] = value;
    }
    static const std::regex token("name=\"csrf\" value=\"([0-9a-f]+)\"");
    std::smatch match;
    if (std::regex_search(response.body, match, token)) browser.csrf = match[1];
    return response;
  }

  // GET `form_page` (for its token), then POST `fields` to `target` with it.
  http::Response submit(Browser& browser, const std::string& form_page, const std::string& target,
                        const std::string& fields, const std::vector<std::string>& headers = {}) {
    send(browser, "GET", form_page);
    return send(browser, "POST", target,
                "csrf=" + browser.csrf + (fields.empty() ? "" : "&" + fields), headers);
  }

  Browser signed_up(const std::string& name) {
    Browser browser;
    http::Response done =
        submit(browser, "/signup", "/signup", "username=" + name + "&password=long+enough");
    EXPECT_EQ(done.status, 303) << done.body;
    return browser;
  }

  test::TempFolder folder_;
  std::optional<Database> database_;
  ShopSettings settings_;
};

TEST_F(ShopAccountRoutes, SignUpSignsInAndTheHeaderSaysWho) {
  Browser browser;
  http::Response form = send(browser, "GET", "/signup");
  EXPECT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("<label for=\"username\">Username</label>"), std::string::npos);
  EXPECT_NE(form.body.find("<button type=\"submit\" name=\"action\" value=\"signup\">"),
            std::string::npos);
  auto json =
      nlohmann::json::parse(send(browser, "GET", "/signin", "", {"Accept: application/json"}).body);
  EXPECT_EQ(json["form"]["action"], "/signin");
  EXPECT_EQ(json["form"]["fields"].size(), 3u);
  // A first visit: no session yet, a pre-session token as a __Host- cookie and in the form.
  EXPECT_FALSE(browser.cookies.contains("session"));
  ASSERT_TRUE(browser.cookies.contains("__Host-csrf"));
  EXPECT_EQ(browser.cookies["__Host-csrf"], browser.csrf);
  http::Response done = send(browser, "POST", "/signup",
                             "csrf=" + browser.csrf + "&username=alice&password=s3cret-enough");
  EXPECT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(done.headers.get("Location").value_or(""), "/account");
  ASSERT_TRUE(browser.cookies.contains("session"));
  http::Response account = send(browser, "GET", "/account");
  EXPECT_EQ(account.status, 200);
  EXPECT_NE(account.body.find("Signed in as <b>alice</b>"), std::string::npos) << account.body;
  EXPECT_NE(account.body.find("served by <b>backend-7</b>"), std::string::npos);
  EXPECT_NE(account.body.find("enctype=\"multipart/form-data\""), std::string::npos);
  // The password is stored as a hash.
  auto user = database_->user_by_name("alice");
  ASSERT_TRUE(user && *user);
  EXPECT_TRUE((*user)->password_hash.starts_with("scrypt$"));
  EXPECT_EQ((*user)->password_hash.find("s3cret"), std::string::npos);
  // Signing out ends the session; the account page then sends a person to sign in, and a
  // program asking for JSON is told 401.
  http::Response out = send(browser, "POST", "/signout", "csrf=" + browser.csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_FALSE(browser.cookies.contains("session"));
  http::Response page = send(browser, "GET", "/account");
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.headers.get("Location").value_or(""), "/signin");
}

TEST_F(ShopAccountRoutes, FormsWithoutTheRightTokenOrFromAnotherSiteAre403) {
  Browser browser;
  send(browser, "GET", "/signup");
  EXPECT_EQ(send(browser, "POST", "/signup", "username=mallory&password=long+enough").status, 403);
  EXPECT_EQ(send(browser, "POST", "/signup", "csrf=&username=mallory&password=long+enough").status,
            403);
  EXPECT_EQ(send(browser, "POST", "/signup",
                 "csrf=" + std::string(64, 'a') + "&username=mallory&password=long+enough")
                .status,
            403);
  // The right token, from another site's page.
  const std::string fields = "csrf=" + browser.csrf + "&username=mallory&password=long+enough";
  EXPECT_EQ(send(browser, "POST", "/signup", fields, {"Origin: https://www.example"}).status, 403);
  EXPECT_EQ(send(browser, "POST", "/signup", fields, {"Origin: null"}).status, 403);
  EXPECT_EQ(
      send(browser, "POST", "/signup", fields, {"Origin: http://shop.example.test:8443"}).status,
      403);  // the scheme counts
  EXPECT_EQ(send(browser, "POST", "/signup", fields, {"Sec-Fetch-Site: cross-site"}).status, 403);
  EXPECT_EQ(send(browser, "POST", "/signup", fields, {"Sec-Fetch-Site: same-site"}).status, 403);
  // A pre-session token without its cookie is worth nothing.
  Browser other;
  EXPECT_EQ(send(other, "POST", "/signup", fields).status, 403);
  EXPECT_FALSE(database_->user_by_name("mallory").value());
  // The same form from the shop's own page goes through.
  EXPECT_EQ(send(browser, "POST", "/signup", fields,
                 {"Origin: https://shop.example.test:8443", "Sec-Fetch-Site: same-origin"})
                .status,
            303);
  // Once signed in, the session's token counts, not the pre-session one.
  const std::string pre = browser.cookies["__Host-csrf"];
  EXPECT_EQ(send(browser, "POST", "/cart/add", "csrf=" + pre + "&product=1&quantity=1").status,
            403);
  http::Response json =
      send(browser, "POST", "/cart/add", "product=1&quantity=1", {"Accept: application/json"});
  EXPECT_EQ(json.status, 403);
  EXPECT_EQ(nlohmann::json::parse(json.body)["status"], 403);
}

TEST_F(ShopAccountRoutes, BadFormsAreNamedFieldByField) {
  Browser browser;
  http::Response missing =
      submit(browser, "/signup", "/signup", "username=", {"Accept: application/json"});
  EXPECT_EQ(missing.status, 422);
  auto value = nlohmann::json::parse(missing.body);
  EXPECT_EQ(value["fields"]["username"], "is required");
  EXPECT_EQ(value["fields"]["password"], "is required");
  http::Response invalid = submit(browser, "/signup", "/signup", "username=a+b&password=short");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("<b>username</b>: must be 3 to 32"), std::string::npos)
      << invalid.body;
  EXPECT_NE(invalid.body.find("<b>password</b>: must be 8 to 128"), std::string::npos);
  EXPECT_NE(invalid.body.find("value=\"a b\""), std::string::npos);  // typed again for you
  http::Response not_utf8 =
      submit(browser, "/signup", "/signup", "username=%FF%FE&password=long+enough");
  EXPECT_EQ(not_utf8.status, 422);
  EXPECT_NE(not_utf8.body.find("<b>username</b>"), std::string::npos);
  EXPECT_EQ(submit(browser, "/signup", "/signup", "username=bob&username=eve&password=long+enough")
                .status,
            400);
  EXPECT_EQ(submit(browser, "/signup", "/signup", "username=b%zzob&password=long+enough").status,
            400);
  EXPECT_EQ(submit(browser, "/signup", "/signup",
                   "username=" + std::string(2000, 'x') + "&password=long+enough")
                .status,
            422);
  http::Response huge = submit(browser, "/signup", "/signup", "x=" + std::string(20'000, 'x'));
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(send(browser, "POST", "/signup", "{}", {"Content-Type: application/json"}).status, 415);
  // Nothing of it was stored.
  EXPECT_FALSE(database_->user_by_name("bob").value());
  EXPECT_FALSE(database_->user_by_name("a b").value());
}

TEST_F(ShopAccountRoutes, ATakenNameIs409AndAWrongPassword401ThenTooMany429) {
  signed_up("alice");
  Browser other;
  http::Response taken = submit(other, "/signup", "/signup", "username=ALICE&password=another+one");
  EXPECT_EQ(taken.status, 409);
  EXPECT_NE(taken.body.find("<b>username</b>: is taken"), std::string::npos);

  Browser guesser;
  guesser.client = "198.51.100.7";
  for (int i = 0; i < 3; ++i) {
    http::Response wrong =
        submit(guesser, "/signin", "/signin", "username=alice&password=guess" + std::to_string(i));
    EXPECT_EQ(wrong.status, 401) << i;
    EXPECT_FALSE(guesser.cookies.contains("session"));
  }
  // No such user fails the same way.
  Browser nobody;
  nobody.client = "198.51.100.8";
  EXPECT_EQ(submit(nobody, "/signin", "/signin", "username=nobody&password=whatever").status, 401);
  http::Response limited =
      submit(guesser, "/signin", "/signin", "username=alice&password=long+enough");
  EXPECT_EQ(limited.status, 429);
  const int retry = std::stoi(std::string(limited.headers.get("Retry-After").value_or("0")));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  // Another client, as the proxy reports it, may still sign in.
  Browser owner;
  owner.client = "198.51.100.9";
  http::Response right = submit(owner, "/signin", "/signin", "username=alice&password=long+enough");
  EXPECT_EQ(right.status, 303);
  EXPECT_TRUE(owner.cookies.contains("session"));
}

TEST_F(ShopAccountRoutes, XForwardedForCountsOnlyFromTheProxy) {
  signed_up("alice");
  // Straight to the instance, a client names a new address each time: its own peer address
  // counts, so it is limited all the same.
  Browser direct;
  send(direct, "GET", "/signin", "", {}, "127.0.0.9");
  for (int i = 0; i < 4; ++i) {
    http::Response attempt =
        send(direct, "POST", "/signin", "csrf=" + direct.csrf + "&username=alice&password=nope",
             {"X-Forwarded-For: 203.0.113." + std::to_string(i)}, "127.0.0.9");
    EXPECT_EQ(attempt.status, i < 3 ? 401 : 429) << i;
  }
  // Through the proxy, the address the proxy appended last counts, not one the client wrote.
  Browser spoofer;
  spoofer.client = "203.0.113.50";
  for (int i = 0; i < 4; ++i) {
    spoofer.client = "10.9.9." + std::to_string(i) + ", 203.0.113.50";
    http::Response attempt = submit(spoofer, "/signin", "/signin", "username=alice&password=nope");
    EXPECT_EQ(attempt.status, i < 3 ? 401 : 429) << i;
  }
}

TEST_F(ShopAccountRoutes, AnAnonymousCartFollowsTheVisitorIntoTheAccount) {
  Browser browser;
  http::Response product = send(browser, "GET", "/products/2");
  EXPECT_NE(product.body.find("action=\"/cart/add\""), std::string::npos);
  http::Response added =
      send(browser, "POST", "/cart/add", "csrf=" + browser.csrf + "&product=2&quantity=3");
  EXPECT_EQ(added.status, 303) << added.body;
  EXPECT_EQ(added.headers.get("Location").value_or(""), "/cart");
  ASSERT_TRUE(browser.cookies.contains("session"));  // the first add started a session
  http::Response cart = send(browser, "GET", "/cart");
  EXPECT_NE(cart.body.find("Packet sniffer mug"), std::string::npos) << cart.body;
  EXPECT_NE(cart.body.find("Sign in</a> or <a href=\"/signup\">sign up</a> to order"),
            std::string::npos);
  EXPECT_EQ(send(browser, "POST", "/orders", "csrf=" + browser.csrf).status, 401);
  const std::string anonymous = browser.cookies["session"];
  http::Response up = send(browser, "POST", "/signup",
                           "csrf=" + browser.csrf + "&username=frank&password=long+enough");
  EXPECT_EQ(up.status, 303) << up.body;
  EXPECT_NE(browser.cookies["session"], anonymous);  // a new session at sign-in
  auto json =
      nlohmann::json::parse(send(browser, "GET", "/cart", "", {"Accept: application/json"}).body);
  ASSERT_EQ(json["cart"].size(), 1u) << json;
  EXPECT_EQ(json["cart"][0]["quantity"], 3);
  // The old session's cookie is worth nothing now.
  Browser replay;
  replay.cookies["session"] = anonymous;
  EXPECT_EQ(send(replay, "GET", "/account", "", {"Accept: application/json"}).status, 401);
}

TEST_F(ShopAccountRoutes, CartFormsAreChecked) {
  Browser browser = signed_up("gina");
  send(browser, "GET", "/cart");
  auto post = [&](const std::string& fields) {
    return send(browser, "POST", "/cart/add", "csrf=" + browser.csrf + "&" + fields,
                {"Accept: application/json"});
  };
  EXPECT_EQ(post("product=1&quantity=2").status, 200);
  http::Response no_product = post("product=999&quantity=1");
  EXPECT_EQ(no_product.status, 422);
  EXPECT_TRUE(nlohmann::json::parse(no_product.body)["fields"].contains("product"));
  EXPECT_EQ(post("product=1&quantity=0").status, 422);
  EXPECT_EQ(post("product=1&quantity=-1").status, 422);
  EXPECT_EQ(post("product=1&quantity=1e3").status, 422);
  EXPECT_EQ(post("product=1&quantity=98").status, 422);  // 2 + 98 > 99
  http::Response missing = post("quantity=1");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(nlohmann::json::parse(missing.body)["fields"]["product"], "is required");
  EXPECT_EQ(post("product=1%27%20OR%201%3D1&quantity=1").status, 422);
  http::Response removed =
      send(browser, "POST", "/cart/remove", "csrf=" + browser.csrf + "&product=1",
           {"Accept: application/json"});
  EXPECT_EQ(removed.status, 200);
  EXPECT_TRUE(nlohmann::json::parse(removed.body)["cart"].empty());
}

TEST_F(ShopAccountRoutes, AnOrderIs303ThenItsPageAnd201ForJson) {
  Browser browser = signed_up("hal");
  EXPECT_EQ(submit(browser, "/products/1", "/cart/add", "product=1&quantity=2").status, 303);
  http::Response placed = send(browser, "POST", "/orders", "csrf=" + browser.csrf);
  ASSERT_EQ(placed.status, 303) << placed.body;
  const std::string location(placed.headers.get("Location").value_or(""));
  ASSERT_TRUE(location.starts_with("/orders/")) << location;
  http::Response order = send(browser, "GET", location);
  EXPECT_EQ(order.status, 200);
  EXPECT_NE(order.body.find("Ethernet cable, 2 m"), std::string::npos) << order.body;
  EXPECT_NE(order.body.find("15.98 EUR"), std::string::npos);
  // The cart is empty now: ordering again is 422, not a second order.
  EXPECT_EQ(send(browser, "POST", "/orders", "csrf=" + browser.csrf).status, 422);
  http::Response list = send(browser, "GET", "/orders");
  EXPECT_NE(list.body.find("href=\"" + location + "\""), std::string::npos) << list.body;

  EXPECT_EQ(submit(browser, "/cart", "/cart/add", "product=4&quantity=1").status, 303);
  http::Response json =
      send(browser, "POST", "/orders", "csrf=" + browser.csrf, {"Accept: application/json"});
  EXPECT_EQ(json.status, 201) << json.body;
  auto value = nlohmann::json::parse(json.body);
  EXPECT_EQ(json.headers.get("Location").value_or(""), value["order"]["url"]);
  EXPECT_EQ(value["order"]["total_cents"], 150);
  EXPECT_EQ((*database_->product(4))->stock, 99);

  // Someone else's order is 403; an order that is not there 404; nobody's 401 to a program
  // and, to a person, the way to sign in.
  Browser other = signed_up("ivy");
  EXPECT_EQ(send(other, "GET", location).status, 403);
  EXPECT_EQ(send(other, "GET", "/orders/99999").status, 404);
  Browser anonymous;
  EXPECT_EQ(send(anonymous, "GET", location, "", {"Accept: application/json"}).status, 401);
  EXPECT_EQ(send(anonymous, "GET", "/orders", "", {"Accept: application/json"}).status, 401);
  EXPECT_EQ(send(anonymous, "GET", "/orders").status, 303);
}

TEST_F(ShopAccountRoutes, TheLastItemsGoToOneOrderAndTheOther409) {
  Browser first = signed_up("jack");
  Browser second = signed_up("kate");
  EXPECT_EQ(submit(first, "/cart", "/cart/add", "product=5&quantity=60").status, 303);
  EXPECT_EQ(submit(second, "/cart", "/cart/add", "product=5&quantity=60").status, 303);
  EXPECT_EQ(send(first, "POST", "/orders", "csrf=" + first.csrf).status, 303);
  http::Response late = send(second, "POST", "/orders", "csrf=" + second.csrf);
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find("Not enough Root certificate poster left: 40 in stock"),
            std::string::npos)
      << late.body;
  EXPECT_EQ((*database_->product(5))->stock, 40);
}

std::string multipart(const std::string& csrf, const std::string& file,
                      const std::string& filename = "me.png") {
  return "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf +
         "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"" + filename +
         "\"\r\nContent-Type: image/png\r\n\r\n" + file + "\r\n--XyZ--\r\n";
}

TEST_F(ShopAccountRoutes, AnAvatarIsUploadedWithinItsLimit) {
  Browser browser = signed_up("lena");
  send(browser, "GET", "/account");
  const std::vector<std::string> type = {"Content-Type: multipart/form-data; boundary=XyZ"};
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "pixels";
  http::Response uploaded =
      send(browser, "POST", "/account/avatar", multipart(browser.csrf, png), type);
  EXPECT_EQ(uploaded.status, 303) << uploaded.body;
  http::Response account = send(browser, "GET", "/account");
  const auto id = std::to_string(database_->user_by_name("lena").value()->id);
  EXPECT_NE(account.body.find("<img src=\"/avatars/" + id + "\""), std::string::npos);
  http::Response image = send(browser, "GET", "/avatars/" + id);
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.body, png);
  EXPECT_EQ(image.headers.get("Content-Type").value_or(""), "image/png");
  EXPECT_EQ(image.headers.get("X-Content-Type-Options").value_or(""), "nosniff");

  EXPECT_EQ(send(browser, "POST", "/account/avatar",
                 multipart(browser.csrf, png + std::string(70 * 1024, 'x')), type)
                .status,
            413);
  http::Response not_image =
      send(browser, "POST", "/account/avatar", multipart(browser.csrf, "<svg/>"), type);
  EXPECT_EQ(not_image.status, 422);
  EXPECT_NE(not_image.body.find("<b>avatar</b>"), std::string::npos);
  EXPECT_EQ(send(browser, "POST", "/account/avatar", multipart("wrong", png), type).status, 403);
  EXPECT_EQ(send(browser, "POST", "/account/avatar", multipart(browser.csrf, png),
                 {"Content-Type: multipart/form-data"})
                .status,
            400);
  EXPECT_EQ(send(browser, "GET", "/avatars/99999").status, 404);
  Browser anonymous;
  send(anonymous, "GET", "/signin");
  EXPECT_EQ(send(anonymous, "POST", "/account/avatar", multipart(anonymous.csrf, png), type).status,
            401);
}

}  // namespace
}  // namespace miniweb::shop
