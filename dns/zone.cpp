#include "dns/zone.hpp"

#include <algorithm>

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

void append_renamed(const RRset& rrset, const Name& owner, std::vector<ResourceRecord>& out) {
  for (const auto& record : rrset.records) {
    out.push_back(record);
    out.back().name = owner;
  }
}

}  // namespace

const RRset* Zone::Node::find(uint16_t rtype) const {
  for (const auto& rrset : rrsets)
    if (rrset.type == rtype) return &rrset;
  return nullptr;
}

const RdataSoa& Zone::soa() const {
  return std::get<RdataSoa>(soa_record_.rdata);
}

const Zone::Node* Zone::find(const Name& name) const {
  auto found = nodes_.find(name);
  return found == nodes_.end() ? nullptr : &found->second;
}

Result<Zone> Zone::from_records(std::vector<ResourceRecord> records, const std::string& source) {
  Zone zone;
  const ResourceRecord* soa = nullptr;
  for (const auto& record : records) {
    if (record.type != type::SOA) continue;
    if (soa != nullptr)
      return make_error(source + ": more than one SOA record (" + soa->name.to_string() + " and " +
                        record.name.to_string() + ")");
    soa = &record;
  }
  if (soa == nullptr) return make_error(source + ": no SOA record: a zone needs one at its apex");
  zone.origin_ = soa->name;
  zone.soa_record_ = *soa;
  zone.nodes_.reserve(records.size());  // one rehash-free pass over a large zone

  for (auto& record : records) {
    if (!record.name.is_subdomain_of(zone.origin_))
      return make_error(source + ": " + record.name.to_string() + " is outside the zone " +
                        zone.origin_.to_string());
    Node& node = zone.nodes_[record.name];
    auto rrset = std::find_if(node.rrsets.begin(), node.rrsets.end(),
                              [&](const RRset& r) { return r.type == record.type; });
    if (rrset == node.rrsets.end()) {
      node.rrsets.push_back(RRset{record.type, {}});
      rrset = node.rrsets.end() - 1;
    }
    // RFC 2181 5.2: one TTL per RRset; like BIND, use the first. Duplicates are dropped.
    if (!rrset->records.empty()) record.ttl = rrset->records.front().ttl;
    if (std::find(rrset->records.begin(), rrset->records.end(), record) != rrset->records.end())
      continue;
    rrset->records.push_back(std::move(record));
    ++zone.record_count_;
  }
  for (const auto& [name, node] : zone.nodes_) {
    // RFC 1034 3.6.2: a CNAME has no other data beside it.
    if (node.find(type::CNAME) && node.rrsets.size() > 1)
      return make_error(source + ": " + name.to_string() + " has a CNAME and other data");
    if (node.find(type::CNAME) && node.find(type::CNAME)->records.size() > 1)
      return make_error(source + ": " + name.to_string() + " has more than one CNAME");
  }
  if (!zone.find(zone.origin_)->find(type::NS))
    return make_error(source + ": no NS records at the apex " + zone.origin_.to_string());
  // Empty non-terminals exist (RFC 4592 2.2.2): give every ancestor inside the zone a node, so
  // that they answer NODATA rather than NXDOMAIN.
  // Only names two or more labels below the apex have such ancestors; the usual flat zone
  // copies no name here. Parents found missing are added, then their own parents, and so on.
  const size_t child_depth = zone.origin_.label_count() + 1;
  std::vector<Name> missing;
  for (const auto& entry : zone.nodes_)
    if (entry.first.label_count() > child_depth) {
      Name parent = entry.first.parent();
      if (!zone.nodes_.count(parent)) missing.push_back(std::move(parent));
    }
  while (!missing.empty()) {
    std::vector<Name> next;
    for (auto& name : missing) {
      if (!zone.nodes_.try_emplace(name).second) continue;  // a sibling added it already
      if (name.label_count() > child_depth) {
        Name parent = name.parent();
        if (!zone.nodes_.count(parent)) next.push_back(std::move(parent));
      }
    }
    missing = std::move(next);
  }
  return zone;
}

Result<Zone> Zone::load(const std::filesystem::path& path, const Name& origin) {
  ZoneParseOptions options;
  options.origin = origin;
  auto records = parse_zone_file(path, options);
  if (!records) return records.error();
  auto zone = from_records(std::move(*records), path.string());
  if (zone && !(zone->origin() == origin))
    return make_error(path.string() + ": the SOA is at " + zone->origin().to_string() +
                      ", not at the zone's name " + origin.to_string());
  return zone;
}

Result<Zone> Zone::load(const std::filesystem::path& path) {
  auto records = parse_zone_file(path);
  if (!records) return records.error();
  return from_records(std::move(*records), path.string());
}

void Zone::add_negative_soa(Message& reply) const {
  // RFC 2308 3: the SOA's TTL is the smaller of its own TTL and its MINIMUM field.
  ResourceRecord soa = soa_record_;
  soa.ttl = std::min(soa.ttl, this->soa().minimum);
  reply.authority.push_back(std::move(soa));
}

void Zone::add_glue(const Name& target, std::vector<ResourceRecord>& additional) const {
  if (!target.is_subdomain_of(origin_)) return;
  const Node* node = find(target);
  if (node == nullptr) return;
  for (uint16_t rtype : {type::A, type::AAAA}) {
    const RRset* rrset = node->find(rtype);
    if (rrset == nullptr) continue;
    for (const auto& record : rrset->records) {
      if (std::find(additional.begin(), additional.end(), record) == additional.end())
        additional.push_back(record);
    }
  }
}

void Zone::add_additional_for(const std::vector<ResourceRecord>& records, Message& reply) const {
  for (const auto& record : records)
    if (const Name* target = target_of(record)) add_glue(*target, reply.additional);
}

void Zone::answer(const Question& question, Message& reply) const {
  reply.aa = true;
  Name qname = question.name;
  const uint16_t qtype = question.type;
  for (int chain = 0; chain <= kMaxCnameChain; ++chain) {
    // Step 3.b: a delegation on the way down from the apex ends in a referral. At the cut
    // itself, DS belongs to the parent side (RFC 4035 3.1.4.1).
    for (size_t depth = origin_.label_count() + 1; depth <= qname.label_count(); ++depth) {
      Name cut = qname.suffix(depth);
      const Node* node = find(cut);
      if (node == nullptr) break;
      if (depth == qname.label_count() && qtype == type::DS) break;
      if (const RRset* ns = node->find(type::NS)) {
        if (chain == 0) reply.aa = false;
        reply.authority.insert(reply.authority.end(), ns->records.begin(), ns->records.end());
        for (const auto& record : ns->records)
          add_glue(std::get<RdataName>(record.rdata).name, reply.additional);
        return;
      }
    }

    const Node* node = find(qname);
    if (node == nullptr) {
      // Step 3.c: no such name; look for a wildcard at the closest encloser (RFC 4592 3.3.1).
      Name encloser = qname.parent();
      while (find(encloser) == nullptr && encloser.label_count() > origin_.label_count())
        encloser = encloser.parent();
      auto wildcard = encloser.prepend("*");
      if (wildcard) node = find(*wildcard);
      if (node == nullptr) {
        reply.rcode = rcode::NXDOMAIN;
        add_negative_soa(reply);
        return;
      }
      // The wildcard's records are answered with qname as their owner (RFC 4592 3.3.1).
    }

    // Step 3.a: the name exists (or a wildcard stands for it).
    if (qtype == type::ANY) {
      for (const auto& rrset : node->rrsets) append_renamed(rrset, qname, reply.answers);
      if (node->rrsets.empty()) add_negative_soa(reply);
      return;
    }
    if (const RRset* rrset = node->find(qtype)) {
      size_t first = reply.answers.size();
      append_renamed(*rrset, qname, reply.answers);
      std::vector<ResourceRecord> added(reply.answers.begin() + static_cast<std::ptrdiff_t>(first),
                                        reply.answers.end());
      add_additional_for(added, reply);
      return;
    }
    if (const RRset* cname = node->find(type::CNAME)) {
      append_renamed(*cname, qname, reply.answers);
      const Name& target = std::get<RdataName>(cname->records.front().rdata).name;
      // Follow the chain only inside this zone; the client resolves the rest.
      if (!target.is_subdomain_of(origin_)) return;
      qname = target;
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
