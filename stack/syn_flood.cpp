#include "stack/syn_flood.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <stop_token>
#include <thread>
#include <vector>

#include "shared/unique_fd.hpp"
#include "stack/kernel_counters.hpp"
#include "stack/listener_queues.hpp"
#include "stack/own_namespace.hpp"
#include "stack/segment_capture.hpp"
#include "stack/syn_flood_report.hpp"
#include "stack/tcp_segment.hpp"
#include "stack/tcpdump_process.hpp"

namespace miniweb::stack {
namespace {

using std::chrono::milliseconds;

// The server's address: TEST-NET-1 (RFC 5737), on lo. A loopback address would not do: the
// kernel sends nothing from 127.0.0.0/8 to an address outside it.
constexpr Address kServer = 0xc0000201;  // 192.0.2.1
constexpr std::uint16_t kFirstPort = 8080;
// Enough for the queue and the clients; the host's table may have hundreds of thousands.
constexpr unsigned kTcpHashBuckets = 1024;
constexpr std::string_view kMessage = "miniweb syn-flood\n";

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

sockaddr_in socket_address(Address address, std::uint16_t port) {
  sockaddr_in raw{};
  raw.sin_family = AF_INET;
  raw.sin_addr.s_addr = htonl(address);
  raw.sin_port = htons(port);
  return raw;
}

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd ready{fd, events, 0};
  int got = 0;
  while ((got = ::poll(&ready, 1, timeout_ms)) < 0 && errno == EINTR) {
  }
  return got > 0;
}

// The listener's SYN queue, read every `interval` on a thread of its own, which also takes the
// captured frames as they come so the capture's buffer never fills.
class QueueWatch {
 public:
  QueueWatch(SegmentCapture& capture, ListenerQueueProbe& probe, Address address,
             std::uint16_t port, milliseconds interval)
      : capture_(capture), probe_(probe), address_(address), port_(port), interval_(interval) {}

  void start() {
    thread_ = std::jthread([this](std::stop_token stop) { watch(stop); });
  }
  // The readings, or the first error in taking them.
  Result<std::vector<QueueSample>> stop() {
    thread_.request_stop();
    thread_.join();
    if (!error_.empty()) return make_error(error_);
    return std::move(samples_);
  }

 private:
  void watch(const std::stop_token& stop) {
    auto next = Clock::now();
    while (!stop.stop_requested()) {
      const auto now = Clock::now();
      if (now >= next) {
        auto queues = probe_.read(address_, port_);
        if (queues)
          samples_.push_back({now, queues->syn_queue, queues->accept_queue});
        else if (error_.empty())
          error_ = queues.error().message;
        next = std::max(next + interval_, now);
      }
      capture_.take_waiting();
      const auto wait = std::chrono::duration_cast<milliseconds>(next - Clock::now());
      wait_for(capture_.selectable_fd(), POLLIN, static_cast<int>(std::max<long>(0, wait.count())));
    }
  }

  SegmentCapture& capture_;
  ListenerQueueProbe& probe_;
  Address address_;
  std::uint16_t port_;
  milliseconds interval_;
  std::vector<QueueSample> samples_;
  std::string error_;
  std::jthread thread_;
};

struct Tools {
  SegmentCapture& capture;
  ListenerQueueProbe& watch_probe;  // the watch thread's
  ListenerQueueProbe& probe;        // this thread's
  int raw_socket;
};

// The listening socket's descriptor, for the caller to own.
Result<int> listen_on(Address address, std::uint16_t port, unsigned backlog) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const sockaddr_in local = socket_address(address, port);
  const int on = 1;
  if (fd.get() < 0 || ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0 ||
      ::listen(fd.get(), static_cast<int>(backlog)) != 0)
    return make_error(
        system_error("listening on " + address_text(address) + ":" + std::to_string(port)));
  return fd.release();
}

// The server's half of a real client's visit: accept, read the message, echo it. The accepted
// socket's TCP_INFO says what the server kept of the client's SYN.
void serve_one(int listener, ClientOutcome& client) {
  if (!wait_for(listener, POLLIN, 1000)) return;
  UniqueFd accepted(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (accepted.get() < 0) return;
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(accepted.get(), IPPROTO_TCP, TCP_INFO, &info, &length) == 0) {
    client.server_mss = info.tcpi_snd_mss;
    client.server_timestamps = (info.tcpi_options & TCPI_OPT_TIMESTAMPS) != 0;
    client.server_sack = (info.tcpi_options & TCPI_OPT_SACK) != 0;
    if (info.tcpi_options & TCPI_OPT_WSCALE)
      client.server_send_scale = static_cast<unsigned>(info.tcpi_snd_wscale);
  }
  std::string got;
  char buffer[256];
  while (got.size() < kMessage.size() && wait_for(accepted.get(), POLLIN, 1000)) {
    const ssize_t n = ::recv(accepted.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  write_all(accepted.get(), got);
}

// A real client: a normal socket's connect() to the listener, then a few bytes sent and read
// back. The counters and the SYN queue are read around its handshake.
ClientOutcome visit(const Tools& tools, int listener, std::uint16_t port, double timeout_seconds) {
  ClientOutcome client;
  if (auto queues = tools.probe.read(kServer, port)) client.syn_queue = queues->syn_queue;
  if (auto counters = read_kernel_counters()) client.before = *counters;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  const sockaddr_in server = socket_address(kServer, port);
  client.at = Clock::now();
  const auto start = std::chrono::steady_clock::now();
  if (fd.get() < 0 ||
      (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0 &&
       errno != EINPROGRESS)) {
    client.failure = system_error("connect");
    return client;
  }
  sockaddr_in local{};
  socklen_t length = sizeof local;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &length) == 0)
    client.port = ntohs(local.sin_port);
  const bool ready = wait_for(fd.get(), POLLOUT, static_cast<int>(timeout_seconds * 1000));
  client.connect_ms = ms_since(start);
  int error = 0;
  length = sizeof error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (!ready || error != 0) {
    client.failure = ready ? std::strerror(error) : "connect() still waiting: timed out";
    if (auto counters = read_kernel_counters()) client.after = *counters;
    return client;
  }
  client.connected = true;
  client.sent = write_all(fd.get(), kMessage) ? kMessage.size() : 0;
  serve_one(listener, client);
  // The server has accepted: its side of the handshake, cookie or not, is done.
  if (auto counters = read_kernel_counters()) client.after = *counters;
  char buffer[256];
  while (client.echoed < client.sent && wait_for(fd.get(), POLLIN, 1000)) {
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    client.echoed += static_cast<std::size_t>(n);
  }
  return client;
}

// SYNs from `count` addresses of 198.18.0.0/15, one each, as fast as the raw socket takes them.
Result<BurstOutcome> send_burst(int raw_socket, unsigned count, std::uint16_t port) {
  BurstOutcome burst;
  burst.at = Clock::now();
  const auto start = std::chrono::steady_clock::now();
  const sockaddr_in server = socket_address(kServer, port);
  for (unsigned i = 0; i < count; ++i) {
    SynSpec spec;
    spec.source = kSpoofedNetwork + 1 + i;
    spec.destination = kServer;
    spec.source_port = static_cast<std::uint16_t>(10000 + i % 50000);
    spec.destination_port = port;
    spec.sequence = 0x5eed0000U + i * 7919U;
    spec.identification = static_cast<std::uint16_t>(i);
    spec.timestamp = 1000000 + i;
    const auto packet = build_syn(spec);
    if (::sendto(raw_socket, packet.data(), packet.size(), 0,
                 reinterpret_cast<const sockaddr*>(&server), sizeof server) < 0)
      return make_error(system_error("sending spoofed SYN " + std::to_string(i + 1)));
  }
  burst.sending_ms = ms_since(start);
  burst.sent = count;
  burst.first = kSpoofedNetwork + 1;
  burst.last = kSpoofedNetwork + count;
  return burst;
}

// Polls the SYN queue with this thread's probe until `done` says so or `deadline` passes.
template <class Done>
void wait_for_queue(const Tools& tools, std::uint16_t port, Clock::time_point deadline, Done done) {
  while (Clock::now() < deadline) {
    auto queues = tools.probe.read(kServer, port);
    if (queues && done(*queues)) return;
    std::this_thread::sleep_for(milliseconds(2));
  }
}

Result<FloodRun> run_once(const SynFloodSettings& settings, const Tools& tools, bool cookies,
                          std::uint16_t port, bool client_first) {
  if (auto set = write_sysctl("net/ipv4/tcp_syncookies", cookies ? "1" : "0"); !set)
    return set.error();
  FloodRun run;
  run.cookies = cookies;
  run.server = kServer;
  run.port = port;
  run.backlog = settings.backlog;
  auto listening = listen_on(kServer, port, settings.backlog);
  if (!listening) return listening.error();
  const UniqueFd listener(*listening);
  auto queues = tools.probe.read(kServer, port);
  if (!queues) return queues.error();
  if (!queues->listening) return make_error("sock_diag does not show the listener");
  run.backlog_limit = queues->backlog_limit;
  auto before = read_kernel_counters();
  if (!before) return before.error();
  run.before = *before;

  QueueWatch watch(tools.capture, tools.watch_probe, kServer, port,
                   milliseconds(settings.sample_ms));
  watch.start();
  run.start = Clock::now();
  std::this_thread::sleep_for(milliseconds(settings.sample_ms));
  if (client_first) run.client_before = visit(tools, listener.get(), port, 1.0);
  auto burst = send_burst(tools.raw_socket, settings.spoofed, port);
  if (!burst) return burst.error();
  run.burst = *burst;
  // The client comes once the queue is full (or after 200 ms if it never fills).
  wait_for_queue(tools, port, Clock::now() + milliseconds(200),
                 [&](const ListenerQueues& now) { return now.syn_queue >= run.backlog_limit; });
  run.client_during = visit(tools, listener.get(), port, settings.client_timeout_seconds);
  // With cookies, the queue is watched until it empties: the request sockets time out after
  // tcp_synack_retries retransmitted SYN-ACKs.
  if (cookies) {
    const auto deadline = run.burst.at + std::chrono::duration_cast<Clock::duration>(
                                             std::chrono::duration<double>(settings.watch_seconds));
    wait_for_queue(tools, port, deadline,
                   [](const ListenerQueues& now) { return now.syn_queue == 0; });
  }
  std::this_thread::sleep_for(milliseconds(2 * settings.sample_ms));
  auto after = read_kernel_counters();
  if (!after) return after.error();
  run.after = *after;
  auto samples = watch.stop();
  if (!samples) return samples.error();
  run.samples = std::move(*samples);
  return run;
}

// The namespace's interfaces, addresses and sysctls; a line for the report.
Result<std::string> set_up(const SynFloodSettings& settings) {
  for (Status step : {bring_interface_up("lo"), add_address("lo", kServer, 32),
                      add_route(kSpoofedNetwork, kSpoofedPrefix, "lo")})
    if (!step) return step.error();
  const unsigned max_syn_backlog =
      settings.max_syn_backlog ? settings.max_syn_backlog : 4 * settings.backlog;
  std::string line = "sysctls of this namespace: tcp_syncookies (per run)";
  for (auto [name, value] : {std::pair{"net/ipv4/tcp_max_syn_backlog", max_syn_backlog},
                             std::pair{"net/ipv4/tcp_synack_retries", settings.synack_retries},
                             std::pair{"net/core/somaxconn", settings.backlog}}) {
    const std::string short_name = std::string(name).substr(std::string(name).rfind('/') + 1);
    if (auto set = write_sysctl(name, std::to_string(value)); set) {
      line += ", " + short_name + " " + std::to_string(value);
      continue;
    }
    // A namespace owned by a user namespace does not show somaxconn everywhere; its default
    // (4096) is above any backlog asked here, so listen() keeps the backlog.
    auto current = read_sysctl(name);
    if (short_name != "somaxconn")
      return make_error("cannot set /proc/sys/" + std::string(name) + " in the namespace");
    line += ", somaxconn " + (current ? *current + " (not writable here)" : "(not readable)");
  }
  return line;
}

std::string namespace_lines(const OwnNamespace& own) {
  std::string lines = "a network namespace of this program's own: net:[" +
                      std::to_string(own.inode) + "]\n  made by " +
                      (own.way == NamespaceWay::NetworkOnly
                           ? "unshare(CLONE_NEWNET)"
                           : "unshare(CLONE_NEWUSER|CLONE_NEWNET) as uid " +
                                 std::to_string(::getuid()) + ", with capabilities over it");
  lines += "; it started in net:[" + std::to_string(own.started_in) + "]; pid 1's: " +
           (own.pid1_inode ? "net:[" + std::to_string(*own.pid1_inode) + "]" : "not readable");
  lines += "\n  TCP hash table: " +
           (own.tcp_hash_buckets > 0 ? "its own, " + std::to_string(own.tcp_hash_buckets)
                                     : "the host's, " + std::to_string(-own.tcp_hash_buckets)) +
           " buckets (tcp_ehash_entries)";
  return lines;
}

}  // namespace

Status check_syn_flood_settings(const SynFloodSettings& settings) {
  auto outside = [](const char* option, double value, double low, double high) -> Status {
    if (value >= low && value <= high) return Ok{};
    std::ostringstream text;
    text << option << " " << value << " is outside " << low << " to " << high;
    return make_error(text.str());
  };
  for (Status check : {outside("--spoofed", settings.spoofed, 1, 100000),
                       outside("--backlog", settings.backlog, 1, 65535),
                       outside("--max-syn-backlog", settings.max_syn_backlog, 0, 1 << 20),
                       outside("--synack-retries", settings.synack_retries, 0, 10),
                       outside("--watch", settings.watch_seconds, 0.1, 120),
                       outside("--client-timeout", settings.client_timeout_seconds, 0.1, 60),
                       outside("--sample-ms", settings.sample_ms, 1, 1000)})
    if (!check) return check;
  if (!settings.pcap.empty() && settings.pcap == settings.tcpdump_pcap)
    return make_error("--pcap and --tcpdump-pcap name the same file");
  return Ok{};
}

Status run_syn_flood(const SynFloodSettings& settings, std::ostream& out) {
  if (auto checked = check_syn_flood_settings(settings); !checked) return checked;
  auto own = enter_own_network_namespace(kTcpHashBuckets);
  if (!own) return own.error();
  auto sysctls = set_up(settings);
  if (!sysctls) return sysctls.error();
  auto capture = SegmentCapture::open(settings.pcap);
  if (!capture) return capture.error();
  std::optional<TcpdumpProcess> tcpdump;
  if (!settings.tcpdump_pcap.empty()) {
    auto started = TcpdumpProcess::start(settings.tcpdump_pcap);
    if (!started) return started.error();
    tcpdump.emplace(std::move(*started));
  }
  auto probe = ListenerQueueProbe::open();
  auto watch_probe = ListenerQueueProbe::open();
  if (!probe || !watch_probe) return (probe ? watch_probe : probe).error();
  UniqueFd raw(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
  if (raw.get() < 0) return make_error(system_error("raw socket"));
  const Tools tools{**capture, *watch_probe, *probe, raw.get()};

  out << "SYN flood, measured in " << namespace_lines(*own) << "\n"
      << "  lo up; the server at " << address_text(kServer)
      << "/32 on lo; 198.18.0.0/15 routed to lo, where no address is theirs\n"
      << "  " << *sysctls << "\n"
      << std::flush;

  std::vector<bool> plan;
  if (settings.cookies != CookieRuns::Off) plan.push_back(true);
  if (settings.cookies != CookieRuns::On) plan.push_back(false);
  std::vector<FloodRun> runs;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    auto run =
        run_once(settings, tools, plan[i], static_cast<std::uint16_t>(kFirstPort + i), i == 0);
    if (!run) return run.error();
    (*capture)->take_waiting();
    out << "\nRun " << i + 1 << " of " << plan.size() << ", "
        << format_run(*run, (*capture)->segments(), settings.sample_ms) << std::flush;
    runs.push_back(std::move(*run));
  }

  // Late frames (none are expected: every listener is closed) before the counts are final.
  std::this_thread::sleep_for(milliseconds(100));
  (*capture)->take_waiting();
  (*capture)->finish_file();
  const auto statistics = (*capture)->statistics();
  out << "\ncapture: " << statistics.frames << " frames, " << statistics.kernel_dropped
      << " dropped by the kernel"
      << (settings.pcap.empty() ? "" : ", written to " + settings.pcap.string()) << "\n";
  if (tcpdump) {
    auto counts = tcpdump->stop();
    if (!counts) return counts.error();
    out << "tcpdump -i any in this namespace: " << counts->captured << " packets captured, "
        << counts->kernel_dropped << " dropped by the kernel, written to "
        << settings.tcpdump_pcap.string() << "\n";
  }
  out << "\n" << format_verdict(runs, (*capture)->segments());
  return Ok{};
}

}  // namespace miniweb::stack
