#include "stack/links.hpp"

#include <arpa/inet.h>

#include <array>
#include <set>
#include <sstream>
#include <vector>

namespace miniweb::stack {
namespace {

using std::chrono::microseconds;

// A pair the description does not name: one data centre.
constexpr double kDefaultRoundTripMs = 1;

constexpr std::array<std::pair<FaultKind, std::string_view>, 5> kNames{{
    {FaultKind::Syn, "syn"},
    {FaultKind::SynAck, "syn-ack"},
    {FaultKind::ThirdAck, "third-ack"},
    {FaultKind::Data, "data"},
    {FaultKind::DnsQuery, "dns-query"},
}};

microseconds one_way(double round_trip_ms) {
  return microseconds(static_cast<std::int64_t>(round_trip_ms * 1000 / 2));
}

struct Host {
  std::string name;  // "browser" or a service
  Address address = 0;
  bool site = false;
  bool backend = false;
};

std::vector<Host> hosts_of(const Topology& topology, Address base) {
  std::vector<Host> hosts{{"browser", kBrowserAddress}};
  std::set<std::string> seen{"browser"};
  auto add = [&](const std::string& service, HostOctet octet, bool site, bool backend) {
    if (seen.insert(service).second)
      hosts.push_back({service, base + static_cast<Address>(octet), site, backend});
  };
  add(topology.resolver_service, topology.resolver_address, false, false);
  add(topology.ca_service, topology.ca_address, false, false);
  for (const Nameserver& server : topology.nameservers)
    add(server.service, server.address, false, false);
  for (const Site& site : topology.sites) add(site.service, site.address, true, false);
  for (const ForwardProxy& proxy : topology.forward_proxies)
    add(proxy.service, proxy.address, true, false);
  for (const Upstream& upstream : topology.upstreams)
    for (const Backend& backend : upstream.backends)
      add(backend.service, backend.address, false, true);
  return hosts;
}

bool matches(const Host& host, const std::string& end) {
  return host.name == end || (end == "sites" && host.site) || (end == "backends" && host.backend);
}

// An end of a fault's link: an address, or * for any.
Result<std::optional<Address>> parse_end(const std::string& text) {
  if (text == "*") return std::optional<Address>{};
  auto address = parse_address(text);
  if (!address) return make_error("'" + text + "' is not an IPv4 address or *");
  return std::optional<Address>{*address};
}

// "drop KIND FROM TO SKIP COUNT", each end an address or *.
Result<LinkFault> parse_fault(const std::string& line) {
  std::istringstream fields(line);
  std::string word, kind, from, to;
  long long skip = -1, count = -1;
  fields >> word >> kind >> from >> to >> skip >> count;
  if (!fields || skip < 0 || count < 0 || skip > 1'000'000 || count > 1'000'000)
    return make_error("drop KIND FROM TO SKIP COUNT, got '" + line + "'");
  LinkFault fault;
  auto parsed_kind = parse_fault_kind(kind);
  if (!parsed_kind)
    return make_error("no fault kind '" + kind + "': syn, syn-ack, third-ack, data or dns-query");
  fault.kind = *parsed_kind;
  for (auto [text, address] : {std::pair{&from, &fault.from}, std::pair{&to, &fault.to}}) {
    auto end = parse_end(*text);
    if (!end) return end.error();
    *address = *end;
  }
  fault.skip = static_cast<unsigned>(skip);
  fault.count = static_cast<unsigned>(count);
  return fault;
}

// "rewrite FROM TO OLD NEW", "corrupt FROM TO SKIP COUNT", "spoof-dns NAME ADDRESS FROM TO".
Result<LinkTamper> parse_tamper(const std::string& line) {
  std::istringstream fields(line);
  std::string word, from, to, extra;
  fields >> word;
  LinkTamper tamper;
  if (word == "rewrite") {
    tamper.kind = TamperKind::Rewrite;
    fields >> from >> to >> tamper.old_bytes >> tamper.new_bytes;
    if (!fields || tamper.old_bytes.size() != tamper.new_bytes.size())
      return make_error("rewrite FROM TO OLD NEW (OLD and NEW of one length), got '" + line + "'");
  } else if (word == "corrupt") {
    tamper.kind = TamperKind::Corrupt;
    long long skip = -1, count = -1;
    fields >> from >> to >> skip >> count;
    if (!fields || skip < 0 || count < 0 || skip > 1'000'000 || count > 1'000'000)
      return make_error("corrupt FROM TO SKIP COUNT, got '" + line + "'");
    tamper.skip = static_cast<unsigned>(skip);
    tamper.count = static_cast<unsigned>(count);
  } else {
    tamper.kind = TamperKind::SpoofDns;
    std::string address;
    fields >> tamper.name >> address >> from >> to;
    auto parsed = parse_address(address);
    if (!fields || !parsed) return make_error("spoof-dns NAME ADDRESS FROM TO, got '" + line + "'");
    tamper.address = *parsed;
    if (tamper.name.size() > 1 && tamper.name.back() == '.') tamper.name.pop_back();
  }
  if (fields >> extra) return make_error("more than the fields of " + word + " in '" + line + "'");
  auto source = parse_end(from);
  if (!source) return source.error();
  auto destination = parse_end(to);
  if (!destination) return destination.error();
  tamper.from = *source;
  tamper.to = *destination;
  return tamper;
}

bool is_tamper_line(const std::string& line) {
  return line.starts_with("rewrite ") || line.starts_with("corrupt ") ||
         line.starts_with("spoof-dns ");
}

}  // namespace

std::optional<NetworkProfile> parse_network_profile(std::string_view name) {
  if (name == "loopback") return NetworkProfile::Loopback;
  if (name == "lan") return NetworkProfile::Lan;
  if (name == "broadband") return NetworkProfile::Broadband;
  if (name == "mobile") return NetworkProfile::Mobile;
  if (name == "lossy") return NetworkProfile::Lossy;
  return std::nullopt;
}

const LinkConditions& LinkTable::find(Address from, Address to) const {
  auto found = links.find({from, to});
  return found == links.end() ? fallback : found->second;
}

std::string address_text(Address address) {
  in_addr raw{htonl(address)};
  char text[INET_ADDRSTRLEN];
  return inet_ntop(AF_INET, &raw, text, sizeof text);
}

std::optional<Address> parse_address(std::string_view text) {
  in_addr raw{};
  if (inet_pton(AF_INET, std::string(text).c_str(), &raw) != 1) return std::nullopt;
  return ntohl(raw.s_addr);
}

Result<LinkTable> make_link_table(const Topology& topology, const std::string& net,
                                  NetworkProfile profile) {
  LinkTable table;
  if (profile == NetworkProfile::Loopback) return table;
  auto base = parse_address(net + ".0");
  if (!base) return make_error("'" + net + "' is not the first three octets of an address");
  if (profile == NetworkProfile::Lan) {
    table.fallback.delay = one_way(1);
    return table;
  }
  const double loss = profile == NetworkProfile::Lossy ? 0.05 : 0.001;
  table.fallback = {one_way(kDefaultRoundTripMs), microseconds(0), loss, 0};
  std::vector<Host> hosts = hosts_of(topology, *base);
  // Every ordered pair of known hosts, at the default, then the description's distances in
  // order: a later entry overrides an earlier one.
  std::map<std::pair<std::size_t, std::size_t>, double> round_trip;
  for (std::size_t a = 0; a < hosts.size(); ++a)
    for (std::size_t b = 0; b < hosts.size(); ++b)
      if (a != b) round_trip[{a, b}] = kDefaultRoundTripMs;
  for (const LinkEntry& link : topology.links)
    for (std::size_t a = 0; a < hosts.size(); ++a)
      for (std::size_t b = 0; b < hosts.size(); ++b)
        if (a != b && matches(hosts[a], link.from))
          for (const std::string& end : link.to)
            if (matches(hosts[b], end))
              round_trip[{a, b}] = round_trip[{b, a}] = link.round_trip_ms;
  for (const auto& [pair, milliseconds] : round_trip) {
    LinkConditions conditions{one_way(milliseconds), microseconds(0), loss, 0};
    const bool browser_link = pair.first == 0 || pair.second == 0;
    if (profile == NetworkProfile::Mobile && browser_link) {
      // The last mile is a radio: farther, lossier, jittery and narrow.
      conditions.delay += one_way(60);
      conditions.jitter = std::chrono::milliseconds(20);
      conditions.loss = 0.01;
      conditions.rate_bits_per_second = 10'000'000;
    }
    table.links[{hosts[pair.first].address, hosts[pair.second].address}] = conditions;
  }
  return table;
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
  for (const auto& [kind, text] : kNames)
    if (text == name) return kind;
  return std::nullopt;
}

std::string_view fault_kind_name(FaultKind kind) {
  for (const auto& [each, text] : kNames)
    if (each == kind) return text;
  return "?";
}

std::string link_table_text(const LinkTable& table) {
  std::ostringstream out;
  auto line = [&](const std::string& from, const std::string& to, const LinkConditions& c) {
    out << from << ' ' << to << ' ' << c.delay.count() << ' ' << c.jitter.count() << ' ' << c.loss
        << ' ' << c.rate_bits_per_second << '\n';
  };
  out << "# FROM TO DELAY_US JITTER_US LOSS RATE_BPS (one way; * is every other pair)\n";
  line("*", "*", table.fallback);
  for (const auto& [key, conditions] : table.links)
    line(address_text(key.first), address_text(key.second), conditions);
  auto end = [](const std::optional<Address>& address) {
    return address ? address_text(*address) : std::string("*");
  };
  if (!table.faults.empty()) out << "# drop KIND FROM TO SKIP COUNT (an experiment's faults)\n";
  for (const LinkFault& fault : table.faults)
    out << "drop " << fault_kind_name(fault.kind) << ' ' << end(fault.from) << ' ' << end(fault.to)
        << ' ' << fault.skip << ' ' << fault.count << '\n';
  if (!table.tampers.empty())
    out << "# rewrite FROM TO OLD NEW | corrupt FROM TO SKIP COUNT | spoof-dns NAME ADDRESS FROM "
           "TO\n";
  for (const LinkTamper& tamper : table.tampers) {
    switch (tamper.kind) {
      case TamperKind::Rewrite:
        out << "rewrite " << end(tamper.from) << ' ' << end(tamper.to) << ' ' << tamper.old_bytes
            << ' ' << tamper.new_bytes << '\n';
        break;
      case TamperKind::Corrupt:
        out << "corrupt " << end(tamper.from) << ' ' << end(tamper.to) << ' ' << tamper.skip << ' '
            << tamper.count << '\n';
        break;
      case TamperKind::SpoofDns:
        out << "spoof-dns " << tamper.name << ' ' << address_text(tamper.address) << ' '
            << end(tamper.from) << ' ' << end(tamper.to) << '\n';
        break;
    }
  }
  return out.str();
}

Result<LinkTable> parse_link_table(std::string_view text) {
  LinkTable table;
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    if (line.starts_with("drop ")) {
      auto fault = parse_fault(line);
      if (!fault)
        return make_error("line " + std::to_string(number) + ": " + fault.error().message);
      table.faults.push_back(*fault);
      continue;
    }
    if (is_tamper_line(line)) {
      auto tamper = parse_tamper(line);
      if (!tamper)
        return make_error("line " + std::to_string(number) + ": " + tamper.error().message);
      table.tampers.push_back(*tamper);
      continue;
    }
    std::string from, to;
    std::int64_t delay = -1, jitter = -1;
    double loss = -1;
    std::uint64_t rate = 0;
    fields >> from >> to >> delay >> jitter >> loss >> rate;
    if (!fields || delay < 0 || jitter < 0 || loss < 0 || loss > 1)
      return make_error("line " + std::to_string(number) +
                        ": FROM TO DELAY_US JITTER_US LOSS RATE_BPS, got '" + line + "'");
    LinkConditions conditions{microseconds(delay), microseconds(jitter), loss, rate};
    if (from == "*" && to == "*") {
      table.fallback = conditions;
      continue;
    }
    auto source = parse_address(from);
    auto destination = parse_address(to);
    if (!source || !destination)
      return make_error("line " + std::to_string(number) + ": '" + from + "' or '" + to +
                        "' is not an IPv4 address");
    table.links[{*source, *destination}] = conditions;
  }
  return table;
}

}  // namespace miniweb::stack
