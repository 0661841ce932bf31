#include "browser/observe/recorder.hpp"

#include <algorithm>
#include <chrono>

namespace miniweb::browser::observe {
namespace {

// The kernel's states are read this often while a load runs: fast enough to see ESTABLISHED,
// FIN_WAIT_2, CLOSE_WAIT and TIME_WAIT, which last milliseconds or more on loopback; the states
// that last microseconds (SYN_RCVD, FIN_WAIT_1, LAST_ACK) are seen only by luck, and the ladder
// marks them as derived from the segments.
constexpr auto kSampleEvery = std::chrono::microseconds(500);
// How long finish() waits for closed connections to finish closing (the server's FIN, the
// last ACK): a few round trips on loopback, bounded for a server that never closes.
constexpr auto kSettleAtMost = std::chrono::milliseconds(200);

std::string text(const asio::ip::tcp::endpoint& endpoint) {
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

// Loopback only, the stack's own addresses: the demo internet lives in the resolver's /24
// (127.53.0.0/24), and every packet of a load has one end there. TCP and UDP: DNS, HTTP, TLS.
std::string capture_filter(const std::optional<asio::ip::udp::endpoint>& resolver) {
  if (!resolver || !resolver->address().is_v4()) return "tcp or udp";
  auto bytes = resolver->address().to_v4().to_bytes();
  return "(tcp or udp) and net " + std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." +
         std::to_string(bytes[2]) + ".0/24";
}

}  // namespace

std::int64_t wall_clock_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Recorder> Recorder::start(const std::optional<asio::ip::udp::endpoint>& resolver,
                                          const WatchSettings& settings) {
  auto recorder = std::unique_ptr<Recorder>(new Recorder());
  recorder->link_drop_log_ = settings.link_drop_log;
  recorder->started_us_ = wall_clock_us();
  auto capture = LiveCapture::start("lo", capture_filter(resolver), settings.limits);
  if (capture)
    recorder->capture_ = std::move(*capture);
  else
    recorder->observed_.capture_error = capture.error().message;
  recorder->sampler_ = std::thread([raw = recorder.get()] { raw->sample_until_stopped(); });
  return recorder;
}

Recorder::~Recorder() {
  stopping_ = true;
  if (sampler_.joinable()) sampler_.join();
}

void Recorder::sample(bool last_sample) {
  std::vector<SocketEnd> ends;
  {
    std::lock_guard lock(mutex_);
    if (!observed_.state_error.empty()) return;
    for (const OwnConnection& connection : observed_.connections) {
      ends.push_back(connection.end);
      ends.push_back(SocketEnd{connection.end.remote, connection.end.local});  // the server's
    }
  }
  if (ends.empty()) return;
  auto reported = report_states(ends);
  const std::int64_t now = wall_clock_us();
  std::lock_guard lock(mutex_);
  if (!reported) {
    observed_.state_error = reported.error().message;
    return;
  }
  for (const SocketEnd& end : ends) {
    const auto key = std::make_pair(text(end.local), text(end.remote));
    auto found = std::find_if(reported->begin(), reported->end(),
                              [&](const ReportedState& state) { return state.end == end; });
    // A socket the kernel no longer has is closed (its TIME_WAIT over, or never entered).
    ReportedState state = found != reported->end() ? *found : ReportedState{end, TcpState::Closed};
    auto last = last_states_.find(key);
    if (last == last_states_.end() && state.state == TcpState::Closed) continue;  // not yet seen
    const bool changed = last == last_states_.end() || last->second != state.state;
    last_states_[key] = state.state;
    // The last word on a TIME_WAIT is kept too, for its timer.
    if (changed || (last_sample && state.state == TcpState::TimeWait))
      observed_.states.push_back(StateSample{now, state});
  }
}

void Recorder::sample_until_stopped() {
  while (!stopping_.load()) {
    sample();
    std::this_thread::sleep_for(kSampleEvery);
  }
}

void Recorder::dns_question(const asio::ip::udp::endpoint& local,
                            const asio::ip::udp::endpoint& server) {
  std::lock_guard lock(mutex_);
  observed_.own_dns.push_back(local);
  observed_.resolver = server;
}

void Recorder::tcp_connected(int connection, const asio::ip::tcp::endpoint& local,
                             const asio::ip::tcp::endpoint& remote, std::string_view host) {
  {
    std::lock_guard lock(mutex_);
    observed_.connections.push_back(
        OwnConnection{connection, SocketEnd{local, remote}, std::string(host)});
  }
  sample();
}

void Recorder::tls_starting(int connection, SSL* ssl) {
  tls_.attach(ssl, connection);
}

void Recorder::tls_secret(std::string_view line) {
  std::lock_guard lock(mutex_);
  observed_.key_log += line;
  observed_.key_log += '\n';
}

void Recorder::http_request(int connection, std::string_view start_line,
                            const std::vector<std::string>& body_shown) {
  std::lock_guard lock(mutex_);
  observed_.http.push_back(HttpSeen{connection, true, std::string(start_line), body_shown});
}

void Recorder::http_response(int connection, std::string_view status_line) {
  std::lock_guard lock(mutex_);
  observed_.http.push_back(HttpSeen{connection, false, std::string(status_line), {}});
}

void Recorder::http2_frame(int connection, bool sent, std::uint64_t offset, std::uint64_t length,
                           std::string_view text) {
  std::lock_guard lock(mutex_);
  observed_.http2.push_back(Http2FrameSeen{connection, sent, offset, length, std::string(text)});
}

void Recorder::tcp_closed(int connection) {
  {
    std::lock_guard lock(mutex_);
    closed_.push_back(connection);
  }
  sample();
}

ObservedLoad Recorder::finish() {
  // Closed connections finish closing: the browser's end reaches TIME_WAIT (it closed first)
  // once the server's FIN has come and been acknowledged.
  const auto until = std::chrono::steady_clock::now() + kSettleAtMost;
  while (std::chrono::steady_clock::now() < until) {
    sample();
    bool settled = true;
    {
      std::lock_guard lock(mutex_);
      for (const OwnConnection& connection : observed_.connections) {
        if (std::find(closed_.begin(), closed_.end(), connection.number) == closed_.end()) continue;
        const auto key = std::make_pair(text(connection.end.local), text(connection.end.remote));
        auto state = last_states_.find(key);
        if (state != last_states_.end() && state->second != TcpState::TimeWait &&
            state->second != TcpState::Closed)
          settled = false;
      }
    }
    if (settled) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  stopping_ = true;
  if (sampler_.joinable()) sampler_.join();
  sample(true);  // the last word: TIME_WAIT with its timer
  ObservedLoad observed;
  {
    std::lock_guard lock(mutex_);
    observed = std::move(observed_);
  }
  if (capture_) observed.capture = capture_->stop();
  if (!link_drop_log_.empty()) observed.link_drops = read_link_drops(link_drop_log_, started_us_);
  observed.tls = tls_.events();
  return observed;
}

}  // namespace miniweb::browser::observe
