#include "stack/link_emulator.hpp"

// The C library's headers after glibc's: linux/in.h would otherwise redefine in_addr.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
// clang-format off
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
// clang-format on
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "shared/atomic_file.hpp"
#include "stack/link_faults.hpp"
#include "stack/link_scheduler.hpp"
#include "stack/link_tamper.hpp"
#include "stack/packet_headers.hpp"

namespace miniweb::stack {
namespace {

constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

// The headers are enough to decide and to log; a box that changes bytes needs the whole packet.
constexpr std::uint32_t kHeadersCopied = 128;
constexpr std::uint32_t kWholePacket = 0xffff;

Result<LinkTable> read_link_table(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return make_error("cannot read the link table " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  auto table = parse_link_table(text.str());
  if (!table) return make_error(file.string() + ": " + table.error().message);
  return table;
}

struct QueueDeleter {
  void operator()(nfq_q_handle* queue) const { nfq_destroy_queue(queue); }
};
struct HandleDeleter {
  void operator()(nfq_handle* handle) const { nfq_close(handle); }
};

// The emulator's state, shared by the packet callback and the coroutines of one thread.
class Emulator {
 public:
  Emulator(asio::io_context& io, const LinkEmulatorSettings& settings, LinkTable table)
      : io_(io),
        settings_(settings),
        table_(std::move(table)),
        faults_(table_.faults),
        tamperer_(table_.tampers),
        scheduler_(settings.capacity, std::random_device{}()),
        timer_(io),
        drops_(settings.drops, std::ios::app) {}

  Status bind() {
    handle_.reset(nfq_open());
    if (!handle_) return make_error("nfq_open failed: " + std::string(std::strerror(errno)));
    queue_.reset(nfq_create_queue(handle_.get(), settings_.queue, &Emulator::on_packet, this));
    if (!queue_)
      return make_error(
          "cannot bind NFQUEUE " + std::to_string(settings_.queue) +
          " (another emulator holds it, or no CAP_NET_ADMIN): " + std::strerror(errno));
    if (auto mode = set_copy_mode(); !mode) return mode;
    nfq_set_queue_maxlen(queue_.get(), static_cast<std::uint32_t>(settings_.capacity));
    // A full kernel queue accepts instead of dropping: the emulator never adds loss of its own.
    nfq_set_queue_flags(queue_.get(), NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
    return Ok{};
  }

  int fd() { return nfq_fd(handle_.get()); }

  // The table read again (SIGHUP). When the new one cannot be read, the old one stays in
  // force, and the error says why.
  Status reload() {
    auto table = read_link_table(settings_.links);
    if (!table) {
      std::cerr << "miniweb-stack link: keeping the old table: " << table.error().message << "\n";
      return table.error();
    }
    table_ = std::move(*table);
    faults_ = FaultMatcher(table_.faults);  // armed afresh: an experiment starts over
    tamperer_ = PacketTamperer(table_.tampers);
    if (auto mode = set_copy_mode(); !mode)
      std::cerr << "miniweb-stack link: " << mode.error().message << "\n";
    std::cerr << "miniweb-stack link: link table read again\n";
    return Ok{};
  }

  // Every packet the kernel has for us, then the timer set to the earliest release.
  void receive() {
    // A whole packet of lo's 64 KiB and the netlink message around it.
    std::vector<char> buffer(kWholePacket + 4096);
    for (;;) {
      ssize_t got = ::recv(fd(), buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (got < 0) {
        // ENOBUFS: the kernel had more than our socket could take; those passed (fail-open).
        if (errno == ENOBUFS) continue;
        break;
      }
      nfq_handle_packet(handle_.get(), buffer.data(), static_cast<int>(got));
    }
    arm_timer();
  }

  asio::awaitable<void> release_loop() {
    for (;;) {
      co_await timer_.async_wait(kTuple);
      if (stopping_) co_return;
      std::vector<std::uint32_t> due;
      scheduler_.release_due(LinkClock::now(), due);
      for (std::uint32_t packet : due) verdict(packet, NF_ACCEPT);
      arm_timer();
    }
  }

  void stop() {
    stopping_ = true;
    for (std::uint32_t packet : scheduler_.release_all()) verdict(packet, NF_ACCEPT);
    timer_.cancel();
    std::cerr << "miniweb-stack link: stopped; " << scheduler_.dropped() << " dropped, "
              << scheduler_.overflowed() << " passed at once past " << settings_.capacity
              << " held\n";
  }

 private:
  static int on_packet(nfq_q_handle*, nfgenmsg*, nfq_data* data, void* self) {
    static_cast<Emulator*>(self)->handle(data);
    return 0;
  }

  void handle(nfq_data* data) {
    nfqnl_msg_packet_hdr* header = nfq_get_msg_packet_hdr(data);
    if (!header) return;
    const std::uint32_t packet = ntohl(header->packet_id);
    unsigned char* payload = nullptr;
    int length = nfq_get_payload(data, &payload);
    std::span<const std::uint8_t> bytes;
    if (length > 0) bytes = {payload, static_cast<std::size_t>(length)};
    auto headers = read_packet_headers(bytes);
    if (!headers) {
      verdict(packet, NF_ACCEPT);
      return;
    }
    if (faults_.takes(*headers)) {
      verdict(packet, NF_DROP);
      log_drop(bytes, "an experiment's fault");
      return;
    }
    if (!tamperer_.empty()) {
      std::vector<std::uint8_t> changed(bytes.begin(), bytes.end());
      if (auto what = tamperer_.apply(changed)) {
        log_line(bytes, "changed by the link emulator (an experiment's fault: " + *what + ")");
        changed_[packet] = std::move(changed);
      }
    }
    const LinkConditions& conditions = table_.find(headers->source, headers->destination);
    // The packet's whole length: the copy is cut at 128 bytes.
    switch (scheduler_.admit(packet, headers->total_length, {headers->source, headers->destination},
                             conditions, LinkClock::now())) {
      case Fate::Held:
        break;
      case Fate::PassNow:
      case Fate::Overflow:
        verdict(packet, NF_ACCEPT);
        break;
      case Fate::Dropped:
        verdict(packet, NF_DROP);
        log_drop(bytes, "the link's loss");
        break;
    }
  }

  // "1764650000.123456 dropped by the link emulator (the link's loss): tcp ...": the packet
  // view reads these lines (browser/observe/link_drops.cpp).
  void log_drop(std::span<const std::uint8_t> bytes, std::string_view why) {
    log_line(bytes, "dropped by the link emulator (" + std::string(why) + ")");
  }

  // "1764650000.123456 WHAT: tcp ...", the packet summarised as it arrived.
  void log_line(std::span<const std::uint8_t> bytes, const std::string& what) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%lld.%06lld", static_cast<long long>(micros / 1000000),
                  static_cast<long long>(micros % 1000000));
    drops_ << stamp << " " << what << ": " << packet_summary(bytes) << std::endl;
  }

  // A changed packet goes on with its new bytes (NFQUEUE puts them in place of the old).
  void verdict(std::uint32_t packet, std::uint32_t what) {
    auto changed = changed_.find(packet);
    if (changed == changed_.end()) {
      nfq_set_verdict(queue_.get(), packet, what, 0, nullptr);
      return;
    }
    if (what == NF_ACCEPT) {
      std::vector<std::uint8_t>& bytes = changed->second;
      const auto length = static_cast<std::uint32_t>(bytes.size());
      // libnetfilter_queue sends the payload padded to netlink's 4-byte alignment: it reads
      // those bytes too.
      bytes.resize((bytes.size() + 3) & ~std::size_t{3});
      nfq_set_verdict(queue_.get(), packet, what, length, bytes.data());
    } else {
      nfq_set_verdict(queue_.get(), packet, what, 0, nullptr);
    }
    changed_.erase(changed);
  }

  Status set_copy_mode() {
    const std::uint32_t range = tamperer_.empty() ? kHeadersCopied : kWholePacket;
    if (nfq_set_mode(queue_.get(), NFQNL_COPY_PACKET, range) < 0)
      return make_error("cannot set the NFQUEUE copy mode");
    return Ok{};
  }

  void arm_timer() {
    auto next = scheduler_.next_release();
    auto when = next ? *next : LinkClock::now() + std::chrono::hours(1);
    if (timer_.expiry() != when) timer_.expires_at(when);  // cancels the wait: it re-arms
  }

  asio::io_context& io_;
  const LinkEmulatorSettings& settings_;
  LinkTable table_;
  FaultMatcher faults_;
  PacketTamperer tamperer_;
  std::map<std::uint32_t, std::vector<std::uint8_t>> changed_;  // by packet id, until its verdict
  LinkScheduler scheduler_;
  asio::steady_timer timer_;
  std::ofstream drops_;
  std::unique_ptr<nfq_handle, HandleDeleter> handle_;
  std::unique_ptr<nfq_q_handle, QueueDeleter> queue_;
  bool stopping_ = false;
};

// The file the launcher waits for: "ready" once the table in it is in force, or "refused: WHY"
// when a reload could not read the new one (the old one then still is).
Status write_ready(const std::filesystem::path& file, const Status& loaded = Ok{}) {
  if (file.empty()) return Ok{};
  return write_file_atomically(
      file, loaded ? std::string("ready\n") : "refused: " + loaded.error().message + "\n",
      kPublicFileMode);
}

asio::awaitable<void> receive_loop(Emulator& emulator, asio::posix::stream_descriptor& socket) {
  for (;;) {
    auto [error] = co_await socket.async_wait(asio::posix::stream_descriptor::wait_read, kTuple);
    if (error) co_return;
    emulator.receive();
  }
}

asio::awaitable<void> signal_loop(Emulator& emulator, asio::signal_set& signals,
                                  asio::posix::stream_descriptor& socket,
                                  const LinkEmulatorSettings& settings) {
  for (;;) {
    auto [error, number] = co_await signals.async_wait(kTuple);
    if (error) co_return;
    if (number == SIGHUP) {
      const Status loaded = emulator.reload();
      if (auto written = write_ready(settings.ready, loaded); !written)
        std::cerr << "miniweb-stack link: " << written.error().message << "\n";
      continue;
    }
    emulator.stop();
    socket.release();  // nfq_close closes it
    signals.cancel();
    co_return;
  }
}

// A wire's delay does not stretch when the machine is busy: netem holds packets in the kernel,
// ahead of every process. The emulator takes the lowest real-time priority (SCHED_FIFO 1), so
// that a held packet leaves when its time comes, not when a busy CPU turns to the emulator: with
// the tests' builds and browsers running beside it on two CPUs, a LAN profile's 1 ms connect
// took 3.8 ms at the normal priority. It only wakes for its queue and its timer, and the
// kernel's real-time throttling still leaves others 5% of each CPU. Without the right (a user
// namespace), it says so and runs as it is.
void take_a_wires_priority() {
  const sched_param lowest_real_time{.sched_priority = 1};
  if (::sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &lowest_real_time) != 0)
    std::cerr << "miniweb-stack link: runs at the normal priority (SCHED_FIFO refused: "
              << std::strerror(errno) << "); its delays may stretch on a busy machine\n";
}

}  // namespace

Status run_link_emulator(const LinkEmulatorSettings& settings) {
  auto table = read_link_table(settings.links);
  if (!table) return table.error();
  asio::io_context io;
  Emulator emulator(io, settings, std::move(*table));
  if (auto bound = emulator.bind(); !bound) return bound;
  take_a_wires_priority();
  asio::posix::stream_descriptor socket(io, emulator.fd());
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  asio::co_spawn(io, emulator.release_loop(), asio::detached);
  asio::co_spawn(io, receive_loop(emulator, socket), asio::detached);
  asio::co_spawn(io, signal_loop(emulator, signals, socket, settings), asio::detached);
  if (auto written = write_ready(settings.ready); !written) return written;
  std::cerr << "miniweb-stack link: holding the packets of NFQUEUE " << settings.queue << "\n";
  io.run();
  return Ok{};
}

}  // namespace miniweb::stack
