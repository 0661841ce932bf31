// libFuzzer entry point for the server's configuration (server/config.hpp: parse_config, what
// load_config runs on the file's text at start), shared by the clang fuzzer and the corpus
// driver (tests/support/fuzz_driver.cpp). The input is the file's text. Nothing may crash, hang,
// leak or throw; an error names the file and a line; and what loads keeps the promises the
// server relies on when it starts from it:
//   - at least one listener; a site whenever a listener serves sites; a certificate (files or
//     ACME) for some site whenever a listener speaks HTTPS;
//   - ports, statuses, timeouts and limits within the ranges the loader checks;
//   - every proxy route names an upstream group that exists, and every group has servers;
//   - host names lower-case, header fields and Link values one line each.

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "server/config.hpp"
#include "tests/support/located_error.hpp"

namespace {

using namespace miniweb::server;

// Where the text is said to come from: relative paths in it are taken from its folder.
const std::filesystem::path kSource = "/fuzz/conf/server.toml";

void check(bool promise) {
  if (!promise) __builtin_trap();
}

bool one_line(std::string_view text) {
  return text.find_first_of("\r\n") == std::string::npos;
}

// Relative paths are taken from the file's folder, so every path that is set is absolute.
bool absolute_or_unset(const std::filesystem::path& path) {
  return path.empty() || path.is_absolute();
}

void check_site(const SiteConfig& site, const ServerConfig& config) {
  check(!site.names.empty());
  for (const std::string& name : site.names)
    check(!name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
      return std::isupper(static_cast<unsigned char>(c));
    }));
  check(absolute_or_unset(site.root));
  check(site.certificate_chain.empty() == site.private_key.empty());
  if (site.acme) {
    check(site.acme->directory.starts_with("https://"));
    check(!site.acme->state_dir.empty() && !site.acme->ca_bundle.empty());
    check(site.acme->renewal_window_ratio > 0 && site.acme->renewal_window_ratio <= 1);
    check(site.acme->renewal_check_interval.count() > 0);
    // The ACME client's files for the site, in its state folder's certificates/.
    check(site.certificate_chain.parent_path() == site.acme->state_dir / "certificates");
    check(site.private_key.parent_path() == site.acme->state_dir / "certificates");
  }
  for (const std::string& file : site.index_files)
    check(!file.empty() && file.find('/') == std::string::npos);
  for (const auto& [status, path] : site.error_pages)
    check(status >= 400 && status <= 599 && path.starts_with("/"));
  for (const ProxyRoute& route : site.proxies) {
    check(route.prefix.starts_with("/"));
    check(std::any_of(config.upstreams.begin(), config.upstreams.end(),
                      [&](const UpstreamConfig& u) { return u.name == route.upstream; }));
  }
  for (const ReturnRule& rule : site.returns) {
    check(rule.path.empty() != rule.prefix.empty());
    check((rule.path + rule.prefix).starts_with("/"));
    check(rule.status >= 200 && rule.status <= 599);
    const bool redirect = rule.status == 301 || rule.status == 302 || rule.status == 303 ||
                          rule.status == 307 || rule.status == 308;
    check(!redirect || !rule.location.empty());
    for (const auto& [name, value] : rule.headers) check(!name.empty() && one_line(value));
  }
  for (const EarlyHints& hints : site.early_hints) {
    check(hints.path.starts_with("/") && !hints.links.empty());
    for (const std::string& link : hints.links) check(!link.empty() && one_line(link));
  }
}

void check_upstream(const UpstreamConfig& upstream) {
  check(!upstream.servers.empty());
  for (const UpstreamServerConfig& server : upstream.servers)
    check(!server.address.empty() && server.port > 0 && server.weight > 0);
  check(upstream.max_fails > 0 && upstream.fail_timeout.count() > 0);
  check(upstream.connect_timeout.count() > 0 && upstream.read_timeout.count() > 0);
  check(upstream.max_response_bytes > 0);
  // An idle pool's size: a negative number read as a size would be an unbounded pool.
  check(upstream.keepalive <= std::size_t{1} << 31);
}

void check_config(const ServerConfig& config) {
  check(config.source == kSource);
  check(!config.listeners.empty());
  const bool serves_sites =
      std::any_of(config.listeners.begin(), config.listeners.end(),
                  [](const ListenerConfig& l) { return l.kind != ListenerKind::ForwardProxy; });
  check(!serves_sites || !config.sites.empty());
  const bool https =
      std::any_of(config.listeners.begin(), config.listeners.end(),
                  [](const ListenerConfig& l) { return l.kind == ListenerKind::Https; });
  check(!https || std::any_of(config.sites.begin(), config.sites.end(),
                              [](const SiteConfig& s) { return !s.certificate_chain.empty(); }));
  for (const ListenerConfig& listener : config.listeners) {
    if (listener.kind != ListenerKind::ForwardProxy) continue;
    for (std::uint16_t port : listener.forward.connect_ports) check(port > 0);
    check(listener.forward.connect_timeout.count() > 0);
    check(listener.forward.read_timeout.count() > 0);
    check(listener.forward.tunnel_idle_timeout.count() > 0);
  }
  for (const SiteConfig& site : config.sites) check_site(site, config);
  for (const UpstreamConfig& upstream : config.upstreams) check_upstream(upstream);
  const LimitsConfig& limits = config.limits;
  check(limits.http.max_request_line > 0 && limits.http.max_header_bytes > 0);
  check(limits.http.max_header_count > 0 && limits.http.max_body_bytes > 0);
  check(limits.header_timeout.count() > 0 && limits.keepalive_timeout.count() > 0);
  check(limits.send_timeout.count() > 0);
  check(limits.max_connections > 0 && limits.max_requests_per_connection > 0);
  check(limits.http2.max_concurrent_streams >= 1 && limits.http2.max_frame_size >= 16384);
  check(limits.http2.max_frame_size <= (1u << 24) - 1);
  check(limits.http2.initial_window_size >= 1 &&
        limits.http2.initial_window_size <= (1u << 31) - 1);
  check(absolute_or_unset(config.logs.access_log) && absolute_or_unset(config.logs.error_log));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = parse_config(text, kSource);
  if (!config) {
    check(miniweb::test::names_file_and_line(config.error().message, kSource.string()));
    return 0;
  }
  check_config(*config);
  return 0;
}
