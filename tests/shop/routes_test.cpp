// The shop's catalog routes, called directly: HTML or JSON by Accept, the search, one product,
// 404 and 405, escaping, and pages that do not change between requests.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shop/database.hpp"
#include "shop/routes.hpp"
#include "tests/shop/temp_database.hpp"

namespace miniweb::shop {
namespace {

class ShopRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(folder_.database());
    ASSERT_TRUE(opened) << opened.error().message;
    database_.emplace(std::move(*opened));
  }

  http::Response get(const std::string& target, const std::string& accept = "",
                     const std::string& method = "GET") {
    http::Request request;
    request.method = method;
    request.target = target;
    if (!accept.empty()) request.headers.set("Accept", accept);
    ShopSettings settings;
    settings.instance = "backend-7";
    return respond(request, "127.0.0.1", *database_, settings);
  }

  test::TempFolder folder_;
  std::optional<Database> database_;
};

TEST_F(ShopRoutes, TheHomePageListsEveryProductEscapedAndSaysWhoAnswered) {
  http::Response home = get("/");
  EXPECT_EQ(home.status, 200);
  EXPECT_EQ(home.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(home.headers.get("Vary").value_or(""), "Accept, Cookie");
  EXPECT_FALSE(home.headers.contains("Set-Cookie"));
  EXPECT_NE(home.body.find("served by <b>backend-7</b>"), std::string::npos) << home.body;
  EXPECT_NE(home.body.find("<a href=\"/products/1\">Ethernet cable, 2 m</a>: 7.99 EUR"),
            std::string::npos)
      << home.body;
  EXPECT_NE(home.body.find("Salt &amp; Pepper DNS mills"), std::string::npos);
  EXPECT_NE(home.body.find("&lt;blink&gt; sticker"), std::string::npos);
  EXPECT_EQ(home.body.find("<blink>"), std::string::npos);
  EXPECT_NE(home.body.find("<form action=\"/\" method=\"get\">"), std::string::npos);
  // Links for a visitor without a session, and no form with a token.
  EXPECT_NE(home.body.find("<a href=\"/signin\">Sign in</a>"), std::string::npos);
  EXPECT_EQ(home.body.find("csrf"), std::string::npos);
  // The same bytes each time: nothing on it changes per request.
  EXPECT_EQ(get("/").body, home.body);
}

TEST_F(ShopRoutes, JsonWhenAcceptPrefersIt) {
  http::Response list = get("/", "application/json");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.headers.get("Content-Type").value_or(""), "application/json");
  auto value = nlohmann::json::parse(list.body);
  ASSERT_TRUE(value.contains("products"));
  EXPECT_EQ(value["products"].size(), seed_products().size());
  EXPECT_EQ(value["products"][3]["name"], "<blink> sticker");
  EXPECT_EQ(value["products"][0]["price_cents"], 799);
  EXPECT_EQ(value["instance"], "backend-7");
  auto one = nlohmann::json::parse(get("/products/2", "application/json").body);
  EXPECT_EQ(one["product"]["id"], 2);

  // A browser's Accept ranks text/html first; */* alone, or no Accept, is HTML too.
  const char* browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
  EXPECT_EQ(get("/", browser).headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(get("/", "*/*").headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  EXPECT_EQ(get("/", "text/html;q=0.5, application/*").headers.get("Content-Type").value_or(""),
            "application/json");
  EXPECT_EQ(get("/", "application/json;q=0, */*").headers.get("Content-Type").value_or(""),
            "text/html; charset=utf-8");
}

TEST_F(ShopRoutes, SearchFindsWhatTheTextMatchesAndNothingForSql) {
  http::Response found = get("/?q=socks");
  EXPECT_EQ(found.status, 200);
  EXPECT_NE(found.body.find("1 product matching \"socks\""), std::string::npos) << found.body;
  EXPECT_NE(found.body.find("Keep-alive socks"), std::string::npos);
  EXPECT_EQ(found.body.find("Ethernet cable"), std::string::npos);
  // The form's encoding: '+' is a space, %XX a byte.
  EXPECT_NE(get("/?q=Keep-alive+socks").body.find("1 product matching"), std::string::npos);
  // ' OR 1=1-- finds nothing, and comes back escaped in the page.
  http::Response sql = get("/?q=%27+OR+1%3D1--");
  EXPECT_EQ(sql.status, 200);
  EXPECT_NE(sql.body.find("0 products matching \"' OR 1=1--\""), std::string::npos) << sql.body;
  EXPECT_EQ(sql.body.find("/products/"), std::string::npos) << sql.body;
  auto json = nlohmann::json::parse(get("/?q=%27+OR+1%3D1--", "application/json").body);
  EXPECT_TRUE(json["products"].empty());
  EXPECT_EQ(json["query"], "' OR 1=1--");
  // Markup in the query is text in the page, in the field's value too.
  http::Response markup = get("/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
  EXPECT_EQ(markup.body.find("<script>"), std::string::npos) << markup.body;
  EXPECT_NE(markup.body.find("value=\"&quot;&gt;&lt;script&gt;"), std::string::npos);
  // Invalid UTF-8 in JSON: replaced, not an exception.
  EXPECT_EQ(get("/?q=%FF%FE", "application/json").status, 200);
  // An empty search is the whole list.
  EXPECT_EQ(get("/?q=").body, get("/").body);
}

TEST_F(ShopRoutes, OneProductOr404) {
  http::Response product = get("/products/3");
  EXPECT_EQ(product.status, 200);
  EXPECT_NE(product.body.find("<h1>Salt &amp; Pepper DNS mills</h1>"), std::string::npos)
      << product.body;
  EXPECT_NE(product.body.find("Price: 19.99 EUR"), std::string::npos);
  EXPECT_NE(product.body.find("served by <b>backend-7</b>"), std::string::npos);
  for (const char* missing :
       {"/products/999", "/products/", "/products/abc", "/products/1x", "/products/-1",
        "/products/99999999999999999999", "/nothing", "/products/1/more"}) {
    http::Response none = get(missing);
    EXPECT_EQ(none.status, 404) << missing;
    EXPECT_NE(none.body.find("served by <b>backend-7</b>"), std::string::npos) << missing;
  }
  auto json = nlohmann::json::parse(get("/products/999", "application/json").body);
  EXPECT_EQ(json["status"], 404);
}

TEST_F(ShopRoutes, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    for (const char* target : {"/", "/products/1"}) {
      http::Response refused = get(target, "", method);
      EXPECT_EQ(refused.status, 405) << method << " " << target;
      EXPECT_EQ(refused.headers.get("Allow").value_or(""), "GET, HEAD");
    }
  }
  for (const char* method : {"GET", "PUT", "DELETE"}) {
    for (const char* target : {"/cart/add", "/cart/remove", "/signout", "/account/avatar"}) {
      http::Response refused = get(target, "", method);
      EXPECT_EQ(refused.status, 405) << method << " " << target;
      EXPECT_EQ(refused.headers.get("Allow").value_or(""), "POST");
    }
  }
  EXPECT_EQ(get("/", "", "HEAD").status, 200);
  EXPECT_EQ(get("/nowhere", "", "POST").status, 404);
  http::Response both = get("/orders", "", "PUT");
  EXPECT_EQ(both.status, 405);
  EXPECT_EQ(both.headers.get("Allow").value_or(""), "GET, HEAD, POST");
  EXPECT_EQ(get("/signin", "", "DELETE").headers.get("Allow").value_or(""), "GET, HEAD, POST");
}

TEST(ShopForm, ValuesAreDecodedAsFormsEncodeThem) {
  EXPECT_EQ(form_value("q=a+b%2Bc", "q").value_or("?"), "a b+c");
  EXPECT_EQ(form_value("x=1&q=two&q=three", "q").value_or("?"), "two");
  EXPECT_EQ(form_value("q", "q").value_or("?"), "");
  EXPECT_FALSE(form_value("x=1", "q"));
  EXPECT_FALSE(form_value("", "q"));
}

}  // namespace
}  // namespace miniweb::shop
