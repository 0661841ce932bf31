#include "shop/pages.hpp"

#include <nlohmann/json.hpp>

#include "shared/html_escape.hpp"
#include "shared/http/message.hpp"

namespace miniweb::shop {

namespace {

using nlohmann::json;

// Text a visitor typed may be any bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
std::string dump(const json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string page(std::string_view title, std::string_view instance, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         html_escape(title) + "</title></head>\n<body>\n" + body +
         "<p>This page was served by <b>" + html_escape(instance) +
         "</b>, one instance of the shop's application (miniweb-shop) behind the reverse proxy, "
         "from the database every instance shares.</p>\n"
         "<p><a href=\"https://www.example.test/journey/server.html\">Back to the tour</a>.</p>\n"
         "</body></html>\n";
}

json product_value(const Product& product) {
  return json{{"id", product.id},
              {"name", product.name},
              {"description", product.description},
              {"price_cents", product.price_cents},
              {"price", format_price(product.price_cents)},
              {"url", "/products/" + std::to_string(product.id)}};
}

}  // namespace

std::string format_price(std::int64_t cents) {
  const std::string fraction = std::to_string(cents % 100);
  return std::to_string(cents / 100) + "." + (fraction.size() < 2 ? "0" : "") + fraction;
}

std::string products_html(std::string_view instance, const std::vector<Product>& products,
                          const std::optional<std::string>& query) {
  std::string body =
      "<h1>miniweb shop</h1>\n<form action=\"/\" method=\"get\">\n"
      "<label>Search <input type=\"search\" name=\"q\" value=\"" +
      html_escape(query.value_or("")) +
      "\"></label>\n<button type=\"submit\">Search</button>\n</form>\n";
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
  return page("miniweb shop", instance, body);
}

std::string products_json(std::string_view instance, const std::vector<Product>& products,
                          const std::optional<std::string>& query) {
  json list = json::array();
  for (const Product& product : products) list.push_back(product_value(product));
  json value{{"instance", std::string(instance)}, {"products", std::move(list)}};
  if (query) value["query"] = *query;
  return dump(value);
}

std::string product_html(std::string_view instance, const Product& product) {
  return page(product.name + " - miniweb shop", instance,
              "<h1>" + html_escape(product.name) + "</h1>\n<p>" + html_escape(product.description) +
                  "</p>\n<p>Price: " + format_price(product.price_cents) +
                  " EUR</p>\n<p><a href=\"/\">All products</a>.</p>\n");
}

std::string product_json(std::string_view instance, const Product& product) {
  return dump(json{{"instance", std::string(instance)}, {"product", product_value(product)}});
}

std::string error_html(std::string_view instance, int status, std::string_view why) {
  const std::string title = std::to_string(status) + " " + std::string(http::reason_phrase(status));
  return page(title, instance,
              "<h1>" + html_escape(title) + "</h1>\n<p>" + html_escape(why) +
                  "</p>\n<p><a href=\"/\">All products</a>.</p>\n");
}

std::string error_json(std::string_view instance, int status, std::string_view why) {
  return dump(
      json{{"instance", std::string(instance)}, {"status", status}, {"error", std::string(why)}});
}

}  // namespace miniweb::shop
