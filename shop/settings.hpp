#pragma once
// What an instance of the shop is told at start: its name, whom it trusts to report clients,
// its limits, and the test hook.

#include <cstdint>
#include <string>
#include <vector>

#include "shared/cidr.hpp"
#include "shop/form.hpp"

namespace miniweb::shop {

// At most `max_failures` failed sign-ins per client within `window_ms`, then 429.
struct SigninLimit {
  std::size_t max_failures = 5;
  std::int64_t window_ms = 60'000;
};

struct ShopSettings {
  std::string instance;  // the name every page gives as the one that answered
  // The reverse proxies in front: from these peers only, X-Forwarded-For names the client (and
  // X-Forwarded-Proto the scheme); from anyone else the peer's own address counts.
  std::vector<Cidr> trusted_proxies;
  std::int64_t session_seconds = 14 * 24 * 3600;
  SigninLimit signin_limit;
  FormLimits form_limits;
  // MINIWEB_SHOP_PAUSE_IN_ORDER=1: the instance stops itself (SIGSTOP) between an order's
  // writes, inside the transaction, after saying so on standard error, so that a test can kill
  // it there.
  bool pause_in_order = false;
};

}  // namespace miniweb::shop
