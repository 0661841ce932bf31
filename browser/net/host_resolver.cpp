#include "browser/net/host_resolver.hpp"

#include "shared/atomic_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "shared/dns/client.hpp"
#include "shared/dns/message.hpp"
#include "shared/read_file.hpp"
#include "shared/text.hpp"

namespace miniweb::browser {
namespace {

using namespace asio::experimental::awaitable_operators;

// A host name as names compare: lower-case, without the root's trailing dot.
std::string canonical_host(std::string_view name) {
  std::string host = to_lower(name);
  if (host.ends_with(".")) host.pop_back();
  return host;
}

std::string join_addresses(const std::vector<asio::ip::address>& addresses) {
  std::string out;
  for (const auto& address : addresses) out += (out.empty() ? "" : ", ") + address.to_string();
  return out;
}

}  // namespace

std::optional<ResolvedHost> HostResolver::from_hosts_file(const std::string& host) const {
  std::ifstream in(settings_.hosts_file);
  if (!in) return std::nullopt;
  ResolvedHost found;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string address_text, name;
    if (!(fields >> address_text)) continue;
    std::error_code ec;
    auto address = asio::ip::make_address(address_text, ec);
    if (ec) continue;
    while (fields >> name) {
      if (canonical_host(name) == host) found.addresses.push_back(address);
    }
  }
  if (found.addresses.empty()) return std::nullopt;
  found.layer = "hosts file";
  return found;
}

// The on-disk cache: {"host": {"addresses": [...], "https_port": 8443, "expires": unix-time}}.
std::optional<ResolvedHost> HostResolver::from_disk_cache(const std::string& host) const {
  if (settings_.cache_dir.empty()) return std::nullopt;
  const auto text = read_file(settings_.cache_dir / "dns-cache.json", ReadLock::Shared);
  if (!text) return std::nullopt;
  // A damaged cache file is a miss, never an error: it is only a cache.
  nlohmann::json cache = nlohmann::json::parse(*text, nullptr, false);
  if (!cache.is_object() || !cache.contains(host)) return std::nullopt;
  const nlohmann::json& entry = cache[host];
  try {
    if (entry.at("expires").get<std::int64_t>() <= std::time(nullptr)) return std::nullopt;
    ResolvedHost found;
    for (const auto& text : entry.at("addresses")) {
      std::error_code ec;
      auto address = asio::ip::make_address(text.get<std::string>(), ec);
      if (!ec) found.addresses.push_back(address);
    }
    if (entry.contains("https_port")) found.https_port = entry["https_port"].get<std::uint16_t>();
    if (found.addresses.empty()) return std::nullopt;
    found.layer = "on-disk cache";
    return found;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string HostResolver::save_to_disk_cache(const std::string& host, const ResolvedHost& resolved,
                                             std::uint32_t ttl) const {
  std::error_code ec;
  std::filesystem::create_directories(settings_.cache_dir, ec);
  const auto file = settings_.cache_dir / "dns-cache.json";
  nlohmann::json cache = nlohmann::json::object();
  if (const auto text = read_file(file, ReadLock::Shared)) {
    cache = nlohmann::json::parse(*text, nullptr, false);
    if (!cache.is_object()) cache = nlohmann::json::object();
  }
  // Expired entries are dropped as the file is rewritten.
  const std::int64_t now = std::time(nullptr);
  for (auto it = cache.begin(); it != cache.end();) {
    if (!it->is_object() || !it->contains("expires") || !(*it)["expires"].is_number() ||
        (*it)["expires"].get<std::int64_t>() <= now)
      it = cache.erase(it);
    else
      ++it;
  }
  nlohmann::json entry;
  entry["addresses"] = nlohmann::json::array();
  for (const auto& address : resolved.addresses) entry["addresses"].push_back(address.to_string());
  if (resolved.https_port) entry["https_port"] = *resolved.https_port;
  entry["expires"] = now + ttl;
  cache[host] = entry;
  // A cache: losing an update costs a lookup, so a failed write is not an error.
  if (auto written =
          write_file_atomically(file, cache.dump(2) + "\n", kPublicFileMode, Durability::CacheOnly);
      !written)
    return "not written (the next load asks again): " + written.error().message;
  return host + " kept for " + std::to_string(ttl) + " s (" + std::to_string(cache.size()) +
         (cache.size() == 1 ? " name" : " names") + " in the file)";
}

asio::awaitable<Result<ResolvedHost>> HostResolver::resolve(const std::string& name, Trace& trace) {
  const std::string host = canonical_host(name);
  std::error_code literal_error;
  auto literal = asio::ip::make_address(host, literal_error);
  if (!literal_error) {
    std::size_t step = trace.begin("dns", "address literal " + host);
    trace.finish(step, "no lookup needed");
    co_return ResolvedHost{{literal}, std::nullopt, "address literal"};
  }

  std::size_t step = trace.begin("dns", "browser DNS cache");
  if (auto it = cache_.find(host);
      it != cache_.end() && it->second.expires > std::chrono::steady_clock::now()) {
    trace.finish(step, "hit: " + join_addresses(it->second.host.addresses));
    ResolvedHost cached = it->second.host;
    cached.layer = "browser cache";
    co_return cached;
  }
  trace.finish(step, "miss");

  step = trace.begin("dns", "hosts file " + settings_.hosts_file.string());
  if (auto from_file = from_hosts_file(host)) {
    trace.finish(step, "hit: " + join_addresses(from_file->addresses));
    co_return *from_file;
  }
  trace.finish(step, "miss");

  if (!settings_.cache_dir.empty()) {
    step = trace.begin("dns", "on-disk cache " + (settings_.cache_dir / "dns-cache.json").string());
    if (auto cached = from_disk_cache(host)) {
      trace.finish(step, "hit: " + join_addresses(cached->addresses));
      co_return *cached;
    }
    trace.finish(step, "miss");
  }

  co_return co_await from_recursive(host, trace);
}

void HostResolver::note_answer(Trace& trace, std::size_t step, const dns::Message& reply,
                               const dns::ExchangeNotes& notes) {
  for (const dns::ResourceRecord& record : reply.answers) trace.detail(step, record.to_string());
  const std::string summary = dns::rcode_to_string(reply.rcode);
  if (reply.rcode == dns::rcode::NXDOMAIN)
    trace.finish(step, "NXDOMAIN: the name does not exist");
  else if (reply.rcode != dns::rcode::NOERROR)
    trace.finish(step, summary);
  else
    trace.finish(step, summary + " over " + dns::transport_to_string(notes.transport) +
                           (reply.answers.empty() ? ", no records" : ""));
}

asio::awaitable<Result<dns::Message>> HostResolver::ask_again(const dns::Name& name,
                                                              std::uint16_t type, Trace& trace,
                                                              std::size_t step,
                                                              Result<dns::Message> reply) {
  for (int attempt = 1; !reply && attempt < settings_.attempts; ++attempt) {
    trace.detail(step, "no answer (" + reply.error().message + "): asked again");
    dns::ExchangeNotes notes;
    // A new socket and ID, as a stub asking again uses.
    reply = co_await dns::exchange(*settings_.recursive, dns::make_query(name, type),
                                   settings_.timeout, &notes);
    tell_observer(notes);
    if (reply) note_answer(trace, step, *reply, notes);
  }
  if (!reply) trace.finish(step, "failed: " + reply.error().message);
  co_return reply;
}

asio::awaitable<Result<ResolvedHost>> HostResolver::from_recursive(const std::string& host,
                                                                   Trace& trace) {
  if (!settings_.recursive)
    co_return make_error("cannot resolve " + host + ": no DNS resolver is configured",
                         exit_code::kResolve);
  auto name = dns::Name::parse(host);
  if (!name)
    co_return make_error("'" + host + "' is not a valid host name: " + name.error().message,
                         exit_code::kResolve);
  const std::string resolver_text = dns::endpoint_to_string(*settings_.recursive);

  // The address and the HTTPS record that may carry the service's port (RFC 9460), asked at
  // once, as browsers ask, and from one socket in one system call (dns::exchange_together): each
  // answer is its own step, finished as it comes, and the two overlap. One left unanswered is
  // asked again on its own (settings_.attempts).
  const std::array<std::uint16_t, 2> types{dns::type::A, dns::type::HTTPS};
  std::array<std::size_t, 2> steps{};
  std::vector<dns::Message> queries;
  for (std::size_t i = 0; i < types.size(); ++i) {
    steps[i] = trace.begin("dns", "recursive resolver " + resolver_text + ": " + host + " " +
                                      dns::type_to_string(types[i]));
    queries.push_back(dns::make_query(*name, types[i]));
  }
  std::vector<dns::ExchangeNotes> notes;
  std::vector<Result<dns::Message>> first = co_await dns::exchange_together(
      *settings_.recursive, std::move(queries), settings_.timeout,
      [&](std::size_t i, const dns::Message& reply, const dns::ExchangeNotes& noted) {
        note_answer(trace, steps[i], reply, noted);
      },
      &notes);
  for (const dns::ExchangeNotes& noted : notes) tell_observer(noted);
  auto [address_reply, https_reply] =
      co_await (ask_again(*name, types[0], trace, steps[0], std::move(first[0])) &&
                ask_again(*name, types[1], trace, steps[1], std::move(first[1])));

  ResolvedHost resolved;
  resolved.layer = "recursive resolver";
  std::uint32_t min_ttl = 3600;
  for (const Result<dns::Message>* reply : {&address_reply, &https_reply}) {
    if (!*reply)
      co_return make_error("cannot resolve " + host + ": the resolver " + resolver_text +
                               " did not answer (" + (*reply).error().message + ")",
                           exit_code::kResolve);
    if ((*reply)->rcode == dns::rcode::NXDOMAIN)
      co_return make_error("cannot resolve " + host + ": the name does not exist (NXDOMAIN from " +
                               resolver_text + ")",
                           exit_code::kResolve);
    if ((*reply)->rcode != dns::rcode::NOERROR)
      co_return make_error("cannot resolve " + host + ": the resolver " + resolver_text +
                               " answered " + dns::rcode_to_string((*reply)->rcode),
                           exit_code::kResolve);
    for (const dns::ResourceRecord& record : (*reply)->answers) {
      min_ttl = std::min(min_ttl, record.ttl);
      if (const auto* a = std::get_if<dns::RdataA>(&record.rdata); a && record.type == dns::type::A)
        resolved.addresses.push_back(asio::ip::address_v4(a->address));
      if (const auto* https = std::get_if<dns::RdataSvcb>(&record.rdata);
          https && record.type == dns::type::HTTPS) {
        // A ServiceMode record for this very name ("." target) gives the port to use.
        if (https->priority > 0 &&
            (https->target.is_root() || canonical_host(https->target.to_string()) == host))
          if (auto port = https->port()) resolved.https_port = *port;
      }
    }
  }
  if (resolved.addresses.empty())
    co_return make_error(
        "cannot resolve " + host + ": it has no IPv4 address (NODATA from " + resolver_text + ")",
        exit_code::kResolve);
  cache_[host] =
      CacheEntry{resolved, std::chrono::steady_clock::now() + std::chrono::seconds(min_ttl)};
  // Its own step: the file is read, rewritten and renamed into place (0.06 ms here) before the
  // connection is made.
  if (!settings_.cache_dir.empty()) {
    const std::size_t step = trace.begin(
        "dns", "on-disk cache " + (settings_.cache_dir / "dns-cache.json").string() + " updated");
    trace.finish(step, save_to_disk_cache(host, resolved, min_ttl));
  }
  co_return resolved;
}

void HostResolver::tell_observer(const dns::ExchangeNotes& notes) {
  if (!observer_) return;
  observer_->dns_question(notes.local_udp, *settings_.recursive);
  // Truncated: asked again over TCP, from a port of its own.
  if (notes.local_tcp)
    observer_->dns_question(
        asio::ip::udp::endpoint(notes.local_tcp->address(), notes.local_tcp->port()),
        *settings_.recursive);
}

}  // namespace miniweb::browser
