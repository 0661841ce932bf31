#pragma once
// The stream experiment's own capture of lo (libpcap, immediate mode, on a thread of its own):
// the start of each packet, enough for its headers and a frame's header, kept for
// WireDecoder, and each whole packet written to a pcap file when one is asked for.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shared/result.hpp"

struct pcap;         // libpcap's pcap_t
struct pcap_dumper;  // libpcap's pcap_dumper_t
struct pcap_pkthdr;

namespace miniweb::stack {

struct CapturedPacket {
  std::int64_t time_epoch_us = 0;   // as libpcap stamps it, by the system clock
  std::vector<std::uint8_t> start;  // the first kKeptBytes
};

struct StreamCaptured {
  int link_type = 0;
  std::vector<CapturedPacket> packets;
  std::uint64_t past_limit = 0;         // packets not kept: more than kMaxPackets
  std::uint64_t dropped_by_kernel = 0;  // what libpcap says the kernel could not hand over
};

class StreamCapture {
 public:
  static constexpr std::size_t kKeptBytes = 128;
  static constexpr std::size_t kMaxPackets = 200000;

  // Capturing on `interface` what `filter` selects; `save`, when not empty, gets every whole
  // packet in pcap's format.
  static Result<std::unique_ptr<StreamCapture>> start(const std::string& interface,
                                                      const std::string& filter,
                                                      const std::filesystem::path& save);
  ~StreamCapture();
  StreamCapture(const StreamCapture&) = delete;
  StreamCapture& operator=(const StreamCapture&) = delete;

  // Stops after taking what the kernel still holds.
  StreamCaptured stop();

 private:
  StreamCapture(pcap* handle, pcap_dumper* dumper);
  void run();
  static void on_packet(unsigned char* self, const ::pcap_pkthdr* header,
                        const unsigned char* bytes);

  pcap* handle_;
  pcap_dumper* dumper_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards captured_
  StreamCaptured captured_;
  std::thread thread_;
};

}  // namespace miniweb::stack
