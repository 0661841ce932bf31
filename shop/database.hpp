#pragma once
// The shop's database: one SQLite file shared by every instance of miniweb-shop, in WAL mode
// so that readers never wait for a writer and a writer never waits for readers
// (https://sqlite.org/wal.html). Every statement is prepared with its values bound, never
// built from text a visitor sent. Whatever changes more than one row does so in one
// BEGIN IMMEDIATE transaction, so that two instances never lose each other's updates.
//
// The tables: products (with their stock), users, sessions (so that a visitor stays signed in
// whichever instance the balancer picks), cart_items (a cart is a user's, or an anonymous
// session's until its visitor signs in), orders and order_items, signin_failures (the sign-in
// rate limit, shared by every instance). Split over database.cpp (opening, the schema,
// products), database_accounts.cpp (users, sessions, the rate limit) and database_orders.cpp
// (carts, orders).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::shop {

struct Product {
  std::int64_t id = 0;
  std::string name;
  std::string description;
  std::int64_t price_cents = 0;
  std::int64_t stock = 0;
};

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string password_hash;  // shop/passwords' format, never the password
  bool has_avatar = false;
};

struct Session {
  std::string id;  // the SHA-256 of the cookie's token, never the token itself
  std::optional<std::int64_t> user_id;
  std::string username;  // empty without a user
  std::string csrf;      // the token every form of this session carries
  std::int64_t expires_at = 0;
};

// Whose cart: a user's, or an anonymous session's.
struct CartOwner {
  std::string key;  // "user:ID" or "session:ID"
  static CartOwner of_user(std::int64_t id) { return {"user:" + std::to_string(id)}; }
  static CartOwner of_session(std::string_view id) { return {"session:" + std::string(id)}; }
};

struct CartLine {
  Product product;
  std::int64_t quantity = 0;
};

struct OrderLine {
  std::int64_t product_id = 0;
  std::string name;  // as it was when ordered
  std::int64_t price_cents = 0;
  std::int64_t quantity = 0;
};

struct Order {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::int64_t created_at = 0;  // Unix seconds
  std::int64_t total_cents = 0;
  std::vector<OrderLine> lines;  // empty in a list of orders
};

// What placing an order came to.
struct OrderOutcome {
  enum class Kind { Placed, EmptyCart, OutOfStock };
  Kind kind = Kind::Placed;
  std::int64_t order_id = 0;   // Placed
  std::string short_product;   // OutOfStock: the product there is not enough of
  std::int64_t available = 0;  // OutOfStock: how many are left
};

enum class AddOutcome { Added, NoSuchProduct, TooMany };

class Database {
 public:
  // Opens (creating when missing, with its folder) the database at `file`, in WAL mode, and
  // creates and seeds its tables when they are not there yet, or brings an older schema up to
  // date. Safe when several instances start at once on a new file: one of them creates and
  // seeds, in one transaction; the others wait for it (a busy timeout) and find it done.
  static Result<Database> open(const std::filesystem::path& file);

  // --- products (database.cpp)
  // Every product, by id.
  Result<std::vector<Product>> products() const;
  // The products whose name or description contains `text` (ASCII case-insensitively), as
  // literal text: '%' and '_' match only themselves.
  Result<std::vector<Product>> search(std::string_view text) const;
  // One product; nullopt when there is none with that id.
  Result<std::optional<Product>> product(std::int64_t id) const;

  // --- users and sessions (database_accounts.cpp)
  // The new user's id; nullopt when the name is taken (names compare ASCII case-insensitively).
  Result<std::optional<std::int64_t>> create_user(std::string_view username,
                                                  std::string_view password_hash) const;
  Result<std::optional<User>> user_by_name(std::string_view username) const;
  Result<std::optional<User>> user(std::int64_t id) const;

  Status create_session(const Session& session) const;
  // The session with that id, unless it has expired by `now` (Unix seconds).
  Result<std::optional<Session>> session(std::string_view id, std::int64_t now) const;
  Status delete_session(std::string_view id) const;
  // Signing in: `old_id`'s session (if any) is replaced by `fresh` (a new id, so that a token
  // someone planted before the sign-in is worth nothing after it), and the anonymous cart of
  // the old session joins the user's, in one transaction.
  Status sign_in_session(std::optional<std::string_view> old_id, const Session& fresh) const;

  // --- the sign-in rate limit (database_accounts.cpp), times in Unix milliseconds
  Status record_signin_failure(std::string_view client, std::int64_t at_ms) const;
  // The times of the client's failures at or after `since_ms`, oldest first.
  Result<std::vector<std::int64_t>> signin_failures(std::string_view client,
                                                    std::int64_t since_ms) const;
  // Forgets every failure before `before_ms` (anyone's).
  Status forget_signin_failures(std::int64_t before_ms) const;

  // --- avatars (database_accounts.cpp)
  Status set_avatar(std::int64_t user_id, std::string_view media_type,
                    std::string_view bytes) const;
  // The media type and the bytes; nullopt without one.
  Result<std::optional<std::pair<std::string, std::string>>> avatar(std::int64_t user_id) const;

  // --- carts and orders (database_orders.cpp)
  // Adds `quantity` (1 or more) to the cart's line of the product; TooMany above
  // kMaxQuantityPerLine.
  Result<AddOutcome> add_to_cart(const CartOwner& cart, std::int64_t product_id,
                                 std::int64_t quantity) const;
  // Whether there was such a line.
  Result<bool> remove_from_cart(const CartOwner& cart, std::int64_t product_id) const;
  Result<std::vector<CartLine>> cart(const CartOwner& cart) const;

  // Places the cart as the user's order, in one transaction: the order, its lines, the stock
  // taken, the cart emptied; or nothing at all. `between_writes`, when set, runs after the
  // order's row is written and before its lines are (the test hook that stops an instance
  // there).
  Result<OrderOutcome> place_order(const CartOwner& cart, std::int64_t user_id, std::int64_t now,
                                   const std::function<void(std::int64_t)>& between_writes) const;
  // The user's orders, newest first, without their lines.
  Result<std::vector<Order>> orders_of(std::int64_t user_id) const;
  // One order with its lines; nullopt when there is none with that id.
  Result<std::optional<Order>> order(std::int64_t id) const;

  const std::filesystem::path& file() const { return file_; }
  sqlite3* handle() const { return db_.get(); }

  static constexpr std::int64_t kMaxQuantityPerLine = 99;

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Database(std::filesystem::path file, sqlite3* db) : file_(std::move(file)), db_(db) {}

  std::filesystem::path file_;
  std::unique_ptr<sqlite3, Close> db_;
};

// The products `open` seeds a new database with.
const std::vector<Product>& seed_products();

}  // namespace miniweb::shop
