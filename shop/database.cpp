#include "shop/database.hpp"

#include <chrono>
#include <system_error>
#include <thread>

#include "shop/sqlite_statement.hpp"

namespace miniweb::shop {

namespace {

// The schema's version, kept in SQLite's user_version: 0 is a new, empty file.
constexpr int kSchemaVersion = 2;
// How long a connection waits for another's write lock before giving up (a start beside other
// instances, an order while another instance writes one).
constexpr int kBusyTimeoutMs = 10'000;

// WAL mode is a property of the file: the first connection to ask sets it, which needs the
// file to itself for a moment; beside another instance doing the same, SQLite may answer BUSY
// without calling the busy handler, so ask again for a while.
Status use_wal(sqlite3* db) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    auto statement = Statement::prepare(db, "PRAGMA journal_mode=WAL");
    if (!statement) return statement.error();
    const int rc = statement->step();
    if (rc == SQLITE_ROW) {
      if (statement->text(0) == "wal") return Ok{};
      return make_error("shop database: the file cannot be put in WAL mode (journal mode " +
                        statement->text(0) + ")");
    }
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline)
      return sqlite_error(db, "setting WAL mode");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Version 1: the products alone.
constexpr const char* kSchemaVersion1 = R"(
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
);
)";

// Version 2: stock, accounts, sessions, carts, orders, the sign-in rate limit. A file of
// version 1 (a demo's database from before) is brought here in place, its products kept.
constexpr const char* kSchemaVersion2 = R"(
ALTER TABLE products ADD COLUMN stock INTEGER NOT NULL DEFAULT 100 CHECK (stock >= 0);
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  avatar BLOB,
  avatar_type TEXT
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id INTEGER REFERENCES users (id),
  csrf TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE cart_items (
  cart TEXT NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products (id),
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (cart, product_id)
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users (id),
  created_at INTEGER NOT NULL,
  total_cents INTEGER NOT NULL
);
CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders (id),
  product_id INTEGER NOT NULL REFERENCES products (id),
  name TEXT NOT NULL,
  price_cents INTEGER NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);
CREATE INDEX orders_by_user ON orders (user_id, id);
CREATE TABLE signin_failures (client TEXT NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX signin_failures_by_client ON signin_failures (client, at_ms);
PRAGMA user_version = 2;
)";

Status seed(sqlite3* db) {
  auto insert = Statement::prepare(
      db, "INSERT INTO products (id, name, description, price_cents) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return insert.error();
  for (const Product& product : seed_products()) {
    insert->reset();
    insert->bind(1, product.id);
    insert->bind(2, product.name);
    insert->bind(3, product.description);
    insert->bind(4, product.price_cents);
    if (insert->step() != SQLITE_DONE) return sqlite_error(db, "seeding the products");
  }
  return Ok{};
}

Result<std::int64_t> schema_version(sqlite3* db) {
  auto version = Statement::prepare(db, "PRAGMA user_version");
  if (!version) return version.error();
  if (version->step() != SQLITE_ROW) return sqlite_error(db, "reading the schema version");
  return version->integer(0);
}

// Creates and seeds the tables unless another instance did, or brings a version 1 file up to
// date; one IMMEDIATE transaction, so that of several instances starting on a new file exactly
// one does it and the others wait.
Status create_schema(sqlite3* db) {
  auto transaction = Transaction::begin(db);
  if (!transaction) return transaction.error();
  auto found = schema_version(db);
  if (!found) return found.error();
  if (*found == kSchemaVersion) return transaction->commit();
  if (*found > kSchemaVersion)
    return make_error("shop database: schema version " + std::to_string(*found) +
                      ", this program knows up to " + std::to_string(kSchemaVersion) +
                      ": move the file away to start afresh");
  if (*found == 0) {
    if (auto created = execute(db, kSchemaVersion1); !created) return created;
    if (auto seeded = seed(db); !seeded) return seeded;
  }
  if (auto upgraded = execute(db, kSchemaVersion2); !upgraded) return upgraded;
  return transaction->commit();
}

constexpr std::string_view kProductColumns = "SELECT id, name, description, price_cents, stock ";

Result<std::vector<Product>> read_products(sqlite3* db, Statement& statement) {
  std::vector<Product> products;
  for (int rc = statement.step();; rc = statement.step()) {
    if (rc == SQLITE_DONE) return products;
    if (rc != SQLITE_ROW) return sqlite_error(db, "reading products");
    products.push_back(Product{statement.integer(0), statement.text(1), statement.text(2),
                               statement.integer(3), statement.integer(4)});
  }
}

// LIKE's own characters made literal, with '\' as the ESCAPE character.
std::string like_pattern(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

}  // namespace

const std::vector<Product>& seed_products() {
  static const std::vector<Product> products = {
      {1, "Ethernet cable, 2 m", "Cat 6, for the last metre of the journey.", 799, 100},
      {2, "Packet sniffer mug", "Holds 330 ml of coffee; shows a TCP handshake when hot.", 1250,
       100},
      {3, "Salt & Pepper DNS mills", "One grinds A records, the other AAAA.", 1999, 100},
      {4, "<blink> sticker", "A sticker for the tag no browser blinks any more.", 150, 100},
      {5, "Root certificate poster", "A1 print of a self-signed root, framed.", 2400, 100},
      {6, "Keep-alive socks", "So the connection stays warm between requests.", 899, 100},
  };
  return products;
}

Result<Database> Database::open(const std::filesystem::path& file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (ec)
    return make_error("shop database: cannot make " + file.parent_path().string() + ": " +
                      ec.message());
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Database database(file, raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, "opening " + file.string());
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  sqlite3_extended_result_codes(raw, 1);
  if (auto wal = use_wal(raw); !wal) return wal.error();
  if (auto keys = execute(raw, "PRAGMA foreign_keys = ON"); !keys) return keys.error();
  if (auto schema = create_schema(raw); !schema) return schema.error();
  return database;
}

Result<std::vector<Product>> Database::products() const {
  auto statement =
      Statement::prepare(db_.get(), std::string(kProductColumns) + "FROM products ORDER BY id");
  if (!statement) return statement.error();
  return read_products(db_.get(), *statement);
}

Result<std::vector<Product>> Database::search(std::string_view text) const {
  auto statement = Statement::prepare(db_.get(), std::string(kProductColumns) +
                                                     "FROM products "
                                                     "WHERE name LIKE ?1 ESCAPE '\\' OR "
                                                     "description LIKE ?1 ESCAPE '\\' ORDER BY id");
  if (!statement) return statement.error();
  statement->bind(1, like_pattern(text));
  return read_products(db_.get(), *statement);
}

Result<std::optional<Product>> Database::product(std::int64_t id) const {
  auto statement =
      Statement::prepare(db_.get(), std::string(kProductColumns) + "FROM products WHERE id = ?1");
  if (!statement) return statement.error();
  statement->bind(1, id);
  auto found = read_products(db_.get(), *statement);
  if (!found) return found.error();
  if (found->empty()) return std::optional<Product>{};
  return std::optional<Product>(std::move(found->front()));
}

}  // namespace miniweb::shop
