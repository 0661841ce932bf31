#include "stack/stream_capture.hpp"

#include <pcap/pcap.h>

namespace miniweb::stack {

Result<std::unique_ptr<StreamCapture>> StreamCapture::start(const std::string& interface,
                                                            const std::string& filter,
                                                            const std::filesystem::path& save) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create(interface.c_str(), error);
  if (!handle) return make_error("cannot capture on " + interface + ": " + error);
  // Whole packets of lo (MTU 65536 and a 14-byte Ethernet header), each as it passes.
  pcap_set_snaplen(handle, 65536 + 14);
  pcap_set_immediate_mode(handle, 1);
  pcap_set_timeout(handle, 5);
  pcap_set_buffer_size(handle, 4 << 20);
  if (const int status = pcap_activate(handle); status < 0) {
    const std::string said = pcap_geterr(handle);
    pcap_close(handle);
    return make_error("cannot capture on " + interface + ": " +
                      (said.empty() ? pcap_statustostr(status) : said));
  }
  bpf_program program{};
  if (pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap_setfilter(handle, &program) != 0) {
    const std::string why = pcap_geterr(handle);
    pcap_freecode(&program);
    pcap_close(handle);
    return make_error("cannot capture with the filter '" + filter + "': " + why);
  }
  pcap_freecode(&program);
  pcap_dumper_t* dumper = nullptr;
  if (!save.empty()) {
    dumper = pcap_dump_open(handle, save.c_str());
    if (!dumper) {
      const std::string why = pcap_geterr(handle);
      pcap_close(handle);
      return make_error("cannot write " + save.string() + ": " + why);
    }
  }
  auto capture = std::unique_ptr<StreamCapture>(new StreamCapture(handle, dumper));
  capture->captured_.link_type = pcap_datalink(handle);
  capture->thread_ = std::thread([raw = capture.get()] { raw->run(); });
  return capture;
}

StreamCapture::StreamCapture(pcap_t* handle, pcap_dumper_t* dumper)
    : handle_(handle), dumper_(dumper) {}

StreamCapture::~StreamCapture() {
  if (thread_.joinable()) stop();
  if (dumper_) pcap_dump_close(dumper_);
  pcap_close(handle_);
}

void StreamCapture::run() {
  auto* self = reinterpret_cast<unsigned char*>(this);
  while (!stopping_.load())
    if (pcap_dispatch(handle_, -1, &StreamCapture::on_packet, self) < 0) break;
  // What the kernel still holds, taken without waiting.
  pcap_setnonblock(handle_, 1, nullptr);
  while (pcap_dispatch(handle_, -1, &StreamCapture::on_packet, self) > 0) {
  }
}

void StreamCapture::on_packet(unsigned char* self, const ::pcap_pkthdr* header,
                              const unsigned char* bytes) {
  auto& capture = *reinterpret_cast<StreamCapture*>(self);
  if (capture.dumper_) pcap_dump(reinterpret_cast<unsigned char*>(capture.dumper_), header, bytes);
  std::lock_guard lock(capture.mutex_);
  if (capture.captured_.packets.size() >= kMaxPackets) {
    ++capture.captured_.past_limit;
    return;
  }
  const std::size_t kept = std::min<std::size_t>(header->caplen, kKeptBytes);
  capture.captured_.packets.push_back(
      CapturedPacket{static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 + header->ts.tv_usec,
                     std::vector<std::uint8_t>(bytes, bytes + kept)});
}

StreamCaptured StreamCapture::stop() {
  stopping_ = true;
  // Wakes the capture thread out of its poll: without a packet to come, it would wait on.
  pcap_breakloop(handle_);
  if (thread_.joinable()) thread_.join();
  if (dumper_) pcap_dump_flush(dumper_);
  pcap_stat statistics{};
  std::lock_guard lock(mutex_);
  if (pcap_stats(handle_, &statistics) == 0) captured_.dropped_by_kernel = statistics.ps_drop;
  return std::move(captured_);
}

}  // namespace miniweb::stack
