// miniweb-stack: turns the demo internet's description (demo/topology.toml) into the files and
// the list of services the launcher brings up. `./miniweb up` runs it; it is rarely run by hand.
//
//   miniweb-stack plan --topology demo/topology.toml --state .state --net 127.53.0
//                      --dns-port 5300 --https-port 8443 --http-port 8080 --repo .
//   miniweb-stack check --topology demo/topology.toml
//   miniweb-stack links --topology demo/topology.toml --net 127.53.0 --network broadband
//                       --out .state/run/links.txt
//   miniweb-stack link --queue 13568 --links .state/run/links.txt --drops .state/logs/drops.log
//   miniweb-stack synflood [--spoofed 300] [--backlog 32] [--pcap FILE] [--tcpdump-pcap FILE]
//   miniweb-stack capture-search --pcap load.pcapng --text PASSWORD
//   miniweb-stack stream --seconds 5 --delay 40 --loss 5 --deadline 50 [--tcpdump-pcap FILE]

#include <CLI/CLI.hpp>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>

#include "shared/atomic_file.hpp"
#include "stack/capture_search.hpp"
#include "stack/link_emulator.hpp"
#include "stack/links.hpp"
#include "stack/plan.hpp"
#include "stack/stream_experiment.hpp"
#include "stack/syn_flood.hpp"
#include "stack/topology.hpp"

namespace {

std::string today_serial() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y%m%d01", &utc);
  return text;
}

// Each file written whole and renamed into place: a running server that reloads never reads
// half a file.
miniweb::Status write_file(const miniweb::stack::PlannedFile& file) {
  return miniweb::write_file_atomically(file.path, file.content, miniweb::kPublicFileMode);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "miniweb-stack: the demo internet's description, made into zones, configurations "
      "and services"};
  app.require_subcommand(1);
  std::filesystem::path topology_file;
  miniweb::stack::PlanSettings settings;
  settings.repo = std::filesystem::current_path();

  CLI::App* plan = app.add_subcommand(
      "plan", "write the zones, server configurations and plan.sh under --state");
  plan->add_option("--topology", topology_file, "the description")
      ->required()
      ->check(CLI::ExistingFile);
  plan->add_option("--state", settings.state, "where the stack keeps its files")->required();
  plan->add_option("--net", settings.net, "the first three octets of every address")
      ->capture_default_str();
  plan->add_option("--dns-port", settings.dns_port)->capture_default_str();
  plan->add_option("--https-port", settings.https_port)->capture_default_str();
  plan->add_option("--http-port", settings.http_port)->capture_default_str();
  plan->add_option("--repo", settings.repo, "paths in the description are relative to it")
      ->check(CLI::ExistingDirectory);

  CLI::App* check =
      app.add_subcommand("check", "read the description and report its first problem");
  check->add_option("--topology", topology_file, "the description")
      ->required()
      ->check(CLI::ExistingFile);

  std::string net = settings.net;
  std::string profile_name;
  std::filesystem::path links_out;
  CLI::App* links = app.add_subcommand(
      "links", "write the link table of a network profile, for the link emulator");
  links->add_option("--topology", topology_file, "the description")
      ->required()
      ->check(CLI::ExistingFile);
  links->add_option("--net", net, "the first three octets of every address")->capture_default_str();
  links->add_option("--network", profile_name, "loopback, lan, broadband, mobile or lossy")
      ->required();
  links->add_option("--out", links_out, "the table's file")->required();

  miniweb::stack::LinkEmulatorSettings emulator;
  CLI::App* link = app.add_subcommand(
      "link", "the link emulator: delay and drop the packets of an NFQUEUE by the link table");
  link->add_option("--queue", emulator.queue, "the NFQUEUE number")->required();
  link->add_option("--links", emulator.links, "the link table (miniweb-stack links)")
      ->required()
      ->check(CLI::ExistingFile);
  link->add_option("--drops", emulator.drops, "one line per dropped packet")->required();
  link->add_option("--ready", emulator.ready, "written once the queue is bound");
  link->add_option("--capacity", emulator.capacity, "packets held at most")->capture_default_str();

  miniweb::stack::SynFloodSettings flood;
  std::string cookies = "both";
  CLI::App* synflood = app.add_subcommand(
      "synflood",
      "a SYN flood on a listener in a network namespace of its own: the SYN queue, SYN "
      "cookies and a real client's connect, measured");
  synflood->add_option("--spoofed", flood.spoofed, "SYNs in the burst, each from its own address")
      ->capture_default_str();
  synflood->add_option("--backlog", flood.backlog, "listen()'s backlog: the SYN queue's limit")
      ->capture_default_str();
  synflood
      ->add_option("--max-syn-backlog", flood.max_syn_backlog,
                   "tcp_max_syn_backlog (0: four times the backlog)")
      ->capture_default_str();
  synflood
      ->add_option("--synack-retries", flood.synack_retries,
                   "tcp_synack_retries: SYN-ACKs retransmitted before a request is dropped")
      ->capture_default_str();
  synflood->add_option("--syncookies", cookies, "tcp_syncookies of the runs: 1, 0 or both")
      ->check(CLI::IsMember({"1", "0", "both"}))
      ->capture_default_str();
  synflood
      ->add_option("--watch", flood.watch_seconds,
                   "seconds to watch the queue empty after the burst, at most")
      ->capture_default_str();
  synflood
      ->add_option("--client-timeout", flood.client_timeout_seconds,
                   "seconds the real client waits for its connect()")
      ->capture_default_str();
  synflood->add_option("--sample-ms", flood.sample_ms, "milliseconds between readings of the queue")
      ->capture_default_str();
  synflood->add_option("--pcap", flood.pcap, "this program's capture, written as pcap");
  synflood->add_option("--tcpdump-pcap", flood.tcpdump_pcap,
                       "run tcpdump -i any in the namespace too, writing this pcap file");
  miniweb::stack::StreamSettings stream_settings;
  CLI::App* stream = app.add_subcommand(
      "stream",
      "the stream experiment: live frames over UDP and over TCP through a lossy link, in a "
      "network namespace of its own; reports gaps, lateness and stalls");
  stream->add_option("--fps", stream_settings.fps, "frames a second (1 to 120)")
      ->capture_default_str();
  stream->add_option("--seconds", stream_settings.seconds, "how long the stream lasts (1 to 60)")
      ->capture_default_str();
  stream->add_option("--frame-bytes", stream_settings.frame_bytes, "bytes a frame (20 to 1472)")
      ->capture_default_str();
  stream
      ->add_option("--delay", stream_settings.round_trip_ms,
                   "the link's round trip in ms, half each way (0 to 2000)")
      ->capture_default_str();
  stream
      ->add_option("--jitter", stream_settings.jitter_ms,
                   "up to this many ms more or less, per packet (0 to 500)")
      ->capture_default_str();
  stream
      ->add_option("--loss", stream_settings.loss_percent,
                   "percent of packets lost, each way (0 to 50)")
      ->capture_default_str();
  stream
      ->add_option("--deadline", stream_settings.deadline_ms,
                   "ms after its due time a frame may come and still be played (0 to 5000)")
      ->capture_default_str();
  stream->add_option("--queue", stream_settings.queue, "the NFQUEUE number, in the namespace")
      ->capture_default_str();
  stream->add_option("--pcap", stream_settings.pcap, "save the experiment's own capture here");
  stream->add_option("--tcpdump-pcap", stream_settings.tcpdump_pcap,
                     "run tcpdump -i lo -w FILE in the namespace during the run");
  std::filesystem::path search_file;
  std::string search_text;
  CLI::App* search = app.add_subcommand(
      "capture-search",
      "every packet of a capture file (pcap, pcapng) whose payload holds TEXT, with its line; "
      "exit 1 when none does, as grep");
  search->add_option("--pcap", search_file, "the capture")->required()->check(CLI::ExistingFile);
  search->add_option("--text", search_text, "the bytes to look for")->required();
  CLI11_PARSE(app, argc, argv);

  if (search->parsed()) {
    auto found = miniweb::stack::search_capture(search_file, search_text);
    if (!found) {
      std::cerr << "miniweb-stack capture-search: " << found.error().message << "\n";
      return 2;
    }
    std::cout << miniweb::stack::capture_search_report(*found, search_text);
    return found->matches.empty() ? 1 : 0;
  }

  if (synflood->parsed()) {
    flood.cookies = cookies == "1"   ? miniweb::stack::CookieRuns::On
                    : cookies == "0" ? miniweb::stack::CookieRuns::Off
                                     : miniweb::stack::CookieRuns::Both;
    if (auto ran = miniweb::stack::run_syn_flood(flood, std::cout); !ran) {
      std::cout << std::flush;
      std::cerr << "miniweb-stack synflood: " << ran.error().message << "\n";
      return 1;
    }
    return 0;
  }

  if (stream->parsed()) {
    if (auto checked = miniweb::stack::check_stream_settings(stream_settings); !checked) {
      std::cerr << "miniweb-stack stream: " << checked.error().message << "\n";
      return 2;
    }
    // First, while this process has one thread: only a lone thread may make a user namespace,
    // and a network namespace is the calling thread's (and the threads it starts after).
    auto network = miniweb::stack::enter_own_network_namespace();
    auto ran = network ? miniweb::stack::run_stream_experiment(stream_settings, *network, std::cout)
                       : miniweb::Status(network.error());
    if (!ran) {
      std::cerr << "miniweb-stack stream: " << ran.error().message << "\n";
      return 1;
    }
    return 0;
  }

  if (link->parsed()) {
    if (auto ran = miniweb::stack::run_link_emulator(emulator); !ran) {
      std::cerr << "miniweb-stack link: " << ran.error().message << "\n";
      return 1;
    }
    return 0;
  }

  auto topology = miniweb::stack::load_topology(topology_file);
  if (!topology) {
    std::cerr << "miniweb-stack: " << topology.error().message << "\n";
    return 1;
  }
  if (check->parsed()) {
    std::cout << topology_file.string() << ": " << topology->nameservers.size() << " name servers, "
              << topology->sites.size() << " sites, " << topology->upstreams.size()
              << " upstream groups\n";
    return 0;
  }
  if (links->parsed()) {
    auto profile = miniweb::stack::parse_network_profile(profile_name);
    if (!profile) {
      std::cerr << "miniweb-stack: no network profile '" << profile_name
                << "': loopback, lan, broadband, mobile or lossy\n";
      return 1;
    }
    auto table = miniweb::stack::make_link_table(*topology, net, *profile);
    auto written =
        table ? miniweb::write_file_atomically(links_out, miniweb::stack::link_table_text(*table),
                                               miniweb::kPublicFileMode)
              : miniweb::Status(table.error());
    if (!written) {
      std::cerr << "miniweb-stack: " << written.error().message << "\n";
      return 1;
    }
    return 0;
  }
  settings.state = std::filesystem::absolute(settings.state);
  settings.repo = std::filesystem::absolute(settings.repo);
  settings.serial = today_serial();
  auto made = miniweb::stack::make_plan(*topology, settings);
  if (!made) {
    std::cerr << "miniweb-stack: " << made.error().message << "\n";
    return 1;
  }
  for (const auto& file : made->files) {
    if (auto written = write_file(file); !written) {
      std::cerr << "miniweb-stack: " << written.error().message << "\n";
      return 1;
    }
  }
  return 0;
}
