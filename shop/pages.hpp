#pragma once
// The shop's pages, as HTML and as JSON: what the routes (shop/routes) answer with. Every page
// says which instance answered; nothing on them changes from one request to the next unless
// the database does (no time, counter or token), so the balancer's share shows in the bodies.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shop/database.hpp"

namespace miniweb::shop {

// The product list: every product, or those matching `query` when there is one.
std::string products_html(std::string_view instance, const std::vector<Product>& products,
                          const std::optional<std::string>& query);
std::string products_json(std::string_view instance, const std::vector<Product>& products,
                          const std::optional<std::string>& query);

std::string product_html(std::string_view instance, const Product& product);
std::string product_json(std::string_view instance, const Product& product);

// An error page (404, 405, 500) with a sentence saying why.
std::string error_html(std::string_view instance, int status, std::string_view why);
std::string error_json(std::string_view instance, int status, std::string_view why);

// "7.99" for 799 cents.
std::string format_price(std::int64_t cents);

}  // namespace miniweb::shop
