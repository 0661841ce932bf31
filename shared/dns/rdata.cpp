#include "shared/dns/rdata.hpp"

#include <algorithm>
#include <string_view>

#include "shared/dns/message.hpp"
#include "shared/dns/wire.hpp"

namespace miniweb::dns {

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

namespace {

// RFC 9460 7: the values of the keys it defines. A malformed value makes the whole record
// malformed (2.2), so the decoder refuses it rather than pass on what no reader can use.
bool svc_param_value_valid(const SvcParam& param) {
  const auto& v = param.value;
  switch (param.key) {
    case svc_key::MANDATORY:
      return !v.empty() && v.size() % 2 == 0;
    case svc_key::ALPN: {
      if (v.empty()) return false;
      for (size_t at = 0; at < v.size(); at += 1 + v[at])
        if (v[at] == 0 || at + 1 + v[at] > v.size()) return false;
      return true;
    }
    case svc_key::NO_DEFAULT_ALPN:
      return v.empty();
    case svc_key::PORT:
      return v.size() == 2;
    case svc_key::IPV4HINT:
      return !v.empty() && v.size() % 4 == 0;
    case svc_key::IPV6HINT:
      return !v.empty() && v.size() % 16 == 0;
    default:
      return true;
  }
}

// RFC 8659 4.1: a tag is one or more ASCII letters and digits.
bool caa_tag_valid(std::string_view tag) {
  if (tag.empty()) return false;
  for (char c : tag)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

}  // namespace

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
      if (!caa_tag_valid(r.tag)) {
        reader.fail("CAA tag is not one or more letters and digits");
        return r;
      }
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
        if (reader.ok() && !svc_param_value_valid(param)) {
          reader.fail("malformed value of SvcParam key" + std::to_string(param.key));
          break;
        }
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

}  // namespace miniweb::dns
