// The cart and the orders (see shop/pages.hpp).

#include "shared/html_escape.hpp"
#include "shop/page_parts.hpp"
#include "shop/pages.hpp"

namespace miniweb::shop {

using nlohmann::json;

namespace {

std::int64_t cart_total(const std::vector<CartLine>& lines) {
  std::int64_t total = 0;
  for (const CartLine& line : lines) total += line.product.price_cents * line.quantity;
  return total;
}

json order_value(const Order& order) {
  json value{{"id", order.id},
             {"url", "/orders/" + std::to_string(order.id)},
             {"created_at", order.created_at},
             {"total_cents", order.total_cents},
             {"total", format_price(order.total_cents)}};
  if (!order.lines.empty()) {
    json lines = json::array();
    for (const OrderLine& line : order.lines)
      lines.push_back(json{{"product", line.product_id},
                           {"name", line.name},
                           {"price_cents", line.price_cents},
                           {"quantity", line.quantity}});
    value["lines"] = std::move(lines);
  }
  return value;
}

}  // namespace

std::string cart_html(const Chrome& chrome, const std::vector<CartLine>& lines) {
  std::string body = "<h1>Your cart</h1>\n";
  if (lines.empty()) {
    body += "<p>The cart is empty. <a href=\"/\">See the products</a>.</p>\n";
    return page("Cart - miniweb shop", chrome, body);
  }
  body += "<table>\n<tr><th>Product</th><th>Quantity</th><th>Price</th><th></th></tr>\n";
  for (const CartLine& line : lines) {
    const std::string id = std::to_string(line.product.id);
    body += "<tr><td><a href=\"/products/" + id + "\">" + html_escape(line.product.name) +
            "</a></td><td>" + std::to_string(line.quantity) + "</td><td>" +
            format_price(line.product.price_cents * line.quantity) +
            " EUR</td><td><form action=\"/cart/remove\" method=\"post\">" +
            csrf_field(chrome.csrf) + "<input type=\"hidden\" name=\"product\" value=\"" + id +
            "\"><button type=\"submit\" name=\"action\" value=\"remove\">Remove</button>"
            "</form></td></tr>\n";
  }
  body += "</table>\n<p>Total: <b>" + format_price(cart_total(lines)) + " EUR</b></p>\n";
  if (chrome.username)
    body += "<form action=\"/orders\" method=\"post\">" + csrf_field(chrome.csrf) +
            "<button type=\"submit\" name=\"action\" value=\"order\">Place the order</button>"
            "</form>\n";
  else
    body +=
        "<p><a href=\"/signin\">Sign in</a> or <a href=\"/signup\">sign up</a> to order; "
        "the cart comes with you.</p>\n";
  return page("Cart - miniweb shop", chrome, body);
}

std::string cart_json(std::string_view instance, const std::vector<CartLine>& lines) {
  json items = json::array();
  for (const CartLine& line : lines)
    items.push_back(json{{"product", product_value(line.product)}, {"quantity", line.quantity}});
  return dump(json{{"instance", std::string(instance)},
                   {"cart", std::move(items)},
                   {"total_cents", cart_total(lines)}});
}

std::string orders_html(const Chrome& chrome, const std::vector<Order>& orders) {
  std::string body = "<h1>Your orders</h1>\n";
  if (orders.empty()) {
    body += "<p>No orders yet.</p>\n";
  } else {
    body += "<ul>\n";
    for (const Order& order : orders)
      body += "<li><a href=\"/orders/" + std::to_string(order.id) + "\">Order " +
              std::to_string(order.id) + "</a>, " + format_time(order.created_at) + ": " +
              format_price(order.total_cents) + " EUR</li>\n";
    body += "</ul>\n";
  }
  return page("Orders - miniweb shop", chrome, body);
}

std::string orders_json(std::string_view instance, const std::vector<Order>& orders) {
  json list = json::array();
  for (const Order& order : orders) list.push_back(order_value(order));
  return dump(json{{"instance", std::string(instance)}, {"orders", std::move(list)}});
}

std::string order_html(const Chrome& chrome, const Order& order) {
  const std::string id = std::to_string(order.id);
  std::string body = "<h1>Order " + id + "</h1>\n<p>Placed " + format_time(order.created_at) +
                     ".</p>\n<table>\n<tr><th>Product</th><th>Quantity</th><th>Price</th></tr>\n";
  for (const OrderLine& line : order.lines)
    body += "<tr><td>" + html_escape(line.name) + "</td><td>" + std::to_string(line.quantity) +
            "</td><td>" + format_price(line.price_cents * line.quantity) + " EUR</td></tr>\n";
  body += "</table>\n<p>Total: <b>" + format_price(order.total_cents) +
          " EUR</b></p>\n<p><a href=\"/orders\">All your orders</a>.</p>\n";
  return page("Order " + id + " - miniweb shop", chrome, body);
}

std::string order_json(std::string_view instance, const Order& order) {
  return dump(json{{"instance", std::string(instance)}, {"order", order_value(order)}});
}

}  // namespace miniweb::shop
