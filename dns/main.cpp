// miniweb-dns: root, TLD and authoritative server, recursive resolver, and a dig-like client.
//
//   miniweb-dns auth --listen 127.53.0.1:53 --zone FILE [--zone FILE ...]
//   miniweb-dns recursive --listen ADDR:PORT --root-hints FILE --upstream-port PORT
//                         [--allow CIDR ...] [--control SOCKET] [--cache-entries N]
//   miniweb-dns control --socket SOCKET flush NAME | flush_zone NAME | flush_all | stats | ...
//   miniweb-dns query --server ADDR:PORT NAME [TYPE]
//   miniweb-dns query --trace --root-hints FILE --upstream-port PORT NAME [TYPE]

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "dns/control_client.hpp"
#include "dns/control_commands.hpp"
#include "dns/control_server.hpp"
#include "dns/recursive_server.hpp"
#include "dns/resolver.hpp"
#include "dns/server.hpp"
#include "dns/zone.hpp"
#include "shared/dns/client.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::dns;

void log_line(const std::string& line) {
  std::cerr << "miniweb-dns: " << line << std::endl;
}

asio::ip::udp::endpoint must_parse_endpoint(const std::string& text) {
  auto endpoint = parse_endpoint(text);
  if (!endpoint) throw std::runtime_error(endpoint.error().message);
  return *endpoint;
}

int run_auth(const std::string& listen, const std::vector<std::string>& zone_files) {
  auto loaded = ZoneSet::load_specs(zone_files);
  if (!loaded) {
    log_line("error: " + loaded.error().message);
    return 1;
  }
  // One thread owns the zones; a reload swaps the pointer between two queries.
  auto zones = std::make_shared<const ZoneSet>(std::move(*loaded));
  asio::io_context io(1);
  DnsServer server(io.get_executor(), must_parse_endpoint(listen),
                   SyncHandler([&zones](const Message& query, const asio::ip::address&) {
                     return answer_authoritative(*zones, query);
                   }),
                   ServerLimits{.answer_cache_entries = 100000});
  server.start();
  for (const auto& [origin, zone] : zones->zones())
    log_line("loaded zone " + origin.to_string() + " serial " + std::to_string(zone->serial()) +
             ", " + std::to_string(zone->record_count()) + " records");
  std::string where = endpoint_to_string(server.local_endpoint());

  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    log_line("signal " + std::to_string(signal) + ", stopping");
    server.stop();
    io.stop();
  });
  asio::signal_set reload_signal(io, SIGHUP);
  std::function<void()> wait_reload = [&] {
    reload_signal.async_wait([&](const asio::error_code& ec, int) {
      if (ec) return;
      auto fresh = ZoneSet::load_specs(zone_files);
      if (fresh) {
        zones = std::make_shared<const ZoneSet>(std::move(*fresh));
        server.clear_answer_cache();  // replies from the old zones must not outlive them
        log_line("reloaded " + std::to_string(zones->size()) + " zones");
      } else {
        log_line("reload failed, still serving the old zones: " + fresh.error().message);
      }
      wait_reload();
    });
  };
  wait_reload();
  // Ready only once the signal handlers are in place: an early SIGHUP must not kill us.
  std::cerr << "ready auth " + where + "\n" << std::flush;  // one write: seen whole
  io.run();
  return 0;
}

bool g_qname_minimisation = false;
size_t g_cache_entries = ResolverOptions{}.max_cache_entries;

Result<ResolverOptions> resolver_options(const std::string& hints_file, uint16_t upstream_port) {
  auto hints = load_root_hints(hints_file);
  if (!hints) return hints.error();
  ResolverOptions options;
  options.root_hints = std::move(*hints);
  options.upstream_port = upstream_port;
  options.qname_minimisation = g_qname_minimisation;
  options.max_cache_entries = g_cache_entries;
  return options;
}

int run_recursive(const std::string& listen, const std::string& hints_file, uint16_t upstream_port,
                  const std::vector<std::string>& allow_texts, const std::string& control_path) {
  auto options = resolver_options(hints_file, upstream_port);
  if (!options) {
    log_line("error: " + options.error().message);
    return 1;
  }
  // Questions to other servers leave from the address clients ask, as a resolver on its own
  // host would: a capture shows the resolver itself asking the root.
  if (const auto address = must_parse_endpoint(listen).address(); !address.is_unspecified())
    options->outgoing_address = address;
  AllowList allow;
  if (!allow_texts.empty()) {
    std::vector<Cidr> networks;
    for (const auto& text : allow_texts) {
      auto cidr = Cidr::parse(text);
      if (!cidr) {
        log_line("error: " + cidr.error().message);
        return 1;
      }
      networks.push_back(*cidr);
    }
    allow = AllowList(std::move(networks));
  }
  asio::io_context io(1);
  Resolver resolver(io.get_executor(), std::move(*options));
  // Replies answered from the cache are kept whole, as many as the cache has entries: a
  // repeated question from a client the resolver serves is answered from them, their TTLs
  // counted down. A flush empties them with the cache.
  DnsServer server(io.get_executor(), must_parse_endpoint(listen),
                   AsyncHandler([&](Message query, asio::ip::address client) {
                     return answer_recursive(resolver, allow, std::move(query), std::move(client));
                   }),
                   ServerLimits{.answer_cache_entries = g_cache_entries});
  server.set_fast_handler(
      [&](const Message& query, const asio::ip::address& client, Message& reply) {
        return answer_recursive_at_once(resolver, allow, query, client, reply);
      });
  server.set_reply_cache([&](const asio::ip::address& client) { return allow.allows(client); },
                         [&] { resolver.count_hit(); });
  resolver.on_flush([&] { server.clear_answer_cache(); });
  server.start();
  // The operator's channel (unbound-control's): on the resolver's own thread, so its commands
  // touch the cache without locks.
  std::unique_ptr<ControlServer> control;
  if (!control_path.empty()) {
    auto opened = ControlServer::open(
        io.get_executor(), control_path,
        [&resolver](std::string_view line) { return answer_control_line(resolver, line); },
        log_line);
    if (!opened) {
      log_line("error: " + opened.error().message);
      return 1;
    }
    control = std::move(*opened);
    control->start();
    log_line("control channel on " + control_path + " (mode 0600; for uid " +
             std::to_string(::geteuid()) + " and root)");
  }
  asio::signal_set stop_signals(io, SIGINT, SIGTERM);
  stop_signals.async_wait([&](const asio::error_code& ec, int signal) {
    if (ec) return;
    log_line("signal " + std::to_string(signal) + ", stopping");
    server.stop();
    if (control) control->stop();
    io.stop();
  });
  asio::signal_set hup(io, SIGHUP);  // nothing to reload; do not die on it
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](const asio::error_code& ec, int) {
      if (ec) return;
      resolver.clear_cache();
      log_line("SIGHUP: cache cleared");
      wait_hup();
    });
  };
  wait_hup();
  // Ready only once the signal handlers are in place: an early SIGHUP must not kill us.
  std::cerr << "ready recursive " + endpoint_to_string(server.local_endpoint()) + "\n"
            << std::flush;
  io.run();
  return 0;
}

// One command to a resolver's control channel: the reply on standard output when it is "ok",
// on standard error otherwise. Exit 0 on "ok", 1 on an error reply, 2 when it cannot be asked.
int run_control(const std::string& socket, const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
  auto reply = control_request(socket, line);
  if (!reply) {
    std::cerr << "miniweb-dns control: " << reply.error().message << "\n";
    return 2;
  }
  const bool ok = reply->starts_with("ok");
  (ok ? std::cout : std::cerr) << *reply << "\n";
  return ok ? 0 : 1;
}

int run_query(const std::string& server_text, bool trace, const std::string& hints_file,
              uint16_t upstream_port, const std::string& name_text, const std::string& type_text,
              bool tcp) {
  auto name = Name::parse(name_text);
  if (!name) {
    std::cerr << "bad name '" << name_text << "': " << name.error().message << "\n";
    return 2;
  }
  auto qtype = type_from_string(type_text);
  if (!qtype) {
    std::cerr << "unknown type '" << type_text << "'\n";
    return 2;
  }
  asio::io_context io(1);
  int exit_code = 0;
  if (trace) {
    auto options = resolver_options(hints_file, upstream_port);
    if (!options) {
      std::cerr << options.error().message << "\n";
      return 1;
    }
    Resolver resolver(io.get_executor(), std::move(*options));
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          Resolution r = co_await resolver.resolve(*name, *qtype, TraceMode::kRecord);
          std::cout << "; <<>> miniweb-dns <<>> +trace " << name->to_string() << " "
                    << type_to_string(*qtype) << "\n\n"
                    << trace_to_string(r);
          std::cout << ";; status: " << rcode_to_string(r.rcode) << "\n";
          for (const auto& record : r.answers) std::cout << record.to_string() << "\n";
          for (const auto& record : r.authority) std::cout << record.to_string() << "\n";
          if (!r.error.empty()) std::cout << ";; error: " << r.error << "\n";
          exit_code = r.rcode == rcode::SERVFAIL ? 1 : 0;
        },
        asio::detached);
    io.run();
    return exit_code;
  }
  auto server = parse_endpoint(server_text);
  if (!server) {
    std::cerr << server.error().message << "\n";
    return 2;
  }
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Message query = make_query(*name, *qtype, true);
        auto started = std::chrono::steady_clock::now();
        // (No co_await inside ?: — GCC 12 miscompiles it.)
        Result<Message> reply = make_error("no query sent");
        if (tcp) {
          reply = co_await exchange_tcp({server->address(), server->port()}, query,
                                        std::chrono::milliseconds(3000));
        } else {
          reply = co_await exchange(*server, query, std::chrono::milliseconds(3000));
        }
        // In milliseconds to the microsecond, as kdig prints it: on loopback a whole answer
        // takes less than one, which dig's whole milliseconds show as 0 or 1.
        const std::chrono::duration<double, std::milli> took =
            std::chrono::steady_clock::now() - started;
        if (!reply) {
          std::cerr << ";; " << reply.error().message << "\n";
          exit_code = 1;
          co_return;
        }
        char took_text[32];
        std::snprintf(took_text, sizeof took_text, "%.3f", took.count());
        std::cout << reply->to_string() << "\n;; Query time: " << took_text << " msec\n"
                  << ";; SERVER: " << endpoint_to_string(*server) << "\n";
      },
      asio::detached);
  io.run();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"miniweb-dns: authoritative DNS server, recursive resolver and query tool"};
  app.require_subcommand(1);

  auto* auth = app.add_subcommand("auth", "serve zone files authoritatively (root, TLD or leaf)");
  std::string auth_listen;
  std::vector<std::string> zone_files;
  auth->add_option("--listen", auth_listen, "ADDR:PORT to serve UDP and TCP on")->required();
  auth->add_option("--zone", zone_files,
                   "zone file in RFC 1035 master format: FILE (the zone is where its SOA is) or "
                   "NAME=FILE (relative names start from NAME)")
      ->required();

  auto* recursive = app.add_subcommand("recursive", "serve recursion, iterating from root hints");
  std::string recursive_listen, hints_file;
  uint16_t upstream_port = 53;
  std::vector<std::string> allow;
  recursive->add_option("--listen", recursive_listen, "ADDR:PORT to serve on")->required();
  recursive->add_option("--root-hints", hints_file, "root hints file")->required();
  recursive->add_option("--upstream-port", upstream_port, "port every upstream server listens on");
  recursive->add_option("--allow", allow, "network allowed recursion (default: loopback)");
  recursive->add_flag("--qname-minimisation", g_qname_minimisation, "RFC 9156 QNAME minimisation");
  recursive
      ->add_option("--cache-entries", g_cache_entries,
                   "most RRsets and negative answers cached (Unbound's rrset-cache-size, counted "
                   "in entries; default 100000)")
      ->check(CLI::Range(size_t{1}, size_t{100000000}));
  std::string control_path;
  recursive->add_option("--control", control_path,
                        "Unix socket for the control channel (made mode 0600; flush, stats, ...)");

  auto* control = app.add_subcommand(
      "control", "send one command to a resolver's control channel, as unbound-control");
  std::string control_socket;
  std::vector<std::string> control_words;
  control->add_option("--socket", control_socket, "the resolver's --control socket")->required();
  control
      ->add_option("command", control_words,
                   "flush NAME, flush_zone NAME, flush_all, stats, dump NAME or help")
      ->required();

  auto* query = app.add_subcommand("query", "ask one question, like dig");
  std::string server, name, type_text = "A";
  bool trace = false, tcp = false;
  query->add_option("--server", server, "ADDR:PORT of the server to ask");
  query->add_flag("--trace", trace, "iterate from the root hints, printing each step");
  query->add_flag("--tcp", tcp, "ask over TCP");
  query->add_option("--root-hints", hints_file, "root hints file (with --trace)");
  query->add_option("--upstream-port", upstream_port, "port of every server (with --trace)");
  query->add_flag("--qname-minimisation", g_qname_minimisation, "RFC 9156 (with --trace)");
  query->add_option("name", name, "domain name")->required();
  query->add_option("type", type_text, "record type (default A)");

  CLI11_PARSE(app, argc, argv);
  try {
    if (auth->parsed()) return run_auth(auth_listen, zone_files);
    if (recursive->parsed())
      return run_recursive(recursive_listen, hints_file, upstream_port, allow, control_path);
    if (control->parsed()) return run_control(control_socket, control_words);
    if (trace && hints_file.empty()) {
      std::cerr << "query --trace needs --root-hints\n";
      return 2;
    }
    if (!trace && server.empty()) {
      std::cerr << "query needs --server ADDR:PORT (or --trace)\n";
      return 2;
    }
    return run_query(server, trace, hints_file, upstream_port, name, type_text, tcp);
  } catch (const std::exception& e) {
    log_line(std::string("error: ") + e.what());
    return 1;
  }
}
