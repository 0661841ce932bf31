#include "dns/zone.hpp"

#include <algorithm>
#include <array>

#include "dns/zone_parser.hpp"

namespace miniweb::dns {
namespace {

constexpr int kMaxCnameChain = 8;

const Name* target_of(const ResourceRecord& record) {
  if (const auto* r = std::get_if<RdataName>(&record.rdata); r && record.type == type::NS)
    return &r->name;
  if (const auto* r = std::get_if<RdataMx>(&record.rdata)) return &r->exchange;
  if (const auto* r = std::get_if<RdataSrv>(&record.rdata)) return &r->target;
  return nullptr;
}

// Where each label of a wire form starts (at most 127 labels fit in 255 octets).
struct LabelStarts {
  std::array<uint8_t, 128> at;
  size_t count = 0;
};
LabelStarts label_starts(std::string_view wire) {
  LabelStarts out;
  for (size_t offset = 0; offset < wire.size(); offset += 1 + static_cast<uint8_t>(wire[offset]))
    out.at[out.count++] = static_cast<uint8_t>(offset);
  return out;
}

}  // namespace

// Takes records one by one (from a vector, or straight from the parser) and checks the zone
// as a whole at the end. Records before the SOA wait: until it comes, the apex is unknown.
class Zone::Builder {
 public:
  Status add(ResourceRecord&& record) {
    if (record.type == type::SOA) {
      if (have_soa_)
        return make_error("more than one SOA record (" + zone_.soa_record_.name.to_string() +
                          " and " + record.name.to_string() + ")");
      have_soa_ = true;
      zone_.origin_ = record.name;
      zone_.soa_record_ = record;
      if (auto placed = place(std::move(record)); !placed) return placed;
      std::vector<ResourceRecord> waiting = std::move(waiting_);
      for (auto& early : waiting)
        if (auto placed = place(std::move(early)); !placed) return placed;
      return Ok{};
    }
    if (!have_soa_) {
      waiting_.push_back(std::move(record));
      return Ok{};
    }
    return place(std::move(record));
  }

  Result<Zone> finish(const std::string& source) {
    if (!have_soa_) return make_error(source + ": no SOA record: a zone needs one at its apex");
    for (size_t index = 0; index < zone_.nodes_.size(); ++index) {
      const ZoneNode& node = zone_.nodes_[index];
      // RFC 1034 3.6.2: a CNAME has no other data beside it.
      const StoredRRset* cname = node.find(type::CNAME);
      if (cname && node.rrsets.size() > 1)
        return make_error(source + ": " + full_name(node) + " has a CNAME and other data");
      if (cname && cname->count > 1)
        return make_error(source + ": " + full_name(node) + " has more than one CNAME");
    }
    const ZoneNode* apex = zone_.find_relative("");
    if (apex == nullptr || !apex->find(type::NS))
      return make_error(source + ": no NS records at the apex " + zone_.origin_.to_string());
    // Empty non-terminals exist (RFC 4592 2.2.2): give every ancestor inside the zone a node, so
    // that they answer NODATA rather than NXDOMAIN. Nodes added here are visited in turn, so
    // their own parents are added too; a flat zone adds none.
    for (size_t index = 0; index < zone_.nodes_.size(); ++index) {
      const std::string_view relative = zone_.nodes_[index].relative;
      if (relative.empty()) continue;
      const std::string parent(relative.substr(1 + static_cast<uint8_t>(relative[0])));
      if (!parent.empty() && zone_.find_relative(parent) == nullptr)
        zone_.nodes_.find_or_add(parent);
    }
    return std::move(zone_);
  }

 private:
  Status place(ResourceRecord&& record) {
    if (!record.name.is_subdomain_of(zone_.origin_))
      return make_error(record.name.to_string() + " is outside the zone " +
                        zone_.origin_.to_string());
    const std::string_view wire = record.name.wire();
    ZoneNode& node =
        zone_.nodes_.find_or_add(wire.substr(0, wire.size() - zone_.origin_.wire().size()));
    StoredRRset* rrset = nullptr;
    for (auto& held : node.rrsets)
      if (held.type == record.type) rrset = &held;
    if (rrset == nullptr) {
      // RFC 2181 5.2: one TTL per RRset; like BIND, the first record's.
      node.rrsets.push_back(
          StoredRRset{.type = record.type, .count = 0, .ttl = record.ttl, .rdata = {}});
      rrset = &node.rrsets.back();
    }
    auto added = rrset->add(record.rdata);  // duplicates are dropped
    if (!added) return make_error(record.name.to_string() + ": " + added.error().message);
    if (*added) ++zone_.record_count_;
    return Ok{};
  }

  std::string full_name(const ZoneNode& node) const {
    auto name = Name::from_wire(node.relative + std::string(zone_.origin_.wire()));
    return name ? name->to_string() : zone_.origin_.to_string();
  }

  Zone zone_;
  bool have_soa_ = false;
  std::vector<ResourceRecord> waiting_;
};

std::vector<ResourceRecord> Zone::records() const {
  std::vector<ResourceRecord> out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const ZoneNode& node = nodes_[i];
    auto owner = Name::from_wire(node.relative + std::string(origin_.wire()));
    if (!owner) continue;  // every node was placed from a valid name: cannot happen
    for (const auto& rrset : node.rrsets) rrset.append_to(*owner, out);
  }
  return out;
}

const RdataSoa& Zone::soa() const {
  return std::get<RdataSoa>(soa_record_.rdata);
}

const ZoneNode* Zone::find(const Name& name) const {
  if (!name.is_subdomain_of(origin_)) return nullptr;
  const std::string_view wire = name.wire();
  return find_relative(wire.substr(0, wire.size() - origin_.wire().size()));
}

Result<Zone> Zone::from_records(std::vector<ResourceRecord> records, const std::string& source) {
  Builder builder;
  for (auto& record : records)
    if (auto added = builder.add(std::move(record)); !added)
      return make_error(source + ": " + added.error().message);
  return builder.finish(source);
}

Result<Zone> Zone::load(const std::filesystem::path& path, const Name& origin) {
  ZoneParseOptions options;
  options.origin = origin;
  Builder builder;
  auto parsed = parse_zone_file(path, options, [&builder](ResourceRecord&& record) {
    return builder.add(std::move(record));
  });
  if (!parsed) return parsed.error();
  auto zone = builder.finish(path.string());
  if (zone && !(zone->origin() == origin))
    return make_error(path.string() + ": the SOA is at " + zone->origin().to_string() +
                      ", not at the zone's name " + origin.to_string());
  return zone;
}

Result<Zone> Zone::load(const std::filesystem::path& path) {
  Builder builder;
  auto parsed = parse_zone_file(path, ZoneParseOptions{}, [&builder](ResourceRecord&& record) {
    return builder.add(std::move(record));
  });
  if (!parsed) return parsed.error();
  return builder.finish(path.string());
}

void Zone::add_negative_soa(Message& reply) const {
  // RFC 2308 3: the SOA's TTL is the smaller of its own TTL and its MINIMUM field.
  ResourceRecord soa = soa_record_;
  soa.ttl = std::min(soa.ttl, this->soa().minimum);
  reply.authority.push_back(std::move(soa));
}

void Zone::add_glue(const Name& target, std::vector<ResourceRecord>& additional) const {
  const ZoneNode* node = find(target);
  if (node == nullptr) return;
  for (uint16_t rtype : {type::A, type::AAAA}) {
    const StoredRRset* rrset = node->find(rtype);
    if (rrset == nullptr) continue;
    std::vector<ResourceRecord> records;
    rrset->append_to(target, records);
    for (auto& record : records) {
      if (std::find(additional.begin(), additional.end(), record) == additional.end())
        additional.push_back(std::move(record));
    }
  }
}

void Zone::answer(const Question& question, Message& reply) const {
  reply.aa = true;
  Name qname = question.name;
  const uint16_t qtype = question.type;
  for (int chain = 0; chain <= kMaxCnameChain; ++chain) {
    if (!qname.is_subdomain_of(origin_)) return;
    // The name's labels above the apex; each suffix of it is a name of the zone.
    const std::string_view wire = qname.wire();
    const std::string_view relative = wire.substr(0, wire.size() - origin_.wire().size());
    const LabelStarts starts = label_starts(relative);
    // Step 3.b: a delegation on the way down from the apex ends in a referral. At the cut
    // itself, DS belongs to the parent side (RFC 4035 3.1.4.1).
    for (size_t k = starts.count; k-- > 0;) {
      const ZoneNode* node = find_relative(relative.substr(starts.at[k]));
      if (node == nullptr) break;
      if (k == 0 && qtype == type::DS) break;
      if (const StoredRRset* ns = node->find(type::NS)) {
        if (chain == 0) reply.aa = false;
        const Name cut = k == 0 ? qname : *Name::from_wire(wire.substr(starts.at[k]));
        const size_t first = reply.authority.size();
        ns->append_to(cut, reply.authority);
        for (size_t i = first; i < reply.authority.size(); ++i)
          add_glue(std::get<RdataName>(reply.authority[i].rdata).name, reply.additional);
        return;
      }
    }

    const ZoneNode* node = find_relative(relative);
    if (node == nullptr) {
      // Step 3.c: no such name; look for a wildcard at the closest encloser (RFC 4592 3.3.1).
      // The apex always exists, so the walk ends there at the latest.
      std::string_view encloser;
      for (size_t k = 1; k <= starts.count; ++k) {
        encloser = k < starts.count ? relative.substr(starts.at[k]) : std::string_view();
        if (find_relative(encloser) != nullptr) break;
      }
      std::string wildcard = "\x01*";
      wildcard.append(encloser);
      node = find_relative(wildcard);
      if (node == nullptr) {
        reply.rcode = rcode::NXDOMAIN;
        add_negative_soa(reply);
        return;
      }
      // The wildcard's records are answered with qname as their owner (RFC 4592 3.3.1).
    }

    // Step 3.a: the name exists (or a wildcard stands for it).
    if (qtype == type::ANY) {
      for (const auto& rrset : node->rrsets) rrset.append_to(qname, reply.answers);
      if (node->rrsets.empty()) add_negative_soa(reply);
      return;
    }
    if (const StoredRRset* rrset = node->find(qtype)) {
      const size_t first = reply.answers.size();
      rrset->append_to(qname, reply.answers);
      for (size_t i = first; i < reply.answers.size(); ++i)
        if (const Name* target = target_of(reply.answers[i])) add_glue(*target, reply.additional);
      return;
    }
    if (const StoredRRset* cname = node->find(type::CNAME)) {
      cname->append_to(qname, reply.answers);
      Name target = std::get<RdataName>(cname->first()).name;
      // Follow the chain only inside this zone; the client resolves the rest.
      if (!target.is_subdomain_of(origin_)) return;
      qname = std::move(target);
      continue;
    }
    add_negative_soa(reply);  // NODATA
    return;
  }
  // A CNAME loop or an over-long chain: answer with what was gathered (as NSD does).
}

Status ZoneSet::add(Zone zone) {
  Name origin = zone.origin();
  if (zones_.count(origin)) return make_error("zone " + origin.to_string() + " is loaded twice");
  zones_.emplace(std::move(origin), std::make_shared<const Zone>(std::move(zone)));
  return Ok{};
}

const Zone* ZoneSet::find(const Name& name) const {
  // A server holds few zones: comparing against each apex allocates nothing.
  const Zone* best = nullptr;
  for (const auto& [origin, zone] : zones_) {
    if (!name.is_subdomain_of(origin)) continue;
    if (best == nullptr || origin.label_count() > best->origin().label_count()) best = zone.get();
  }
  return best;
}

Result<ZoneSet> ZoneSet::load_specs(const std::vector<std::string>& specs) {
  ZoneSet set;
  for (const auto& spec : specs) {
    auto equals = spec.find('=');
    Result<Zone> zone = make_error("");
    std::string file = spec;
    if (equals == std::string::npos) {
      zone = Zone::load(file);
    } else {
      file = spec.substr(equals + 1);
      auto origin = Name::parse(spec.substr(0, equals));
      if (!origin) return make_error("bad zone name in '" + spec + "': " + origin.error().message);
      zone = Zone::load(file, *origin);
    }
    if (!zone) return zone.error();
    if (auto status = set.add(std::move(*zone)); !status)
      return make_error(file + ": " + status.error().message);
  }
  return set;
}

Result<ZoneSet> ZoneSet::load(const std::vector<std::filesystem::path>& files) {
  ZoneSet set;
  for (const auto& file : files) {
    auto zone = Zone::load(file);
    if (!zone) return zone.error();
    if (auto status = set.add(std::move(*zone)); !status)
      return make_error(file.string() + ": " + status.error().message);
  }
  return set;
}

Message answer_authoritative(const ZoneSet& zones, const Message& query) {
  Message reply = query.make_reply();
  reply.rd = query.rd;
  const Question& question = query.questions.front();
  if (question.qclass != rclass::IN && question.qclass != rclass::ANY) {
    reply.rcode = rcode::REFUSED;
    return reply;
  }
  if (question.type == type::AXFR || question.type == 251 /*IXFR*/) {
    reply.rcode = rcode::REFUSED;  // zone transfers are not offered (NSD's default)
    return reply;
  }
  const Zone* zone = zones.find(question.name);
  if (zone == nullptr) {
    reply.rcode = rcode::REFUSED;
    return reply;
  }
  zone->answer(question, reply);
  return reply;
}

}  // namespace miniweb::dns
