#include "stack/link_scheduler.hpp"

#include <algorithm>

namespace miniweb::stack {

LinkScheduler::LinkScheduler(std::size_t capacity, std::uint64_t seed)
    : capacity_(capacity), random_(seed) {}

Fate LinkScheduler::admit(std::uint32_t packet, std::size_t bytes, LinkKey link,
                          const LinkConditions& conditions, LinkClock::time_point now) {
  if (conditions.loss > 0 && std::bernoulli_distribution(conditions.loss)(random_)) {
    ++dropped_;
    return Fate::Dropped;
  }
  LinkClock::time_point sent = now;
  if (conditions.rate_bits_per_second > 0) {
    // Serialisation: the packet leaves after those before it on the same link.
    auto& free_at = link_free_[link];
    const auto on_the_wire =
        std::chrono::nanoseconds(static_cast<std::int64_t>(bytes) * 8 * 1'000'000'000 /
                                 static_cast<std::int64_t>(conditions.rate_bits_per_second));
    sent = std::max(now, free_at) + on_the_wire;
    free_at = sent;
  }
  auto delay = std::chrono::duration_cast<LinkClock::duration>(conditions.delay);
  if (conditions.jitter.count() > 0) {
    std::uniform_int_distribution<std::int64_t> draw(-conditions.jitter.count(),
                                                     conditions.jitter.count());
    delay += std::chrono::microseconds(draw(random_));
    delay = std::max(delay, LinkClock::duration::zero());
  }
  const LinkClock::time_point release = sent + delay;
  if (release <= now) return Fate::PassNow;
  if (queue_.size() >= capacity_) {
    ++overflowed_;
    return Fate::Overflow;
  }
  queue_.push({release, arrivals_++, packet});
  return Fate::Held;
}

void LinkScheduler::release_due(LinkClock::time_point now, std::vector<std::uint32_t>& out) {
  while (!queue_.empty() && queue_.top().release <= now) {
    out.push_back(queue_.top().packet);
    queue_.pop();
  }
}

std::vector<std::uint32_t> LinkScheduler::release_all() {
  std::vector<std::uint32_t> out;
  release_due(LinkClock::time_point::max(), out);
  return out;
}

std::optional<LinkClock::time_point> LinkScheduler::next_release() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.top().release;
}

}  // namespace miniweb::stack
