// Sign-up, sign-in, sign-out, the account and its avatar (see shop/routes.hpp).

#include <chrono>

#include "shop/exchange.hpp"
#include "shop/page_parts.hpp"
#include "shop/passwords.hpp"
#include "shop/signin_limit.hpp"
#include "shop/visitor.hpp"

namespace miniweb::shop {

namespace {

constexpr std::size_t kMinPassword = 8;
constexpr std::size_t kMaxPassword = 128;

// 3 to 32 of [A-Za-z0-9._-]: a name that shows the same everywhere and needs no escaping.
bool valid_username(std::string_view name) {
  if (name.size() < 3 || name.size() > 32) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return false;
  return true;
}

struct Credentials {
  std::string username;
  std::string password;
  std::vector<FieldProblem> problems;
};

Credentials credentials(const Form& form, AccountForm which) {
  Credentials given;
  const std::string* username = form.text("username");
  const std::string* password = form.text("password");
  if (username) given.username = *username;
  if (password) given.password = *password;
  if (!username || username->empty())
    given.problems.push_back({"username", "is required"});
  else if (which == AccountForm::SignUp && !valid_username(*username))
    given.problems.push_back({"username", "must be 3 to 32 letters, digits, '.', '-' or '_'"});
  if (!password || password->empty())
    given.problems.push_back({"password", "is required"});
  else if (which == AccountForm::SignUp &&
           (password->size() < kMinPassword || password->size() > kMaxPassword))
    given.problems.push_back({"password", "must be 8 to 128 bytes long"});
  return given;
}

// The form again, with what was wrong, under `status`.
http::Response form_again(Exchange& exchange, int status, AccountForm which,
                          std::string_view username, std::string_view why,
                          const std::vector<FieldProblem>& problems) {
  if (exchange.json && status != 200) return error(exchange, status, why, problems);
  const Chrome page = chrome(exchange, true);
  if (exchange.json)  // what a script needs to fill the form in
    return reply(exchange, 200,
                 dump({{"instance", exchange.settings.instance},
                       {"form",
                        {{"action", which == AccountForm::SignIn ? "/signin" : "/signup"},
                         {"method", "POST"},
                         {"fields", {"csrf", "username", "password"}},
                         {"csrf", page.csrf}}}}));
  return reply(exchange, status, account_form_html(page, which, username, problems));
}

http::Response signed_in(Exchange& exchange, std::int64_t user_id, int json_status) {
  auto session = start_session(exchange, user_id);
  if (!session) return database_failed(exchange, session.error());
  if (!exchange.json) return see_other(exchange, "/account");
  auto user = exchange.database.user(user_id);
  if (!user) return database_failed(exchange, user.error());
  if (!*user) return error(exchange, 500, "the new user is gone");
  http::Response response =
      reply(exchange, json_status, account_json(exchange.settings.instance, **user));
  if (json_status == 201) response.headers.set("Location", "/account");
  return response;
}

// A hash to verify against when there is no such user, so that a wrong name takes as long as a
// wrong password (no telling which names exist by the time taken).
const std::string& stand_in_hash() {
  static const std::string hash = hash_password("no such user").value();
  return hash;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> image_type(std::string_view bytes) {
  if (bytes.starts_with("\x89PNG\r\n\x1a\n")) return "image/png";
  if (bytes.starts_with("\xff\xd8\xff")) return "image/jpeg";
  if (bytes.starts_with("GIF87a") || bytes.starts_with("GIF89a")) return "image/gif";
  return std::nullopt;
}

}  // namespace

http::Response signup_form(Exchange& exchange) {
  return form_again(exchange, 200, AccountForm::SignUp, "", "", {});
}

http::Response signup(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  Credentials given = credentials(std::get<Form>(checked), AccountForm::SignUp);
  if (!given.problems.empty())
    return form_again(exchange, 422, AccountForm::SignUp, given.username,
                      "The form has fields missing or invalid.", given.problems);
  auto hash = hash_password(given.password);
  if (!hash) return error(exchange, 500, hash.error().message);
  auto created = exchange.database.create_user(given.username, *hash);
  if (!created) return database_failed(exchange, created.error());
  if (!*created)
    return form_again(exchange, 409, AccountForm::SignUp, given.username,
                      "The username " + given.username + " is taken.",
                      {{"username", "is taken: choose another"}});
  return signed_in(exchange, **created, 201);
}

http::Response signin_form(Exchange& exchange) {
  return form_again(exchange, 200, AccountForm::SignIn, "", "", {});
}

http::Response signin(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  Credentials given = credentials(std::get<Form>(checked), AccountForm::SignIn);
  if (!given.problems.empty())
    return form_again(exchange, 422, AccountForm::SignIn, given.username,
                      "The form has fields missing.", given.problems);
  const Database& database = exchange.database;
  const SigninLimit& limit = exchange.settings.signin_limit;
  const std::int64_t now = now_ms();
  auto wait = signin_retry_after(database, exchange.client, now, limit);
  if (!wait) return database_failed(exchange, wait.error());
  if (*wait) {
    http::Response refused = error(exchange, 429,
                                   "Too many failed sign-ins from " + exchange.client +
                                       ": try again in " + std::to_string(**wait) + " s.");
    refused.headers.set("Retry-After", std::to_string(**wait));
    return refused;
  }
  auto user = database.user_by_name(given.username);
  if (!user) return database_failed(exchange, user.error());
  const bool right =
      verify_password(given.password, *user ? (*user)->password_hash : stand_in_hash()) &&
      user->has_value();
  if (!right) {
    if (auto noted = note_signin_failure(database, exchange.client, now, limit); !noted)
      return database_failed(exchange, noted.error());
    return form_again(exchange, 401, AccountForm::SignIn, given.username,
                      "Wrong username or password.", {{"password", "wrong username or password"}});
  }
  return signed_in(exchange, (*user)->id, 200);
}

http::Response signout(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  if (exchange.session) {
    if (auto ended = exchange.database.delete_session(exchange.session->id); !ended)
      return database_failed(exchange, ended.error());
    exchange.session.reset();
  }
  exchange.set_cookies.push_back(set_cookie(kSessionCookie, "", 0));
  if (exchange.json)
    return reply(exchange, 200,
                 dump({{"instance", exchange.settings.instance}, {"signed_in", false}}));
  return see_other(exchange, "/");
}

http::Response account(Exchange& exchange) {
  if (!exchange.signed_in()) return not_signed_in(exchange, "see your account");
  auto user = exchange.database.user(*exchange.session->user_id);
  if (!user) return database_failed(exchange, user.error());
  if (!*user) return not_signed_in(exchange, "see your account");
  if (exchange.json) return reply(exchange, 200, account_json(exchange.settings.instance, **user));
  return reply(exchange, 200, account_html(chrome(exchange, true), **user));
}

http::Response upload_avatar(Exchange& exchange) {
  auto checked = checked_form(exchange);
  if (auto* refused = std::get_if<http::Response>(&checked)) return std::move(*refused);
  if (!exchange.signed_in()) return not_signed_in(exchange, "upload an avatar");
  const FormField* file = std::get<Form>(checked).field("avatar");
  if (!file || !file->filename || file->value.empty())
    return error(exchange, 422, "Choose an image to upload.",
                 {{"avatar", "is required: a PNG, JPEG or GIF file"}});
  const std::optional<std::string> type = image_type(file->value);
  if (!type)
    return error(exchange, 422, "The avatar is not an image this shop takes.",
                 {{"avatar", "is not a PNG, JPEG or GIF image"}});
  const std::int64_t user_id = *exchange.session->user_id;
  if (auto stored = exchange.database.set_avatar(user_id, *type, file->value); !stored)
    return database_failed(exchange, stored.error());
  if (!exchange.json) return see_other(exchange, "/account");
  auto user = exchange.database.user(user_id);
  if (!user || !*user) return error(exchange, 500, "the user is gone");
  return reply(exchange, 200, account_json(exchange.settings.instance, **user));
}

http::Response avatar(Exchange& exchange, std::int64_t user_id) {
  auto found = exchange.database.avatar(user_id);
  if (!found) return database_failed(exchange, found.error());
  if (!*found) return error(exchange, 404, "That user has no avatar.");
  http::Response response;
  response.headers.set("Content-Type", (*found)->first);
  // Served as the image it was checked to be, never sniffed as something else.
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Content-Security-Policy", "default-src 'none'");
  response.body = std::move((*found)->second);
  return response;
}

}  // namespace miniweb::shop
