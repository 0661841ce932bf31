#include "shop/database.hpp"

#include <chrono>
#include <system_error>
#include <thread>

namespace miniweb::shop {

namespace {

// The schema's version, kept in SQLite's user_version: 0 is a new, empty file.
constexpr int kSchemaVersion = 1;
// How long a connection waits for another's write lock before giving up (a start beside other
// instances, a search while one writes).
constexpr int kBusyTimeoutMs = 10'000;

Error sqlite_error(sqlite3* db, std::string_view doing) {
  return make_error("shop database: " + std::string(doing) + ": " + sqlite3_errmsg(db));
}

// One prepared statement, finalized when it goes.
class Statement {
 public:
  static Result<Statement> prepare(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(statement);
      return sqlite_error(db, "preparing '" + std::string(sql) + "'");
    }
    return Statement(statement);
  }

  void bind(int index, std::string_view text) {
    sqlite3_bind_text(statement_.get(), index, text.data(), static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_.get(), index, value); }

  // For the statement's next run, with new values.
  void reset() {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(statement_.get()); }

  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_.get(), column); }
  std::string text(int column) const {
    const unsigned char* text = sqlite3_column_text(statement_.get(), column);
    const int size = sqlite3_column_bytes(statement_.get(), column);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size))
                : std::string();
  }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}

  std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

// Statements without values or rows (schema, transactions).
Status execute(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return make_error("shop database: '" + std::string(sql) + "': " + text);
  }
  return Ok{};
}

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

constexpr const char* kSchema = R"(
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0)
);
)";

// Creates and seeds the tables unless another instance did; one IMMEDIATE transaction, so that
// of several instances starting on a new file exactly one does it and the others wait.
Status create_schema(sqlite3* db) {
  if (auto begun = execute(db, "BEGIN IMMEDIATE"); !begun) return begun;
  auto work = [db]() -> Status {
    auto version = Statement::prepare(db, "PRAGMA user_version");
    if (!version) return version.error();
    if (version->step() != SQLITE_ROW) return sqlite_error(db, "reading the schema version");
    const std::int64_t found = version->integer(0);
    if (found == kSchemaVersion) return Ok{};
    if (found != 0)
      return make_error("shop database: schema version " + std::to_string(found) +
                        ", this program knows " + std::to_string(kSchemaVersion) +
                        ": move the file away to start afresh");
    if (auto created = execute(db, kSchema); !created) return created;
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
    return execute(db, "PRAGMA user_version = 1");
  };
  if (auto done = work(); !done) {
    (void)execute(db, "ROLLBACK");
    return done;
  }
  return execute(db, "COMMIT");
}

Result<std::vector<Product>> read_products(sqlite3* db, Statement& statement) {
  std::vector<Product> products;
  for (int rc = statement.step();; rc = statement.step()) {
    if (rc == SQLITE_DONE) return products;
    if (rc != SQLITE_ROW) return sqlite_error(db, "reading products");
    products.push_back(
        Product{statement.integer(0), statement.text(1), statement.text(2), statement.integer(3)});
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
      {1, "Ethernet cable, 2 m", "Cat 6, for the last metre of the journey.", 799},
      {2, "Packet sniffer mug", "Holds 330 ml of coffee; shows a TCP handshake when hot.", 1250},
      {3, "Salt & Pepper DNS mills", "One grinds A records, the other AAAA.", 1999},
      {4, "<blink> sticker", "A sticker for the tag no browser blinks any more.", 150},
      {5, "Root certificate poster", "A1 print of a self-signed root, framed.", 2400},
      {6, "Keep-alive socks", "So the connection stays warm between requests.", 899},
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
  if (auto schema = create_schema(raw); !schema) return schema.error();
  return database;
}

Result<std::vector<Product>> Database::products() const {
  auto statement = Statement::prepare(
      db_.get(), "SELECT id, name, description, price_cents FROM products ORDER BY id");
  if (!statement) return statement.error();
  return read_products(db_.get(), *statement);
}

Result<std::vector<Product>> Database::search(std::string_view text) const {
  auto statement = Statement::prepare(db_.get(),
                                      "SELECT id, name, description, price_cents FROM products "
                                      "WHERE name LIKE ?1 ESCAPE '\\' OR description LIKE ?1 "
                                      "ESCAPE '\\' ORDER BY id");
  if (!statement) return statement.error();
  statement->bind(1, like_pattern(text));
  return read_products(db_.get(), *statement);
}

Result<std::optional<Product>> Database::product(std::int64_t id) const {
  auto statement = Statement::prepare(
      db_.get(), "SELECT id, name, description, price_cents FROM products WHERE id = ?1");
  if (!statement) return statement.error();
  statement->bind(1, id);
  auto found = read_products(db_.get(), *statement);
  if (!found) return found.error();
  if (found->empty()) return std::optional<Product>{};
  return std::optional<Product>(std::move(found->front()));
}

}  // namespace miniweb::shop
