#include "stack/stream_analysis.hpp"

#include <algorithm>
#include <cmath>

namespace miniweb::stack {
namespace {

std::uint32_t delivered_within(std::span<const Arrival> arrivals, std::size_t from,
                               std::int64_t window_us) {
  std::uint32_t count = 0;
  for (std::size_t i = from; i < arrivals.size(); ++i) {
    if (arrivals[i].at_us - arrivals[from].at_us > window_us) break;
    ++count;
  }
  return count;
}

std::size_t delivery_index(std::span<const Arrival> arrivals, std::uint32_t frame) {
  for (std::size_t i = 0; i < arrivals.size(); ++i)
    if (arrivals[i].sequence == frame) return i;
  return arrivals.size();
}

}  // namespace

std::int64_t percentile(std::vector<std::int64_t>& values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  rank = std::clamp<std::size_t>(rank, 1, values.size());
  return values[rank - 1];
}

FlowAnalysis analyze_flow(const StreamPlan& plan, std::uint32_t sent,
                          std::span<const Arrival> arrivals) {
  FlowAnalysis flow;
  flow.sent = sent;
  flow.arrival_us.assign(sent, std::nullopt);
  bool any = false;
  std::uint32_t highest = 0;
  for (const Arrival& arrival : arrivals) {
    if (arrival.sequence >= sent) continue;  // not a frame of this run: the reader rejects them
    if (any && arrival.sequence < highest) ++flow.out_of_order;
    if (!any || arrival.sequence > highest) highest = arrival.sequence;
    any = true;
    auto& first = flow.arrival_us[arrival.sequence];
    if (first) {
      ++flow.duplicates;
      continue;
    }
    first = arrival.at_us;
    ++flow.arrived;
  }

  std::vector<std::int64_t> lateness;
  flow.marks.assign(sent, Mark::Missing);
  for (std::uint32_t frame = 0; frame < sent; ++frame) {
    const auto& at = flow.arrival_us[frame];
    if (!at) {
      flow.missing.push_back(frame);
      continue;
    }
    const std::int64_t late_by = *at - plan.due_us(frame);
    lateness.push_back(late_by);
    if (late_by > plan.deadline_us) {
      flow.marks[frame] = Mark::Late;
      ++flow.late;
    } else {
      flow.marks[frame] = Mark::OnTime;
    }
  }
  flow.max_us = lateness.empty() ? 0 : *std::max_element(lateness.begin(), lateness.end());
  flow.p99_us = percentile(lateness, 0.99);
  flow.p50_us = percentile(lateness, 0.50);

  for (std::uint32_t frame = 0; frame < sent;) {
    if (flow.marks[frame] != Mark::Late) {
      ++frame;
      continue;
    }
    Stall stall{frame, frame};
    std::int64_t last_arrival = *flow.arrival_us[frame];
    while (stall.last + 1 < sent && flow.marks[stall.last + 1] == Mark::Late) {
      ++stall.last;
      last_arrival = std::max(last_arrival, *flow.arrival_us[stall.last]);
    }
    stall.length_us = last_arrival - (plan.due_us(frame) + plan.deadline_us);
    stall.first_arrival_us = *flow.arrival_us[frame];
    stall.burst = delivered_within(arrivals, delivery_index(arrivals, frame), kBurstUs);
    flow.stalls.push_back(stall);
    frame = stall.last + 1;
  }

  for (std::size_t i = 1; i < arrivals.size(); ++i) {
    const std::int64_t gap = arrivals[i].at_us - arrivals[i - 1].at_us;
    if (flow.longest_wait && gap <= flow.longest_wait->gap_us) continue;
    flow.longest_wait = Wait{gap, arrivals[i - 1].sequence, arrivals[i].sequence, arrivals[i].at_us,
                             delivered_within(arrivals, i, kBurstUs)};
  }
  return flow;
}

const Stall* longest_stall(const FlowAnalysis& flow) {
  const Stall* longest = nullptr;
  for (const Stall& stall : flow.stalls)
    if (!longest || stall.length_us > longest->length_us) longest = &stall;
  return longest;
}

}  // namespace miniweb::stack
