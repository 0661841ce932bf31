#pragma once
// A load as it was observed, made into a ladder: one column per host, time flowing down, one
// row per captured packet of the load, each with what it carried (DNS, TLS, HTTP) and, for
// TCP, the state of each end after it, marked by who saw that state. Nothing is added that the
// capture, the kernel, OpenSSL or the browser's own network code did not report.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "browser/observe/recorder.hpp"
#include "browser/trace.hpp"

namespace miniweb::browser::observe {

struct LadderHost {
  std::string name;     // "browser", "resolver", "a.root-servers.test", "www.example.test"
  std::string address;  // "127.53.0.1"
};

struct LadderRow {
  std::int64_t time_us = 0;  // since the load's first packet
  std::size_t from = 0;      // columns (LadderHost indices)
  std::size_t to = 0;
  std::string text;                  // the packet: "SYN seq=... ack=0 win=65495 len=0 <...>"
  std::string states;                // TCP: "browser SYN_SENT (seen), server LISTEN (...)"
  std::vector<std::string> details;  // what it carried, a line each
  bool lost = false;                 // the link emulator dropped it: it never arrived
};

// A seed step with its duration as the packets (or, for parse and layout, the browser) timed it.
struct JourneyStep {
  std::string name;  // "resolution", "connection", "TLS", "request", "server", ...
  std::int64_t duration_us = 0;
  std::string how;  // "first question to last answer", ...
};

struct Journey {
  std::vector<LadderHost> hosts;
  std::vector<LadderRow> rows;
  std::vector<JourneyStep> steps;
  // What could not be observed or decoded, a line each: no permission to capture, frames
  // dropped past the bound, a packet or a TLS record the decoders did not understand.
  std::vector<std::string> notes;
  std::string capture_error;        // why nothing was captured, when nothing could be
  std::vector<std::size_t> frames;  // the captured frames of this load, for --pcap
  std::size_t captured = 0;         // frames captured in all
};

// `trace` gives the browser's own steps (parse, layout) for the summary.
Journey read_journey(const ObservedLoad& observed, const Trace& trace);

// The ladder as text lines: a header naming each column's host, then a row per packet, each
// detail and the state of each end under it, then the steps and the notes.
std::vector<std::string> draw_ladder(const Journey& journey);

}  // namespace miniweb::browser::observe
