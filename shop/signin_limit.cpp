#include "shop/signin_limit.hpp"

#include <algorithm>

namespace miniweb::shop {

Result<std::optional<std::int64_t>> signin_retry_after(const Database& database,
                                                       std::string_view client, std::int64_t now_ms,
                                                       const SigninLimit& limit) {
  auto failures = database.signin_failures(client, now_ms - limit.window_ms + 1);
  if (!failures) return failures.error();
  if (failures->size() < limit.max_failures) return std::optional<std::int64_t>{};
  // The failure whose leaving brings the count under the limit.
  const std::int64_t leaves_at =
      (*failures)[failures->size() - limit.max_failures] + limit.window_ms;
  const std::int64_t wait_ms = std::max<std::int64_t>(leaves_at - now_ms, 1);
  return std::optional<std::int64_t>((wait_ms + 999) / 1000);
}

Status note_signin_failure(const Database& database, std::string_view client, std::int64_t now_ms,
                           const SigninLimit& limit) {
  if (auto recorded = database.record_signin_failure(client, now_ms); !recorded) return recorded;
  return database.forget_signin_failures(now_ms - limit.window_ms);
}

}  // namespace miniweb::shop
