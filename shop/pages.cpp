#include "shop/pages.hpp"

#include <ctime>

#include "shared/html_escape.hpp"
#include "shared/http/message.hpp"
#include "shop/page_parts.hpp"

namespace miniweb::shop {

namespace {

using nlohmann::json;

// A little CSS, the same on every page; a text browser ignores it.
constexpr std::string_view kStyle =
    "body{font-family:sans-serif;max-width:46em;margin:1em auto;padding:0 1em;line-height:1.4}"
    "header nav a,header nav form{margin-right:.8em}header nav form{display:inline}"
    "table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left}"
    ".errors{color:#a00}footer{color:#555;font-size:.9em;border-top:1px solid #ccc;"
    "margin-top:2em}label{display:inline-block;min-width:7em}";

std::string header(const Chrome& chrome) {
  std::string nav =
      "<header><nav><a href=\"/\">Home</a> <a href=\"/cart\">Cart</a> <a "
      "href=\"/orders\">Orders</a> <a href=\"/account\">Account</a> ";
  if (chrome.username) {
    nav += "<span>Signed in as <b>" + html_escape(*chrome.username) +
           "</b></span> <form action=\"/signout\" method=\"post\">" + csrf_field(chrome.csrf) +
           "<button type=\"submit\" name=\"action\" value=\"signout\">Sign out</button></form>";
  } else {
    nav += "<a href=\"/signin\">Sign in</a> <a href=\"/signup\">Sign up</a>";
  }
  return nav + "</nav></header>\n";
}

}  // namespace

json product_value(const Product& product) {
  return json{{"id", product.id},
              {"name", product.name},
              {"description", product.description},
              {"price_cents", product.price_cents},
              {"price", format_price(product.price_cents)},
              {"stock", product.stock},
              {"url", "/products/" + std::to_string(product.id)}};
}

std::string format_price(std::int64_t cents) {
  const std::string fraction = std::to_string(cents % 100);
  return std::to_string(cents / 100) + "." + (fraction.size() < 2 ? "0" : "") + fraction;
}

std::string format_time(std::int64_t unix_seconds) {
  const std::time_t when = unix_seconds;
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

std::string page(std::string_view title, const Chrome& chrome, std::string_view body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         html_escape(title) + "</title>\n<style>" + std::string(kStyle) +
         "</style></head>\n<body>\n" + header(chrome) + "<main>\n" + std::string(body) +
         "</main>\n<footer><p>This page was served by <b>" + html_escape(chrome.instance) +
         "</b>, one instance of the shop's application (miniweb-shop) behind the reverse proxy, "
         "from the database every instance shares.</p>\n"
         "<p><a href=\"https://www.example.test/journey/server.html\">Back to the tour</a>.</p>"
         "</footer>\n</body></html>\n";
}

std::string csrf_field(std::string_view token) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + html_escape(token) + "\">";
}

std::string problems_html(const std::vector<FieldProblem>& problems) {
  if (problems.empty()) return "";
  std::string list = "<ul class=\"errors\">\n";
  for (const FieldProblem& problem : problems)
    list +=
        "<li><b>" + html_escape(problem.field) + "</b>: " + html_escape(problem.why) + "</li>\n";
  return list + "</ul>\n";
}

std::string products_html(const Chrome& chrome, const std::vector<Product>& products,
                          const std::optional<std::string>& query) {
  std::string body =
      "<h1>miniweb shop</h1>\n<form action=\"/\" method=\"get\">\n"
      "<label for=\"q\">Search</label> <input type=\"search\" id=\"q\" name=\"q\" value=\"" +
      html_escape(query.value_or("")) +
      "\">\n<button type=\"submit\" name=\"search\" value=\"1\">Search</button>\n</form>\n";
  if (query)
    body += "<p>" + std::to_string(products.size()) +
            (products.size() == 1 ? " product" : " products") + " matching \"" +
            html_escape(*query) + "\". <a href=\"/\">All products</a>.</p>\n";
  if (!products.empty()) {
    body += "<ul>\n";
    for (const Product& product : products)
      body += "<li><a href=\"/products/" + std::to_string(product.id) + "\">" +
              html_escape(product.name) + "</a>: " + format_price(product.price_cents) +
              " EUR</li>\n";
    body += "</ul>\n";
  }
  return page("miniweb shop", chrome, body);
}

std::string products_json(std::string_view instance, const std::vector<Product>& products,
                          const std::optional<std::string>& query) {
  json list = json::array();
  for (const Product& product : products) list.push_back(product_value(product));
  json value{{"instance", std::string(instance)}, {"products", std::move(list)}};
  if (query) value["query"] = *query;
  return dump(value);
}

std::string product_html(const Chrome& chrome, const Product& product) {
  const std::string id = std::to_string(product.id);
  std::string body = "<h1>" + html_escape(product.name) + "</h1>\n<p>" +
                     html_escape(product.description) +
                     "</p>\n<p>Price: " + format_price(product.price_cents) + " EUR</p>\n<p>" +
                     (product.stock > 0 ? std::to_string(product.stock) + " in stock"
                                        : std::string("Out of stock")) +
                     ".</p>\n";
  if (product.stock > 0)
    body += "<form action=\"/cart/add\" method=\"post\">" + csrf_field(chrome.csrf) +
            "<input type=\"hidden\" name=\"product\" value=\"" + id +
            "\">\n<label for=\"quantity\">Quantity</label> <input type=\"number\" "
            "id=\"quantity\" name=\"quantity\" value=\"1\" min=\"1\" max=\"99\">\n"
            "<button type=\"submit\" name=\"action\" value=\"add\">Add to cart</button>\n"
            "</form>\n";
  body += "<p><a href=\"/\">All products</a>.</p>\n";
  return page(product.name + " - miniweb shop", chrome, body);
}

std::string product_json(std::string_view instance, const Product& product) {
  return dump(json{{"instance", std::string(instance)}, {"product", product_value(product)}});
}

std::string error_html(const Chrome& chrome, int status, std::string_view why,
                       const std::vector<FieldProblem>& fields) {
  const std::string title = std::to_string(status) + " " + std::string(http::reason_phrase(status));
  return page(title, chrome,
              "<h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(why) + "</p>\n" +
                  problems_html(fields) + "<p><a href=\"/\">All products</a>.</p>\n");
}

std::string error_json(std::string_view instance, int status, std::string_view why,
                       const std::vector<FieldProblem>& fields) {
  json value{{"instance", std::string(instance)}, {"status", status}, {"error", std::string(why)}};
  if (!fields.empty()) {
    json named = json::object();
    for (const FieldProblem& problem : fields) named[problem.field] = problem.why;
    value["fields"] = std::move(named);
  }
  return dump(value);
}

}  // namespace miniweb::shop
