#include "shared/dns/message.hpp"

#include <algorithm>

#include "shared/dns/wire.hpp"

namespace miniweb::dns {
namespace {

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
  // RFC 6891 6.1.1: the OPT pseudo-record belongs in the additional section only.
  if (record.type == type::OPT && edns == nullptr) {
    reader.fail("OPT record outside the additional section");
    return record;
  }
  if (record.type == type::OPT) {
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
  // RFC 2181 8: a TTL with the top bit set is read as zero, so that no cache keeps a record
  // for 136 years (the OPT record above uses those 32 bits for flags instead).
  if (record.ttl & 0x80000000u) record.ttl = 0;
  size_t start = reader.position();
  record.rdata = decode_rdata(reader, record.type, length);
  if (reader.ok() && reader.position() != start + length)
    reader.fail("record data of " + record.name.to_string() + " " + type_to_string(record.type) +
                " has the wrong length");
  return record;
}

}  // namespace

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
  Message m;
  if (auto decoded = decode_into(packet, m); !decoded) return decoded.error();
  return m;
}

Status Message::decode_into(std::span<const uint8_t> packet, Message& m) {
  if (packet.size() < kHeaderSize) return make_error("message shorter than the 12-byte DNS header");
  WireReader r(packet);
  m.questions.clear();
  m.answers.clear();
  m.authority.clear();
  m.additional.clear();
  m.edns.reset();
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
  return Ok{};
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

Message make_query(const Name& name, uint16_t qtype, bool recursion_desired) {
  Message query;
  query.rd = recursion_desired;
  query.questions.push_back(Question{name, qtype, rclass::IN});
  query.edns = Edns{};
  return query;
}

}  // namespace miniweb::dns
