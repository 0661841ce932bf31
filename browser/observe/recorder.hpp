#pragma once
// One load, watched: a capture of the loopback interface, the kernel's TCP states of the
// browser's connections sampled while they live, each TLS handshake as OpenSSL saw it, the key
// log, and which sockets are the browser's own. finish() hands all of it over as it was
// observed; browser/observe/journey.cpp makes a ladder of it.

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "browser/net/load_observer.hpp"
#include "browser/observe/capture.hpp"
#include "browser/observe/http2_frames.hpp"
#include "browser/observe/link_drops.hpp"
#include "browser/observe/socket_states.hpp"
#include "browser/observe/tls_recorder.hpp"
#include "browser/observe/watch_settings.hpp"

namespace miniweb::browser::observe {

// Microseconds since the epoch: the clock libpcap stamps packets with, so that everything
// observed falls on one time line.
std::int64_t wall_clock_us();

struct OwnConnection {
  int number = 0;
  SocketEnd end;  // the browser's socket
  std::string host;
};

struct StateSample {
  std::int64_t time_us = 0;
  ReportedState reported;
};

// A request or response head, as the browser's own HTTP code wrote or read it.
struct HttpSeen {
  int connection = 0;
  bool request = true;
  std::string start_line;
  std::vector<std::string> body;  // a request's body as the browser shows it (passwords masked)
};

struct ObservedLoad {
  Captured capture;
  std::string capture_error;                     // why there is no capture, when there is none
  std::vector<asio::ip::udp::endpoint> own_dns;  // where the browser's questions left from
  std::optional<asio::ip::udp::endpoint> resolver;
  std::vector<OwnConnection> connections;
  std::vector<StateSample> states;  // each change the kernel reported, for either end
  std::string state_error;          // why there are no states, when sock_diag failed
  std::map<int, std::vector<TlsEvent>> tls;
  std::vector<HttpSeen> http;         // in the order they happened
  std::vector<Http2FrameSeen> http2;  // every HTTP/2 frame nghttp2 sent or received
  std::string key_log;                // NSS key log lines, for a capture Wireshark decrypts
  std::vector<LinkDrop> link_drops;   // what the link emulator dropped while the load was watched
};

class Recorder final : public LoadObserver {
 public:
  // Starts watching: the capture when the process may (else ObservedLoad::capture_error says
  // why), of the packets to and from the resolver's /24, and the sampler of states.
  static std::unique_ptr<Recorder> start(const std::optional<asio::ip::udp::endpoint>& resolver,
                                         const WatchSettings& settings = {});
  ~Recorder() override;
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Waits (briefly) for the closing segments of closed connections, samples the states a last
  // time (TIME_WAIT and its timer), stops, and hands everything over. Once.
  ObservedLoad finish();

  void dns_question(const asio::ip::udp::endpoint& local,
                    const asio::ip::udp::endpoint& server) override;
  void tcp_connected(int connection, const asio::ip::tcp::endpoint& local,
                     const asio::ip::tcp::endpoint& remote, std::string_view host) override;
  void tls_starting(int connection, SSL* ssl) override;
  void tls_secret(std::string_view line) override;
  void http_request(int connection, std::string_view start_line,
                    const std::vector<std::string>& body_shown) override;
  void http_response(int connection, std::string_view status_line) override;
  void http2_frame(int connection, bool sent, std::uint64_t offset, std::uint64_t length,
                   std::string_view text) override;
  void tcp_closed(int connection) override;

 private:
  Recorder() = default;
  // One sock_diag dump of the connections' ends, each change recorded (the last sample also
  // records a TIME_WAIT that has not changed, for its timer).
  void sample(bool last_sample = false);
  void sample_until_stopped();

  std::unique_ptr<LiveCapture> capture_;
  std::filesystem::path link_drop_log_;
  std::int64_t started_us_ = 0;
  TlsRecorder tls_;
  std::mutex mutex_;  // guards observed_ and last_states_, shared with the sampler
  ObservedLoad observed_;
  std::map<std::pair<std::string, std::string>, TcpState> last_states_;
  std::vector<int> closed_;
  std::atomic<bool> stopping_{false};
  std::thread sampler_;
};

}  // namespace miniweb::browser::observe
