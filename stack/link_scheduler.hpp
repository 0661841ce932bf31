#pragma once
// When each packet held by the link emulator goes on: it is dropped with the link's loss, or
// waits for the link to be free at its rate, then for the link's delay and jitter. Verdicts
// come out in release order, which is not arrival order when jitter reorders packets (as it
// does on a real radio link). Memory is bounded: past `capacity` held packets, a packet goes
// on at once and is counted.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <vector>

#include "stack/links.hpp"

namespace miniweb::stack {

using LinkClock = std::chrono::steady_clock;

enum class Fate {
  Held,      // released later by release_due
  PassNow,   // no delay on this link: accept at once
  Dropped,   // lost on the link
  Overflow,  // the emulator holds `capacity` packets already: accept at once, counted
};

class LinkScheduler {
 public:
  LinkScheduler(std::size_t capacity, std::uint64_t seed);

  Fate admit(std::uint32_t packet, std::size_t bytes, LinkKey link,
             const LinkConditions& conditions, LinkClock::time_point now);

  // Appends the packets whose time has come, earliest first.
  void release_due(LinkClock::time_point now, std::vector<std::uint32_t>& out);
  // Every held packet, earliest first (the emulator stopping).
  std::vector<std::uint32_t> release_all();
  std::optional<LinkClock::time_point> next_release() const;

  std::size_t held() const { return queue_.size(); }
  std::uint64_t dropped() const { return dropped_; }
  std::uint64_t overflowed() const { return overflowed_; }

 private:
  struct Waiting {
    LinkClock::time_point release;
    std::uint64_t order;  // arrival: equal release times keep it
    std::uint32_t packet;
  };
  struct Later {
    bool operator()(const Waiting& a, const Waiting& b) const {
      return a.release != b.release ? a.release > b.release : a.order > b.order;
    }
  };

  std::size_t capacity_;
  std::mt19937_64 random_;
  std::priority_queue<Waiting, std::vector<Waiting>, Later> queue_;
  std::map<LinkKey, LinkClock::time_point> link_free_;  // rate-limited links: sending until
  std::uint64_t arrivals_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t overflowed_ = 0;
};

}  // namespace miniweb::stack
