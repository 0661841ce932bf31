#include "browser/observe/pcap_library.hpp"

#include <dlfcn.h>

#include <string>

namespace miniweb::browser::observe {
namespace {

// Debian's soname first, then other distributions'.
constexpr const char* kSonames[] = {"libpcap.so.0.8", "libpcap.so.1", "libpcap.so"};

template <class Function>
bool bind_symbol(void* library, const char* name, Function& function, std::string& missing) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  if (!function) missing += std::string(missing.empty() ? "" : ", ") + name;
  return function != nullptr;
}

// The library stays loaded for the process's life: captures may follow.
Result<PcapLibrary> open_library() {
  void* library = nullptr;
  std::string tried;
  for (const char* soname : kSonames) {
    library = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (library) break;
    tried += std::string(tried.empty() ? "" : "; ") + ::dlerror();
  }
  if (!library)
    return make_error("capturing packets needs libpcap, which cannot be loaded: " + tried);
  PcapLibrary pcap{};
  std::string missing;
  bind_symbol(library, "pcap_create", pcap.create, missing);
  bind_symbol(library, "pcap_set_snaplen", pcap.set_snaplen, missing);
  bind_symbol(library, "pcap_set_immediate_mode", pcap.set_immediate_mode, missing);
  bind_symbol(library, "pcap_set_timeout", pcap.set_timeout, missing);
  bind_symbol(library, "pcap_set_buffer_size", pcap.set_buffer_size, missing);
  bind_symbol(library, "pcap_activate", pcap.activate, missing);
  bind_symbol(library, "pcap_compile", pcap.compile, missing);
  bind_symbol(library, "pcap_setfilter", pcap.setfilter, missing);
  bind_symbol(library, "pcap_freecode", pcap.freecode, missing);
  bind_symbol(library, "pcap_datalink", pcap.datalink, missing);
  bind_symbol(library, "pcap_dispatch", pcap.dispatch, missing);
  bind_symbol(library, "pcap_setnonblock", pcap.setnonblock, missing);
  bind_symbol(library, "pcap_breakloop", pcap.breakloop, missing);
  bind_symbol(library, "pcap_stats", pcap.stats, missing);
  bind_symbol(library, "pcap_close", pcap.close, missing);
  bind_symbol(library, "pcap_geterr", pcap.geterr, missing);
  bind_symbol(library, "pcap_statustostr", pcap.statustostr, missing);
  if (!missing.empty()) return make_error("the libpcap found lacks " + missing);
  return pcap;
}

}  // namespace

Result<const PcapLibrary*> pcap_library() {
  static const Result<PcapLibrary> opened = open_library();
  if (!opened) return opened.error();
  return &*opened;
}

}  // namespace miniweb::browser::observe
