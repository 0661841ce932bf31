#include "stack/segment_capture.hpp"

#include <pcap/pcap.h>

#include <string>

namespace miniweb::stack {
namespace {

// Headers with room for IPv4 and TCP options; the data is never read.
constexpr int kSnapshotLength = 160;
constexpr int kBufferBytes = 8 << 20;

}  // namespace

Result<std::unique_ptr<SegmentCapture>> SegmentCapture::open(
    const std::filesystem::path& pcap_file) {
  std::unique_ptr<SegmentCapture> capture(new SegmentCapture());
  char error[PCAP_ERRBUF_SIZE] = "";
  capture->handle_ = pcap_create("any", error);
  if (!capture->handle_) return make_error(std::string("libpcap on any: ") + error);
  pcap_t* handle = capture->handle_;
  pcap_set_snaplen(handle, kSnapshotLength);
  pcap_set_immediate_mode(handle, 1);
  pcap_set_buffer_size(handle, kBufferBytes);
  if (const int status = pcap_activate(handle); status < 0)
    return make_error(std::string("libpcap on any: ") + pcap_statustostr(status) + " (" +
                      pcap_geterr(handle) +
                      "); capturing needs CAP_NET_RAW in the experiment's namespace");
  bpf_program filter{};
  if (pcap_compile(handle, &filter, "tcp", 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap_setfilter(handle, &filter) != 0)
    return make_error(std::string("libpcap filter: ") + pcap_geterr(handle));
  pcap_freecode(&filter);
  if (pcap_setnonblock(handle, 1, error) != 0) return make_error(std::string("libpcap: ") + error);
  capture->link_type_ = pcap_datalink(handle);
  if (!pcap_file.empty()) {
    capture->dumper_ = pcap_dump_open(handle, pcap_file.c_str());
    if (!capture->dumper_)
      return make_error("cannot write " + pcap_file.string() + ": " + pcap_geterr(handle));
  }
  return capture;
}

SegmentCapture::~SegmentCapture() {
  finish_file();
  if (handle_) pcap_close(handle_);
}

int SegmentCapture::selectable_fd() const {
  return pcap_get_selectable_fd(handle_);
}

void SegmentCapture::take_waiting() {
  while (pcap_dispatch(handle_, -1, &SegmentCapture::on_frame,
                       reinterpret_cast<unsigned char*>(this)) > 0) {
  }
}

void SegmentCapture::on_frame(unsigned char* self, const ::pcap_pkthdr* header,
                              const unsigned char* bytes) {
  auto* capture = reinterpret_cast<SegmentCapture*>(self);
  ++capture->frames_;
  if (capture->dumper_)
    pcap_dump(reinterpret_cast<unsigned char*>(capture->dumper_), header, bytes);
  auto segment = decode_frame(capture->link_type_, std::span(bytes, header->caplen));
  if (!segment) return;
  const auto at = std::chrono::system_clock::time_point(
      std::chrono::seconds(header->ts.tv_sec) + std::chrono::microseconds(header->ts.tv_usec));
  capture->segments_.push_back({at, *segment});
}

SegmentCapture::Statistics SegmentCapture::statistics() const {
  Statistics statistics;
  statistics.frames = frames_;
  pcap_stat kernel{};
  if (pcap_stats(handle_, &kernel) == 0) statistics.kernel_dropped = kernel.ps_drop;
  return statistics;
}

void SegmentCapture::finish_file() {
  if (!dumper_) return;
  pcap_dump_close(dumper_);
  dumper_ = nullptr;
}

}  // namespace miniweb::stack
