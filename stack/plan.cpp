#include "stack/plan.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace miniweb::stack {
namespace {

// A name the zones must answer for, and where it points.
struct NamedAddress {
  std::string name;  // absolute
  HostOctet address = 0;
  // Served over HTTPS, with these ALPN protocols: gets an HTTPS record when the port is not
  // 443. Empty: not a web server.
  std::string alpn;
};

std::string address_of(const PlanSettings& settings, HostOctet octet) {
  return settings.net + "." + std::to_string(octet);
}

std::string endpoint(const PlanSettings& settings, HostOctet octet, std::uint16_t port) {
  return address_of(settings, octet) + ":" + std::to_string(port);
}

// Single quotes for the launcher's shell: nothing inside is special except the quote itself.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::vector<std::string> all_origins(const Topology& topology) {
  std::vector<std::string> origins;
  for (const Nameserver& server : topology.nameservers)
    origins.insert(origins.end(), server.zones.begin(), server.zones.end());
  return origins;
}

// The most specific zone that covers the name (there is always the root).
std::string zone_of(const std::vector<std::string>& origins, const std::string& absolute) {
  std::string best = ".";
  for (const std::string& origin : origins)
    if (name_in_zone(absolute, origin) && origin.size() > best.size()) best = origin;
  return best;
}

// The zone a zone is delegated from: the most specific other zone above it.
std::string parent_of(const std::vector<std::string>& origins, const std::string& origin) {
  std::string best = ".";
  for (const std::string& other : origins)
    if (other != origin && name_in_zone(origin, other) && other.size() > best.size()) best = other;
  return best;
}

const Nameserver& server_of(const Topology& topology, const std::string& origin) {
  for (const Nameserver& server : topology.nameservers)
    if (std::find(server.zones.begin(), server.zones.end(), origin) != server.zones.end())
      return server;
  throw std::logic_error("no name server for " + origin);  // load_topology checked every zone
}

std::vector<NamedAddress> named_addresses(const Topology& topology) {
  std::vector<NamedAddress> names;
  for (const Nameserver& server : topology.nameservers)
    names.push_back({absolute_name(server.host), server.address, ""});
  // The CA's ACME endpoint speaks HTTP/1.1 only; the web server offers h2 too.
  names.push_back({absolute_name(topology.ca_name), topology.ca_address, "http/1.1"});
  for (const Site& site : topology.sites)
    if (site.in_dns)
      for (const std::string& name : site.names)
        names.push_back({absolute_name(name), site.address, "h2,http/1.1"});
  for (const ExtraHost& host : topology.hosts)
    names.push_back({absolute_name(host.name), host.address, ""});
  for (const ForwardProxy& proxy : topology.forward_proxies)
    names.push_back({absolute_name(proxy.name), proxy.address, ""});
  return names;
}

std::string zone_file_name(const std::string& origin) {
  return origin == "." ? "root.zone" : origin.substr(0, origin.size() - 1) + ".zone";
}

std::string record(const std::string& owner, const std::string& type, const std::string& data) {
  std::string line = owner;
  line.resize(std::max<std::size_t>(line.size() + 1, 34), ' ');
  return line + "IN " + type + std::string(type.size() < 6 ? 6 - type.size() : 1, ' ') + data +
         "\n";
}

// Each site service: its sites, in the order of the description.
std::vector<std::pair<std::string, std::vector<const Site*>>> servers_of(const Topology& topology) {
  std::vector<std::pair<std::string, std::vector<const Site*>>> servers;
  for (const Site& site : topology.sites) {
    auto it = std::find_if(servers.begin(), servers.end(),
                           [&](const auto& s) { return s.first == site.service; });
    if (it == servers.end()) {
      servers.push_back({site.service, {}});
      it = servers.end() - 1;
    }
    it->second.push_back(&site);
  }
  return servers;
}

std::filesystem::path certificate_base(const PlanSettings& settings, const Site& site) {
  return settings.state / "certs" / site.names.front();
}

std::string certificate_word(CertificateKind kind) {
  switch (kind) {
    case CertificateKind::Acme:
      return "acme";
    case CertificateKind::Expired:
      return "expired";
    case CertificateKind::WrongHost:
      return "wrong-host";
    case CertificateKind::UntrustedRoot:
      return "untrusted-root";
    case CertificateKind::SelfSigned:
      return "self-signed";
    case CertificateKind::IncompleteChain:
      return "incomplete-chain";
    case CertificateKind::Revoked:
      return "revoked";
  }
  return "acme";
}

std::vector<std::string> proxied_upstreams(const Site& site) {
  std::vector<std::string> names;
  if (const toml::array* routes = site.server_settings["proxy"].as_array())
    for (const toml::node& route : *routes)
      if (auto upstream = route.at_path("upstream").value<std::string>())
        names.push_back(*upstream);
  return names;
}

// A web server's listener, deferred (server/server.cpp: woken once a connection's first bytes
// are in, as nginx's `listen ... deferred`).
toml::table listener(const PlanSettings& settings, HostOctet octet, std::uint16_t port,
                     const char* protocol) {
  toml::table table{{"address", address_of(settings, octet)}, {"port", port}};
  if (std::string_view(protocol) != "https") table.insert("protocol", protocol);
  table.insert("deferred", true);
  return table;
}

std::string toml_text(const std::string& heading, const toml::table& table) {
  std::ostringstream out;
  out << heading << toml::toml_formatter(table) << "\n";
  return out.str();
}

std::string generated_by(const Topology& topology) {
  return "generated from " + topology.source.string() +
         " by miniweb-stack plan: edit that, not this";
}

Result<PlannedFile> server_file(const Topology& topology, const PlanSettings& settings,
                                const std::string& service, const std::vector<const Site*>& sites) {
  toml::array listeners;
  listeners.push_back(listener(settings, sites.front()->address, settings.https_port, "https"));
  listeners.push_back(listener(settings, sites.front()->address, settings.http_port, "http"));
  toml::array site_tables;
  std::vector<std::string> upstream_names;
  for (const Site* site : sites) {
    toml::table table = site->server_settings;
    if (auto root = table["root"].value<std::string>())
      table.insert_or_assign("root", (settings.repo / *root).lexically_normal().string());
    if (site->certificate == CertificateKind::Acme) {
      // From the stack's CA by ACME, at start-up and again before expiry (the [acme] table).
      table.insert_or_assign("acme", true);
    } else {
      std::filesystem::path base = certificate_base(settings, *site);
      // The incomplete chain is the leaf alone, without the intermediate.
      std::string chain =
          site->certificate == CertificateKind::IncompleteChain ? ".crt" : ".chain.pem";
      table.insert_or_assign("certificate", base.string() + chain);
      table.insert_or_assign("key", base.string() + ".key");
    }
    site_tables.push_back(std::move(table));
    for (const std::string& name : proxied_upstreams(*site))
      if (std::find(upstream_names.begin(), upstream_names.end(), name) == upstream_names.end())
        upstream_names.push_back(name);
  }
  toml::array upstream_tables;
  for (const std::string& name : upstream_names) {
    auto upstream = std::find_if(topology.upstreams.begin(), topology.upstreams.end(),
                                 [&](const Upstream& u) { return u.name == name; });
    if (upstream == topology.upstreams.end())
      return make_error(topology.source.string() + ": service '" + service +
                        "' proxies to upstream '" + name + "', which is not described");
    toml::table table = upstream->server_settings;
    toml::array servers;
    for (const Backend& backend : upstream->backends)
      servers.push_back(
          toml::table{{"address", endpoint(settings, backend.address, settings.http_port)},
                      {"weight", backend.weight}});
    table.insert_or_assign("server", std::move(servers));
    // From the site's own address, so that the backends can tell the proxy from a client that
    // connects to them directly (the shop trusts X-Forwarded-For from this address only).
    table.insert_or_assign("bind", address_of(settings, sites.front()->address));
    upstream_tables.push_back(std::move(table));
  }
  toml::table config{{"listener", std::move(listeners)}, {"site", std::move(site_tables)}};
  if (std::any_of(sites.begin(), sites.end(),
                  [](const Site* site) { return site->certificate == CertificateKind::Acme; })) {
    std::string directory = "https://" + topology.ca_name;
    if (settings.https_port != 443) directory += ":" + std::to_string(settings.https_port);
    config.insert(
        "acme",
        toml::table{
            {"directory", directory + "/directory"},
            {"contact", toml::array{"mailto:hostmaster@" + sites.front()->names.front()}},
            {"state_dir", (settings.state / "acme" / service).string()},
            {"ca_bundle", (settings.state / "ca" / "root.pem").string()},
            {"resolver", endpoint(settings, topology.resolver_address, settings.dns_port)}});
  }
  // Names the server looks up itself (the OCSP responder named in its certificates) resolve
  // through the stack's resolver, as nginx's `resolver` makes them.
  toml::table server{
      {"resolver", endpoint(settings, topology.resolver_address, settings.dns_port)}};
  if (!sites.front()->hsts)  // the description checked that all of them agree
    server.insert("hsts_max_age", 0);
  config.insert("server", std::move(server));
  if (!upstream_tables.empty()) config.insert("upstream", std::move(upstream_tables));
  return PlannedFile{settings.state / "server" / (service + ".toml"),
                     toml_text("# " + service + ": " + generated_by(topology) + "\n\n", config)};
}

Result<std::vector<PlannedFile>> backend_files(const Topology& topology,
                                               const PlanSettings& settings,
                                               const Upstream& upstream) {
  std::ifstream in(settings.repo / upstream.page, std::ios::binary);
  if (!in)
    return make_error(topology.source.string() + ": upstream '" + upstream.name +
                      "': cannot read its page " + (settings.repo / upstream.page).string());
  std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  int total = 0;
  for (const Backend& backend : upstream.backends) total += backend.weight;
  // The backends answer to the names the proxy forwards as Host.
  toml::array names;
  for (const Site& site : topology.sites) {
    auto proxied = proxied_upstreams(site);
    if (std::find(proxied.begin(), proxied.end(), upstream.name) != proxied.end())
      for (const std::string& name : site.names) names.push_back(name);
  }
  std::vector<PlannedFile> files;
  for (const Backend& backend : upstream.backends) {
    std::string text = page;
    const std::map<std::string, std::string> fields = {
        {"{{backend}}", backend.name},
        {"{{address}}", address_of(settings, backend.address)},
        {"{{weight}}", std::to_string(backend.weight)},
        {"{{total}}", std::to_string(total)}};
    for (const auto& [field, value] : fields)
      for (std::size_t at = text.find(field); at != std::string::npos;
           at = text.find(field, at + value.size()))
        text.replace(at, field.size(), value);
    std::filesystem::path root = settings.state / "server" / backend.service;
    files.push_back({root / "index.html", text});
    toml::array backend_names{backend.name};
    for (const toml::node& name : names) backend_names.push_back(*name.value<std::string>());
    toml::table config{
        {"listener", toml::array{listener(settings, backend.address, settings.http_port, "http")}},
        {"site",
         toml::array{toml::table{
             {"names", backend_names}, {"root", root.string()}, {"redirect_to_https", false}}}}};
    files.push_back({settings.state / "server" / (backend.service + ".toml"),
                     toml_text("# " + backend.service + ", plain HTTP behind the proxy: " +
                                   generated_by(topology) + "\n\n",
                               config)});
  }
  return files;
}

std::string site_role(const std::vector<const Site*>& sites) {
  bool proxy = std::any_of(sites.begin(), sites.end(),
                           [](const Site* s) { return !proxied_upstreams(*s).empty(); });
  std::string role = proxy ? "reverse proxy (" : "HTTPS server (";
  role += sites.front()->names.front();
  if (sites.size() > 1) role += " and " + std::to_string(sites.size() - 1) + " more";
  return role + ")";
}

bool wrong_on_purpose(const std::vector<const Site*>& sites) {
  return std::all_of(sites.begin(), sites.end(),
                     [](const Site* s) { return s->certificate != CertificateKind::Acme; });
}

}  // namespace

std::string zone_text(const Topology& topology, const PlanSettings& settings,
                      const std::string& origin) {
  const std::vector<std::string> origins = all_origins(topology);
  const Nameserver& own = server_of(topology, origin);
  const std::string own_host = absolute_name(own.host);
  std::ostringstream out;
  out << "; " << (origin == "." ? "the root zone" : origin) << ": " << generated_by(topology)
      << "\n";
  out << "$ORIGIN " << origin << "\n$TTL " << own.ttl << "\n";
  const std::uint32_t negative_ttl = own.ttl >= 3600 ? 3600 : 60;  // RFC 2308: the SOA minimum
  out << record("@", "SOA",
                own_host + " hostmaster." + own_host + " ( " + settings.serial +
                    " 1800 900 604800 " + std::to_string(negative_ttl) + " )");
  out << record("@", "NS", own_host);

  std::set<std::string> glue_hosts;  // name servers whose address this zone must hand out
  auto needs_glue = [&](const std::string& host) {
    return name_in_zone(host, origin) && zone_of(origins, host) != origin;
  };
  if (needs_glue(own_host)) glue_hosts.insert(own_host);
  std::string delegations;
  for (const std::string& child : origins) {
    if (child == origin || parent_of(origins, child) != origin) continue;
    const std::string host = absolute_name(server_of(topology, child).host);
    delegations += record(child, "NS", host);
    if (needs_glue(host)) glue_hosts.insert(host);
  }
  if (!delegations.empty())
    out << "; delegations: who serves each zone below this one\n" << delegations;
  std::string glue;
  for (const Nameserver& server : topology.nameservers)
    if (glue_hosts.contains(absolute_name(server.host)))
      glue += record(absolute_name(server.host), "A", address_of(settings, server.address));
  if (!glue.empty())
    out << "; glue: addresses of name servers named inside the zones they serve\n" << glue;

  std::string hosts;
  std::set<std::string> written;
  for (const NamedAddress& entry : named_addresses(topology)) {
    if (zone_of(origins, entry.name) != origin || !written.insert(entry.name).second) continue;
    hosts += record(entry.name, "A", address_of(settings, entry.address));
    // RFC 9460: without privileges the web listens on another port, and the record says which.
    if (!entry.alpn.empty() && settings.https_port != 443)
      hosts +=
          record(entry.name, "HTTPS",
                 "1 . alpn=\"" + entry.alpn + "\" port=" + std::to_string(settings.https_port));
  }
  if (!hosts.empty()) out << "; hosts\n" << hosts;
  std::string others;
  for (const ExtraRecord& extra : topology.records)
    if (zone_of(origins, absolute_name(extra.name)) == origin)
      for (const std::string& data : extra.data)
        others += record(absolute_name(extra.name), extra.type, data);
  if (!others.empty()) out << "; other records\n" << others;
  return out.str();
}

std::filesystem::path shop_database(const PlanSettings& settings) {
  return settings.state / "shop" / "shop.db";
}

std::filesystem::path resolver_control_socket(const PlanSettings& settings) {
  return settings.state / "run" / "resolver.control";
}

Result<Plan> make_plan(const Topology& topology, const PlanSettings& settings) {
  Plan plan;
  const std::filesystem::path dns = settings.state / "dns";
  // A Unix socket's path holds at most 107 bytes (sun_path); say so now rather than at start-up.
  const std::filesystem::path control = resolver_control_socket(settings);
  if (control.native().size() > 107)
    return make_error("the resolver's control socket " + control.string() + " would be " +
                      std::to_string(control.native().size()) +
                      " bytes long, and a Unix socket's path holds at most 107: keep the "
                      "stack's state in a shorter folder (MINIWEB_STATE)");
  std::ostringstream script;
  script << "# " << generated_by(topology) << "\n";

  // Certificates first: the CA, then each site's (the launcher makes them when missing).
  std::string crl_base = "http://" + topology.ca_name;
  if (settings.http_port != 80) crl_base += ":" + std::to_string(settings.http_port);
  script << "authority " << quoted("miniweb Root CA") << " " << quoted(crl_base) << "\n";
  // The resolver's address, and its control channel (./miniweb flush).
  script << "resolver " << endpoint(settings, topology.resolver_address, settings.dns_port) << " "
         << quoted(control.string()) << "\n";
  for (const Site& site : topology.sites) {
    if (site.certificate == CertificateKind::Acme) continue;  // the server obtains its own
    script << "certificate " << certificate_word(site.certificate) << " "
           << quoted(certificate_base(settings, site).string());
    if (site.certificate == CertificateKind::WrongHost)
      script << " " << quoted(site.issued_for);
    else
      for (const std::string& name : site.names) script << " " << quoted(name);
    script << "\n";
  }

  // DNS: every zone file, the root hints, one authoritative process per name server.
  const Nameserver* root_server = nullptr;
  for (const Nameserver& server : topology.nameservers) {
    std::string command =
        "dns auth --listen " + quoted(endpoint(settings, server.address, settings.dns_port));
    std::string zones;
    for (const std::string& origin : server.zones) {
      if (origin == ".") root_server = &server;
      std::filesystem::path file = dns / zone_file_name(origin);
      plan.files.push_back({file, zone_text(topology, settings, origin)});
      command += " --zone " + quoted(origin + "=" + file.string());
      zones += (zones.empty() ? "" : " ") + origin;
    }
    std::string role = (server.zones.front() == "." ? "root DNS server ("
                        : parent_of(all_origins(topology), server.zones.front()) == "."
                            ? "TLD DNS server ("
                            : "authoritative DNS server (") +
                       zones + ")";
    script << "service " << server.service << " " << quoted(role) << " "
           << endpoint(settings, server.address, settings.dns_port) << " " << command << "\n";
  }
  const std::string root_host = absolute_name(root_server->host);
  plan.files.push_back({dns / "root.hints",
                        "; where the resolver starts: the root servers (as named.root does)\n"
                        ".  3600000 NS " +
                            root_host + "\n" + root_host + "  3600000 A " +
                            address_of(settings, root_server->address) + "\n"});
  script << "service " << topology.resolver_service << " " << quoted("recursive resolver") << " "
         << endpoint(settings, topology.resolver_address, settings.dns_port)
         << " dns recursive --listen "
         << quoted(endpoint(settings, topology.resolver_address, settings.dns_port))
         << " --root-hints " << quoted((dns / "root.hints").string()) << " --upstream-port "
         << settings.dns_port << " --control " << quoted(control.string()) << "\n";
  script << "service " << topology.ca_service << " "
         << quoted("certificate authority (ACME, CRL, OCSP)") << " "
         << endpoint(settings, topology.ca_address, settings.https_port) << " ca serve --dir "
         << quoted((settings.state / "ca").string()) << " --name " << quoted(topology.ca_name)
         << " --listen " << quoted(endpoint(settings, topology.ca_address, settings.https_port))
         << " --http-listen " << quoted(endpoint(settings, topology.ca_address, settings.http_port))
         << " --resolver "
         << quoted(endpoint(settings, topology.resolver_address, settings.dns_port))
         << " --http-port " << settings.http_port << "\n";

  // The name servers, the resolver and the CA must answer before the web servers start: those
  // ask the CA for certificates at once, and the CA checks them through the resolver.
  for (const Nameserver& server : topology.nameservers)
    script << "ready " << server.service << " " << quoted("for " + server.zones.front()) << " dns "
           << address_of(settings, server.address) << " " << quoted(server.zones.front()) << "\n";
  const Site* first_site = topology.sites.empty() ? nullptr : &topology.sites.front();
  const std::string probe_name = first_site ? first_site->names.front() : topology.ca_name;
  const HostOctet probe_address = first_site ? first_site->address : topology.ca_address;
  script << "ready " << topology.resolver_service << " " << quoted("for " + probe_name)
         << " resolves " << quoted(probe_name) << " " << address_of(settings, probe_address)
         << "\n";
  script << "ready " << topology.ca_service << " " << quoted("for its CRL") << " http "
         << quoted("http://" + endpoint(settings, topology.ca_address, settings.http_port) + "/crl")
         << "\n";
  // Backends before the proxies in front of them; then every web server.
  std::string ready;
  for (const Upstream& upstream : topology.upstreams) {
    if (upstream.kind == BackendKind::StaticPage) {
      auto files = backend_files(topology, settings, upstream);
      if (!files) return files.error();
      plan.files.insert(plan.files.end(), files->begin(), files->end());
    }
    for (const Backend& backend : upstream.backends) {
      const std::string where = endpoint(settings, backend.address, settings.http_port);
      if (upstream.kind == BackendKind::ShopApplication) {
        // The instances share one database, which outlives them: `up` never rewrites it. They
        // trust X-Forwarded-For from the proxies in front of them (which connect from their
        // site's address), and from nobody else.
        script << "service " << backend.service << " "
               << quoted(upstream.name + " " + backend.name + " (miniweb-shop, plain HTTP)") << " "
               << where << " shop --listen " << quoted(where) << " --instance "
               << quoted(backend.name) << " --database "
               << quoted(shop_database(settings).string());
        for (const Site& site : topology.sites) {
          auto proxied = proxied_upstreams(site);
          if (std::find(proxied.begin(), proxied.end(), upstream.name) != proxied.end())
            script << " --trusted-proxy " << quoted(address_of(settings, site.address));
        }
        script << "\n";
      } else {
        script << "service " << backend.service << " "
               << quoted(upstream.name + " " + backend.name + " (plain HTTP)") << " " << where
               << " server --config "
               << quoted((settings.state / "server" / (backend.service + ".toml")).string())
               << "\n";
      }
      ready += "ready " + backend.service + " " + quoted("over HTTP") + " http " +
               quoted("http://" + endpoint(settings, backend.address, settings.http_port) + "/") +
               "\n";
    }
  }
  std::string web_ready;
  for (const auto& [service, sites] : servers_of(topology)) {
    auto file = server_file(topology, settings, service, sites);
    if (!file) return file.error();
    script << "service " << service << " " << quoted(site_role(sites)) << " "
           << endpoint(settings, sites.front()->address, settings.https_port) << " server --config "
           << quoted(file->path.string()) << "\n";
    plan.files.push_back(std::move(*file));
    // A server whose certificates are all wrong on purpose is ready when it answers TLS at all.
    web_ready += "ready " + service + " " + quoted("over HTTPS") + " " +
                 (wrong_on_purpose(sites) ? "tls " : "https ") +
                 quoted(sites.front()->names.front()) + " " +
                 address_of(settings, sites.front()->address) + "\n";
  }

  // Forward proxies: a listener that tunnels to the stack's HTTPS port, names through its resolver.
  for (const ForwardProxy& proxy : topology.forward_proxies) {
    toml::table listener_table{
        {"address", address_of(settings, proxy.address)},
        {"port", proxy.port},
        {"protocol", "forward-proxy"},
        {"connect_ports", toml::array{settings.https_port}},
        {"resolver", endpoint(settings, topology.resolver_address, settings.dns_port)}};
    toml::table config{{"listener", toml::array{std::move(listener_table)}}};
    std::filesystem::path file = settings.state / "server" / (proxy.service + ".toml");
    plan.files.push_back({file, toml_text("# " + proxy.service + ", a forward proxy: " +
                                              generated_by(topology) + "\n\n",
                                          config)});
    script << "service " << proxy.service << " " << quoted("forward proxy (" + proxy.name + ")")
           << " " << endpoint(settings, proxy.address, proxy.port) << " server --config "
           << quoted(file.string()) << "\n";
    web_ready += "ready " + proxy.service + " " + quoted("as a proxy") + " http " +
                 quoted("http://" + endpoint(settings, proxy.address, proxy.port) + "/") + "\n";
  }

  // Each service is asked a real question until it answers.
  script << ready << web_ready;
  plan.script = script.str();
  plan.files.push_back({settings.state / "plan.sh", plan.script});
  return plan;
}

}  // namespace miniweb::stack
