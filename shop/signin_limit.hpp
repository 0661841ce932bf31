#pragma once
// The sign-in rate limit: failed sign-ins are counted per client (shop/visitor's
// client_address) in the database, so every instance sees the same count; past the limit in
// the window, the client waits (429 with Retry-After) until the oldest failure leaves it.
// Times are parameters, so that tests drive them.

#include <cstdint>
#include <optional>
#include <string_view>

#include "shared/result.hpp"
#include "shop/database.hpp"
#include "shop/settings.hpp"

namespace miniweb::shop {

// Seconds the client must wait before trying again; nullopt when it may try now.
Result<std::optional<std::int64_t>> signin_retry_after(const Database& database,
                                                       std::string_view client, std::int64_t now_ms,
                                                       const SigninLimit& limit);
// Counts a failure, and forgets every failure older than the window.
Status note_signin_failure(const Database& database, std::string_view client, std::int64_t now_ms,
                           const SigninLimit& limit);

}  // namespace miniweb::shop
