#pragma once
// The SQLite pieces every part of the shop's database uses: a prepared statement with bound
// values (never SQL built from text a visitor sent), statements without rows, and one
// transaction that rolls back unless committed.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::shop {

inline Error sqlite_error(sqlite3* db, std::string_view doing) {
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
  void bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob(statement_.get(), index, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
  }
  void bind_null(int index) { sqlite3_bind_null(statement_.get(), index); }

  // For the statement's next run, with new values.
  void reset() {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
  }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(statement_.get()); }

  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_.get(), column); }
  bool is_null(int column) const {
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
  }
  std::string text(int column) const {
    // sqlite3_column_blob for both: the bytes as stored, text or blob.
    const void* bytes = sqlite3_column_blob(statement_.get(), column);
    const int size = sqlite3_column_bytes(statement_.get(), column);
    return bytes ? std::string(static_cast<const char*>(bytes), static_cast<std::size_t>(size))
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
inline Status execute(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return make_error("shop database: '" + std::string(sql) + "': " + text);
  }
  return Ok{};
}

// Runs one statement that changes rows; the number of rows it changed.
inline Result<int> change(sqlite3* db, Statement& statement, std::string_view doing) {
  if (statement.step() != SQLITE_DONE) return sqlite_error(db, doing);
  return sqlite3_changes(db);
}

// BEGIN IMMEDIATE on construction: the write lock is taken at once (waiting up to the busy
// timeout for another instance's), so two instances never both read, then both write, and no
// transaction fails half-way with SQLITE_BUSY on its first write. Rolled back when it goes
// without commit().
class Transaction {
 public:
  static Result<Transaction> begin(sqlite3* db) {
    if (auto begun = execute(db, "BEGIN IMMEDIATE"); !begun) return begun.error();
    return Transaction(db);
  }
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction() {
    if (db_) (void)execute(db_, "ROLLBACK");
  }
  Status commit() {
    sqlite3* db = std::exchange(db_, nullptr);
    if (auto committed = execute(db, "COMMIT"); !committed) {
      (void)execute(db, "ROLLBACK");
      return committed;
    }
    return Ok{};
  }

 private:
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace miniweb::shop
