#pragma once
// From the description to a running internet: the zone files, the root hints, each server's
// configuration, each static backend's page, and a launcher script (plan.sh) that makes the
// certificates, starts the services in order and says how to tell each one is ready.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "shared/result.hpp"
#include "stack/topology.hpp"

namespace miniweb::stack {

struct PlanSettings {
  std::string net = "127.53.0";  // the first three octets of every address
  std::uint16_t dns_port = 53;
  std::uint16_t https_port = 443;
  std::uint16_t http_port = 80;
  std::filesystem::path state;  // where the stack keeps its files (.state)
  std::filesystem::path repo;   // paths in the description are relative to it
  std::string serial;           // SOA serial, e.g. 2026112301
};

struct PlannedFile {
  std::filesystem::path path;  // absolute, under settings.state
  std::string content;
};

struct Plan {
  std::vector<PlannedFile> files;
  // Sourced by the launcher, which defines its words: authority, certificate, service, ready,
  // resolver (its address and its control socket).
  std::string script;
};

// Where the recursive resolver's control channel listens: $STATE/run/resolver.control.
std::filesystem::path resolver_control_socket(const PlanSettings& settings);

// The database every instance of the shop's application shares: $STATE/shop/shop.db.
std::filesystem::path shop_database(const PlanSettings& settings);

Result<Plan> make_plan(const Topology& topology, const PlanSettings& settings);

// The zone file text for one origin (exposed for the tests).
std::string zone_text(const Topology& topology, const PlanSettings& settings,
                      const std::string& origin);

}  // namespace miniweb::stack
