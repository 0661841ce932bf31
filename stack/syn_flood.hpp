#pragma once
// miniweb-stack synflood: a SYN flood on a listening socket, in a network namespace of this
// program's own, measured: the listener's SYN queue by sock_diag, the namespace's TcpExt
// counters, every TCP segment by libpcap, and a real client's connect during the flood. With
// tcp_syncookies=1 the client gets in with a SYN cookie; with 0, its SYNs are dropped.

#include <filesystem>
#include <ostream>

#include "shared/result.hpp"

namespace miniweb::stack {

enum class CookieRuns { Both, On, Off };

struct SynFloodSettings {
  unsigned spoofed = 300;        // SYNs in the burst, each from its own address
  unsigned backlog = 32;         // listen()'s, and the namespace's somaxconn
  unsigned max_syn_backlog = 0;  // tcp_max_syn_backlog; 0: four times the backlog
  unsigned synack_retries = 1;   // tcp_synack_retries: how long the queue stays full
  CookieRuns cookies = CookieRuns::Both;
  double watch_seconds = 4;  // the SYN queue watched at most this long after the burst
  double client_timeout_seconds = 1.5;
  unsigned sample_ms = 5;              // between two readings of the SYN queue
  std::filesystem::path pcap;          // this program's capture, as pcap
  std::filesystem::path tcpdump_pcap;  // tcpdump's, for a check apart from this program
};

// Checks the settings' ranges; the message names the option.
Status check_syn_flood_settings(const SynFloodSettings& settings);

// Runs the experiment and writes its report to `out`. Must be called while the process has one
// thread: it moves the process into a network namespace of its own first.
Status run_syn_flood(const SynFloodSettings& settings, std::ostream& out);

}  // namespace miniweb::stack
