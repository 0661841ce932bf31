#include "shared/dns/message.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "shared/dns/wire.hpp"

namespace miniweb::dns {
namespace {

struct TypeName {
  uint16_t value;
  std::string_view name;
};
constexpr TypeName kTypeNames[] = {
    {type::A, "A"},         {type::NS, "NS"},     {type::CNAME, "CNAME"}, {type::SOA, "SOA"},
    {type::PTR, "PTR"},     {type::MX, "MX"},     {type::TXT, "TXT"},     {type::AAAA, "AAAA"},
    {type::SRV, "SRV"},     {type::OPT, "OPT"},   {type::DS, "DS"},       {type::SVCB, "SVCB"},
    {type::HTTPS, "HTTPS"}, {type::AXFR, "AXFR"}, {type::ANY, "ANY"},     {type::CAA, "CAA"},
    {46, "RRSIG"},          {47, "NSEC"},         {48, "DNSKEY"},         {50, "NSEC3"},
    {13, "HINFO"},          {44, "SSHFP"},        {52, "TLSA"},           {99, "SPF"},
};

bool iequals(std::string_view a, std::string_view b) {
  return label_equal(a, b);
}

std::optional<uint16_t> parse_prefixed_number(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix))
    return std::nullopt;
  unsigned value = 0;
  auto digits = text.substr(prefix.size());
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string ipv4_to_string(const std::array<uint8_t, 4>& a) {
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
         std::to_string(a[3]);
}

std::string ipv6_to_string(const std::array<uint8_t, 16>& a) {
  // RFC 5952: lowercase hex, longest run (>= 2) of zero groups as "::".
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>((a[2 * i] << 8) | a[2 * i + 1]);
  int best_start = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length && j - i >= 2) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  char buffer[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buffer, sizeof buffer, "%x", groups[i]);
    out += buffer;
  }
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      char buffer[5];
      std::snprintf(buffer, sizeof buffer, "\\%03u", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string hex(std::span<const uint8_t> data) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (uint8_t b : data) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string svc_key_name(uint16_t key) {
  switch (key) {
    case svc_key::MANDATORY:
      return "mandatory";
    case svc_key::ALPN:
      return "alpn";
    case svc_key::NO_DEFAULT_ALPN:
      return "no-default-alpn";
    case svc_key::PORT:
      return "port";
    case svc_key::IPV4HINT:
      return "ipv4hint";
    case svc_key::ECH:
      return "ech";
    case svc_key::IPV6HINT:
      return "ipv6hint";
    default:
      return "key" + std::to_string(key);
  }
}

std::string svc_param_to_string(const SvcParam& param) {
  std::string out = svc_key_name(param.key);
  const auto& v = param.value;
  switch (param.key) {
    case svc_key::NO_DEFAULT_ALPN:
      return out;
    case svc_key::PORT:
      if (v.size() == 2) return out + "=" + std::to_string((v[0] << 8) | v[1]);
      break;
    case svc_key::ALPN: {
      std::string list;
      WireReader reader(v);
      while (reader.ok() && reader.remaining() > 0) {
        std::string id = reader.character_string();
        if (!list.empty()) list += ',';
        for (char c : id) {
          if (c == ',' || c == '\\') list += "\\\\";
          list += c;
        }
      }
      if (reader.ok()) return out + "=" + quote(list);
      break;
    }
    case svc_key::IPV4HINT:
      if (!v.empty() && v.size() % 4 == 0) {
        out += '=';
        for (size_t i = 0; i < v.size(); i += 4) {
          if (i) out += ',';
          out += ipv4_to_string({v[i], v[i + 1], v[i + 2], v[i + 3]});
        }
        return out;
      }
      break;
    case svc_key::IPV6HINT:
      if (!v.empty() && v.size() % 16 == 0) {
        out += '=';
        for (size_t i = 0; i < v.size(); i += 16) {
          if (i) out += ',';
          std::array<uint8_t, 16> a;
          std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(i), 16, a.begin());
          out += ipv6_to_string(a);
        }
        return out;
      }
      break;
    case svc_key::MANDATORY:
      if (v.size() % 2 == 0) {
        out += '=';
        for (size_t i = 0; i < v.size(); i += 2) {
          if (i) out += ',';
          out += svc_key_name(static_cast<uint16_t>((v[i] << 8) | v[i + 1]));
        }
        return out;
      }
      break;
    default:
      break;
  }
  // Generic form: the value as a quoted string with \DDD escapes.
  return out + "=" + quote(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
}

void encode_record(WireWriter& writer, const ResourceRecord& record) {
  writer.name(record.name, Compression::kAllowed);
  writer.u16(record.type);
  writer.u16(record.rclass);
  writer.u32(record.ttl);
  size_t length_at = writer.size();
  writer.u16(0);
  encode_rdata(writer, record.type, record.rdata);
  writer.patch_u16(length_at, static_cast<uint16_t>(writer.size() - length_at - 2));
}

ResourceRecord decode_record(WireReader& reader, std::optional<Edns>* edns, uint16_t* rcode_high,
                             bool* skip) {
  ResourceRecord record;
  record.name = reader.name();
  record.type = reader.u16();
  record.rclass = reader.u16();
  record.ttl = reader.u32();
  uint16_t length = reader.u16();
  if (!reader.ok()) return record;
  if (length > reader.remaining()) {
    reader.fail("record data of " + record.name.to_string() + " overruns the message");
    return record;
  }
  if (record.type == type::OPT && edns != nullptr) {
    // RFC 6891 6.1.1: at most one OPT, owner must be the root.
    if (edns->has_value()) {
      reader.fail("more than one OPT record");
      return record;
    }
    if (!record.name.is_root()) {
      reader.fail("OPT record with a non-root owner");
      return record;
    }
    Edns e;
    e.udp_size = std::max<uint16_t>(record.rclass, 512);
    *rcode_high = static_cast<uint16_t>(record.ttl >> 24);
    e.version = static_cast<uint8_t>((record.ttl >> 16) & 0xFF);
    e.dnssec_ok = (record.ttl & 0x8000) != 0;
    size_t end = reader.position() + length;
    while (reader.ok() && reader.position() < end) {
      EdnsOption option;
      option.code = reader.u16();
      uint16_t option_length = reader.u16();
      if (reader.position() + option_length > end) {
        reader.fail("EDNS option overruns the OPT record");
        break;
      }
      auto data = reader.bytes(option_length);
      option.data.assign(data.begin(), data.end());
      e.options.push_back(std::move(option));
    }
    if (reader.ok() && reader.position() != end) reader.fail("malformed OPT record");
    *edns = std::move(e);
    *skip = true;
    return record;
  }
  size_t start = reader.position();
  record.rdata = decode_rdata(reader, record.type, length);
  if (reader.ok() && reader.position() != start + length)
    reader.fail("record data of " + record.name.to_string() + " " + type_to_string(record.type) +
                " has the wrong length");
  return record;
}

}  // namespace

std::string type_to_string(uint16_t value) {
  for (const auto& entry : kTypeNames)
    if (entry.value == value) return std::string(entry.name);
  return "TYPE" + std::to_string(value);
}

std::optional<uint16_t> type_from_string(std::string_view text) {
  for (const auto& entry : kTypeNames)
    if (iequals(entry.name, text)) return entry.value;
  return parse_prefixed_number(text, "TYPE");
}

std::string class_to_string(uint16_t value) {
  switch (value) {
    case rclass::IN:
      return "IN";
    case rclass::CH:
      return "CH";
    case 4:
      return "HS";
    case rclass::ANY:
      return "ANY";
    default:
      return "CLASS" + std::to_string(value);
  }
}

std::optional<uint16_t> class_from_string(std::string_view text) {
  if (iequals(text, "IN")) return rclass::IN;
  if (iequals(text, "CH")) return rclass::CH;
  if (iequals(text, "HS")) return 4;
  if (iequals(text, "ANY")) return rclass::ANY;
  return parse_prefixed_number(text, "CLASS");
}

std::string rcode_to_string(uint16_t value) {
  static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (value < std::size(kNames)) return std::string(kNames[value]);
  if (value == rcode::BADVERS) return "BADVERS";
  return "RCODE" + std::to_string(value);
}

const SvcParam* RdataSvcb::find(uint16_t key) const {
  for (const auto& param : params)
    if (param.key == key) return &param;
  return nullptr;
}

std::optional<uint16_t> RdataSvcb::port() const {
  const SvcParam* param = find(svc_key::PORT);
  if (param == nullptr || param->value.size() != 2) return std::nullopt;
  return static_cast<uint16_t>((param->value[0] << 8) | param->value[1]);
}

std::vector<std::string> RdataSvcb::alpn() const {
  std::vector<std::string> out;
  const SvcParam* param = find(svc_key::ALPN);
  if (param == nullptr) return out;
  WireReader reader(param->value);
  while (reader.ok() && reader.remaining() > 0) out.push_back(reader.character_string());
  if (!reader.ok()) out.clear();
  return out;
}

std::vector<std::array<uint8_t, 4>> RdataSvcb::ipv4hint() const {
  std::vector<std::array<uint8_t, 4>> out;
  const SvcParam* param = find(svc_key::IPV4HINT);
  if (param == nullptr || param->value.size() % 4 != 0) return out;
  for (size_t i = 0; i < param->value.size(); i += 4)
    out.push_back({param->value[i], param->value[i + 1], param->value[i + 2], param->value[i + 3]});
  return out;
}

std::vector<std::array<uint8_t, 16>> RdataSvcb::ipv6hint() const {
  std::vector<std::array<uint8_t, 16>> out;
  const SvcParam* param = find(svc_key::IPV6HINT);
  if (param == nullptr || param->value.size() % 16 != 0) return out;
  for (size_t i = 0; i < param->value.size(); i += 16) {
    std::array<uint8_t, 16> a;
    std::copy_n(param->value.begin() + static_cast<std::ptrdiff_t>(i), 16, a.begin());
    out.push_back(a);
  }
  return out;
}

std::string rdata_to_string(uint16_t rtype, const Rdata& rdata) {
  struct Visitor {
    uint16_t rtype;
    std::string operator()(const RdataA& r) const { return ipv4_to_string(r.address); }
    std::string operator()(const RdataAAAA& r) const { return ipv6_to_string(r.address); }
    std::string operator()(const RdataName& r) const { return r.name.to_string(); }
    std::string operator()(const RdataSoa& r) const {
      return r.mname.to_string() + " " + r.rname.to_string() + " " + std::to_string(r.serial) +
             " " + std::to_string(r.refresh) + " " + std::to_string(r.retry) + " " +
             std::to_string(r.expire) + " " + std::to_string(r.minimum);
    }
    std::string operator()(const RdataMx& r) const {
      return std::to_string(r.preference) + " " + r.exchange.to_string();
    }
    std::string operator()(const RdataTxt& r) const {
      std::string out;
      for (const auto& s : r.strings) {
        if (!out.empty()) out += ' ';
        out += quote(s);
      }
      return out;
    }
    std::string operator()(const RdataSrv& r) const {
      return std::to_string(r.priority) + " " + std::to_string(r.weight) + " " +
             std::to_string(r.port) + " " + r.target.to_string();
    }
    std::string operator()(const RdataCaa& r) const {
      return std::to_string(r.flags) + " " + r.tag + " " + quote(r.value);
    }
    std::string operator()(const RdataSvcb& r) const {
      std::string out = std::to_string(r.priority) + " " + r.target.to_string();
      for (const auto& param : r.params) out += " " + svc_param_to_string(param);
      return out;
    }
    std::string operator()(const RdataOpaque& r) const {
      std::string out = "\\# " + std::to_string(r.data.size());
      if (!r.data.empty()) out += " " + hex(r.data);
      return out;
    }
  };
  return std::visit(Visitor{rtype}, rdata);
}

void encode_rdata(WireWriter& w, uint16_t rtype, const Rdata& rdata) {
  struct Visitor {
    WireWriter& w;
    uint16_t rtype;
    void operator()(const RdataA& r) const { w.bytes(r.address); }
    void operator()(const RdataAAAA& r) const { w.bytes(r.address); }
    void operator()(const RdataName& r) const {
      // RFC 3597 4: compression only in the RFC 1035 types.
      bool well_known = rtype == type::NS || rtype == type::CNAME || rtype == type::PTR;
      w.name(r.name, well_known ? Compression::kAllowed : Compression::kNone);
    }
    void operator()(const RdataSoa& r) const {
      bool well_known = rtype == type::SOA;
      w.name(r.mname, well_known ? Compression::kAllowed : Compression::kNone);
      w.name(r.rname, well_known ? Compression::kAllowed : Compression::kNone);
      w.u32(r.serial);
      w.u32(r.refresh);
      w.u32(r.retry);
      w.u32(r.expire);
      w.u32(r.minimum);
    }
    void operator()(const RdataMx& r) const {
      w.u16(r.preference);
      w.name(r.exchange, rtype == type::MX ? Compression::kAllowed : Compression::kNone);
    }
    void operator()(const RdataTxt& r) const {
      if (r.strings.empty()) w.u8(0);  // TXT has at least one string
      for (const auto& s : r.strings) w.character_string(s);
    }
    void operator()(const RdataSrv& r) const {
      w.u16(r.priority);
      w.u16(r.weight);
      w.u16(r.port);
      w.name(r.target, Compression::kNone);  // RFC 2782
    }
    void operator()(const RdataCaa& r) const {
      w.u8(r.flags);
      w.character_string(r.tag);
      w.bytes(std::span(reinterpret_cast<const uint8_t*>(r.value.data()), r.value.size()));
    }
    void operator()(const RdataSvcb& r) const {
      w.u16(r.priority);
      w.name(r.target, Compression::kNone);  // RFC 9460 2.2
      for (const auto& param : r.params) {
        w.u16(param.key);
        w.u16(static_cast<uint16_t>(param.value.size()));
        w.bytes(param.value);
      }
    }
    void operator()(const RdataOpaque& r) const { w.bytes(r.data); }
  };
  std::visit(Visitor{w, rtype}, rdata);
}

Rdata decode_rdata(WireReader& reader, uint16_t rtype, size_t length) {
  size_t end = reader.position() + length;
  auto check_end = [&] {
    if (reader.ok() && reader.position() > end)
      reader.fail("record data overruns its RDLENGTH (type " + type_to_string(rtype) + ")");
  };
  switch (rtype) {
    case type::A: {
      if (length != 4) break;
      RdataA r;
      auto b = reader.bytes(4);
      if (reader.ok()) std::copy(b.begin(), b.end(), r.address.begin());
      return r;
    }
    case type::AAAA: {
      if (length != 16) break;
      RdataAAAA r;
      auto b = reader.bytes(16);
      if (reader.ok()) std::copy(b.begin(), b.end(), r.address.begin());
      return r;
    }
    case type::NS:
    case type::CNAME:
    case type::PTR: {
      RdataName r{reader.name()};
      check_end();
      return r;
    }
    case type::SOA: {
      RdataSoa r;
      r.mname = reader.name();
      r.rname = reader.name();
      r.serial = reader.u32();
      r.refresh = reader.u32();
      r.retry = reader.u32();
      r.expire = reader.u32();
      r.minimum = reader.u32();
      check_end();
      return r;
    }
    case type::MX: {
      RdataMx r;
      r.preference = reader.u16();
      r.exchange = reader.name();
      check_end();
      return r;
    }
    case type::TXT: {
      RdataTxt r;
      if (length == 0) {
        reader.fail("empty TXT record");
        return r;
      }
      while (reader.ok() && reader.position() < end) {
        r.strings.push_back(reader.character_string());
        check_end();
      }
      return r;
    }
    case type::SRV: {
      RdataSrv r;
      r.priority = reader.u16();
      r.weight = reader.u16();
      r.port = reader.u16();
      r.target = reader.name();
      check_end();
      return r;
    }
    case type::CAA: {
      RdataCaa r;
      r.flags = reader.u8();
      r.tag = reader.character_string();
      check_end();
      if (!reader.ok()) return r;
      auto value = reader.bytes(end - reader.position());
      r.value.assign(value.begin(), value.end());
      return r;
    }
    case type::SVCB:
    case type::HTTPS: {
      RdataSvcb r;
      r.priority = reader.u16();
      r.target = reader.name();
      check_end();
      int last_key = -1;
      while (reader.ok() && reader.position() < end) {
        SvcParam param;
        param.key = reader.u16();
        uint16_t value_length = reader.u16();
        if (reader.ok() && reader.position() + value_length > end) {
          reader.fail("SvcParam overruns the record");
          break;
        }
        // RFC 9460 2.2: keys strictly increasing.
        if (static_cast<int>(param.key) <= last_key) {
          reader.fail("SvcParam keys not in strictly increasing order");
          break;
        }
        last_key = param.key;
        auto value = reader.bytes(value_length);
        param.value.assign(value.begin(), value.end());
        r.params.push_back(std::move(param));
      }
      return r;
    }
    default:
      break;
  }
  if (rtype == type::A || rtype == type::AAAA) {
    reader.fail("address record with wrong length " + std::to_string(length));
    return RdataOpaque{};
  }
  RdataOpaque r;
  auto data = reader.bytes(length);
  r.data.assign(data.begin(), data.end());
  return r;
}

std::string ResourceRecord::rdata_to_string() const {
  return dns::rdata_to_string(type, rdata);
}

std::string ResourceRecord::to_string() const {
  return name.to_string() + "\t" + std::to_string(ttl) + "\t" + class_to_string(rclass) + "\t" +
         type_to_string(type) + "\t" + rdata_to_string();
}

std::string Question::to_string() const {
  return ";" + name.to_string() + "\t\t" + class_to_string(qclass) + "\t" + type_to_string(type);
}

std::vector<uint8_t> Message::encode(size_t max_size) const {
  max_size = std::clamp<size_t>(max_size, kHeaderSize, 65535);
  WireWriter w;
  w.u16(id);
  uint16_t flags = static_cast<uint16_t>((qr ? 0x8000 : 0) | ((opcode & 0xF) << 11) |
                                         (aa ? 0x0400 : 0) | (rd ? 0x0100 : 0) | (ra ? 0x0080 : 0) |
                                         (ad ? 0x0020 : 0) | (cd ? 0x0010 : 0) | (rcode & 0xF));
  w.u16(flags);
  size_t counts_at = w.size();
  w.u16(0);
  w.u16(0);
  w.u16(0);
  w.u16(0);

  size_t opt_size = 0;
  if (edns) {
    opt_size = 11;
    for (const auto& option : edns->options) opt_size += 4 + option.data.size();
  }
  size_t limit = max_size > opt_size ? max_size - opt_size : kHeaderSize;

  uint16_t qd = 0, an = 0, ns = 0, ar = 0;
  bool truncated = tc;
  for (const auto& question : questions) {
    w.name(question.name, Compression::kAllowed);
    w.u16(question.type);
    w.u16(question.qclass);
    ++qd;
  }
  size_t after_questions = w.size();
  auto write_section = [&](const std::vector<ResourceRecord>& records, uint16_t& count) {
    for (const auto& record : records) {
      size_t before = w.size();
      encode_record(w, record);
      if (w.size() > limit) {
        w.truncate(before);
        return false;
      }
      ++count;
    }
    return true;
  };
  if (!write_section(answers, an) || !write_section(authority, ns)) {
    // Required sections do not fit: send no partial RRsets, let the client retry over TCP.
    w.truncate(after_questions);
    an = ns = 0;
    truncated = true;
  } else {
    write_section(additional, ar);  // dropping additional data needs no TC (RFC 2181 9)
  }
  if (edns) {
    w.u8(0);  // root owner
    w.u16(type::OPT);
    w.u16(edns->udp_size);
    w.u32((uint32_t{static_cast<uint8_t>(rcode >> 4)} << 24) | (uint32_t{edns->version} << 16) |
          (edns->dnssec_ok ? 0x8000u : 0u));
    size_t length_at = w.size();
    w.u16(0);
    for (const auto& option : edns->options) {
      w.u16(option.code);
      w.u16(static_cast<uint16_t>(option.data.size()));
      w.bytes(option.data);
    }
    w.patch_u16(length_at, static_cast<uint16_t>(w.size() - length_at - 2));
    ++ar;
  }
  if (truncated) w.patch_u16(2, static_cast<uint16_t>(flags | 0x0200));
  w.patch_u16(counts_at, qd);
  w.patch_u16(counts_at + 2, an);
  w.patch_u16(counts_at + 4, ns);
  w.patch_u16(counts_at + 6, ar);
  return w.take();
}

Result<Message> Message::decode(std::span<const uint8_t> packet) {
  if (packet.size() < kHeaderSize) return make_error("message shorter than the 12-byte DNS header");
  WireReader r(packet);
  Message m;
  m.id = r.u16();
  uint16_t flags = r.u16();
  m.qr = flags & 0x8000;
  m.opcode = static_cast<uint8_t>((flags >> 11) & 0xF);
  m.aa = flags & 0x0400;
  m.tc = flags & 0x0200;
  m.rd = flags & 0x0100;
  m.ra = flags & 0x0080;
  m.ad = flags & 0x0020;
  m.cd = flags & 0x0010;
  m.rcode = flags & 0xF;
  uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
  // Each question takes at least 5 bytes and each record 11: reject impossible counts before
  // reserving anything.
  size_t minimum = size_t{qd} * 5 + (size_t{an} + ns + ar) * 11;
  if (minimum > r.remaining())
    return make_error("section counts (" + std::to_string(qd) + "/" + std::to_string(an) + "/" +
                      std::to_string(ns) + "/" + std::to_string(ar) + ") overrun the message");
  m.questions.reserve(qd);
  for (uint16_t i = 0; i < qd && r.ok(); ++i) {
    Question q;
    q.name = r.name();
    q.type = r.u16();
    q.qclass = r.u16();
    m.questions.push_back(std::move(q));
  }
  uint16_t rcode_high = 0;
  auto read_section = [&](std::vector<ResourceRecord>& out, uint16_t count, bool additional) {
    out.reserve(count);
    for (uint16_t i = 0; i < count && r.ok(); ++i) {
      bool skip = false;
      auto record = decode_record(r, additional ? &m.edns : nullptr, &rcode_high, &skip);
      if (!skip && r.ok()) out.push_back(std::move(record));
    }
  };
  read_section(m.answers, an, false);
  read_section(m.authority, ns, false);
  read_section(m.additional, ar, true);
  if (!r.ok()) return make_error(r.error());
  if (r.remaining() != 0)
    return make_error(std::to_string(r.remaining()) + " trailing bytes after the last record");
  if (m.edns) m.rcode = static_cast<uint16_t>(m.rcode | (rcode_high << 4));
  return m;
}

std::optional<Message> Message::decode_header(std::span<const uint8_t> packet) {
  if (packet.size() < kHeaderSize) return std::nullopt;
  WireReader r(packet);
  Message m;
  m.id = r.u16();
  uint16_t flags = r.u16();
  m.qr = flags & 0x8000;
  m.opcode = static_cast<uint8_t>((flags >> 11) & 0xF);
  m.aa = flags & 0x0400;
  m.tc = flags & 0x0200;
  m.rd = flags & 0x0100;
  m.ra = flags & 0x0080;
  m.ad = flags & 0x0020;
  m.cd = flags & 0x0010;
  m.rcode = flags & 0xF;
  return m;
}

Message Message::make_reply() const {
  Message reply;
  reply.id = id;
  reply.qr = true;
  reply.opcode = opcode;
  reply.rd = rd;
  reply.cd = cd;
  reply.questions = questions;
  return reply;
}

std::string Message::to_string() const {
  std::string out = ";; ->>HEADER<<- opcode: " +
                    std::string(opcode == opcode::QUERY ? "QUERY" : std::to_string(opcode)) +
                    ", status: " + rcode_to_string(rcode) + ", id: " + std::to_string(id) + "\n";
  out += ";; flags:";
  if (qr) out += " qr";
  if (aa) out += " aa";
  if (tc) out += " tc";
  if (rd) out += " rd";
  if (ra) out += " ra";
  if (ad) out += " ad";
  if (cd) out += " cd";
  out += "; QUERY: " + std::to_string(questions.size()) +
         ", ANSWER: " + std::to_string(answers.size()) +
         ", AUTHORITY: " + std::to_string(authority.size()) +
         ", ADDITIONAL: " + std::to_string(additional.size() + (edns ? 1 : 0)) + "\n";
  if (edns) {
    out += "\n;; OPT PSEUDOSECTION:\n; EDNS: version: " + std::to_string(edns->version) +
           ", flags:" + (edns->dnssec_ok ? " do" : "") +
           "; udp: " + std::to_string(edns->udp_size) + "\n";
  }
  if (!questions.empty()) {
    out += "\n;; QUESTION SECTION:\n";
    for (const auto& q : questions) out += q.to_string() + "\n";
  }
  auto section = [&](const char* title, const std::vector<ResourceRecord>& records) {
    if (records.empty()) return;
    out += std::string("\n;; ") + title + " SECTION:\n";
    for (const auto& record : records) out += record.to_string() + "\n";
  };
  section("ANSWER", answers);
  section("AUTHORITY", authority);
  section("ADDITIONAL", additional);
  return out;
}

Message make_query(const Name& name, uint16_t qtype, bool recursion_desired) {
  Message query;
  query.rd = recursion_desired;
  query.questions.push_back(Question{name, qtype, rclass::IN});
  query.edns = Edns{};
  return query;
}

}  // namespace miniweb::dns
