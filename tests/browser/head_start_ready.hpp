#pragma once
// Waiting for a TLS head start's thread to make its context (and read the roots it was told of
// ahead), as a cold load's name takes longer to resolve: the load then does not wait for it.

#include <chrono>
#include <thread>

#include "browser/net/tls_context.hpp"

namespace miniweb::browser::test {

// Whether it was ready within 30 seconds (a sanitized build on a busy machine is slow).
inline bool wait_until_ready(ContextHeadStart& head_start) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!head_start.ready() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return head_start.ready();
}

}  // namespace miniweb::browser::test
