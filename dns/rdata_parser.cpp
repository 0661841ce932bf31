#include "dns/rdata_parser.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "shared/dns/base64.hpp"
#include "shared/dns/wire.hpp"
#include "shared/text.hpp"

namespace miniweb::dns {
namespace {

// Resolves \X and \DDD escapes (RFC 1035 5.1) in a character string.
Result<std::string> unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 >= text.size()) return make_error("string ends in a backslash");
    if (std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      if (i + 3 >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 2])) ||
          !std::isdigit(static_cast<unsigned char>(text[i + 3])))
        return make_error("bad \\DDD escape in '" + std::string(text) + "'");
      int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
      if (value > 255) return make_error("\\DDD escape above 255");
      out += static_cast<char>(value);
      i += 3;
    } else {
      out += text[++i];
    }
  }
  return out;
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Result<uint16_t> parse_u16(const ZoneToken& token, const char* what) {
  auto value = parse_number<uint16_t>(token.text);
  if (!value) return make_error(std::string("bad ") + what + " '" + token.text + "'");
  return *value;
}

Result<uint32_t> parse_u32(const ZoneToken& token, const char* what) {
  auto value = parse_number<uint32_t>(token.text);
  if (!value) return make_error(std::string("bad ") + what + " '" + token.text + "'");
  return *value;
}

Result<std::array<uint8_t, 4>> parse_ipv4(std::string_view text) {
  std::array<uint8_t, 4> out{};
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out.data()) != 1)
    return make_error("bad IPv4 address '" + s + "'");
  return out;
}

Result<std::array<uint8_t, 16>> parse_ipv6(std::string_view text) {
  std::array<uint8_t, 16> out{};
  std::string s(text);
  if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1)
    return make_error("bad IPv6 address '" + s + "'");
  return out;
}

std::vector<std::string_view> split_commas(std::string_view text) {
  // Commas escaped with a backslash do not split (RFC 9460 A.1).
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == ',') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

// RFC 9460 A.1: a value-list is read as a character string first (its \DDD and \X escapes
// resolved), then split at commas, where "\," and "\\" stand for a comma and a backslash.
std::vector<std::string> split_value_list(std::string_view list) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '\\' && i + 1 < list.size()) {
      out.back() += list[++i];
    } else if (list[i] == ',') {
      out.emplace_back();
    } else {
      out.back() += list[i];
    }
  }
  return out;
}

std::optional<uint16_t> svc_key_from_string(std::string_view name) {
  static constexpr std::pair<std::string_view, uint16_t> kKeys[] = {
      {"mandatory", svc_key::MANDATORY},
      {"alpn", svc_key::ALPN},
      {"no-default-alpn", svc_key::NO_DEFAULT_ALPN},
      {"port", svc_key::PORT},
      {"ipv4hint", svc_key::IPV4HINT},
      {"ech", svc_key::ECH},
      {"ipv6hint", svc_key::IPV6HINT}};
  for (const auto& [text, key] : kKeys)
    if (text == name) return key;
  if (name.size() > 3 && name.substr(0, 3) == "key") return parse_number<uint16_t>(name.substr(3));
  return std::nullopt;
}

Result<SvcParam> parse_svc_param(std::string_view text) {
  auto equals = text.find('=');
  std::string_view key_text = text.substr(0, equals);
  std::string_view value_text = equals == std::string_view::npos ? "" : text.substr(equals + 1);
  auto key = svc_key_from_string(key_text);
  if (!key) return make_error("unknown SvcParam key '" + std::string(key_text) + "'");
  SvcParam param;
  param.key = *key;
  WireWriter w;
  switch (*key) {
    case svc_key::NO_DEFAULT_ALPN:
      if (!value_text.empty()) return make_error("no-default-alpn takes no value");
      break;
    case svc_key::PORT: {
      auto port = parse_number<uint16_t>(value_text);
      if (!port) return make_error("bad port '" + std::string(value_text) + "'");
      w.u16(*port);
      break;
    }
    case svc_key::ALPN: {
      if (value_text.empty()) return make_error("alpn needs a value");
      auto list = unescape(value_text);
      if (!list) return list.error();
      for (const auto& id : split_value_list(*list)) {
        if (id.empty() || id.size() > 255)
          return make_error("bad alpn id in '" + std::string(text) + "'");
        w.character_string(id);
      }
      break;
    }
    case svc_key::IPV4HINT:
      for (auto item : split_commas(value_text)) {
        auto address = parse_ipv4(item);
        if (!address) return address.error();
        w.bytes(*address);
      }
      break;
    case svc_key::IPV6HINT:
      for (auto item : split_commas(value_text)) {
        auto address = parse_ipv6(item);
        if (!address) return address.error();
        w.bytes(*address);
      }
      break;
    case svc_key::ECH: {  // the ECHConfigList in base64 (RFC 9460 7.3)
      auto config = base64_decode(value_text);
      if (!config) return make_error("ech needs base64, not '" + std::string(value_text) + "'");
      w.bytes(*config);
      break;
    }
    case svc_key::MANDATORY:
      for (auto item : split_commas(value_text)) {
        auto k = svc_key_from_string(item);
        if (!k) return make_error("unknown key '" + std::string(item) + "' in mandatory");
        w.u16(*k);
      }
      break;
    default: {
      auto value = unescape(value_text);
      if (!value) return value.error();
      w.bytes(std::span(reinterpret_cast<const uint8_t*>(value->data()), value->size()));
    }
  }
  param.value = w.take();
  return param;
}

Result<Rdata> parse_generic(uint16_t rtype, std::span<const ZoneToken> tokens) {
  // RFC 3597 5: \# <length> <hex...>
  if (tokens.size() < 2) return make_error("\\# needs a length");
  auto length = parse_number<size_t>(tokens[1].text);
  if (!length || *length > 65535) return make_error("bad \\# length '" + tokens[1].text + "'");
  std::string hex_digits;
  for (size_t i = 2; i < tokens.size(); ++i) hex_digits += tokens[i].text;
  if (hex_digits.size() != *length * 2)
    return make_error("\\# length " + std::to_string(*length) + " does not match " +
                      std::to_string(hex_digits.size() / 2) + " bytes of hex");
  std::vector<uint8_t> data;
  for (size_t i = 0; i < hex_digits.size(); i += 2) {
    auto byte = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = byte(hex_digits[i]), lo = byte(hex_digits[i + 1]);
    if (hi < 0 || lo < 0) return make_error("bad hex in \\# data");
    data.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  // A known type given in generic form is stored in its typed form.
  WireReader reader(data);
  Rdata rdata = decode_rdata(reader, rtype, data.size());
  if (!reader.ok() || reader.remaining() != 0)
    return make_error("\\# data is not valid " + type_to_string(rtype) +
                      " rdata: " + (reader.ok() ? std::string("trailing bytes") : reader.error()));
  return rdata;
}

Status expect_count(std::span<const ZoneToken> tokens, size_t count, uint16_t rtype) {
  if (tokens.size() != count)
    return make_error(type_to_string(rtype) + " needs " + std::to_string(count) +
                      " rdata fields, got " + std::to_string(tokens.size()));
  return Ok{};
}

}  // namespace

Result<Name> parse_domain_name(const ZoneToken& token, const Name& origin) {
  auto name = Name::parse(token.text, origin);
  if (!name) return make_error("bad domain name '" + token.text + "': " + name.error().message);
  return name;
}

Result<uint32_t> parse_ttl(std::string_view text) {
  if (text.empty()) return make_error("empty TTL");
  if (auto plain = parse_number<uint32_t>(text)) return *plain;
  uint64_t total = 0;
  uint64_t current = 0;
  bool have_digits = false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      current = current * 10 + static_cast<uint64_t>(c - '0');
      have_digits = true;
      if (current > 0xFFFFFFFFull) return make_error("TTL '" + std::string(text) + "' too large");
      continue;
    }
    uint64_t unit = 0;
    switch (to_lower(c)) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = 604800;
        break;
      default:
        return make_error("bad TTL '" + std::string(text) + "'");
    }
    if (!have_digits) return make_error("bad TTL '" + std::string(text) + "'");
    total += current * unit;
    current = 0;
    have_digits = false;
  }
  total += current;
  if (total > 0xFFFFFFFFull) return make_error("TTL '" + std::string(text) + "' too large");
  return static_cast<uint32_t>(total);
}

Result<Rdata> parse_rdata(uint16_t rtype, std::span<const ZoneToken> t, const Name& origin) {
  if (!t.empty() && t[0].text == "\\#" && !t[0].quoted) return parse_generic(rtype, t);
  switch (rtype) {
    case type::A: {
      if (auto s = expect_count(t, 1, rtype); !s) return s.error();
      auto address = parse_ipv4(t[0].text);
      if (!address) return address.error();
      return Rdata(RdataA{*address});
    }
    case type::AAAA: {
      if (auto s = expect_count(t, 1, rtype); !s) return s.error();
      auto address = parse_ipv6(t[0].text);
      if (!address) return address.error();
      return Rdata(RdataAAAA{*address});
    }
    case type::NS:
    case type::CNAME:
    case type::PTR: {
      if (auto s = expect_count(t, 1, rtype); !s) return s.error();
      auto name = parse_domain_name(t[0], origin);
      if (!name) return name.error();
      return Rdata(RdataName{std::move(*name)});
    }
    case type::SOA: {
      if (auto s = expect_count(t, 7, rtype); !s) return s.error();
      RdataSoa soa;
      auto mname = parse_domain_name(t[0], origin);
      if (!mname) return mname.error();
      auto rname = parse_domain_name(t[1], origin);
      if (!rname) return rname.error();
      soa.mname = std::move(*mname);
      soa.rname = std::move(*rname);
      auto serial = parse_u32(t[2], "SOA serial");
      if (!serial) return serial.error();
      soa.serial = *serial;
      uint32_t* timers[] = {&soa.refresh, &soa.retry, &soa.expire, &soa.minimum};
      for (int k = 0; k < 4; ++k) {
        auto value = parse_ttl(t[3 + static_cast<size_t>(k)].text);
        if (!value) return value.error();
        *timers[k] = *value;
      }
      return Rdata(soa);
    }
    case type::MX: {
      if (auto s = expect_count(t, 2, rtype); !s) return s.error();
      auto preference = parse_u16(t[0], "MX preference");
      if (!preference) return preference.error();
      auto exchange = parse_domain_name(t[1], origin);
      if (!exchange) return exchange.error();
      return Rdata(RdataMx{*preference, std::move(*exchange)});
    }
    case type::TXT: {
      if (t.empty()) return make_error("TXT needs at least one string");
      RdataTxt txt;
      for (const auto& token : t) {
        auto text = unescape(token.text);
        if (!text) return text.error();
        if (text->size() > 255) return make_error("TXT string longer than 255 octets");
        txt.strings.push_back(std::move(*text));
      }
      return Rdata(txt);
    }
    case type::SRV: {
      if (auto s = expect_count(t, 4, rtype); !s) return s.error();
      RdataSrv srv;
      auto priority = parse_u16(t[0], "SRV priority");
      if (!priority) return priority.error();
      auto weight = parse_u16(t[1], "SRV weight");
      if (!weight) return weight.error();
      auto port = parse_u16(t[2], "SRV port");
      if (!port) return port.error();
      auto target = parse_domain_name(t[3], origin);
      if (!target) return target.error();
      return Rdata(RdataSrv{*priority, *weight, *port, std::move(*target)});
    }
    case type::CAA: {
      if (auto s = expect_count(t, 3, rtype); !s) return s.error();
      auto flags = parse_number<uint8_t>(t[0].text);
      if (!flags) return make_error("bad CAA flags '" + t[0].text + "'");
      auto value = unescape(t[2].text);
      if (!value) return value.error();
      // RFC 8659 4.1: one or more ASCII letters and digits.
      bool tag_ok = !t[1].text.empty() && t[1].text.size() <= 255;
      for (char c : t[1].text) tag_ok = tag_ok && std::isalnum(static_cast<unsigned char>(c));
      if (!tag_ok) return make_error("bad CAA tag '" + t[1].text + "'");
      return Rdata(RdataCaa{*flags, t[1].text, std::move(*value)});
    }
    case type::SVCB:
    case type::HTTPS: {
      if (t.size() < 2) return make_error(type_to_string(rtype) + " needs a priority and a target");
      RdataSvcb svcb;
      auto priority = parse_u16(t[0], "SvcPriority");
      if (!priority) return priority.error();
      svcb.priority = *priority;
      auto target = parse_domain_name(t[1], origin);
      if (!target) return target.error();
      svcb.target = std::move(*target);
      for (size_t i = 2; i < t.size(); ++i) {
        auto param = parse_svc_param(t[i].text);
        if (!param) return param.error();
        svcb.params.push_back(std::move(*param));
      }
      std::sort(svcb.params.begin(), svcb.params.end(),
                [](const SvcParam& a, const SvcParam& b) { return a.key < b.key; });
      for (size_t i = 1; i < svcb.params.size(); ++i)
        if (svcb.params[i].key == svcb.params[i - 1].key)
          return make_error("SvcParam key given twice");
      if (svcb.priority == 0 && !svcb.params.empty())
        return make_error("AliasMode (priority 0) takes no SvcParams");
      return Rdata(svcb);
    }
    default:
      return make_error("type " + type_to_string(rtype) +
                        " must be written in RFC 3597 form: \\# <length> <hex>");
  }
}

}  // namespace miniweb::dns
