#include "browser/observe/capture.hpp"

#include "browser/observe/pcap_library.hpp"

namespace miniweb::browser::observe {
namespace {

// How long libpcap waits in one read before the thread looks at `stopping_` again.
constexpr int kReadTimeoutMs = 5;

// libpcap, once start() has opened it.
const PcapLibrary& pcap() {
  return **pcap_library();
}

std::string why_not(pcap_t* handle, int status) {
  const std::string said = pcap().geterr(handle);
  if (status == PCAP_ERROR_PERM_DENIED)
    return "capturing packets needs CAP_NET_RAW (" + said +
           "): run as root, or through ./miniweb, which runs the stack and the browser in "
           "namespaces of their own where it may";
  return said.empty() ? pcap().statustostr(status) : said;
}

}  // namespace

Result<std::unique_ptr<LiveCapture>> LiveCapture::start(const std::string& interface,
                                                        const std::string& filter,
                                                        const CaptureLimits& limits) {
  if (auto library = pcap_library(); !library) return library.error();
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap().create(interface.c_str(), error);
  if (!handle) return make_error("cannot capture on " + interface + ": " + error);
  // Whole frames of lo (MTU 65536, and its 14-byte Ethernet header), no more: in immediate
  // mode libpcap rings TPACKET_V2 frames of the snap length, and the ring's size is what it
  // costs to set up and tear down (16 MiB took 40 ms of a 20 ms load). 4 MiB holds 60 full
  // frames; the capture thread takes each as it comes, and what the kernel drops is counted.
  pcap().set_snaplen(handle, 65536 + 14);
  pcap().set_immediate_mode(handle, 1);
  pcap().set_timeout(handle, kReadTimeoutMs);
  pcap().set_buffer_size(handle, 4 << 20);
  if (const int status = pcap().activate(handle); status < 0) {
    const std::string why = why_not(handle, status);
    pcap().close(handle);
    return make_error("cannot capture on " + interface + ": " + why);
  }
  bpf_program program{};
  if (pcap().compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
      pcap().setfilter(handle, &program) != 0) {
    const std::string why = pcap().geterr(handle);
    pcap().freecode(&program);
    pcap().close(handle);
    return make_error("cannot capture with the filter '" + filter + "': " + why);
  }
  pcap().freecode(&program);
  auto capture = std::unique_ptr<LiveCapture>(new LiveCapture(handle, limits));
  capture->captured_.link_type = pcap().datalink(handle);
  capture->thread_ = std::thread([raw = capture.get()] { raw->run(); });
  return capture;
}

LiveCapture::LiveCapture(pcap_t* handle, const CaptureLimits& limits)
    : handle_(handle), limits_(limits) {}

LiveCapture::~LiveCapture() {
  if (thread_.joinable()) stop();
  pcap().close(handle_);
}

void LiveCapture::run() {
  while (!stopping_.load()) {
    if (pcap().dispatch(handle_, -1, &LiveCapture::on_frame,
                        reinterpret_cast<unsigned char*>(this)) < 0)
      break;
  }
  // What the kernel still holds: taken without waiting.
  pcap().setnonblock(handle_, 1, nullptr);
  while (pcap().dispatch(handle_, -1, &LiveCapture::on_frame,
                         reinterpret_cast<unsigned char*>(this)) > 0) {
  }
}

void LiveCapture::on_frame(unsigned char* self, const ::pcap_pkthdr* header,
                           const unsigned char* bytes) {
  auto& capture = *reinterpret_cast<LiveCapture*>(self);
  std::lock_guard lock(capture.mutex_);
  if (capture.captured_.frames.size() >= capture.limits_.max_frames ||
      capture.bytes_ + header->caplen > capture.limits_.max_bytes) {
    ++capture.captured_.dropped_by_limits;
    return;
  }
  capture.bytes_ += header->caplen;
  capture.captured_.frames.push_back(CapturedFrame{
      static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 + header->ts.tv_usec, header->len,
      std::string(reinterpret_cast<const char*>(bytes), header->caplen)});
}

Captured LiveCapture::stop() {
  stopping_ = true;
  // Wakes the capture thread out of its poll (libpcap's wakeup descriptor): without a packet
  // to come, pcap_dispatch would wait on.
  pcap().breakloop(handle_);
  if (thread_.joinable()) thread_.join();
  pcap_stat statistics{};
  std::lock_guard lock(mutex_);
  if (pcap().stats(handle_, &statistics) == 0) captured_.dropped_by_kernel = statistics.ps_drop;
  return std::move(captured_);
}

}  // namespace miniweb::browser::observe
