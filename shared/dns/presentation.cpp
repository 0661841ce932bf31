// The presentation format (RFC 1035 5.1, dig's output): type, class and rcode names, record
// data as text (RFC 3597 "\# len hex" for opaque data, RFC 9460 SvcParams), records,
// questions and whole messages.
#include <algorithm>
#include <charconv>
#include <cstdio>

#include "shared/dns/base64.hpp"
#include "shared/dns/message.hpp"
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
          // RFC 9460 A.1: a comma or backslash inside an id takes a backslash (which quote()
          // escapes once more, as the character-string level).
          if (c == ',' || c == '\\') list += '\\';
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
    case svc_key::ECH:  // the ECHConfigList in base64 (RFC 9460 7.3)
      return out + "=" + base64_encode(v);
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

}  // namespace miniweb::dns
