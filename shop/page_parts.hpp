#pragma once
// What the page files (pages.cpp, account_pages.cpp, order_pages.cpp) share for JSON.

#include <nlohmann/json.hpp>

#include <string>

#include "shop/database.hpp"

namespace miniweb::shop {

// Text a visitor typed may be any bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
inline std::string dump(const nlohmann::json& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

nlohmann::json product_value(const Product& product);

}  // namespace miniweb::shop
