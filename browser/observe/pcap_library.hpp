#pragma once
// libpcap, opened when a load is first captured (--packets, --pcap) rather than linked: linked,
// it and what it pulls in (D-Bus, systemd, libgcrypt, three compressors) are loaded and
// relocated at every start of the browser, about 0.6 ms of each page load that never captures.

#include <pcap/pcap.h>

#include "shared/result.hpp"

namespace miniweb::browser::observe {

// The functions the capture calls, each with libpcap's own signature.
struct PcapLibrary {
  decltype(&::pcap_create) create;
  decltype(&::pcap_set_snaplen) set_snaplen;
  decltype(&::pcap_set_immediate_mode) set_immediate_mode;
  decltype(&::pcap_set_timeout) set_timeout;
  decltype(&::pcap_set_buffer_size) set_buffer_size;
  decltype(&::pcap_activate) activate;
  decltype(&::pcap_compile) compile;
  decltype(&::pcap_setfilter) setfilter;
  decltype(&::pcap_freecode) freecode;
  decltype(&::pcap_datalink) datalink;
  decltype(&::pcap_dispatch) dispatch;
  decltype(&::pcap_setnonblock) setnonblock;
  decltype(&::pcap_breakloop) breakloop;
  decltype(&::pcap_stats) stats;
  decltype(&::pcap_close) close;
  decltype(&::pcap_geterr) geterr;
  decltype(&::pcap_statustostr) statustostr;
};

// libpcap, opened once (thread-safe); an Error says why it cannot be (not installed).
Result<const PcapLibrary*> pcap_library();

}  // namespace miniweb::browser::observe
