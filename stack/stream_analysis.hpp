#pragma once
// The arithmetic of the stream experiment: from when each frame was delivered to the receiving
// program, which frames are missing, out of order or late for their playout, where delivery
// stalled and how many frames came at once after it. Plain values in, plain values out.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace miniweb::stack {

// What was sent: frame N left the sender N/fps after the start and is due at the receiver one
// link's delay later; it is late when it comes more than `deadline_us` after that (the
// player's buffer).
struct StreamPlan {
  std::uint32_t frames = 0;
  int fps = 30;
  std::size_t frame_bytes = 1200;
  std::int64_t one_way_us = 0;
  std::int64_t deadline_us = 0;

  std::int64_t send_us(std::uint32_t frame) const {
    return static_cast<std::int64_t>(frame) * 1000000 / fps;
  }
  std::int64_t due_us(std::uint32_t frame) const { return send_us(frame) + one_way_us; }
};

// One frame handed to the receiving program, in the order they were handed over.
struct Arrival {
  std::uint32_t sequence = 0;
  std::int64_t at_us = 0;  // since the start
};

// Frames delivered within this long of one another came at once (frames are 8 ms apart or
// more at 120 frames a second).
inline constexpr std::int64_t kBurstUs = 2000;

// A run of consecutive frames that all came past their deadline: the picture froze from the
// first one's playout time until the last one came.
struct Stall {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  std::int64_t length_us = 0;
  std::int64_t first_arrival_us = 0;
  std::uint32_t burst = 0;  // frames delivered within kBurstUs of the first one, itself included
};

// The longest time the receiving program waited between two deliveries.
struct Wait {
  std::int64_t gap_us = 0;
  std::uint32_t before = 0;  // the frame delivered before the wait
  std::uint32_t after = 0;   // the frame that ended it
  std::int64_t ended_us = 0;
  std::uint32_t burst = 0;  // frames delivered within kBurstUs of the end, `after` included
};

enum class Mark : char { OnTime = '.', Late = 'L', Missing = 'x' };

struct FlowAnalysis {
  std::uint32_t sent = 0;
  std::uint32_t arrived = 0;       // distinct frames
  std::uint32_t duplicates = 0;    // deliveries of a frame already delivered
  std::uint32_t out_of_order = 0;  // delivered after a frame with a higher number
  std::vector<std::uint32_t> missing;
  std::uint32_t late = 0;  // past their deadline
  // Lateness (delivery minus due time) of the frames that came, nearest-rank percentiles.
  std::int64_t p50_us = 0;
  std::int64_t p99_us = 0;
  std::int64_t max_us = 0;
  std::vector<Stall> stalls;
  std::optional<Wait> longest_wait;
  std::vector<Mark> marks;                              // one per frame sent
  std::vector<std::optional<std::int64_t>> arrival_us;  // first delivery of each frame
};

// `sent`: frames 0 to sent - 1 were sent (sent <= plan.frames).
FlowAnalysis analyze_flow(const StreamPlan& plan, std::uint32_t sent,
                          std::span<const Arrival> arrivals);

// The nearest-rank percentile (0 < fraction <= 1) of `values`, sorted in place; 0 if empty.
std::int64_t percentile(std::vector<std::int64_t>& values, double fraction);

const Stall* longest_stall(const FlowAnalysis& flow);

}  // namespace miniweb::stack
