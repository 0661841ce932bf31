// Carts and orders (see shop/database.hpp).

#include "shop/database.hpp"
#include "shop/sqlite_statement.hpp"

namespace miniweb::shop {

namespace {

Result<std::vector<CartLine>> read_cart(sqlite3* db, const CartOwner& cart) {
  auto select = Statement::prepare(
      db,
      "SELECT p.id, p.name, p.description, p.price_cents, p.stock, c.quantity "
      "FROM cart_items c JOIN products p ON p.id = c.product_id WHERE c.cart = ?1 ORDER BY p.id");
  if (!select) return select.error();
  select->bind(1, cart.key);
  std::vector<CartLine> lines;
  for (int rc = select->step();; rc = select->step()) {
    if (rc == SQLITE_DONE) return lines;
    if (rc != SQLITE_ROW) return sqlite_error(db, "reading a cart");
    lines.push_back(CartLine{Product{select->integer(0), select->text(1), select->text(2),
                                     select->integer(3), select->integer(4)},
                             select->integer(5)});
  }
}

}  // namespace

Result<AddOutcome> Database::add_to_cart(const CartOwner& cart, std::int64_t product_id,
                                         std::int64_t quantity) const {
  sqlite3* db = db_.get();
  auto transaction = Transaction::begin(db);
  if (!transaction) return transaction.error();
  auto found = product(product_id);
  if (!found) return found.error();
  if (!*found) return AddOutcome::NoSuchProduct;
  auto current =
      Statement::prepare(db, "SELECT quantity FROM cart_items WHERE cart = ?1 AND product_id = ?2");
  if (!current) return current.error();
  current->bind(1, cart.key);
  current->bind(2, product_id);
  const int rc = current->step();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sqlite_error(db, "reading a cart");
  const std::int64_t had = rc == SQLITE_ROW ? current->integer(0) : 0;
  if (quantity < 1 || quantity > kMaxQuantityPerLine - had) return AddOutcome::TooMany;
  auto upsert = Statement::prepare(
      db,
      "INSERT INTO cart_items (cart, product_id, quantity) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (cart, product_id) DO UPDATE SET quantity = quantity + excluded.quantity");
  if (!upsert) return upsert.error();
  upsert->bind(1, cart.key);
  upsert->bind(2, product_id);
  upsert->bind(3, quantity);
  if (auto done = change(db, *upsert, "adding to a cart"); !done) return done.error();
  if (auto committed = transaction->commit(); !committed) return committed.error();
  return AddOutcome::Added;
}

Result<bool> Database::remove_from_cart(const CartOwner& cart, std::int64_t product_id) const {
  auto remove =
      Statement::prepare(db_.get(), "DELETE FROM cart_items WHERE cart = ?1 AND product_id = ?2");
  if (!remove) return remove.error();
  remove->bind(1, cart.key);
  remove->bind(2, product_id);
  auto changed = change(db_.get(), *remove, "removing from a cart");
  if (!changed) return changed.error();
  return *changed > 0;
}

Result<std::vector<CartLine>> Database::cart(const CartOwner& cart) const {
  return read_cart(db_.get(), cart);
}

// The cart is read, and the stock checked, inside the transaction that writes: BEGIN IMMEDIATE
// holds the write lock from the first read, so another instance's order for the last items
// waits, then reads the stock this one left.
Result<OrderOutcome> Database::place_order(
    const CartOwner& cart, std::int64_t user_id, std::int64_t now,
    const std::function<void(std::int64_t)>& between_writes) const {
  sqlite3* db = db_.get();
  auto transaction = Transaction::begin(db);
  if (!transaction) return transaction.error();
  auto lines = read_cart(db, cart);
  if (!lines) return lines.error();
  if (lines->empty()) {
    OrderOutcome empty;
    empty.kind = OrderOutcome::Kind::EmptyCart;
    return empty;
  }
  std::int64_t total = 0;
  for (const CartLine& line : *lines) {
    if (line.product.stock < line.quantity) {
      OrderOutcome short_of;
      short_of.kind = OrderOutcome::Kind::OutOfStock;
      short_of.short_product = line.product.name;
      short_of.available = line.product.stock;
      return short_of;
    }
    total += line.product.price_cents * line.quantity;
  }

  auto order = Statement::prepare(
      db, "INSERT INTO orders (user_id, created_at, total_cents) VALUES (?1, ?2, ?3)");
  if (!order) return order.error();
  order->bind(1, user_id);
  order->bind(2, now);
  order->bind(3, total);
  if (auto done = change(db, *order, "writing an order"); !done) return done.error();
  const std::int64_t order_id = sqlite3_last_insert_rowid(db);
  if (between_writes) between_writes(order_id);

  auto item = Statement::prepare(
      db,
      "INSERT INTO order_items (order_id, product_id, name, price_cents, quantity) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!item) return item.error();
  // The stock is taken only where enough is left (the check above, made again by the row).
  auto take = Statement::prepare(
      db, "UPDATE products SET stock = stock - ?2 WHERE id = ?1 AND stock >= ?2");
  if (!take) return take.error();
  for (const CartLine& line : *lines) {
    item->reset();
    item->bind(1, order_id);
    item->bind(2, line.product.id);
    item->bind(3, line.product.name);
    item->bind(4, line.product.price_cents);
    item->bind(5, line.quantity);
    if (auto done = change(db, *item, "writing an order's line"); !done) return done.error();
    take->reset();
    take->bind(1, line.product.id);
    take->bind(2, line.quantity);
    auto taken = change(db, *take, "taking stock");
    if (!taken) return taken.error();
    if (*taken != 1) return make_error("shop database: the stock changed inside a transaction");
  }
  auto clear = Statement::prepare(db, "DELETE FROM cart_items WHERE cart = ?1");
  if (!clear) return clear.error();
  clear->bind(1, cart.key);
  if (auto done = change(db, *clear, "emptying a cart"); !done) return done.error();
  if (auto committed = transaction->commit(); !committed) return committed.error();
  OrderOutcome placed;
  placed.order_id = order_id;
  return placed;
}

Result<std::vector<Order>> Database::orders_of(std::int64_t user_id) const {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT id, user_id, created_at, total_cents FROM orders WHERE user_id = ?1 "
      "ORDER BY id DESC");
  if (!select) return select.error();
  select->bind(1, user_id);
  std::vector<Order> orders;
  for (int rc = select->step();; rc = select->step()) {
    if (rc == SQLITE_DONE) return orders;
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), "reading orders");
    orders.push_back(
        Order{select->integer(0), select->integer(1), select->integer(2), select->integer(3), {}});
  }
}

Result<std::optional<Order>> Database::order(std::int64_t id) const {
  auto head = Statement::prepare(
      db_.get(), "SELECT id, user_id, created_at, total_cents FROM orders WHERE id = ?1");
  if (!head) return head.error();
  head->bind(1, id);
  const int rc = head->step();
  if (rc == SQLITE_DONE) return std::optional<Order>{};
  if (rc != SQLITE_ROW) return sqlite_error(db_.get(), "reading an order");
  Order order{head->integer(0), head->integer(1), head->integer(2), head->integer(3), {}};
  auto lines = Statement::prepare(
      db_.get(),
      "SELECT product_id, name, price_cents, quantity FROM order_items WHERE order_id = ?1 "
      "ORDER BY product_id");
  if (!lines) return lines.error();
  lines->bind(1, id);
  for (int step = lines->step();; step = lines->step()) {
    if (step == SQLITE_DONE) break;
    if (step != SQLITE_ROW) return sqlite_error(db_.get(), "reading an order's lines");
    order.lines.push_back(
        OrderLine{lines->integer(0), lines->text(1), lines->integer(2), lines->integer(3)});
  }
  return std::optional<Order>(std::move(order));
}

}  // namespace miniweb::shop
