#pragma once
// The shop's database: one SQLite file shared by every instance of miniweb-shop, in WAL mode
// so that readers never wait for a writer and a writer never waits for readers
// (https://sqlite.org/wal.html). Every statement is prepared with its values bound, never
// built from text a visitor sent.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
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
};

class Database {
 public:
  // Opens (creating when missing, with its folder) the database at `file`, in WAL mode, and
  // creates and seeds its tables when they are not there yet. Safe when several instances start
  // at once on a new file: one of them creates and seeds, in one transaction; the others wait
  // for it (a busy timeout) and find it done.
  static Result<Database> open(const std::filesystem::path& file);

  // Every product, by id.
  Result<std::vector<Product>> products() const;
  // The products whose name or description contains `text` (ASCII case-insensitively), as
  // literal text: '%' and '_' match only themselves.
  Result<std::vector<Product>> search(std::string_view text) const;
  // One product; nullopt when there is none with that id.
  Result<std::optional<Product>> product(std::int64_t id) const;

  const std::filesystem::path& file() const { return file_; }

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
