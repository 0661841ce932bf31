#include "stack/stream_experiment.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "shared/atomic_file.hpp"
#include "stack/links.hpp"
#include "stack/stream_capture.hpp"
#include "stack/stream_flows.hpp"
#include "stack/stream_frame.hpp"
#include "stack/stream_report.hpp"

namespace miniweb::stack {
namespace {

// The sender and the receiver: two addresses of the namespace's own lo (127/8 is all local).
constexpr Address kSender = 0x7f4d0001;    // 127.77.0.1
constexpr Address kReceiver = 0x7f4d0002;  // 127.77.0.2
constexpr const char* kNet = "127.77.0.0/24";
constexpr std::uint16_t kUdpPort = 5004;  // RTP's
constexpr std::uint16_t kTcpPort = 5005;

using std::chrono::milliseconds;

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A directory for the run's files (link table, drop log, the programs' output), removed after.
class RunDirectory {
 public:
  static Result<RunDirectory> make() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/miniweb-stream-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      return make_error("cannot make a directory like " + pattern + ": " + std::strerror(errno));
    return RunDirectory(pattern);
  }
  RunDirectory(RunDirectory&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  RunDirectory& operator=(RunDirectory&&) = delete;
  ~RunDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path operator/(const char* name) const { return path_ / name; }

 private:
  explicit RunDirectory(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

std::string link_table(const StreamSettings& settings, double loss) {
  LinkTable table;
  const LinkConditions conditions{std::chrono::microseconds(settings.round_trip_ms * 500),
                                  std::chrono::microseconds(settings.jitter_ms * 1000), loss, 0};
  table.links[{kSender, kReceiver}] = conditions;
  table.links[{kReceiver, kSender}] = conditions;
  return link_table_text(table);
}

// Polls `done` every 10 ms for up to `patience`; fails early if `child` ends.
template <class Done>
Status wait_until(Done done, ChildProcess& child, const std::filesystem::path& output,
                  const std::string& what) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (!child.running())
      return make_error(what + " ended: " + status_text(child.wait()) + ": " + read_text(output));
    if (std::chrono::steady_clock::now() > until)
      return make_error(what + " was not ready within 5 s: " + read_text(output));
    std::this_thread::sleep_for(milliseconds(10));
  }
  return Ok{};
}

// "480 packets captured, 0 packets dropped by kernel", from tcpdump's closing lines.
std::string tcpdump_count(const std::string& said) {
  std::string out;
  std::istringstream lines(said);
  for (std::string line; std::getline(lines, line);)
    if (line.ends_with("packets captured") || line.ends_with("dropped by kernel"))
      out += (out.empty() ? "" : ", ") + line;
  return out;
}

// The link emulator: a child running this program's `link` subcommand on the queue.
class Emulator {
 public:
  static Result<Emulator> start(const StreamSettings& settings, const RunDirectory& directory) {
    Emulator emulator(directory);
    if (auto written =
            write_file_atomically(emulator.links_, link_table(settings, 0), kPublicFileMode);
        !written)
      return written.error();
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) return make_error("cannot find this program: " + error.message());
    auto child =
        ChildProcess::start({self.string(), "link", "--queue", std::to_string(settings.queue),
                             "--links", emulator.links_.string(), "--drops",
                             emulator.drops_.string(), "--ready", emulator.ready_.string()},
                            emulator.output_);
    if (!child) return child.error();
    emulator.child_.emplace(std::move(*child));
    if (auto ready = emulator.wait_ready(); !ready) return ready.error();
    return emulator;
  }

  // The table with the run's loss, read again (SIGHUP), once the connection is open: the
  // handshake is not what this experiment measures.
  Status add_loss(const StreamSettings& settings) {
    std::filesystem::remove(ready_);
    if (auto written = write_file_atomically(
            links_, link_table(settings, settings.loss_percent / 100), kPublicFileMode);
        !written)
      return written;
    ::kill(child_->pid(), SIGHUP);
    return wait_ready();
  }

  void stop() { child_->stop(SIGTERM, milliseconds(2000)); }
  std::string drop_log() const { return read_text(drops_); }

 private:
  explicit Emulator(const RunDirectory& directory)
      : links_(directory / "links.txt"),
        drops_(directory / "drops.log"),
        ready_(directory / "link.ready"),
        output_(directory / "link.out") {}

  Status wait_ready() {
    return wait_until([this] { return std::filesystem::exists(ready_); }, *child_, output_,
                      "the link emulator (miniweb-stack link)");
  }

  std::filesystem::path links_, drops_, ready_, output_;
  std::optional<ChildProcess> child_;
};

Result<ChildProcess> start_tcpdump(const std::filesystem::path& file,
                                   const std::filesystem::path& output) {
  auto tcpdump = find_program("tcpdump");
  if (!tcpdump) return make_error("--tcpdump-pcap needs tcpdump (Debian's package tcpdump)");
  // Immediate mode: else the packets of a ring block not yet full are lost when it stops.
  std::vector<std::string> argv = {tcpdump->string(), "-i", "lo", "--immediate-mode", "-U", "-w",
                                   file.string()};
  // As root tcpdump would change to its own user before writing; there is no such user in a
  // user namespace, where this runs as the caller with the capabilities it needs.
  if (::geteuid() == 0) argv.insert(argv.end(), {"-Z", "root"});
  auto child = ChildProcess::start(argv, output);
  if (!child) return child.error();
  if (auto listening =
          wait_until([&] { return read_text(output).find("listening on") != std::string::npos; },
                     *child, output, "tcpdump");
      !listening)
    return listening.error();
  return child;
}

}  // namespace

Status check_stream_settings(const StreamSettings& settings) {
  auto outside = [](const std::string& option, double value, double low, double high) {
    std::ostringstream text;
    text << option << " " << value << ": must be from " << low << " to " << high;
    return make_error(text.str());
  };
  if (settings.fps < 1 || settings.fps > 120) return outside("--fps", settings.fps, 1, 120);
  if (!(settings.seconds >= 1 && settings.seconds <= 60))
    return outside("--seconds", settings.seconds, 1, 60);
  if (settings.frame_bytes < static_cast<int>(kFrameHeaderSize) ||
      settings.frame_bytes > static_cast<int>(kMaxFrameSize))
    return outside("--frame-bytes", settings.frame_bytes, kFrameHeaderSize, kMaxFrameSize);
  if (settings.round_trip_ms < 0 || settings.round_trip_ms > 2000)
    return outside("--delay", settings.round_trip_ms, 0, 2000);
  if (settings.jitter_ms < 0 || settings.jitter_ms > 500)
    return outside("--jitter", settings.jitter_ms, 0, 500);
  if (!(settings.loss_percent >= 0 && settings.loss_percent <= 50))
    return outside("--loss", settings.loss_percent, 0, 50);
  if (settings.deadline_ms < 0 || settings.deadline_ms > 5000)
    return outside("--deadline", settings.deadline_ms, 0, 5000);
  for (const auto& [option, file] :
       {std::pair{"--pcap", settings.pcap}, std::pair{"--tcpdump-pcap", settings.tcpdump_pcap}}) {
    if (file.empty()) continue;
    const auto directory = std::filesystem::absolute(file).parent_path();
    if (!std::filesystem::is_directory(directory))
      return make_error(std::string(option) + " " + file.string() + ": no directory " +
                        directory.string());
  }
  if (!settings.pcap.empty() && !settings.tcpdump_pcap.empty() &&
      std::filesystem::absolute(settings.pcap) == std::filesystem::absolute(settings.tcpdump_pcap))
    return make_error("--pcap and --tcpdump-pcap name the same file");
  return Ok{};
}

Status run_stream_experiment(const StreamSettings& settings, const OwnNamespace& network,
                             std::ostream& out) {
  if (auto checked = check_stream_settings(settings); !checked) return checked;
  if (auto up = bring_interface_up("lo"); !up) return up;
  auto directory = RunDirectory::make();
  if (!directory) return directory.error();
  const StreamEnds ends{kSender, kReceiver, kUdpPort, kTcpPort};

  // The kernel hands the packets between the two addresses to the emulator as they arrive
  // (PREROUTING): a capture on lo sees each one as it is sent, before the link can drop it, as
  // a capture at the sender would. Bypass: if the emulator is not there, they pass.
  auto iptables = find_program("iptables");
  if (!iptables) return make_error("the link's rule needs iptables (Debian's package iptables)");
  if (auto rule = run_program({iptables->string(), "-w", "-t", "mangle", "-A", "PREROUTING", "-i",
                               "lo", "-s", kNet, "-d", kNet, "-j", "NFQUEUE", "--queue-num",
                               std::to_string(settings.queue), "--queue-bypass"},
                              *directory / "iptables.out");
      !rule)
    return make_error("cannot add the NFQUEUE rule: " + rule.error().message);
  auto emulator = Emulator::start(settings, *directory);
  if (!emulator) return emulator.error();
  std::optional<ChildProcess> tcpdump;
  if (!settings.tcpdump_pcap.empty()) {
    auto started =
        start_tcpdump(std::filesystem::absolute(settings.tcpdump_pcap), *directory / "tcpdump.out");
    if (!started) return started.error();
    tcpdump.emplace(std::move(*started));
  }
  StreamMeasurements measured;
  auto capture = StreamCapture::start("lo", std::string("net ") + kNet, settings.pcap);
  if (!capture) measured.capture_problem = capture.error().message;

  StreamPlan& plan = measured.plan;
  plan.fps = settings.fps;
  plan.frames = static_cast<std::uint32_t>(std::lround(settings.seconds * settings.fps));
  plan.frame_bytes = static_cast<std::size_t>(settings.frame_bytes);
  plan.one_way_us = settings.round_trip_ms * 500;
  plan.deadline_us = settings.deadline_ms * 1000;

  asio::io_context io;
  StreamSockets sockets(io);
  if (auto connected = connect_stream(sockets, ends); !connected) return connected;
  if (auto lossy = emulator->add_loss(settings); !lossy) return lossy;
  FlowsOutcome flows = run_flows(io, sockets, ends, plan, milliseconds(settings.tcp_patience_ms));

  if (capture) {
    StreamCaptured captured = (*capture)->stop();
    WireDecoder decoder(ends, plan.frame_bytes, plan.frames, flows.start_epoch_us);
    for (const CapturedPacket& packet : captured.packets)
      decoder.add(captured.link_type, packet.time_epoch_us, packet.start);
    measured.wire = decoder.summary();
    if (captured.dropped_by_kernel + captured.past_limit > 0)
      measured.capture_problem = std::to_string(captured.dropped_by_kernel) +
                                 " packets dropped by the kernel, " +
                                 std::to_string(captured.past_limit) + " past the limit";
  }
  if (tcpdump) {
    tcpdump->stop(SIGINT, milliseconds(3000));
    measured.tcpdump = tcpdump_count(read_text(*directory / "tcpdump.out"));
  }
  emulator->stop();
  measured.drops = count_drops(emulator->drop_log(), ends);
  if (!flows.interrupted.empty()) return make_error(flows.interrupted);

  measured.udp = analyze_flow(plan, flows.udp_sent, flows.udp);
  measured.tcp = analyze_flow(plan, flows.tcp_sent, flows.tcp);
  measured.udp_rejected = flows.udp_rejected;
  measured.tcp_info = flows.tcp_info;
  StreamConditions conditions{settings.fps,         settings.seconds,
                              plan.frame_bytes,     settings.round_trip_ms,
                              settings.jitter_ms,   settings.loss_percent,
                              settings.deadline_ms, settings.queue,
                              network.inode,        ends};
  out << stream_report(conditions, measured) << std::flush;
  return Ok{};
}

}  // namespace miniweb::stack
