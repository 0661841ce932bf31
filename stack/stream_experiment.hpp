#pragma once
// miniweb-stack stream (issue 15): a live stream of numbered frames sent over UDP and over TCP
// side by side through a lossy link, in a network namespace of its own. UDP delivers on time
// with gaps; TCP delivers every frame but stalls while a lost segment is resent, holding back
// the frames behind it (head-of-line blocking). Everything reported is measured in the run.

#include <cstdint>
#include <filesystem>
#include <ostream>

#include "shared/result.hpp"
#include "stack/own_namespace.hpp"
#include "stack/stream_namespace.hpp"

namespace miniweb::stack {

struct StreamSettings {
  int fps = 30;
  double seconds = 5;
  int frame_bytes = 1200;
  int round_trip_ms = 40;   // each direction half of it
  int jitter_ms = 0;        // each direction, each packet
  double loss_percent = 5;  // each direction
  // The player's buffer: a frame later than due by more is late. A video call keeps tens of ms;
  // TCP's retransmission costs a round trip and the time to notice the loss.
  int deadline_ms = 50;
  int tcp_patience_ms = 5000;  // after the last frame, how long TCP may take to bring the rest
  std::uint16_t queue = 15;
  std::filesystem::path pcap;          // the experiment's capture, saved
  std::filesystem::path tcpdump_pcap;  // tcpdump's own capture of the same run
};

// A message for the first setting out of bounds.
Status check_stream_settings(const StreamSettings& settings);

// Sets the namespace up (lo, the NFQUEUE rule, the link emulator, tcpdump), runs the flows,
// tears down and writes the report to `out`. Run inside `network` (enter_own_network_namespace).
Status run_stream_experiment(const StreamSettings& settings, const OwnNamespace& network,
                             std::ostream& out);

}  // namespace miniweb::stack
