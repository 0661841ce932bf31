#include "browser/packets/dns_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <variant>

#include "shared/dns/message.hpp"

namespace miniweb::packets {
namespace {

constexpr std::size_t kMaxRecordsShown = 5;

std::string record_text(const dns::ResourceRecord& record) {
  return dns::type_to_string(record.type) + " " + record.rdata_to_string() + " ttl " +
         std::to_string(record.ttl);
}

std::string answers_text(const std::vector<dns::ResourceRecord>& answers) {
  std::string text;
  const std::size_t shown = std::min(answers.size(), kMaxRecordsShown);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) text += ", ";
    text += record_text(answers[i]);
  }
  if (answers.size() > shown) text += ", and " + std::to_string(answers.size() - shown) + " more";
  return text;
}

// "example.test., negative ttl 60": RFC 2308 5, the lesser of the SOA's TTL and MINIMUM.
std::optional<std::string> soa_text(const std::vector<dns::ResourceRecord>& authority) {
  for (const auto& record : authority) {
    const auto* soa = std::get_if<dns::RdataSoa>(&record.rdata);
    if (record.type != dns::type::SOA || !soa) continue;
    return "SOA " + record.name.to_string() + ", negative ttl " +
           std::to_string(std::min(record.ttl, soa->minimum));
  }
  return std::nullopt;
}

// RFC 1034 4.3.2 step 3b: no answer, NS records for a zone below in the authority section.
std::optional<std::string> referral_text(const dns::Message& message) {
  std::string zone;
  std::vector<dns::Name> servers;
  for (const auto& record : message.authority) {
    const auto* ns = std::get_if<dns::RdataName>(&record.rdata);
    if (record.type != dns::type::NS || !ns) continue;
    zone = record.name.to_string();
    servers.push_back(ns->name);
  }
  if (servers.empty()) return std::nullopt;
  const bool glue = std::any_of(
      message.additional.begin(), message.additional.end(), [&](const dns::ResourceRecord& r) {
        return (r.type == dns::type::A || r.type == dns::type::AAAA) &&
               std::find(servers.begin(), servers.end(), r.name) != servers.end();
      });
  std::string names;
  for (const auto& server : servers) names += (names.empty() ? "" : ", ") + server.to_string();
  return "referral to " + zone + " (" + names + ")" + (glue ? " with glue" : " without glue");
}

std::string response_text(const dns::Message& message) {
  if (message.rcode != dns::rcode::NOERROR) {
    std::string text = dns::rcode_to_string(message.rcode);
    if (auto soa = soa_text(message.authority)) text += " (" + *soa + ")";
    return text;
  }
  if (!message.answers.empty()) return answers_text(message.answers);
  if (auto soa = soa_text(message.authority)) return "NODATA (" + *soa + ")";
  if (auto referral = referral_text(message)) return *referral;
  return "no answer";
}

}  // namespace

std::string dns_opcode_name(std::uint8_t opcode) {
  // RFC 1035 4.1.1, RFC 1996 (NOTIFY), RFC 2136 (UPDATE), RFC 8490 (DSO).
  switch (opcode) {
    case 0:
      return "QUERY";
    case 1:
      return "IQUERY";
    case 2:
      return "STATUS";
    case 4:
      return "NOTIFY";
    case 5:
      return "UPDATE";
    case 6:
      return "DSO";
    default:
      return "OPCODE" + std::to_string(opcode);
  }
}

Result<DnsSummary> summarize_dns(std::span<const std::uint8_t> bytes) {
  auto decoded = dns::Message::decode(bytes);
  if (!decoded) return make_error("not a DNS message: " + decoded.error().message);
  const dns::Message& message = *decoded;
  DnsSummary summary;
  summary.id = message.id;
  summary.response = message.qr;
  summary.opcode = message.opcode;
  summary.aa = message.aa;
  summary.tc = message.tc;
  summary.rd = message.rd;
  summary.ra = message.ra;
  summary.ad = message.ad;
  summary.cd = message.cd;
  summary.rcode = message.rcode;
  if (!message.questions.empty()) {
    const auto& question = message.questions.front();
    summary.question = question.name.to_string() + " " + dns::type_to_string(question.type);
  }
  if (message.qr) summary.answer = response_text(message);
  summary.answer_count = message.answers.size();
  summary.authority_count = message.authority.size();
  summary.additional_count = message.additional.size();
  if (message.edns) summary.edns_udp_size = message.edns->udp_size;
  summary.size = bytes.size();
  return summary;
}

std::string DnsSummary::flags_text() const {
  std::string text;
  for (const auto& [set, name] : {std::pair{aa, "aa"}, std::pair{tc, "tc"}, std::pair{rd, "rd"},
                                  std::pair{ra, "ra"}, std::pair{ad, "ad"}, std::pair{cd, "cd"}}) {
    if (!set) continue;
    if (!text.empty()) text += ' ';
    text += name;
  }
  return text;
}

std::string DnsSummary::to_string() const {
  char id_text[8];
  std::snprintf(id_text, sizeof id_text, "0x%04x", id);
  std::string text = std::string(response ? "response" : "query") + " id " + id_text + ", " +
                     dns_opcode_name(opcode);
  if (response) text += ", " + dns::rcode_to_string(rcode);
  if (const std::string flags = flags_text(); !flags.empty()) text += ", flags " + flags;
  text += ": " + (question.empty() ? std::string("no question") : question);
  if (response) text += " -> " + answer;
  return text + " (" + std::to_string(size) + " bytes)";
}

std::vector<DnsTcpMessage> DnsTcpSplitter::feed(std::uint64_t offset,
                                                std::span<const std::uint8_t> bytes) {
  std::vector<DnsTcpMessage> messages;
  if (lost_) return messages;
  if (!started_) {
    started_ = true;
    buffered_from_ = offset;
  }
  // Bytes after a gap may start anywhere in a message, even when none is buffered.
  if (offset != buffered_from_ + buffer_.size()) {
    lost_ = true;
    buffer_.clear();
    return messages;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
  std::size_t at = 0;
  // At most 2 + 65535 bytes stay buffered: a message's length is two bytes.
  while (buffer_.size() - at >= 2) {
    const std::size_t length = (std::size_t{buffer_[at]} << 8) | buffer_[at + 1];
    if (buffer_.size() - at - 2 < length) break;
    const auto first = buffer_.begin() + static_cast<std::ptrdiff_t>(at + 2);
    messages.push_back(
        DnsTcpMessage{buffered_from_ + at, {first, first + static_cast<std::ptrdiff_t>(length)}});
    at += 2 + length;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
  buffered_from_ += at;
  return messages;
}

}  // namespace miniweb::packets
