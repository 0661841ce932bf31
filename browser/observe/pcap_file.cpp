#include "browser/observe/pcap_file.hpp"

#include <sys/stat.h>

#include "browser/packets/pcapng_writer.hpp"

namespace miniweb::browser::observe {

Status save_pcap(const std::string& path, const ObservedLoad& observed, const Journey& journey) {
  if (!observed.capture_error.empty())
    return make_error("nothing to save in " + path + ": " + observed.capture_error);
  // The file holds the session keys: readable by its owner only, as a key log should be.
  const mode_t old_mask = ::umask(077);
  auto writer = packets::PcapngWriter::create(path);
  ::umask(old_mask);
  if (!writer) return writer.error();
  auto interface = writer->add_interface(
      packets::pcapng::Interface{.link_type = observed.capture.link_type, .name = "lo"});
  if (!interface) return interface.error();
  if (!observed.key_log.empty())
    if (auto written = writer->write_tls_key_log(observed.key_log); !written) return written;
  for (std::size_t index : journey.frames) {
    const CapturedFrame& frame = observed.capture.frames[index];
    auto written = writer->write_packet(
        *interface, packets::CaptureTime(std::chrono::microseconds(frame.time_us)),
        {reinterpret_cast<const std::uint8_t*>(frame.bytes.data()), frame.bytes.size()},
        frame.wire_length);
    if (!written) return written;
  }
  return writer->close();
}

}  // namespace miniweb::browser::observe
