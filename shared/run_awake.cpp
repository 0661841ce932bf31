#include "shared/run_awake.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace miniweb {

void run_awake(asio::io_context& io, std::chrono::nanoseconds at_most,
               const std::function<bool()>& may_wait_awake) {
  for (;;) {
    // Awake: each look is one epoll_wait that does not wait (poll()), a microsecond or so.
    const auto until = std::chrono::steady_clock::now() + at_most;
    std::size_t ran = 0;
    while (may_wait_awake()) {
      ran = io.poll();
      if (io.stopped()) return;  // out of work, or stopped
      if (ran > 0 || std::chrono::steady_clock::now() >= until) break;
#if defined(__x86_64__) || defined(__i386__)
      for (int i = 0; i < 8; ++i) _mm_pause();  // a wait, for the CPU and its sibling
#endif
    }
    if (ran > 0) continue;  // what ran may have more to do at once: awake again
    // Asleep until the next event.
    if (io.run_one() == 0) return;
  }
}

}  // namespace miniweb
