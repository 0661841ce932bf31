// The cart and orders (see shop/routes.hpp).

#include <csignal>
#include <iostream>

#include "shop/exchange.hpp"

namespace miniweb::shop {

namespace {

// The cart's page, or its JSON, after a change (JSON) or a redirect to it (HTML).
http::Response cart_changed(Exchange& exchange) {
  if (!exchange.json) return see_other(exchange, "/cart");
  std::vector<CartLine> lines;
  if (auto owner = cart_owner(exchange)) {
    auto found = exchange.database.cart(*owner);
    if (!found) return database_failed(exchange, found.error());
    lines = std::move(*found);
  }
  return reply(exchange, 200, cart_json(exchange.settings.instance, lines));
}

// A whole-number field's value; -1 when it is absent or not digits.
std::int64_t number_field(const Form& form, std::string_view name) {
  const std::string* text = form.text(name);
  return text ? parse_id(*text).value_or(-1) : -1;
}

// The test hook (ShopSettings::pause_in_order): said on standard error, then stopped, inside
// the order's transaction, until a test kills the process.
void pause_in_order(std::int64_t order_id) {
  std::cerr << "miniweb-shop: paused in order " << order_id << " (MINIWEB_SHOP_PAUSE_IN_ORDER)"
            << std::endl;
  std::raise(SIGSTOP);
}

}  // namespace

http::Response show_cart(Exchange& exchange) {
  std::vector<CartLine> lines;
  if (auto owner = cart_owner(exchange)) {
    auto found = exchange.database.cart(*owner);
    if (!found) return database_failed(exchange, found.error());
    lines = std::move(*found);
  }
  if (exchange.json) return reply(exchange, 200, cart_json(exchange.settings.instance, lines));
  return reply(exchange, 200, cart_html(chrome(exchange, true), lines));
}

// A visitor without an account may fill a cart: the first add starts an anonymous session that
// holds it, and signing in or up later moves it to the account, as shoppers expect of a shop.
http::Response add_to_cart(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  const Form& form = std::get<Form>(checked);
  std::vector<FieldProblem> problems;
  const std::int64_t product = number_field(form, "product");
  const std::int64_t quantity = number_field(form, "quantity");
  if (product < 0)
    problems.push_back(
        {"product", form.text("product") ? "is not a product number" : "is required"});
  if (quantity < 1 || quantity > Database::kMaxQuantityPerLine)
    problems.push_back({"quantity", form.text("quantity") ? "must be a whole number from 1 to 99"
                                                          : "is required"});
  if (!problems.empty())
    return error(exchange, 422, "The form has fields missing or invalid.", problems);
  if (!exchange.session) {
    auto started = start_session(exchange, std::nullopt);
    if (!started) return database_failed(exchange, started.error());
    exchange.session = std::move(*started);
  }
  auto added = exchange.database.add_to_cart(*cart_owner(exchange), product, quantity);
  if (!added) return database_failed(exchange, added.error());
  if (*added == AddOutcome::NoSuchProduct)
    return error(exchange, 422, "There is no such product.",
                 {{"product", "there is no product " + std::to_string(product)}});
  if (*added == AddOutcome::TooMany)
    return error(exchange, 422, "That is more than the cart takes.",
                 {{"quantity", "at most 99 of one product in the cart"}});
  return cart_changed(exchange);
}

http::Response remove_from_cart(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  const Form& form = std::get<Form>(checked);
  const std::int64_t product = number_field(form, "product");
  if (product < 0)
    return error(exchange, 422, "The form has fields missing or invalid.",
                 {{"product", form.text("product") ? "is not a product number" : "is required"}});
  if (auto owner = cart_owner(exchange))
    if (auto removed = exchange.database.remove_from_cart(*owner, product); !removed)
      return database_failed(exchange, removed.error());
  return cart_changed(exchange);
}

http::Response place_order(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  if (!exchange.signed_in()) return not_signed_in(exchange, "order");
  const std::int64_t user_id = *exchange.session->user_id;
  std::function<void(std::int64_t)> hook;
  if (exchange.settings.pause_in_order) hook = pause_in_order;
  auto placed = exchange.database.place_order(*cart_owner(exchange), user_id, exchange.now, hook);
  if (!placed) return database_failed(exchange, placed.error());
  switch (placed->kind) {
    case OrderOutcome::Kind::EmptyCart:
      return error(exchange, 422, "The cart is empty: nothing to order.", {{"cart", "is empty"}});
    case OrderOutcome::Kind::OutOfStock:
      return error(exchange, 409,
                   "Not enough " + placed->short_product + " left: " +
                       std::to_string(placed->available) + " in stock. Nothing was ordered.");
    case OrderOutcome::Kind::Placed:
      break;
  }
  const std::string location = "/orders/" + std::to_string(placed->order_id);
  if (!exchange.json) return see_other(exchange, location);
  auto order = exchange.database.order(placed->order_id);
  if (!order) return database_failed(exchange, order.error());
  if (!*order) return error(exchange, 500, "the new order is gone");
  http::Response created = reply(exchange, 201, order_json(exchange.settings.instance, **order));
  created.headers.set("Location", location);
  return created;
}

http::Response list_orders(Exchange& exchange) {
  if (!exchange.signed_in()) return not_signed_in(exchange, "see your orders");
  auto orders = exchange.database.orders_of(*exchange.session->user_id);
  if (!orders) return database_failed(exchange, orders.error());
  if (exchange.json) return reply(exchange, 200, orders_json(exchange.settings.instance, *orders));
  return reply(exchange, 200, orders_html(chrome(exchange, true), *orders));
}

http::Response show_order(Exchange& exchange, std::int64_t id) {
  if (!exchange.signed_in()) return not_signed_in(exchange, "see your orders");
  auto order = exchange.database.order(id);
  if (!order) return database_failed(exchange, order.error());
  if (!*order) return error(exchange, 404, "There is no order " + std::to_string(id) + ".");
  if ((*order)->user_id != *exchange.session->user_id)
    return error(exchange, 403, "Order " + std::to_string(id) + " is someone else's.");
  if (exchange.json) return reply(exchange, 200, order_json(exchange.settings.instance, **order));
  return reply(exchange, 200, order_html(chrome(exchange, true), **order));
}

}  // namespace miniweb::shop
