// libFuzzer entry point for the demo internet's description (stack/topology.hpp: parse_topology,
// what load_topology and so `miniweb-stack plan` and `check` run on demo/topology.toml's text),
// shared by the clang fuzzer and the corpus driver (tests/support/fuzz_driver.cpp). The input
// is the description's text. Nothing may crash, hang, leak or throw; an error names the file and
// a line; and a description that loads keeps what the planner relies on:
//   - one name server serves the root zone, and no zone has two;
//   - every address is an octet 1 to 254, every site has one, one service per address and one
//     address per service; the sites of a service agree on HSTS;
//   - host names are lower-case DNS names; links end at known places;
// and is planned (stack/plan: make_plan) without throwing, into files under the state folder
// only, every configuration among them valid TOML, which the server's own loader
// (server/config: parse_config) reads without crashing.

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "server/config.hpp"
#include "stack/plan.hpp"
#include "stack/topology.hpp"
#include "tests/support/located_error.hpp"

namespace {

using namespace miniweb::stack;

const std::filesystem::path kSource = "/fuzz/demo/topology.toml";

void check(bool promise) {
  if (!promise) __builtin_trap();
}

bool octet(HostOctet address) {
  return address >= 1 && address <= 254;
}

bool host_name(const std::string& name) {
  return !name.empty() && name.front() != '.' && name.back() != '.' &&
         name.find("..") == std::string::npos && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
         });
}

// Where the planner reads static backends' pages from: a folder of this process's own, holding
// the page the corpus names (demo/sites/page.html), made once.
// Removed when the process exits.
class PageRepository {
 public:
  PageRepository()
      : folder_(std::filesystem::temp_directory_path() /
                ("miniweb-topology-fuzz-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(folder_ / "demo" / "sites");
    std::ofstream(folder_ / "demo" / "sites" / "page.html")
        << "<p>{{backend}} at {{address}}, {{weight}} of {{total}}</p>\n";
  }
  ~PageRepository() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  PageRepository(const PageRepository&) = delete;
  PageRepository& operator=(const PageRepository&) = delete;
  const std::filesystem::path& folder() const { return folder_; }

 private:
  std::filesystem::path folder_;
};

const std::filesystem::path& page_repository() {
  static const PageRepository repository;
  return repository.folder();
}

void check_topology(const Topology& topology) {
  check(topology.source == kSource);
  std::map<std::string, HostOctet> service_address;
  std::map<HostOctet, std::string> address_service;
  auto claim = [&](const std::string& service, HostOctet address) {
    check(!service.empty() && octet(address));
    check(service_address.emplace(service, address).first->second == address);
    check(address_service.emplace(address, service).first->second == service);
  };
  claim(topology.resolver_service, topology.resolver_address);
  claim(topology.ca_service, topology.ca_address);
  check(host_name(topology.ca_name));
  std::set<std::string> zones;
  for (const Nameserver& server : topology.nameservers) {
    claim(server.service, server.address);
    check(host_name(server.host) && server.ttl >= 1 && server.ttl <= 604800);
    for (const std::string& zone : server.zones)
      check((zone == "." || (zone.ends_with('.') && host_name(zone.substr(0, zone.size() - 1)))) &&
            zones.insert(zone).second);
  }
  check(zones.contains("."));
  std::map<std::string, bool> hsts;
  for (const Site& site : topology.sites) {
    claim(site.service, site.address);
    check(!site.names.empty() && std::all_of(site.names.begin(), site.names.end(), host_name));
    check(site.certificate != CertificateKind::WrongHost || host_name(site.issued_for));
    check(hsts.emplace(site.service, site.hsts).first->second == site.hsts);
  }
  for (const Upstream& upstream : topology.upstreams) {
    check(!upstream.name.empty() && !upstream.backends.empty());
    for (const Backend& backend : upstream.backends) {
      claim(backend.service, backend.address);
      check(backend.weight >= 1 && backend.weight <= 1000);
    }
  }
  for (const ForwardProxy& proxy : topology.forward_proxies) {
    claim(proxy.service, proxy.address);
    check(host_name(proxy.name) && proxy.port > 0);
  }
  for (const ExtraHost& host : topology.hosts)
    check(host_name(host.name) && octet(host.address) && !address_service.contains(host.address));
  for (const ExtraRecord& record : topology.records) {
    check(host_name(record.name) && !record.type.empty() && !record.data.empty());
    for (const std::string& data : record.data)
      check(!data.empty() && data.find('\n') == std::string::npos);
  }
  for (const LinkEntry& link : topology.links) {
    check(!link.to.empty() && link.round_trip_ms >= 0 && link.round_trip_ms <= 10000);
    for (const std::string& end : link.to)
      check(end == "browser" || end == "sites" || end == "backends" ||
            service_address.contains(end));
  }
}

// The planner reads each static upstream's page from the repository: only pages inside it are
// planned here, so that an input never makes the fuzzer read /dev/zero or the like.
bool pages_inside_repository(const Topology& topology) {
  return std::all_of(topology.upstreams.begin(), topology.upstreams.end(), [](const Upstream& u) {
    if (u.kind != BackendKind::StaticPage) return true;
    if (u.page.empty() || u.page.is_absolute()) return false;
    return std::none_of(u.page.begin(), u.page.end(),
                        [](const std::filesystem::path& part) { return part == ".."; });
  });
}

void check_plan(const Topology& topology) {
  PlanSettings settings;
  settings.state = "/fuzz/state";
  settings.repo = page_repository();
  settings.serial = "2026120201";
  auto plan = make_plan(topology, settings);
  if (!plan) return;  // a page that cannot be read, an upstream no upstream table describes
  for (const PlannedFile& file : plan->files) {
    // Nothing outside the state folder, whatever names and services the description holds.
    const std::filesystem::path relative = file.path.lexically_relative(settings.state);
    check(!relative.empty() && *relative.begin() != ".." && relative.is_relative());
    if (file.path.extension() != ".toml") continue;
    // The planner's TOML, written by toml++, reads back; the server's loader may refuse what a
    // site's passed-through settings say (it checks them at start), but never crashes on it.
    try {
      (void)toml::parse(file.content, file.path.string());
    } catch (const toml::parse_error&) {
      __builtin_trap();
    }
    if (relative.begin()->string() == "server")
      (void)miniweb::server::parse_config(file.content, file.path);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto topology = parse_topology(text, kSource);
  if (!topology) {
    check(miniweb::test::names_file_and_line(topology.error().message, kSource.string()));
    return 0;
  }
  check_topology(*topology);
  if (pages_inside_repository(*topology)) check_plan(*topology);
  return 0;
}
