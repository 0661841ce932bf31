#pragma once
// Zones held in memory and the authoritative lookup of RFC 1034 4.3.2 (as NSD does it).

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/zone_store.hpp"
#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

class Zone {
 public:
  // Builds a zone from parsed records. The apex is the owner of the one SOA record; records
  // outside the apex, a missing or repeated SOA, CNAME beside other data, or an NS set at the
  // apex missing are errors. `source` names the zone in errors.
  static Result<Zone> from_records(std::vector<ResourceRecord> records, const std::string& source);
  // Parses a master file (relative names start from "." unless $ORIGIN says otherwise) and
  // builds the zone as it reads, without a list of every record in between.
  static Result<Zone> load(const std::filesystem::path& path);
  // The same with the zone's name given (as NSD's config does): relative names start from
  // `origin`, and the SOA must sit at `origin`.
  static Result<Zone> load(const std::filesystem::path& path, const Name& origin);

  const Name& origin() const { return origin_; }
  const RdataSoa& soa() const;
  uint32_t serial() const { return soa().serial; }
  size_t record_count() const { return record_count_; }
  // Every record as the zone holds it (one TTL per RRset, duplicates dropped), node by node:
  // what the server serves, for comparing with other servers' loaders.
  std::vector<ResourceRecord> records() const;

  // Answers one question whose name lies in this zone (RFC 1034 4.3.2 step 3): sets rcode and
  // AA and fills the answer, authority and additional sections of `reply`.
  void answer(const Question& question, Message& reply) const;

 private:
  class Builder;
  // The node of a name inside the zone, by the part of its wire form above the apex.
  const ZoneNode* find_relative(std::string_view relative) const { return nodes_.find(relative); }
  const ZoneNode* find(const Name& name) const;
  void add_negative_soa(Message& reply) const;
  void add_glue(const Name& target, std::vector<ResourceRecord>& additional) const;

  Name origin_;
  ZoneNodes nodes_;
  ResourceRecord soa_record_;
  size_t record_count_ = 0;
};

// All zones one server instance serves; the most specific zone wins.
class ZoneSet {
 public:
  Status add(Zone zone);
  // The zone whose apex is the longest suffix of `name`, or nullptr.
  const Zone* find(const Name& name) const;
  size_t size() const { return zones_.size(); }
  const std::unordered_map<Name, std::shared_ptr<const Zone>, NameHash>& zones() const {
    return zones_;
  }

  // Loads every file; the first failure is returned and nothing is kept.
  static Result<ZoneSet> load(const std::vector<std::filesystem::path>& files);
  // Loads zones named on the command line: "FILE" (apex from the SOA) or "ORIGIN=FILE".
  static Result<ZoneSet> load_specs(const std::vector<std::string>& specs);

 private:
  std::unordered_map<Name, std::shared_ptr<const Zone>, NameHash> zones_;
};

// The authoritative reply to a query that passed the server's checks (one question, opcode
// QUERY): the zone's answer, or REFUSED for names in no zone served.
Message answer_authoritative(const ZoneSet& zones, const Message& query);

}  // namespace miniweb::dns
