// The master-file parser and the authoritative lookup (RFC 1034 4.3.2, RFC 2308, RFC 4592).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"

namespace miniweb::dns {
namespace {

const std::filesystem::path kData = MINIWEB_DNS_TEST_DATA;

Name N(std::string_view text) {
  return *Name::parse(text);
}

std::string parse_error(std::string_view text) {
  auto records = parse_zone_text(text, "bad.zone");
  if (records.ok()) return "(parsed)";
  return records.error().message;
}

TEST(DnsZoneParser, RealisticZone) {
  auto records = parse_zone_file(kData / "example.test.zone");
  ASSERT_TRUE(records.ok()) << records.error().message;
  std::vector<std::string> lines;
  for (const auto& record : *records) lines.push_back(record.to_string());
  auto has = [&](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(
      has("example.test.\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 2026112301 3600 "
          "900 604800 60"));
  EXPECT_TRUE(has("example.test.\t300\tIN\tNS\tns1.example.test."));
  EXPECT_TRUE(has("example.test.\t300\tIN\tMX\t10 mail.example.test."));
  EXPECT_TRUE(has("www.example.test.\t300\tIN\tA\t127.53.0.10"));
  EXPECT_TRUE(has("www.example.test.\t300\tIN\tAAAA\t::1"));  // owner carried over
  EXPECT_TRUE(has("outside.example.test.\t300\tIN\tCNAME\twww.other.test."));
  EXPECT_TRUE(has("txt.example.test.\t300\tIN\tTXT\t\"hello world\" \"say \\\"hi\\\"\" \"plain\""));
  EXPECT_TRUE(has("_https._tcp.example.test.\t300\tIN\tSRV\t1 5 443 www.example.test."));
  EXPECT_TRUE(has("example.test.\t300\tIN\tCAA\t0 issue \"ca.test\""));
  EXPECT_TRUE(has(
      "example.test.\t300\tIN\tHTTPS\t1 . alpn=\"h2,http/1.1\" port=8443 ipv4hint=127.53.0.10"));
  EXPECT_TRUE(has("unknown.example.test.\t300\tIN\tTYPE999\t\\# 3 010203"));
  EXPECT_TRUE(has("*.wild.example.test.\t300\tIN\tA\t127.53.0.99"));
}

TEST(DnsZoneParser, DirectivesTtlsAndClasses) {
  auto records = parse_zone_text(R"($ORIGIN example.test.
$TTL 1h
@ IN SOA ns1 host ( 1 2h 30m 1w
                    5m ) ; comment inside
  NS ns1.example.test.
ns1 600 IN A 192.0.2.1
a IN 700 A 192.0.2.2
b A 192.0.2.3
$ORIGIN sub
c TXT unquoted "quoted; not a comment" "\065\\"
d 1d2h CNAME e
e HTTPS 1 . alpn="http/1.1" port=8443
f A 192.0.2.4 ; trailing comment
)",
                                 "inline.zone");
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 9u);
  const auto& r = *records;
  EXPECT_EQ(r[0].ttl, 3600u);
  EXPECT_EQ(std::get<RdataSoa>(r[0].rdata).refresh, 7200u);
  EXPECT_EQ(std::get<RdataSoa>(r[0].rdata).minimum, 300u);
  EXPECT_EQ(r[1].name, N("example.test"));
  EXPECT_EQ(r[2].ttl, 600u);
  EXPECT_EQ(r[3].ttl, 700u);
  EXPECT_EQ(r[4].ttl, 3600u);
  EXPECT_EQ(r[5].name, N("c.sub.example.test"));
  EXPECT_EQ(std::get<RdataTxt>(r[5].rdata).strings,
            (std::vector<std::string>{"unquoted", "quoted; not a comment", "A\\"}));
  EXPECT_EQ(r[6].ttl, 93600u);
  EXPECT_EQ(std::get<RdataName>(r[6].rdata).name, N("e.sub.example.test"));
  const auto& https = std::get<RdataSvcb>(r[7].rdata);
  EXPECT_EQ(https.port(), 8443);
  EXPECT_EQ(https.alpn(), std::vector<std::string>{"http/1.1"});
  EXPECT_TRUE(https.target.is_root());
  EXPECT_EQ(r[8].name, N("f.sub.example.test"));
}

TEST(DnsZoneParser, GenericRdataForKnownType) {
  auto records = parse_zone_text("a.test. 60 IN A \\# 4 7F000001\n", "g.zone");
  ASSERT_TRUE(records.ok()) << records.error().message;
  EXPECT_EQ(records->front().rdata_to_string(), "127.0.0.1");
}

// RFC 9460 7.3: the ech SvcParam is written in base64 (found by tests/differential/dns).
TEST(DnsZoneParser, EchParamIsBase64) {
  auto records = parse_zone_text("a.test. 60 HTTPS 1 . ech=AAEC/w==\n", "ech.zone");
  ASSERT_TRUE(records.ok()) << records.error().message;
  const auto& https = std::get<RdataSvcb>(records->at(0).rdata);
  ASSERT_EQ(https.params.size(), 1u);
  EXPECT_EQ(https.params[0].value, (std::vector<uint8_t>{0, 1, 2, 0xFF}));
  EXPECT_NE(parse_error("a.test. 60 HTTPS 1 . ech=AAE\n").find("ech needs base64"),
            std::string::npos);
}

// RFC 8659 4.1: a CAA tag is letters and digits (found by tests/differential/dns).
TEST(DnsZoneParser, CaaTagLettersAndDigits) {
  EXPECT_EQ(parse_error("a.test. 60 CAA 0 issue0 \"ca.test\"\n"), "(parsed)");
  EXPECT_NE(parse_error("a.test. 60 CAA 0 is-sue \"ca.test\"\n").find("bad CAA tag"),
            std::string::npos);
}

TEST(DnsZoneParser, Include) {
  auto dir = std::filesystem::temp_directory_path() /
             ("miniweb-dns-include-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "main.zone")
      << "$ORIGIN example.test.\n@ 60 SOA ns1 host 1 2 3 4 5\n"
         "$INCLUDE hosts.inc sub.example.test.\nafter 60 A 192.0.2.9\n";
  std::ofstream(dir / "hosts.inc") << "www 60 A 192.0.2.1\n";
  auto records = parse_zone_file(dir / "main.zone");
  ASSERT_TRUE(records.ok()) << records.error().message;
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[1].name, N("www.sub.example.test"));
  EXPECT_EQ((*records)[2].name, N("after.example.test"));  // origin restored after include

  std::ofstream(dir / "broken.zone") << "$ORIGIN example.test.\n$INCLUDE bad.inc\n";
  std::ofstream(dir / "bad.inc") << "ok 60 A 192.0.2.1\n\nbroken 60 A 999.1.1.1\n";
  auto broken = parse_zone_file(dir / "broken.zone");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("bad.inc:3:"), std::string::npos) << broken.error().message;
  std::filesystem::remove_all(dir);
}

TEST(DnsZoneParser, ErrorsNameFileAndLine) {
  EXPECT_EQ(parse_error("a.test. 60 A 1.2.3.4\nb.test. 60 A 1.2.3\n"),
            "bad.zone:2: bad IPv4 address '1.2.3'");
  EXPECT_NE(parse_error("\n\na.test. 60 BOGUS x\n").find("bad.zone:3: unknown type"),
            std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 TXT \"unterminated\n").find("bad.zone:"), std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 SOA ( ns host 1 2 3 4 5\n").find("bad.zone:1: '('"),
            std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 A 1.2.3.4 )\n").find("bad.zone:1: ')'"), std::string::npos);
  EXPECT_NE(parse_error("$TTL\n").find("bad.zone:1: $TTL"), std::string::npos);
  EXPECT_NE(parse_error("$TTL forever\n").find("bad.zone:1: bad TTL"), std::string::npos);
  EXPECT_NE(parse_error("$FOO bar\n").find("bad.zone:1: unknown directive"), std::string::npos);
  EXPECT_NE(parse_error("   60 A 1.2.3.4\n").find("bad.zone:1: no owner"), std::string::npos);
  EXPECT_NE(parse_error("a..test. 60 A 1.2.3.4\n").find("bad.zone:1: bad domain name"),
            std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 MX 10\n").find("bad.zone:1: MX needs 2"), std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 HTTPS 1 . bogus=1\n").find("unknown SvcParam key"),
            std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 TYPE999 \\# 3 0102\n").find("bad.zone:1: \\# length 3"),
            std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 CH A 1.2.3.4\n").find("bad.zone:1: only class IN"),
            std::string::npos);
  EXPECT_NE(parse_error("a.test. 60 A\n").find("bad.zone:1: A needs 1"), std::string::npos);
  auto missing = parse_zone_file("/nonexistent/zone");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

TEST(DnsZone, RejectsBrokenZones) {
  auto build = [](std::string_view text) -> std::string {
    auto records = parse_zone_text(text, "z.zone");
    if (!records) return records.error().message;
    auto zone = Zone::from_records(std::move(*records), "z.zone");
    return zone.ok() ? "(ok)" : zone.error().message;
  };
  EXPECT_NE(build("www.example.test. 60 A 1.2.3.4\n").find("no SOA"), std::string::npos);
  EXPECT_NE(build("example.test. 60 SOA ns host 1 2 3 4 5\nexample.test. 60 NS ns.example.test.\n"
                  "www.other.test. 60 A 1.2.3.4\n")
                .find("outside the zone"),
            std::string::npos);
  EXPECT_NE(build("example.test. 60 SOA ns host 1 2 3 4 5\nexample.test. 60 NS ns.example.test.\n"
                  "a.example.test. 60 CNAME b.example.test.\na.example.test. 60 A 1.2.3.4\n")
                .find("CNAME and other data"),
            std::string::npos);
  EXPECT_NE(build("example.test. 60 SOA ns host 1 2 3 4 5\n").find("no NS"), std::string::npos);
}

TEST(DnsZone, LoadsWithAGivenOrigin) {
  auto dir =
      std::filesystem::temp_directory_path() / ("miniweb-dns-origin-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "plain.zone")
      << "@ 60 SOA ns1 host 1 2 3 4 5\n@ 60 NS ns1\nns1 60 A 192.0.2.1\n";
  auto set = ZoneSet::load_specs({"example.test.=" + (dir / "plain.zone").string()});
  ASSERT_TRUE(set.ok()) << set.error().message;
  ASSERT_NE(set->find(N("ns1.example.test")), nullptr);
  EXPECT_EQ(set->find(N("ns1.example.test"))->origin(), N("example.test"));
  std::ofstream(dir / "other.zone")
      << "other.test. 60 SOA ns1 host 1 2 3 4 5\nother.test. 60 NS ns1\n";
  auto mismatch = ZoneSet::load_specs({"example.test.=" + (dir / "other.zone").string()});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("not at the zone's name"), std::string::npos);
  std::filesystem::remove_all(dir);
}

class DnsZoneLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zone = Zone::load(kData / "example.test.zone");
    ASSERT_TRUE(zone.ok()) << zone.error().message;
    ASSERT_TRUE(zones_.add(std::move(*zone)).ok());
  }
  Message ask(std::string_view name, uint16_t qtype) {
    Message query = make_query(N(name), qtype, false);
    return answer_authoritative(zones_, query);
  }
  ZoneSet zones_;
};

TEST_F(DnsZoneLookup, AuthoritativeAnswer) {
  Message reply = ask("www.example.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_TRUE(reply.aa);
  ASSERT_EQ(reply.answers.size(), 1u);
  EXPECT_EQ(reply.answers[0].to_string(), "www.example.test.\t300\tIN\tA\t127.53.0.10");
  reply = ask("WWW.EXAMPLE.TEST", type::A);
  EXPECT_EQ(reply.answers.size(), 1u);
}

TEST_F(DnsZoneLookup, CnameChainInsideZone) {
  Message reply = ask("chain.example.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  ASSERT_EQ(reply.answers.size(), 3u);
  EXPECT_EQ(reply.answers[0].type, type::CNAME);
  EXPECT_EQ(reply.answers[1].type, type::CNAME);
  EXPECT_EQ(reply.answers[2].to_string(), "www.example.test.\t300\tIN\tA\t127.53.0.10");
  reply = ask("chain.example.test", type::CNAME);
  ASSERT_EQ(reply.answers.size(), 1u);
}

TEST_F(DnsZoneLookup, CnameLeavingZoneStops) {
  Message reply = ask("outside.example.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  ASSERT_EQ(reply.answers.size(), 1u);
  EXPECT_EQ(reply.answers[0].type, type::CNAME);
}

TEST_F(DnsZoneLookup, ReferralWithGlue) {
  Message reply = ask("deep.host.sub.example.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_FALSE(reply.aa);
  EXPECT_TRUE(reply.answers.empty());
  ASSERT_EQ(reply.authority.size(), 1u);
  EXPECT_EQ(reply.authority[0].to_string(), "sub.example.test.\t300\tIN\tNS\tns.sub.example.test.");
  ASSERT_EQ(reply.additional.size(), 1u);
  EXPECT_EQ(reply.additional[0].to_string(), "ns.sub.example.test.\t300\tIN\tA\t127.0.0.1");
  // The glue name itself lies below the cut: also a referral.
  EXPECT_FALSE(ask("ns.sub.example.test", type::A).aa);
}

TEST_F(DnsZoneLookup, NxdomainWithNegativeTtl) {
  Message reply = ask("nothing.example.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NXDOMAIN);
  EXPECT_TRUE(reply.aa);
  ASSERT_EQ(reply.authority.size(), 1u);
  EXPECT_EQ(reply.authority[0].type, type::SOA);
  EXPECT_EQ(reply.authority[0].ttl, 60u);  // min(SOA TTL 300, minimum 60)
}

TEST_F(DnsZoneLookup, NodataAndEmptyNonTerminal) {
  Message reply = ask("www.example.test", type::MX);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_TRUE(reply.answers.empty());
  ASSERT_EQ(reply.authority.size(), 1u);
  EXPECT_EQ(reply.authority[0].type, type::SOA);
  reply = ask("a.b.example.test", type::A);  // exists only as the parent of deep.a.b
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_TRUE(reply.answers.empty());
  reply = ask("b.example.test", type::A);  // and its parent in turn
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_TRUE(reply.answers.empty());
  reply = ask("c.b.example.test", type::A);  // a sibling that does not exist
  EXPECT_EQ(reply.rcode, rcode::NXDOMAIN);
}

TEST_F(DnsZoneLookup, Wildcards) {
  Message reply = ask("anything.wild.example.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  ASSERT_EQ(reply.answers.size(), 1u);
  EXPECT_EQ(reply.answers[0].to_string(), "anything.wild.example.test.\t300\tIN\tA\t127.53.0.99");
  reply = ask("a.b.c.wild.example.test", type::A);  // RFC 4592: matches several labels
  EXPECT_EQ(reply.answers.size(), 1u);
  reply = ask("x.wild.example.test", type::MX);  // NODATA through the wildcard
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_TRUE(reply.answers.empty());
  reply = ask("wild.example.test", type::A);  // the wildcard's parent is an empty non-terminal
  EXPECT_EQ(reply.rcode, rcode::NOERROR);
  EXPECT_TRUE(reply.answers.empty());
}

TEST_F(DnsZoneLookup, AdditionalForMx) {
  Message reply = ask("example.test", type::MX);
  ASSERT_EQ(reply.answers.size(), 1u);
  ASSERT_EQ(reply.additional.size(), 1u);
  EXPECT_EQ(reply.additional[0].to_string(), "mail.example.test.\t300\tIN\tA\t127.53.0.25");
}

TEST_F(DnsZoneLookup, RefusedOutsideZones) {
  EXPECT_EQ(ask("www.other.test", type::A).rcode, rcode::REFUSED);
  EXPECT_EQ(ask("test", type::A).rcode, rcode::REFUSED);
}

TEST_F(DnsZoneLookup, MostSpecificZoneWins) {
  auto parent = Zone::load(kData / "test.zone");
  ASSERT_TRUE(parent.ok()) << parent.error().message;
  ASSERT_TRUE(zones_.add(std::move(*parent)).ok());
  // test. delegates example.test., but this instance serves example.test. itself.
  Message reply = ask("www.example.test", type::A);
  EXPECT_TRUE(reply.aa);
  EXPECT_EQ(reply.answers.size(), 1u);
  reply = ask("nic.test", type::A);
  EXPECT_EQ(reply.rcode, rcode::NOERROR);  // empty non-terminal of test.
  EXPECT_EQ(ask("other.test", type::A).rcode, rcode::NXDOMAIN);
}

}  // namespace
}  // namespace miniweb::dns
