// Users, sessions, carts, orders with stock, passwords and the sign-in rate limit, over a
// temporary database file.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

#include "shop/database.hpp"
#include "shop/passwords.hpp"
#include "shop/signin_limit.hpp"
#include "tests/shop/temp_database.hpp"

namespace miniweb::shop {
namespace {

class ShopAccounts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open(folder_.database());
    ASSERT_TRUE(opened) << opened.error().message;
    database_.emplace(std::move(*opened));
  }
  std::int64_t user(const std::string& name) {
    auto created = database_->create_user(name, "scrypt$stand-in");
    EXPECT_TRUE(created && *created);
    return created && *created ? **created : 0;
  }
  std::int64_t stock(std::int64_t product) { return (*database_->product(product))->stock; }
  void set_stock(std::int64_t product, std::int64_t stock) {
    sqlite3* db = database_->handle();
    ASSERT_EQ(sqlite3_exec(db,
                           ("UPDATE products SET stock = " + std::to_string(stock) +
                            " WHERE id = " + std::to_string(product))
                               .c_str(),
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
  }
  std::int64_t count(const std::string& table) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(database_->handle(), ("SELECT count(*) FROM " + table).c_str(), -1,
                       &statement, nullptr);
    sqlite3_step(statement);
    const std::int64_t n = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return n;
  }

  test::TempFolder folder_;
  std::optional<Database> database_;
};

TEST(ShopPasswords, HashesAreSaltedScryptAndVerifyOnlyTheirPassword) {
  auto first = hash_password("correct horse");
  auto second = hash_password("correct horse");
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->starts_with("scrypt$16384$8$1$")) << *first;
  EXPECT_NE(*first, *second);  // a salt of each one's own
  EXPECT_EQ(first->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse", *first));
  EXPECT_TRUE(verify_password("correct horse", *second));
  EXPECT_FALSE(verify_password("correct horsE", *first));
  EXPECT_FALSE(verify_password("", *first));
  for (const char* malformed :
       {"", "scrypt", "plain", "scrypt$16384$8$1$zz$00", "scrypt$0$8$1$00$00",
        "scrypt$16384$8$1$00$", "scrypt$1099511627776$8$1$00$00"})
    EXPECT_FALSE(verify_password("x", malformed)) << malformed;
  EXPECT_TRUE(constant_time_equals("abc", "abc"));
  EXPECT_FALSE(constant_time_equals("abc", "abd"));
  EXPECT_FALSE(constant_time_equals("abc", "abcd"));
  EXPECT_EQ(random_token().size(), 64u);
  EXPECT_NE(random_token(), random_token());
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(ShopAccounts, UsernamesAreUniqueWhateverTheirCase) {
  auto created = database_->create_user("alice", "hash-a");
  ASSERT_TRUE(created && *created);
  auto again = database_->create_user("ALICE", "hash-b");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(*again);
  auto found = database_->user_by_name("Alice");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->password_hash, "hash-a");
  EXPECT_EQ((*found)->username, "alice");
  auto sql = database_->user_by_name("' OR 1=1 --");
  ASSERT_TRUE(sql);
  EXPECT_FALSE(*sql);
}

TEST_F(ShopAccounts, SessionsExpireAndEnd) {
  const std::int64_t alice = user("alice");
  ASSERT_TRUE(database_->create_session(Session{"s1", alice, "", "csrf1", 1000}));
  auto found = database_->session("s1", 999);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->username, "alice");
  EXPECT_EQ((*found)->csrf, "csrf1");
  EXPECT_FALSE(*database_->session("s1", 1000));  // expired
  EXPECT_FALSE(*database_->session("s2", 0));
  ASSERT_TRUE(database_->delete_session("s1"));
  EXPECT_FALSE(*database_->session("s1", 0));
}

TEST_F(ShopAccounts, SigningInMovesTheAnonymousCartAndReplacesTheSession) {
  const std::int64_t alice = user("alice");
  ASSERT_TRUE(database_->create_session(Session{"anon", std::nullopt, "", "c", 5000}));
  EXPECT_EQ(*database_->add_to_cart(CartOwner::of_session("anon"), 1, 2), AddOutcome::Added);
  EXPECT_EQ(*database_->add_to_cart(CartOwner::of_session("anon"), 2, 98), AddOutcome::Added);
  EXPECT_EQ(*database_->add_to_cart(CartOwner::of_user(alice), 2, 5), AddOutcome::Added);
  ASSERT_TRUE(database_->sign_in_session("anon", Session{"fresh", alice, "", "c2", 5000}));
  EXPECT_FALSE(*database_->session("anon", 0));
  EXPECT_TRUE(*database_->session("fresh", 0));
  auto cart = database_->cart(CartOwner::of_user(alice));
  ASSERT_TRUE(cart);
  ASSERT_EQ(cart->size(), 2u);
  EXPECT_EQ((*cart)[0].quantity, 2);
  EXPECT_EQ((*cart)[1].quantity, 99);  // 98 + 5, at most 99
  EXPECT_TRUE(database_->cart(CartOwner::of_session("anon"))->empty());
}

TEST_F(ShopAccounts, CartsAddRemoveAndRefuseWhatIsNotThere) {
  const CartOwner cart = CartOwner::of_user(user("bob"));
  EXPECT_EQ(*database_->add_to_cart(cart, 3, 1), AddOutcome::Added);
  EXPECT_EQ(*database_->add_to_cart(cart, 3, 2), AddOutcome::Added);
  EXPECT_EQ(*database_->add_to_cart(cart, 999, 1), AddOutcome::NoSuchProduct);
  EXPECT_EQ(*database_->add_to_cart(cart, 3, 97), AddOutcome::TooMany);
  EXPECT_EQ(*database_->add_to_cart(cart, 4, 0), AddOutcome::TooMany);
  auto lines = database_->cart(cart);
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].quantity, 3);
  EXPECT_EQ((*lines)[0].product.name, "Salt & Pepper DNS mills");
  EXPECT_TRUE(*database_->remove_from_cart(cart, 3));
  EXPECT_FALSE(*database_->remove_from_cart(cart, 3));
  EXPECT_TRUE(database_->cart(cart)->empty());
}

TEST_F(ShopAccounts, AnOrderTakesTheStockAndEmptiesTheCartOrChangesNothing) {
  const std::int64_t carol = user("carol");
  const CartOwner cart = CartOwner::of_user(carol);
  auto empty = database_->place_order(cart, carol, 100, nullptr);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->kind, OrderOutcome::Kind::EmptyCart);

  set_stock(5, 3);
  ASSERT_EQ(*database_->add_to_cart(cart, 1, 2), AddOutcome::Added);
  ASSERT_EQ(*database_->add_to_cart(cart, 5, 4), AddOutcome::Added);
  auto short_of = database_->place_order(cart, carol, 100, nullptr);
  ASSERT_TRUE(short_of);
  EXPECT_EQ(short_of->kind, OrderOutcome::Kind::OutOfStock);
  EXPECT_EQ(short_of->short_product, "Root certificate poster");
  EXPECT_EQ(short_of->available, 3);
  EXPECT_EQ(count("orders"), 0);
  EXPECT_EQ(stock(1), 100);
  EXPECT_EQ(database_->cart(cart)->size(), 2u);

  ASSERT_TRUE(database_->remove_from_cart(cart, 5));
  ASSERT_EQ(*database_->add_to_cart(cart, 5, 3), AddOutcome::Added);
  auto placed = database_->place_order(cart, carol, 100, nullptr);
  ASSERT_TRUE(placed) << placed.error().message;
  ASSERT_EQ(placed->kind, OrderOutcome::Kind::Placed);
  EXPECT_EQ(stock(1), 98);
  EXPECT_EQ(stock(5), 0);
  EXPECT_TRUE(database_->cart(cart)->empty());
  auto order = database_->order(placed->order_id);
  ASSERT_TRUE(order && *order);
  EXPECT_EQ((*order)->user_id, carol);
  EXPECT_EQ((*order)->total_cents, 2 * 799 + 3 * 2400);
  ASSERT_EQ((*order)->lines.size(), 2u);
  EXPECT_EQ((*order)->lines[1].name, "Root certificate poster");
  auto listed = database_->orders_of(carol);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].id, placed->order_id);
  EXPECT_TRUE(database_->orders_of(carol + 1)->empty());
  EXPECT_FALSE(*database_->order(placed->order_id + 1));
}

// A failure between the order's writes (as a killed instance's) leaves nothing of the order.
TEST_F(ShopAccounts, AnOrderThatFailsHalfWayLeavesNoTrace) {
  const std::int64_t dave = user("dave");
  const CartOwner cart = CartOwner::of_user(dave);
  ASSERT_EQ(*database_->add_to_cart(cart, 2, 1), AddOutcome::Added);
  std::int64_t seen = 0;
  EXPECT_THROW(database_->place_order(cart, dave, 1,
                                      [&](std::int64_t id) {
                                        seen = id;
                                        throw std::runtime_error("killed");
                                      }),
               std::runtime_error);
  EXPECT_GT(seen, 0);
  EXPECT_EQ(count("orders"), 0);
  EXPECT_EQ(count("order_items"), 0);
  EXPECT_EQ(stock(2), 100);
  EXPECT_EQ(database_->cart(cart)->size(), 1u);
  // And the database takes the next order.
  auto placed = database_->place_order(cart, dave, 1, nullptr);
  ASSERT_TRUE(placed) << placed.error().message;
  EXPECT_EQ(placed->kind, OrderOutcome::Kind::Placed);
}

// Two connections (as two instances) ordering the last items at once: exactly as many orders
// as there was stock, none lost, stock never below zero.
TEST_F(ShopAccounts, ConcurrentOrdersForTheLastItemsLoseNoUpdate) {
  constexpr int kBuyers = 12;
  constexpr int kStock = 7;
  set_stock(6, kStock);
  std::vector<std::int64_t> buyers;
  for (int i = 0; i < kBuyers; ++i) {
    buyers.push_back(user("buyer" + std::to_string(i)));
    ASSERT_EQ(*database_->add_to_cart(CartOwner::of_user(buyers.back()), 6, 1), AddOutcome::Added);
  }
  std::atomic<int> placed = 0, short_of = 0, failed = 0;
  std::vector<std::thread> threads;
  for (int side = 0; side < 2; ++side)
    threads.emplace_back([&, side] {
      auto own = Database::open(folder_.database());
      if (!own) {
        ++failed;
        return;
      }
      for (int i = side; i < kBuyers; i += 2) {
        auto outcome = own->place_order(CartOwner::of_user(buyers[i]), buyers[i], 1, nullptr);
        if (!outcome)
          ++failed;
        else if (outcome->kind == OrderOutcome::Kind::Placed)
          ++placed;
        else if (outcome->kind == OrderOutcome::Kind::OutOfStock)
          ++short_of;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(placed, kStock);
  EXPECT_EQ(short_of, kBuyers - kStock);
  EXPECT_EQ(stock(6), 0);
  EXPECT_EQ(count("orders"), kStock);
  EXPECT_EQ(count("order_items"), kStock);
}

TEST_F(ShopAccounts, TheSigninLimitCountsFailuresPerClientInItsWindow) {
  const SigninLimit limit{3, 60'000};
  const std::int64_t t0 = 1'000'000;
  for (int i = 0; i < 3; ++i) {
    auto wait = signin_retry_after(*database_, "10.0.0.1", t0 + i * 1000, limit);
    ASSERT_TRUE(wait);
    EXPECT_FALSE(*wait) << i;
    ASSERT_TRUE(note_signin_failure(*database_, "10.0.0.1", t0 + i * 1000, limit));
  }
  // The fourth try waits until the first failure is 60 s old.
  auto wait = signin_retry_after(*database_, "10.0.0.1", t0 + 2000, limit);
  ASSERT_TRUE(wait && *wait);
  EXPECT_EQ(**wait, 58);
  EXPECT_EQ(**signin_retry_after(*database_, "10.0.0.1", t0 + 59'500, limit), 1);
  EXPECT_FALSE(*signin_retry_after(*database_, "10.0.0.1", t0 + 60'000, limit));
  // Another client is not held back by this one.
  EXPECT_FALSE(*signin_retry_after(*database_, "10.0.0.2", t0 + 2000, limit));
  // Old failures are forgotten as new ones come.
  ASSERT_TRUE(note_signin_failure(*database_, "10.0.0.2", t0 + 200'000, limit));
  EXPECT_EQ(count("signin_failures"), 1);
}

// A database of the first schema (products only) is brought up to date, its products kept.
TEST(ShopSchema, AVersionOneFileIsUpgradedInPlace) {
  test::TempFolder folder;
  std::filesystem::create_directories(folder.database().parent_path());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(folder.database().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                         "description TEXT NOT NULL, price_cents INTEGER NOT NULL CHECK "
                         "(price_cents >= 0)); INSERT INTO products VALUES (9, 'Old', 'kept', 5);"
                         "PRAGMA user_version = 1;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto database = Database::open(folder.database());
  ASSERT_TRUE(database) << database.error().message;
  auto products = database->products();
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0].name, "Old");
  EXPECT_EQ((*products)[0].stock, 100);
  EXPECT_TRUE(database->create_user("erin", "h"));
}

}  // namespace
}  // namespace miniweb::shop
