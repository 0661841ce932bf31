// Names, wire encoding and decoding, and every way a malformed message must be rejected.

#include <gtest/gtest.h>

#include "shared/dns/message.hpp"
#include "shared/dns/wire.hpp"

namespace miniweb::dns {
namespace {

Name N(std::string_view text) {
  auto name = Name::parse(text);
  EXPECT_TRUE(name.ok()) << text;
  return name.ok() ? *name : Name();
}

ResourceRecord rr(std::string_view owner, uint16_t rtype, Rdata rdata, uint32_t ttl = 300) {
  return ResourceRecord{N(owner), rtype, rclass::IN, ttl, std::move(rdata)};
}

TEST(DnsName, ParsesAndPrints) {
  EXPECT_EQ(N("www.example.test").to_string(), "www.example.test.");
  EXPECT_EQ(N("www.example.test.").to_string(), "www.example.test.");
  EXPECT_EQ(N(".").to_string(), ".");
  EXPECT_TRUE(N(".").is_root());
  EXPECT_EQ(N("a\\.b.test.").label_count(), 2u);
  EXPECT_EQ(N("a\\.b.test.").to_string(), "a\\.b.test.");
  EXPECT_EQ(N("\\065bc.test.").first_label(), "Abc");
  EXPECT_FALSE(Name::parse("a..b").ok());
  EXPECT_FALSE(Name::parse(std::string(64, 'a') + ".test").ok());
  EXPECT_TRUE(Name::parse(std::string(63, 'a') + ".test").ok());
  std::string long_name;
  for (int i = 0; i < 50; ++i) long_name += "abcd.";
  EXPECT_FALSE(Name::parse(long_name + "abcdefgh").ok());  // 256 octets
}

TEST(DnsName, RelativeToOrigin) {
  Name origin = N("example.test.");
  EXPECT_EQ(Name::parse("www", origin)->to_string(), "www.example.test.");
  EXPECT_EQ(Name::parse("www.other.", origin)->to_string(), "www.other.");
  EXPECT_EQ(Name::parse("@", origin)->to_string(), "example.test.");
}

TEST(DnsName, CaseInsensitiveEqualityAndHash) {
  EXPECT_EQ(N("WWW.Example.TEST"), N("www.example.test"));
  EXPECT_EQ(N("WWW.Example.TEST").hash(), N("www.example.test").hash());
  EXPECT_NE(N("www.example.test"), N("ww.example.test"));
  EXPECT_TRUE(N("www.example.test").is_subdomain_of(N("EXAMPLE.test")));
  EXPECT_TRUE(N("example.test").is_subdomain_of(N("example.test")));
  EXPECT_TRUE(N("example.test").is_subdomain_of(N(".")));
  EXPECT_FALSE(N("example.test").is_subdomain_of(N("www.example.test")));
  EXPECT_FALSE(N("badexample.test").is_subdomain_of(N("example.test")));
  EXPECT_EQ(N("www.example.test").parent(), N("example.test"));
  EXPECT_EQ(N("www.example.test").suffix(1), N("test"));
  EXPECT_EQ(N("example.test").prepend("*")->to_string(), "*.example.test.");
}

TEST(DnsTypes, NamesAndNumbers) {
  EXPECT_EQ(type_to_string(type::A), "A");
  EXPECT_EQ(type_to_string(type::HTTPS), "HTTPS");
  EXPECT_EQ(type_to_string(12345), "TYPE12345");
  EXPECT_EQ(type_from_string("aaaa"), type::AAAA);
  EXPECT_EQ(type_from_string("TYPE999"), 999);
  EXPECT_FALSE(type_from_string("BOGUS").has_value());
  EXPECT_EQ(class_to_string(rclass::IN), "IN");
  EXPECT_EQ(class_to_string(42), "CLASS42");
  EXPECT_EQ(rcode_to_string(rcode::NXDOMAIN), "NXDOMAIN");
}

Message sample_message() {
  Message m;
  m.id = 0xBEEF;
  m.qr = true;
  m.aa = true;
  m.rd = true;
  m.questions.push_back({N("www.example.test"), type::A, rclass::IN});
  m.answers.push_back(rr("www.example.test", type::CNAME, RdataName{N("web.example.test")}));
  m.answers.push_back(rr("web.example.test", type::A, RdataA{{127, 53, 0, 10}}));
  m.answers.push_back(rr("web.example.test", type::AAAA,
                         RdataAAAA{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}));
  m.answers.push_back(rr("example.test", type::MX, RdataMx{10, N("mail.example.test")}));
  m.answers.push_back(rr("example.test", type::TXT, RdataTxt{{"hello world", "say \"hi\""}}));
  m.answers.push_back(
      rr("_https._tcp.example.test", type::SRV, RdataSrv{1, 5, 443, N("www.example.test")}));
  m.answers.push_back(rr("example.test", type::CAA, RdataCaa{0, "issue", "ca.test"}));
  m.answers.push_back(rr("4.0.53.127.in-addr.arpa", type::PTR, RdataName{N("www.example.test")}));
  RdataSvcb https;
  https.priority = 1;
  https.params.push_back({svc_key::ALPN, {2, 'h', '2'}});
  https.params.push_back({svc_key::PORT, {0x20, 0xFB}});
  https.params.push_back({svc_key::IPV4HINT, {127, 53, 0, 10}});
  m.answers.push_back(rr("example.test", type::HTTPS, https));
  m.answers.push_back(rr("example.test", 999, RdataOpaque{{1, 2, 3}}));
  m.authority.push_back(rr("example.test", type::NS, RdataName{N("ns1.example.test")}));
  m.authority.push_back(
      rr("example.test", type::SOA,
         RdataSoa{N("ns1.example.test"), N("hostmaster.example.test"), 1, 2, 3, 4, 5}));
  m.additional.push_back(rr("ns1.example.test", type::A, RdataA{{127, 53, 0, 1}}));
  m.edns = Edns{};
  m.edns->udp_size = 4096;
  m.edns->dnssec_ok = true;
  m.edns->options.push_back({10, {1, 2, 3, 4, 5, 6, 7, 8}});
  return m;
}

TEST(DnsMessage, RoundTripsEveryType) {
  Message m = sample_message();
  auto wire = m.encode();
  auto decoded = Message::decode(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, m);
  EXPECT_EQ(decoded->encode(), wire);
}

// A server decodes query after query into one Message: nothing of the one before may stay
// (records, EDNS, flags), whichever is the larger.
TEST(DnsMessage, DecodingIntoAMessageLeavesNothingOfTheOneBefore) {
  Message reused;
  const Message full = sample_message();
  ASSERT_TRUE(Message::decode_into(full.encode(), reused).ok());
  EXPECT_EQ(reused, full);
  const Message plain = make_query(N("www.example.test"), type::AAAA, false);
  Message without_edns = plain;
  without_edns.edns.reset();
  without_edns.id = 7;
  ASSERT_TRUE(Message::decode_into(without_edns.encode(), reused).ok());
  EXPECT_EQ(reused, without_edns);
  ASSERT_TRUE(Message::decode_into(full.encode(), reused).ok());
  EXPECT_EQ(reused, full);
  // A message that cannot be decoded is said so.
  EXPECT_FALSE(Message::decode_into(std::vector<uint8_t>(5, 0), reused).ok());
}

TEST(DnsMessage, CompressesNames) {
  Message m;
  m.questions.push_back({N("www.example.test"), type::A, rclass::IN});
  m.answers.push_back(rr("www.example.test", type::A, RdataA{{1, 2, 3, 4}}));
  auto wire = m.encode();
  // Header 12 + question 18+4 + answer: pointer 2 + 10 fixed + 4 rdata.
  EXPECT_EQ(wire.size(), 12u + 22u + 16u);
  EXPECT_EQ(wire[34], 0xC0);
  EXPECT_EQ(wire[35], 12);
}

TEST(DnsMessage, DoesNotCompressSrvOrSvcbTargets) {
  Message m;
  m.questions.push_back({N("www.example.test"), type::SRV, rclass::IN});
  m.answers.push_back(rr("www.example.test", type::SRV, RdataSrv{0, 0, 1, N("www.example.test")}));
  auto wire = m.encode();
  EXPECT_EQ(wire.size(), 12u + 22u + 2u + 10u + 6u + 18u);
}

TEST(DnsMessage, ExtendedRcodeTravelsInOpt) {
  Message m;
  m.qr = true;
  m.rcode = rcode::BADVERS;
  m.edns = Edns{};
  auto decoded = Message::decode(m.encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->rcode, rcode::BADVERS);
}

TEST(DnsMessage, DropsAdditionalBeforeTruncating) {
  Message m;
  m.qr = true;
  m.questions.push_back({N("big.example.test"), type::A, rclass::IN});
  for (uint8_t i = 0; i < 20; ++i)
    m.answers.push_back(rr("big.example.test", type::A, RdataA{{10, 0, 0, i}}));
  for (uint8_t i = 0; i < 40; ++i)
    m.additional.push_back(
        rr("x" + std::to_string(i) + ".example.test", type::A, RdataA{{10, 1, 0, i}}));
  m.edns = Edns{};
  auto wire = m.encode(512);
  EXPECT_LE(wire.size(), 512u);
  auto decoded = Message::decode(wire);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->tc);
  EXPECT_EQ(decoded->answers.size(), 20u);
  EXPECT_LT(decoded->additional.size(), 40u);
  EXPECT_TRUE(decoded->edns.has_value());  // the OPT record survives

  for (uint8_t i = 20; i < 60; ++i)
    m.answers.push_back(rr("big.example.test", type::A, RdataA{{10, 0, 0, i}}));
  decoded = Message::decode(m.encode(512));
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->tc);
  EXPECT_TRUE(decoded->answers.empty());
  EXPECT_EQ(decoded->questions.size(), 1u);
  decoded = Message::decode(m.encode(65535));
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->tc);
  EXPECT_EQ(decoded->answers.size(), 60u);
}

std::vector<uint8_t> header(uint16_t qd, uint16_t an = 0, uint16_t ns = 0, uint16_t ar = 0) {
  return {0x12, 0x34,
          0x01, 0x00,
          0,    static_cast<uint8_t>(qd),
          0,    static_cast<uint8_t>(an),
          0,    static_cast<uint8_t>(ns),
          0,    static_cast<uint8_t>(ar)};
}

void expect_rejected(const std::vector<uint8_t>& packet, std::string_view reason) {
  auto decoded = Message::decode(packet);
  ASSERT_FALSE(decoded.ok()) << "accepted a message with " << reason;
  EXPECT_FALSE(decoded.error().message.empty());
}

TEST(DnsMessageReject, ShortHeader) {
  expect_rejected({0x12, 0x34, 0x01}, "a short header");
}

TEST(DnsMessageReject, PointerLoop) {
  auto p = header(1);
  p.insert(p.end(), {0xC0, 12, 0, 1, 0, 1});  // points at itself
  expect_rejected(p, "a self-pointer");
  p = header(1);
  p.insert(p.end(), {1, 'a', 0xC0, 12, 0, 1, 0, 1});  // a label, then back to its start
  expect_rejected(p, "a pointer loop");
}

TEST(DnsMessageReject, ForwardPointer) {
  auto p = header(1);
  p.insert(p.end(), {0xC0, 18, 0, 1, 0, 1, 1, 'a', 0});
  expect_rejected(p, "a forward pointer");
}

TEST(DnsMessageReject, PointerOutsidePacket) {
  auto p = header(1);
  p.insert(p.end(), {0xFF, 0xFF, 0, 1, 0, 1});
  expect_rejected(p, "a pointer beyond the packet");
}

TEST(DnsMessageReject, LabelTooLong) {
  auto p = header(1);
  p.push_back(64);  // 0x40: a reserved label type, i.e. a label length over 63
  p.insert(p.end(), 64, 'a');
  p.insert(p.end(), {0, 0, 1, 0, 1});
  expect_rejected(p, "a 64-octet label");
}

TEST(DnsMessageReject, NameTooLong) {
  auto p = header(1);
  for (int i = 0; i < 5; ++i) {
    p.push_back(63);
    p.insert(p.end(), 63, 'a');
  }
  p.insert(p.end(), {0, 0, 1, 0, 1});
  expect_rejected(p, "a 321-octet name");
}

TEST(DnsMessageReject, NameTooLongThroughPointers) {
  // Four 63-octet labels (257 octets with the root) assembled through a pointer.
  auto p = header(2);
  size_t first = p.size();
  for (int i = 0; i < 3; ++i) {
    p.push_back(63);
    p.insert(p.end(), 63, 'a');
  }
  p.insert(p.end(), {0, 0, 1, 0, 1});
  p.push_back(63);
  p.insert(p.end(), 63, 'b');
  p.insert(p.end(), {0xC0, static_cast<uint8_t>(first), 0, 1, 0, 1});
  expect_rejected(p, "a long name built from pointers");
}

TEST(DnsMessageReject, CountsOverrun) {
  auto p = header(1, 5);
  p.insert(p.end(), {0, 0, 1, 0, 1});
  expect_rejected(p, "answer count past the end");
  expect_rejected(header(200), "question count past the end");
}

TEST(DnsMessageReject, RdataLengthOverrun) {
  auto p = header(0, 1);
  p.insert(p.end(), {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 10, 1, 2, 3, 4});
  expect_rejected(p, "RDLENGTH past the end");
}

TEST(DnsMessageReject, WrongAddressLength) {
  auto p = header(0, 1);
  p.insert(p.end(), {0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3});
  expect_rejected(p, "a 3-byte A record");
}

TEST(DnsMessageReject, NameInRdataOverrunsRdlength) {
  auto p = header(0, 1);
  p.insert(p.end(), {0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 3, 'a', 'b', 'c', 0});
  expect_rejected(p, "an NS name longer than RDLENGTH");
}

TEST(DnsMessageReject, TrailingGarbage) {
  auto p = header(1);
  p.insert(p.end(), {0, 0, 1, 0, 1, 0xAA});
  expect_rejected(p, "trailing bytes");
}

TEST(DnsMessageReject, TwoOptRecords) {
  auto p = header(0, 0, 0, 2);
  for (int i = 0; i < 2; ++i) p.insert(p.end(), {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});
  expect_rejected(p, "two OPT records");
}

// RFC 2181 8: a TTL with the top bit set is read as zero (found by tests/differential/dns).
TEST(DnsMessage, TtlWithTopBitSetReadsAsZero) {
  auto p = header(0, 2);
  p.insert(p.end(), {0, 0, 1, 0, 1, 0x80, 0, 0, 1, 0, 4, 1, 2, 3, 4});
  p.insert(p.end(), {0, 0, 1, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF, 0, 4, 1, 2, 3, 4});
  auto decoded = Message::decode(p);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_EQ(decoded->answers.size(), 2u);
  EXPECT_EQ(decoded->answers[0].ttl, 0u);
  EXPECT_EQ(decoded->answers[1].ttl, 0x7FFFFFFFu);
}

// RFC 9460 7.3: the ech SvcParam is presented in base64 (found by tests/differential/dns).
TEST(DnsMessage, EchParamPresentedInBase64) {
  RdataSvcb https{1, Name(), {SvcParam{svc_key::ECH, {0, 1, 2, 0xFF}}}};
  EXPECT_EQ(rdata_to_string(type::HTTPS, https), "1 . ech=AAEC/w==");
}

// RFC 9460 A.1: a comma inside an alpn id is "\\," in the list, "\\\\," once quoted (found by
// tests/differential/dns).
TEST(DnsMessage, AlpnIdWithCommaEscapedOnce) {
  RdataSvcb https{1, Name(), {SvcParam{svc_key::ALPN, {2, 'h', '2', 3, 'a', ',', 'b'}}}};
  EXPECT_EQ(rdata_to_string(type::HTTPS, https), "1 . alpn=\"h2,a\\\\,b\"");
}

// RFC 6891 6.1.1: OPT in the answer section is malformed (found by tests/differential/dns).
TEST(DnsMessageReject, OptOutsideAdditional) {
  auto p = header(0, 1);
  p.insert(p.end(), {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});
  expect_rejected(p, "an OPT record in the answer section");
}

// RFC 1035 4.1.4: a pointer's labels end before the pointer (found by tests/differential/dns).
TEST(DnsMessageReject, PointerIntoItself) {
  // The first question's label "a\xC0\x0C" holds the octets of a pointer to 12; the second
  // question points at them, and so reads the label again, through that pointer's own octets.
  auto p = header(2);
  p.insert(p.end(), {3, 'a', 0xC0, 12, 0, 0, 1, 0, 1, 0xC0, 14, 0, 1, 0, 1});
  expect_rejected(p, "a pointer whose name runs into it");
  // A pointer to a whole prior name is what compression is.
  auto q = header(2);
  q.insert(q.end(), {1, 'a', 0, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1});
  EXPECT_TRUE(Message::decode(q).ok());
}

// RFC 8659 4.1: a CAA tag is letters and digits (found by tests/differential/dns).
TEST(DnsMessageReject, CaaTagNotAlphanumeric) {
  auto p = header(0, 1);
  p.insert(p.end(), {0, 1, 1, 0, 1, 0, 0, 0, 60, 0, 6, 0, 3, 'a', '-', 'b', 'x'});
  expect_rejected(p, "a CAA tag with a hyphen");
  p = header(0, 1);
  p.insert(p.end(), {0, 1, 1, 0, 1, 0, 0, 0, 60, 0, 3, 0, 0, 'x'});
  expect_rejected(p, "an empty CAA tag");
}

// RFC 9460 2.2 and 7: a malformed value of a defined SvcParam makes the record malformed
// (found by tests/differential/dns).
TEST(DnsMessageReject, MalformedSvcParamValues) {
  auto https = [](std::vector<uint8_t> param) {
    auto p = header(0, 1);
    p.insert(p.end(),
             {0, 0, 65, 0, 1, 0, 0, 0, 60, 0, static_cast<uint8_t>(3 + param.size()), 0, 1, 0});
    p.insert(p.end(), param.begin(), param.end());
    return p;
  };
  expect_rejected(https({0, 3, 0, 1, 0x01}), "a one-octet port");
  expect_rejected(https({0, 1, 0, 3, 3, 'h', '2'}), "an alpn id overrunning its value");
  expect_rejected(https({0, 1, 0, 3, 0, 1, 'x'}), "an empty alpn id");
  expect_rejected(https({0, 4, 0, 3, 1, 2, 3}), "a three-octet ipv4hint");
  expect_rejected(https({0, 2, 0, 1, 0}), "no-default-alpn with a value");
  EXPECT_TRUE(Message::decode(https({0, 3, 0, 2, 0x01, 0xBB})).ok());
}

TEST(DnsMessage, PresentationFormat) {
  auto a = rr("www.example.test", type::A, RdataA{{127, 0, 0, 1}});
  EXPECT_EQ(a.to_string(), "www.example.test.\t300\tIN\tA\t127.0.0.1");
  EXPECT_EQ(rr("x.test", type::AAAA,
               RdataAAAA{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}})
                .rdata_to_string(),
            "2001:db8::1");
  EXPECT_EQ(rr("x.test", type::TXT, RdataTxt{{"a \"b\""}}).rdata_to_string(), "\"a \\\"b\\\"\"");
  EXPECT_EQ(rr("x.test", 999, RdataOpaque{{0xAB, 0x01}}).to_string(),
            "x.test.\t300\tIN\tTYPE999\t\\# 2 AB01");
  Message m = sample_message();
  std::string text = m.to_string();
  EXPECT_NE(text.find("status: NOERROR"), std::string::npos);
  EXPECT_NE(text.find(";; ANSWER SECTION:"), std::string::npos);
  EXPECT_NE(text.find("alpn=\"h2\" port=8443 ipv4hint=127.53.0.10"), std::string::npos);
}

TEST(DnsMessage, SvcbHelpers) {
  RdataSvcb svcb;
  svcb.params.push_back({svc_key::ALPN, {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'}});
  svcb.params.push_back({svc_key::PORT, {0x20, 0xFB}});
  svcb.params.push_back({svc_key::IPV4HINT, {127, 0, 0, 1, 127, 0, 0, 2}});
  EXPECT_EQ(svcb.port(), 8443);
  EXPECT_EQ(svcb.alpn(), (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(svcb.ipv4hint().size(), 2u);
  EXPECT_FALSE(RdataSvcb{}.port().has_value());
}

}  // namespace
}  // namespace miniweb::dns
