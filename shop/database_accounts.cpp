// Users, sessions, the sign-in rate limit and avatars (see shop/database.hpp).

#include <ctime>

#include "shop/database.hpp"
#include "shop/sqlite_statement.hpp"

namespace miniweb::shop {

namespace {

Result<std::optional<User>> read_user(sqlite3* db, Statement& statement) {
  const int rc = statement.step();
  if (rc == SQLITE_DONE) return std::optional<User>{};
  if (rc != SQLITE_ROW) return sqlite_error(db, "reading a user");
  return std::optional<User>(
      User{statement.integer(0), statement.text(1), statement.text(2), statement.integer(3) != 0});
}

constexpr std::string_view kUserColumns =
    "SELECT id, username, password_hash, avatar IS NOT NULL FROM users ";

Status insert_session(sqlite3* db, const Session& session) {
  auto insert = Statement::prepare(
      db, "INSERT INTO sessions (id, user_id, csrf, expires_at) VALUES (?1, ?2, ?3, ?4)");
  if (!insert) return insert.error();
  insert->bind(1, session.id);
  if (session.user_id)
    insert->bind(2, *session.user_id);
  else
    insert->bind_null(2);
  insert->bind(3, session.csrf);
  insert->bind(4, session.expires_at);
  if (auto done = change(db, *insert, "creating a session"); !done) return done.error();
  return Ok{};
}

Status remove_session(sqlite3* db, std::string_view id) {
  auto remove = Statement::prepare(db, "DELETE FROM sessions WHERE id = ?1");
  if (!remove) return remove.error();
  remove->bind(1, id);
  if (auto done = change(db, *remove, "ending a session"); !done) return done.error();
  return Ok{};
}

}  // namespace

Result<std::optional<std::int64_t>> Database::create_user(std::string_view username,
                                                          std::string_view password_hash) const {
  auto insert = Statement::prepare(
      db_.get(),
      "INSERT INTO users (username, password_hash, created_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (username) DO NOTHING");
  if (!insert) return insert.error();
  insert->bind(1, username);
  insert->bind(2, password_hash);
  insert->bind(3, static_cast<std::int64_t>(std::time(nullptr)));
  auto changed = change(db_.get(), *insert, "creating a user");
  if (!changed) return changed.error();
  if (*changed == 0) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::optional<User>> Database::user_by_name(std::string_view username) const {
  auto select = Statement::prepare(db_.get(), std::string(kUserColumns) + "WHERE username = ?1");
  if (!select) return select.error();
  select->bind(1, username);
  return read_user(db_.get(), *select);
}

Result<std::optional<User>> Database::user(std::int64_t id) const {
  auto select = Statement::prepare(db_.get(), std::string(kUserColumns) + "WHERE id = ?1");
  if (!select) return select.error();
  select->bind(1, id);
  return read_user(db_.get(), *select);
}

Status Database::create_session(const Session& session) const {
  return insert_session(db_.get(), session);
}

Result<std::optional<Session>> Database::session(std::string_view id, std::int64_t now) const {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT s.id, s.user_id, u.username, s.csrf, s.expires_at FROM sessions s "
      "LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ?1 AND s.expires_at > ?2");
  if (!select) return select.error();
  select->bind(1, id);
  select->bind(2, now);
  const int rc = select->step();
  if (rc == SQLITE_DONE) return std::optional<Session>{};
  if (rc != SQLITE_ROW) return sqlite_error(db_.get(), "reading a session");
  Session session{select->text(0), std::nullopt, select->text(2), select->text(3),
                  select->integer(4)};
  if (!select->is_null(1)) session.user_id = select->integer(1);
  return std::optional<Session>(std::move(session));
}

Status Database::delete_session(std::string_view id) const {
  return remove_session(db_.get(), id);
}

Status Database::sign_in_session(std::optional<std::string_view> old_id,
                                 const Session& fresh) const {
  sqlite3* db = db_.get();
  auto transaction = Transaction::begin(db);
  if (!transaction) return transaction.error();
  if (auto inserted = insert_session(db, fresh); !inserted) return inserted;
  if (old_id && fresh.user_id) {
    // The anonymous cart joins the user's: quantities of the same product add up, to the limit.
    auto merge = Statement::prepare(
        db,
        "INSERT INTO cart_items (cart, product_id, quantity) "
        "SELECT ?2, product_id, quantity FROM cart_items WHERE cart = ?1 "
        "ON CONFLICT (cart, product_id) DO UPDATE SET quantity = min(?3, quantity + "
        "excluded.quantity)");
    if (!merge) return merge.error();
    merge->bind(1, CartOwner::of_session(*old_id).key);
    merge->bind(2, CartOwner::of_user(*fresh.user_id).key);
    merge->bind(3, kMaxQuantityPerLine);
    if (auto done = change(db, *merge, "moving a cart"); !done) return done.error();
    auto clear = Statement::prepare(db, "DELETE FROM cart_items WHERE cart = ?1");
    if (!clear) return clear.error();
    clear->bind(1, CartOwner::of_session(*old_id).key);
    if (auto done = change(db, *clear, "moving a cart"); !done) return done.error();
  }
  if (old_id)
    if (auto removed = remove_session(db, *old_id); !removed) return removed;
  return transaction->commit();
}

Status Database::record_signin_failure(std::string_view client, std::int64_t at_ms) const {
  auto insert =
      Statement::prepare(db_.get(), "INSERT INTO signin_failures (client, at_ms) VALUES (?1, ?2)");
  if (!insert) return insert.error();
  insert->bind(1, client);
  insert->bind(2, at_ms);
  if (auto done = change(db_.get(), *insert, "counting a failed sign-in"); !done)
    return done.error();
  return Ok{};
}

Result<std::vector<std::int64_t>> Database::signin_failures(std::string_view client,
                                                            std::int64_t since_ms) const {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT at_ms FROM signin_failures WHERE client = ?1 AND at_ms >= ?2 ORDER BY at_ms");
  if (!select) return select.error();
  select->bind(1, client);
  select->bind(2, since_ms);
  std::vector<std::int64_t> times;
  for (int rc = select->step();; rc = select->step()) {
    if (rc == SQLITE_DONE) return times;
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), "reading failed sign-ins");
    times.push_back(select->integer(0));
  }
}

Status Database::forget_signin_failures(std::int64_t before_ms) const {
  auto remove = Statement::prepare(db_.get(), "DELETE FROM signin_failures WHERE at_ms < ?1");
  if (!remove) return remove.error();
  remove->bind(1, before_ms);
  if (auto done = change(db_.get(), *remove, "forgetting failed sign-ins"); !done)
    return done.error();
  return Ok{};
}

Status Database::set_avatar(std::int64_t user_id, std::string_view media_type,
                            std::string_view bytes) const {
  auto update =
      Statement::prepare(db_.get(), "UPDATE users SET avatar = ?2, avatar_type = ?3 WHERE id = ?1");
  if (!update) return update.error();
  update->bind(1, user_id);
  update->bind_blob(2, bytes);
  update->bind(3, media_type);
  if (auto done = change(db_.get(), *update, "storing an avatar"); !done) return done.error();
  return Ok{};
}

Result<std::optional<std::pair<std::string, std::string>>> Database::avatar(
    std::int64_t user_id) const {
  using Found = std::optional<std::pair<std::string, std::string>>;
  auto select = Statement::prepare(
      db_.get(), "SELECT avatar_type, avatar FROM users WHERE id = ?1 AND avatar IS NOT NULL");
  if (!select) return select.error();
  select->bind(1, user_id);
  const int rc = select->step();
  if (rc == SQLITE_DONE) return Found{};
  if (rc != SQLITE_ROW) return sqlite_error(db_.get(), "reading an avatar");
  return Found(std::pair{select->text(0), select->text(1)});
}

}  // namespace miniweb::shop
