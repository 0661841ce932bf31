#pragma once
// The TCP segments of a network namespace, captured with libpcap on its "any" device
// (immediate mode, so none waits in a buffer), decoded as they come and, when asked, written to
// a pcap file as they were captured.

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "shared/result.hpp"
#include "stack/tcp_segment.hpp"

struct pcap;
struct pcap_dumper;
struct pcap_pkthdr;

namespace miniweb::stack {

struct CapturedSegment {
  std::chrono::system_clock::time_point at;
  TcpSegment segment;
};

class SegmentCapture {
 public:
  // An empty `pcap_file` writes none.
  static Result<std::unique_ptr<SegmentCapture>> open(const std::filesystem::path& pcap_file);
  SegmentCapture(const SegmentCapture&) = delete;
  SegmentCapture& operator=(const SegmentCapture&) = delete;
  ~SegmentCapture();

  // For poll(): readable when frames wait.
  int selectable_fd() const;
  // Decodes every frame waiting, without blocking.
  void take_waiting();

  struct Statistics {
    unsigned frames = 0;          // delivered to this program
    unsigned kernel_dropped = 0;  // pcap_stats' ps_drop: no room in the capture buffer
  };
  Statistics statistics() const;
  const std::vector<CapturedSegment>& segments() const { return segments_; }
  // The pcap file complete on disk (the file is closed).
  void finish_file();

 private:
  SegmentCapture() = default;
  static void on_frame(unsigned char* self, const ::pcap_pkthdr* header,
                       const unsigned char* bytes);

  struct pcap* handle_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  int link_type_ = 0;
  unsigned frames_ = 0;
  std::vector<CapturedSegment> segments_;
};

}  // namespace miniweb::stack
