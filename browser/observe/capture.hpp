#pragma once
// A live capture of the loopback interface with libpcap, in immediate mode (each packet as it
// passes, not in batches), on a thread of its own for the duration of one load. Bounded: past
// its limits it counts what it drops and says so, holding nothing more.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shared/result.hpp"

struct pcap;  // libpcap's pcap_t
struct pcap_pkthdr;

namespace miniweb::browser::observe {

struct CapturedFrame {
  std::int64_t time_us = 0;  // since the epoch, as libpcap stamps it
  std::uint32_t wire_length = 0;
  std::string bytes;  // as captured (the snap length cuts nothing on loopback)
};

struct CaptureLimits {
  std::size_t max_frames = 20000;
  std::size_t max_bytes = 32 << 20;
};

struct Captured {
  int link_type = 0;  // DLT_EN10MB on Linux's lo
  std::vector<CapturedFrame> frames;
  std::size_t dropped_by_limits = 0;  // frames past the limits, not kept
  std::size_t dropped_by_kernel = 0;  // what libpcap says the kernel dropped
};

class LiveCapture {
 public:
  // Starts capturing on `interface` the packets `filter` (a BPF expression, as tcpdump takes)
  // selects. Error: the process may not capture (no CAP_NET_RAW), or libpcap failed; the
  // message says why and what to do.
  static Result<std::unique_ptr<LiveCapture>> start(const std::string& interface,
                                                    const std::string& filter,
                                                    const CaptureLimits& limits);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Stops, after taking what the kernel still holds, and hands over what was captured.
  Captured stop();

 private:
  LiveCapture(pcap* handle, const CaptureLimits& limits);
  void run();
  static void on_frame(unsigned char* self, const ::pcap_pkthdr* header,
                       const unsigned char* bytes);

  pcap* handle_;
  CaptureLimits limits_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards captured_ and bytes_
  Captured captured_;
  std::size_t bytes_ = 0;
  std::thread thread_;
};

}  // namespace miniweb::browser::observe
