#pragma once
// What one run of the SYN flood experiment measured, and the report made from it. Every number
// the report prints comes from these values: readings of sock_diag and of the namespace's
// counters, timestamps of this program's own calls, and the captured segments.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "stack/kernel_counters.hpp"
#include "stack/segment_capture.hpp"

namespace miniweb::stack {

using Clock = std::chrono::system_clock;

// The network the spoofed SYNs come from: 198.18.0.0/15, set aside for benchmarks (RFC 2544).
inline constexpr Address kSpoofedNetwork = 0xc6120000;
inline constexpr unsigned kSpoofedPrefix = 15;
bool in_spoofed_network(Address address);

struct QueueSample {
  Clock::time_point at;
  unsigned syn_queue = 0;
  unsigned accept_queue = 0;
};

// A real client: connect(), a few bytes sent and echoed back, closed.
struct ClientOutcome {
  Clock::time_point at;    // connect() called
  unsigned syn_queue = 0;  // read by sock_diag just before
  bool connected = false;
  std::string failure;    // why not
  double connect_ms = 0;  // connect() to writable, or to giving up
  std::size_t sent = 0;
  std::size_t echoed = 0;
  std::uint16_t port = 0;   // the client's own port
  unsigned server_mss = 0;  // TCP_INFO of the server's accepted socket: tcpi_snd_mss
  bool server_timestamps = false;
  bool server_sack = false;
  std::optional<unsigned> server_send_scale;  // the client's window scale, as the server kept it
  KernelCounters before, after;               // around its handshake
};

struct BurstOutcome {
  Clock::time_point at;
  double sending_ms = 0;
  unsigned sent = 0;
  Address first = 0;
  Address last = 0;
};

struct FloodRun {
  bool cookies = true;
  Address server = 0;
  std::uint16_t port = 0;
  unsigned backlog = 0;        // asked of listen()
  unsigned backlog_limit = 0;  // as sock_diag reports it
  Clock::time_point start;
  std::optional<ClientOutcome> client_before;
  BurstOutcome burst;
  ClientOutcome client_during;
  std::vector<QueueSample> samples;
  KernelCounters before, after;
};

// The segments of one run (those to or from its listener's port), counted.
struct RunTally {
  unsigned spoofed_syns = 0;
  unsigned synacks_to_spoofed = 0;
  unsigned spoofed_answered = 0;        // addresses that got a SYN-ACK
  unsigned spoofed_answered_again = 0;  // addresses that got more than one
  unsigned rsts = 0;                    // any RST, either way
  unsigned rsts_to_spoofed = 0;
};
struct ClientTally {
  unsigned syns = 0;
  unsigned synacks = 0;
  unsigned syn_mss = 0;  // the MSS option of its first SYN
};
RunTally tally_run(std::span<const CapturedSegment> segments, std::uint16_t port);
ClientTally tally_client(std::span<const CapturedSegment> segments, std::uint16_t port,
                         std::uint16_t client_port);

// The queue's timeline: the samples where its length changed by a step worth a line, the peak,
// and the last.
std::vector<QueueSample> timeline_samples(std::span<const QueueSample> samples, unsigned limit);

std::string format_run(const FloodRun& run, std::span<const CapturedSegment> segments,
                       unsigned sample_ms);
// The lines that answer the experiment's questions, from the same runs.
std::string format_verdict(std::span<const FloodRun> runs,
                           std::span<const CapturedSegment> segments);

}  // namespace miniweb::stack
