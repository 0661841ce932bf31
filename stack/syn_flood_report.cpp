#include "stack/syn_flood_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

namespace miniweb::stack {
namespace {

constexpr unsigned kMostTimelineLines = 20;
constexpr unsigned kBarWidth = 32;

// The counters that tell the SYN queue's story, in the order printed.
const char* const kCounters[] = {
    "TcpExt.SyncookiesSent",  "TcpExt.SyncookiesRecv", "TcpExt.SyncookiesFailed",
    "TcpExt.ListenOverflows", "TcpExt.ListenDrops",    "TcpExt.TCPReqQFullDoCookies",
    "TcpExt.TCPReqQFullDrop", "Tcp.OutRsts",
};

std::string format(const char* pattern, auto... values) {
  char text[256];
  std::snprintf(text, sizeof text, pattern, values...);
  return text;
}

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string signed_text(std::int64_t value) {
  return (value >= 0 ? "+" : "") + std::to_string(value);
}

std::uint64_t counter(const KernelCounters& counters, const std::string& name) {
  auto found = counters.find(name);
  return found == counters.end() ? 0 : found->second;
}

unsigned peak_of(std::span<const QueueSample> samples) {
  unsigned peak = 0;
  for (const auto& sample : samples) peak = std::max(peak, sample.syn_queue);
  return peak;
}

// What the server's side of the connection kept of the client's SYN options.
std::string kept_options(const ClientOutcome& client) {
  std::string text;
  if (client.server_timestamps) text += ", timestamps";
  if (client.server_sack) text += ", SACK";
  if (client.server_send_scale) text += ", wscale " + std::to_string(*client.server_send_scale);
  return text;
}

std::string client_lines(const ClientOutcome& client, std::span<const CapturedSegment> segments,
                         std::uint16_t port) {
  const std::string indent = "\n" + std::string(18, ' ');
  const ClientTally tally = tally_client(segments, port, client.port);
  auto change = [&](const char* name) {
    return signed_text(counter_change(client.before, client.after, name));
  };
  if (!client.connected)
    return format("a real client: no connection after %.0f ms (%s)", client.connect_ms,
                  client.failure.c_str()) +
           indent + "meanwhile " + std::to_string(tally.syns) + " SYNs from it and " +
           std::to_string(tally.synacks) + " SYN-ACKs to it captured, TCPReqQFullDrop " +
           change("TcpExt.TCPReqQFullDrop") + ", ListenDrops " + change("TcpExt.ListenDrops");
  const bool cookie = counter_change(client.before, client.after, "TcpExt.SyncookiesRecv") > 0;
  return format("a real client: connected in %.2f ms, %zu/%zu bytes echoed", client.connect_ms,
                client.echoed, client.sent) +
         indent + "during its handshake SyncookiesSent " + change("TcpExt.SyncookiesSent") +
         ", SyncookiesRecv " + change("TcpExt.SyncookiesRecv") + ": " +
         (cookie ? "it came in with a SYN cookie" : "no SYN cookie") + indent +
         "its SYN offered MSS " + std::to_string(tally.syn_mss) + "; the server kept MSS " +
         std::to_string(client.server_mss) + kept_options(client) + " (TCP_INFO)";
}

}  // namespace

bool in_spoofed_network(Address address) {
  return (address >> (32 - kSpoofedPrefix)) == (kSpoofedNetwork >> (32 - kSpoofedPrefix));
}

RunTally tally_run(std::span<const CapturedSegment> segments, std::uint16_t port) {
  RunTally tally;
  std::map<Address, unsigned> synacks;
  for (const auto& captured : segments) {
    const TcpSegment& s = captured.segment;
    const bool to_listener = s.destination_port == port;
    const bool from_listener = s.source_port == port;
    if (!to_listener && !from_listener) continue;
    if (s.rst()) {
      ++tally.rsts;
      if (from_listener && in_spoofed_network(s.destination)) ++tally.rsts_to_spoofed;
    }
    if (to_listener && s.syn_only() && in_spoofed_network(s.source)) ++tally.spoofed_syns;
    if (from_listener && s.syn_ack() && in_spoofed_network(s.destination)) {
      ++tally.synacks_to_spoofed;
      ++synacks[s.destination];
    }
  }
  tally.spoofed_answered = static_cast<unsigned>(synacks.size());
  for (const auto& [address, count] : synacks)
    if (count > 1) ++tally.spoofed_answered_again;
  return tally;
}

ClientTally tally_client(std::span<const CapturedSegment> segments, std::uint16_t port,
                         std::uint16_t client_port) {
  ClientTally tally;
  for (const auto& captured : segments) {
    const TcpSegment& s = captured.segment;
    if (s.source_port == client_port && s.destination_port == port && s.syn_only()) {
      if (tally.syns++ == 0) tally.syn_mss = s.mss;
    }
    if (s.source_port == port && s.destination_port == client_port && s.syn_ack()) ++tally.synacks;
  }
  return tally;
}

std::vector<QueueSample> timeline_samples(std::span<const QueueSample> samples, unsigned limit) {
  std::vector<QueueSample> chosen;
  if (samples.empty()) return chosen;
  const unsigned peak = peak_of(samples);
  for (unsigned step = std::max(1U, limit / 8);; step *= 2) {
    chosen.assign(1, samples.front());
    bool peak_shown = samples.front().syn_queue == peak;
    for (const auto& sample : samples.subspan(1)) {
      const unsigned last = chosen.back().syn_queue;
      if (sample.syn_queue == last) continue;
      const unsigned change =
          sample.syn_queue > last ? sample.syn_queue - last : last - sample.syn_queue;
      const bool first_peak = sample.syn_queue == peak && !peak_shown;
      if (change >= step || sample.syn_queue == 0 || first_peak) {
        chosen.push_back(sample);
        peak_shown = peak_shown || first_peak;
      }
    }
    if (chosen.back().at != samples.back().at) chosen.push_back(samples.back());
    if (chosen.size() <= kMostTimelineLines) return chosen;
  }
}

std::string format_run(const FloodRun& run, std::span<const CapturedSegment> segments,
                       unsigned sample_ms) {
  std::ostringstream out;
  out << "tcp_syncookies=" << (run.cookies ? 1 : 0) << ": listener " << address_text(run.server)
      << ":" << run.port << ", listen() backlog " << run.backlog << ", its limit by sock_diag "
      << run.backlog_limit << "\n";
  out << "      t ms  SYN queue (request sockets in SYN_RECV, read by sock_diag every " << sample_ms
      << " ms: " << run.samples.size() << " readings)\n";

  // One timeline: the queue's readings and this program's own steps, by time.
  std::multimap<Clock::time_point, std::string> lines;
  const unsigned peak = peak_of(run.samples);
  const unsigned scale = std::max({peak, run.backlog_limit, 1U});
  bool peak_marked = false;
  for (const auto& sample : timeline_samples(run.samples, run.backlog_limit)) {
    std::string bar(sample.syn_queue * kBarWidth / scale, '#');
    const bool mark = sample.syn_queue == peak && peak > 0 && !peak_marked;
    peak_marked = peak_marked || mark;
    lines.emplace(sample.at, format("%6u  ", sample.syn_queue) + bar + (mark ? "  (peak)" : ""));
  }
  auto client_event = [&](const ClientOutcome& client) {
    lines.emplace(client.at,
                  format("%6u  ", client.syn_queue) + client_lines(client, segments, run.port));
  };
  if (run.client_before) client_event(*run.client_before);
  lines.emplace(run.burst.at, "        " + std::to_string(run.burst.sent) +
                                  " SYNs sent by raw socket from " + address_text(run.burst.first) +
                                  "-" + address_text(run.burst.last) +
                                  format(", in %.1f ms", run.burst.sending_ms));
  client_event(run.client_during);
  for (const auto& [at, line] : lines) {
    const std::string text = format("%10.1f", ms_between(run.start, at)) + line;
    out << text.substr(0, text.find_last_not_of(' ') + 1) << "\n";
  }

  out << "  counters of the namespace        before     after    change\n";
  for (const char* name : kCounters)
    out << format("    %-28s %9llu %9llu %9s\n", name,
                  static_cast<unsigned long long>(counter(run.before, name)),
                  static_cast<unsigned long long>(counter(run.after, name)),
                  signed_text(counter_change(run.before, run.after, name)).c_str());

  const RunTally tally = tally_run(segments, run.port);
  out << "  captured (libpcap on any, segments to and from port " << run.port << ")\n";
  out << format("    SYNs from 198.18.0.0/15        %6u (%u sent)\n", tally.spoofed_syns,
                run.burst.sent);
  out << format(
      "    SYN-ACKs to 198.18.0.0/15      %6u to %u addresses, %u of them more than once\n",
      tally.synacks_to_spoofed, tally.spoofed_answered, tally.spoofed_answered_again);
  out << format("    RSTs                           %6u (to 198.18.0.0/15: %u)\n", tally.rsts,
                tally.rsts_to_spoofed);
  return out.str();
}

std::string format_verdict(std::span<const FloodRun> runs,
                           std::span<const CapturedSegment> segments) {
  std::ostringstream out;
  out << "Verdict\n";
  std::int64_t cookies_sent = 0;
  std::int64_t out_rsts = 0;
  unsigned rsts_to_spoofed = 0;
  for (const FloodRun& run : runs) {
    const unsigned peak = peak_of(run.samples);
    out << "  tcp_syncookies=" << (run.cookies ? 1 : 0) << ": queue reached its limit: "
        << (peak >= run.backlog_limit && run.backlog_limit > 0 ? "yes" : "no") << " (peak " << peak
        << ", limit " << run.backlog_limit << ")\n";
    const ClientOutcome& client = run.client_during;
    out << "  tcp_syncookies=" << (run.cookies ? 1 : 0) << ": real client during the flood: ";
    if (client.connected) {
      const bool cookie = counter_change(client.before, client.after, "TcpExt.SyncookiesRecv") > 0;
      out << format("connected in %.2f ms, ", client.connect_ms)
          << (cookie ? "with a SYN cookie" : "without a SYN cookie") << "\n";
    } else {
      out << format("not connected in %.0f ms, ", client.connect_ms)
          << tally_client(segments, run.port, client.port).syns << " SYNs sent, TCPReqQFullDrop "
          << signed_text(counter_change(client.before, client.after, "TcpExt.TCPReqQFullDrop"))
          << "\n";
    }
    cookies_sent += counter_change(run.before, run.after, "TcpExt.SyncookiesSent");
    out_rsts += counter_change(run.before, run.after, "Tcp.OutRsts");
    rsts_to_spoofed += tally_run(segments, run.port).rsts_to_spoofed;
  }
  out << "  SYN cookies sent: " << cookies_sent << "\n";
  out << "  RSTs to the spoofed sources: " << rsts_to_spoofed << " captured; Tcp.OutRsts "
      << signed_text(out_rsts) << "\n";
  return out.str();
}

}  // namespace miniweb::stack
