#pragma once
// The stream experiment's report: UDP and TCP side by side, each figure measured in the run
// (a frame's delivery, a captured packet, the link emulator's drop log, tcp_info), and a
// timeline of every frame a person can read in a terminal, in under 40 lines.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "stack/stream_analysis.hpp"
#include "stack/stream_flows.hpp"
#include "stack/stream_wire.hpp"

namespace miniweb::stack {

// What the run was asked to do, for the report's head.
struct StreamConditions {
  int fps = 30;
  double seconds = 0;
  std::size_t frame_bytes = 0;
  int round_trip_ms = 0;
  int jitter_ms = 0;
  double loss_percent = 0;
  int deadline_ms = 0;
  std::uint16_t queue = 0;
  std::uint64_t namespace_inode = 0;
  StreamEnds ends;
};

// What it measured.
struct StreamMeasurements {
  StreamPlan plan;
  FlowAnalysis udp;
  FlowAnalysis tcp;
  std::uint32_t udp_rejected = 0;
  std::optional<WireSummary> wire;  // the capture's, if it ran
  std::string capture_problem;      // why not, or what it lost
  std::optional<DropCounts> drops;  // the drop log's
  std::optional<TcpInfoFigures> tcp_info;
  std::string tcpdump;  // tcpdump's own closing count ("480 packets captured"), when it ran
};

std::string stream_report(const StreamConditions& conditions, const StreamMeasurements& measured);

// One row per stretch of time, one mark per frame (or per few, the worst of them), UDP beside
// TCP: '.' on time, 'L' late, 'x' missing, 'R' late and resent (TCP, from the capture).
std::string stream_timeline(const StreamPlan& plan, const FlowAnalysis& udp,
                            const FlowAnalysis& tcp, const WireSummary* wire);

}  // namespace miniweb::stack
