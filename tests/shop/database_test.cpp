// The shop's database layer over a temporary file: created and seeded once, in WAL mode,
// searched with bound values only.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>
#include <vector>

#include "shop/database.hpp"
#include "tests/shop/temp_database.hpp"

namespace miniweb::shop {
namespace {

using test::TempFolder;

TEST(ShopDatabase, ANewFileIsCreatedSeededAndInWalMode) {
  TempFolder folder;
  auto database = Database::open(folder.database());
  ASSERT_TRUE(database) << database.error().message;
  auto products = database->products();
  ASSERT_TRUE(products) << products.error().message;
  ASSERT_EQ(products->size(), seed_products().size());
  EXPECT_EQ((*products)[0].name, seed_products()[0].name);
  // WAL mode is the file's own: a second connection sees it, and the -wal file exists.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(folder.database().c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &statement, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "wal");
  sqlite3_finalize(statement);
  sqlite3_close(raw);
}

TEST(ShopDatabase, OpeningAgainKeepsWhatIsThereAndDoesNotSeedTwice) {
  TempFolder folder;
  {
    auto first = Database::open(folder.database());
    ASSERT_TRUE(first) << first.error().message;
  }
  // A change made between runs survives the next open (the seed is not written again).
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(folder.database().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DELETE FROM products WHERE id = 2", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto again = Database::open(folder.database());
  ASSERT_TRUE(again) << again.error().message;
  auto products = again->products();
  ASSERT_TRUE(products);
  EXPECT_EQ(products->size(), seed_products().size() - 1);
}

// As `./miniweb up` starts the three instances at once on a new file.
TEST(ShopDatabase, SeveralOpeningANewFileAtOnceSeedItExactlyOnce) {
  TempFolder folder;
  std::vector<std::string> errors(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < errors.size(); ++i)
    threads.emplace_back([&, i] {
      auto database = Database::open(folder.database());
      if (!database) errors[i] = database.error().message;
    });
  for (auto& thread : threads) thread.join();
  for (const std::string& error : errors) EXPECT_EQ(error, "");
  auto database = Database::open(folder.database());
  ASSERT_TRUE(database) << database.error().message;
  auto products = database->products();
  ASSERT_TRUE(products);
  EXPECT_EQ(products->size(), seed_products().size());
}

TEST(ShopDatabase, SearchMatchesTextLiterally) {
  TempFolder folder;
  auto database = Database::open(folder.database());
  ASSERT_TRUE(database) << database.error().message;
  auto found = database->search("mug");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, 2);
  // Case-insensitive for ASCII, in the description too.
  auto described = database->search("HANDSHAKE");
  ASSERT_TRUE(described);
  EXPECT_EQ(described->size(), 1u);
  // What looks like SQL is only text, and no product contains it.
  for (const char* text :
       {"' OR 1=1--", "\" OR \"\"=\"", "'; DROP TABLE products; --", "%", "_", "\\"}) {
    auto none = database->search(text);
    ASSERT_TRUE(none) << text << ": " << none.error().message;
    EXPECT_TRUE(none->empty()) << text;
  }
  auto all = database->products();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), seed_products().size());
}

TEST(ShopDatabase, OneProductOrNone) {
  TempFolder folder;
  auto database = Database::open(folder.database());
  ASSERT_TRUE(database) << database.error().message;
  auto three = database->product(3);
  ASSERT_TRUE(three);
  ASSERT_TRUE(three->has_value());
  EXPECT_EQ((*three)->name, "Salt & Pepper DNS mills");
  auto none = database->product(999);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(ShopDatabase, AFileThatIsNotADatabaseIsAnErrorThatSaysSo) {
  TempFolder folder;
  std::filesystem::create_directories(folder.database().parent_path());
  std::FILE* file = std::fopen(folder.database().c_str(), "w");
  ASSERT_NE(file, nullptr);
  std::fputs("not a database, just text long enough to have a header of its own ........\n", file);
  std::fclose(file);
  auto database = Database::open(folder.database());
  ASSERT_FALSE(database);
  EXPECT_NE(database.error().message.find("shop database"), std::string::npos)
      << database.error().message;
}

}  // namespace
}  // namespace miniweb::shop
