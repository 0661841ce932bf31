// DNS in one line: the golden captures' queries and answers over UDP (dig against miniweb-dns),
// DNS over TCP put back together from its length prefixes, and messages that are not DNS.

#include <gtest/gtest.h>

#include "browser/packets/dns_summary.hpp"
#include "shared/dns/message.hpp"
#include "tests/browser/packets_capture.hpp"

namespace miniweb::packets {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::vector<DnsSummary> summaries_of(const test::Capture& capture) {
  std::vector<DnsSummary> summaries;
  for (const auto& packet : capture.packets) {
    auto summary = summarize_dns(packet.payload);
    EXPECT_TRUE(summary.ok()) << summary.error().message;
    if (summary) summaries.push_back(*summary);
  }
  return summaries;
}

TEST(PacketsDnsTest, QueriesAndAnswersOverUdp) {
  const auto summaries = summaries_of(test::read_capture("dns_udp.pcap"));
  ASSERT_EQ(summaries.size(), 8u);
  // dig @127.0.0.1 -p 53532 +norecurse www.example.test A
  const DnsSummary& query = summaries[0];
  EXPECT_FALSE(query.response);
  EXPECT_EQ(query.id, 0x1f4c);
  EXPECT_EQ(query.question, "www.example.test. A");
  EXPECT_EQ(query.answer, "");
  EXPECT_FALSE(query.rd);
  EXPECT_EQ(query.size, 57u);
  EXPECT_TRUE(query.edns_udp_size);
  EXPECT_EQ(query.to_string(), "query id 0x1f4c, QUERY, flags ad: www.example.test. A (57 bytes)");

  const DnsSummary& answer = summaries[1];
  EXPECT_TRUE(answer.response);
  EXPECT_TRUE(answer.aa);
  EXPECT_EQ(answer.answer_count, 1u);
  EXPECT_EQ(answer.to_string(),
            "response id 0x1f4c, QUERY, NOERROR, flags aa: www.example.test. A -> A 127.53.0.10 "
            "ttl 300 (61 bytes)");

  // A CNAME chain, one record after the other.
  EXPECT_EQ(summaries[3].answer,
            "CNAME alias.example.test. ttl 300, CNAME www.example.test. ttl 300, A 127.53.0.10 "
            "ttl 300");
  EXPECT_EQ(summaries[3].answer_count, 3u);

  // A name that does not exist: the SOA's MINIMUM (60) is below its TTL (300).
  EXPECT_EQ(summaries[5].rcode, 3);
  EXPECT_EQ(summaries[5].answer, "NXDOMAIN (SOA example.test., negative ttl 60)");
  EXPECT_EQ(summaries[5].authority_count, 1u);

  // The root's referral to test. with glue for its server.
  EXPECT_EQ(summaries[7].answer, "referral to test. (ns1.nic.test.) with glue");
  EXPECT_FALSE(summaries[7].aa);
  EXPECT_EQ(summaries[7].additional_count, 1u);
}

TEST(PacketsDnsTest, DnsOverTcpFromTheReassembledStream) {
  const auto capture = test::read_capture("dns_tcp_ipv6.pcap");
  const auto streams = test::reassemble(capture);
  const FlowKey to_server = test::flow_to_port(streams, 53532);
  std::vector<DnsSummary> summaries;
  for (const FlowKey& key : {to_server, to_server.reversed()}) {
    DnsTcpSplitter splitter;
    for (const auto& piece : streams.bytes.at(key))
      for (const auto& message : splitter.feed(piece.offset, piece.bytes)) {
        EXPECT_EQ(message.offset, 0u);
        auto summary = summarize_dns(message.message);
        ASSERT_TRUE(summary.ok()) << summary.error().message;
        summaries.push_back(*summary);
      }
    EXPECT_FALSE(splitter.lost());
  }
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].question, "www.example.test. AAAA");
  EXPECT_EQ(summaries[0].size, 57u);  // 59 bytes in the segment, less the length prefix
  EXPECT_EQ(summaries[1].id, summaries[0].id);
  EXPECT_EQ(summaries[1].answer, "AAAA ::1 ttl 300");
  EXPECT_EQ(summaries[1].size, 73u);
}

Bytes framed(const Bytes& message) {
  Bytes out{static_cast<std::uint8_t>(message.size() >> 8),
            static_cast<std::uint8_t>(message.size())};
  out.insert(out.end(), message.begin(), message.end());
  return out;
}

Bytes query_for(const char* name, std::uint16_t type) {
  return dns::make_query(*dns::Name::parse(name), type).encode();
}

TEST(PacketsDnsTest, TcpFramingAcrossAndWithinSegments) {
  const Bytes first = framed(query_for("one.test.", dns::type::A));
  const Bytes second = framed(query_for("two.test.", dns::type::MX));
  Bytes both = first;
  both.insert(both.end(), second.begin(), second.end());

  DnsTcpSplitter splitter;
  // One byte of the length, then the rest of the first message and part of the second.
  EXPECT_TRUE(splitter.feed(0, std::span(both).first(1)).empty());
  const auto some = splitter.feed(1, std::span(both).subspan(1, first.size() + 2));
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].offset, 0u);
  EXPECT_EQ(summarize_dns(some[0].message)->question, "one.test. A");
  const auto rest = splitter.feed(first.size() + 3, std::span(both).subspan(first.size() + 3));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].offset, first.size());
  EXPECT_EQ(summarize_dns(rest[0].message)->question, "two.test. MX");

  // Two messages in one feed.
  DnsTcpSplitter at_once;
  EXPECT_EQ(at_once.feed(0, both).size(), 2u);

  // A gap loses the framing for good.
  DnsTcpSplitter gapped;
  EXPECT_TRUE(gapped.feed(0, std::span(both).first(5)).empty());
  EXPECT_TRUE(gapped.feed(9, std::span(both).subspan(9)).empty());
  EXPECT_TRUE(gapped.lost());
  EXPECT_TRUE(gapped.feed(both.size(), first).empty());

  // A gap right after a whole message, with nothing buffered, loses it too.
  DnsTcpSplitter after_whole;
  EXPECT_EQ(after_whole.feed(0, first).size(), 1u);
  EXPECT_TRUE(
      after_whole.feed(first.size() + 4, std::span(both).subspan(first.size() + 4)).empty());
  EXPECT_TRUE(after_whole.lost());
}

TEST(PacketsDnsTest, HandBuiltMessagesSummarized) {
  dns::Message response = dns::make_query(*dns::Name::parse("example.test."), dns::type::MX);
  response.id = 0xbeef;
  response.qr = true;
  response.ra = true;
  response.opcode = 0;
  response.rcode = dns::rcode::SERVFAIL;
  auto summary = summarize_dns(response.encode());
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->flags_text(), "rd ra");
  EXPECT_EQ(summary->answer, "SERVFAIL");
  EXPECT_EQ(summary->edns_udp_size, 1232);
  EXPECT_EQ(summary->to_string(),
            "response id 0xbeef, QUERY, SERVFAIL, flags rd ra: example.test. MX -> SERVFAIL (" +
                std::to_string(summary->size) + " bytes)");

  dns::Message nodata = response;
  nodata.rcode = dns::rcode::NOERROR;
  EXPECT_EQ(summarize_dns(nodata.encode())->answer, "no answer");

  // More answers than the line shows.
  dns::Message many = nodata;
  for (std::uint8_t i = 1; i <= 7; ++i)
    many.answers.push_back(dns::ResourceRecord{*dns::Name::parse("example.test."), dns::type::A,
                                               dns::rclass::IN, 60, dns::RdataA{{10, 0, 0, i}}});
  const auto long_answer = summarize_dns(many.encode());
  ASSERT_TRUE(long_answer.ok());
  EXPECT_EQ(long_answer->answer,
            "A 10.0.0.1 ttl 60, A 10.0.0.2 ttl 60, A 10.0.0.3 ttl 60, A 10.0.0.4 ttl 60, A "
            "10.0.0.5 ttl 60, and 2 more");

  dns::Message empty;
  empty.opcode = 4;
  EXPECT_EQ(summarize_dns(empty.encode())->to_string(),
            "query id 0x0000, NOTIFY: no question (12 bytes)");
}

TEST(PacketsDnsTest, OpcodeNames) {
  EXPECT_EQ(dns_opcode_name(0), "QUERY");
  EXPECT_EQ(dns_opcode_name(1), "IQUERY");
  EXPECT_EQ(dns_opcode_name(2), "STATUS");
  EXPECT_EQ(dns_opcode_name(4), "NOTIFY");
  EXPECT_EQ(dns_opcode_name(5), "UPDATE");
  EXPECT_EQ(dns_opcode_name(6), "DSO");
  EXPECT_EQ(dns_opcode_name(7), "OPCODE7");
}

TEST(PacketsDnsTest, WhatIsNotDnsIsAProblem) {
  const Bytes message = query_for("www.example.test.", dns::type::A);
  for (std::size_t size = 0; size < message.size(); ++size) {
    const Bytes cut(message.begin(), message.begin() + static_cast<long>(size));
    const auto summary = summarize_dns(cut);
    ASSERT_FALSE(summary.ok()) << "cut to " << size;
    EXPECT_EQ(summary.error().message.rfind("not a DNS message: ", 0), 0u);
  }
  const std::string http = "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n";
  EXPECT_FALSE(summarize_dns(Bytes(http.begin(), http.end())).ok());
}

}  // namespace
}  // namespace miniweb::packets
