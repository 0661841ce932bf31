// Why HTTPS exists, live (./miniweb experiment eavesdrop, tamper, impersonate): each experiment
// run on a stack of the test's own, its claims checked against an independent tcpdump of the
// same run on lo, read byte by byte (-X), and against the link emulator's log and the browser's
// own output. tcpdump on lo sees a packet as its sender sent it: the link emulator, the box on
// the path, changes it after that point, on its way to the receiver. The emulator's rules need
// root on the host.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::read_file;
using miniweb::test_support::RunResult;

// One packet as tcpdump -X printed it: its line, and its bytes from the IP header on.
struct DumpedPacket {
  std::string line;
  std::vector<std::uint8_t> bytes;

  bool from(const std::string& endpoint) const {
    return line.find(" IP " + endpoint + " > ") != std::string::npos;
  }
  bool to(const std::string& endpoint) const {
    return line.find(" > " + endpoint + ":") != std::string::npos;
  }
  // The TCP payload (nothing for another protocol or a cut packet).
  std::string tcp_payload() const {
    if (bytes.size() < 20 || bytes[9] != 6) return {};
    const std::size_t ip = static_cast<std::size_t>(bytes[0] & 0x0f) * 4;
    if (bytes.size() < ip + 20) return {};
    const std::size_t tcp = static_cast<std::size_t>(bytes[ip + 12] >> 4) * 4;
    const std::size_t total = static_cast<std::size_t>(bytes[2] << 8 | bytes[3]);
    if (bytes.size() < total || total < ip + tcp) return {};
    return std::string(bytes.begin() + static_cast<std::ptrdiff_t>(ip + tcp),
                       bytes.begin() + static_cast<std::ptrdiff_t>(total));
  }
  bool fin() const { return line.find("Flags [F") != std::string::npos; }
};

// tcpdump -X's text: a line per packet, then "\t0x0010:  4500 0034 ...  E..4" lines of bytes.
std::vector<DumpedPacket> packets_of(const std::string& dump) {
  std::vector<DumpedPacket> packets;
  std::istringstream in(dump);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("\t0x", 0) != 0) {
      if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])))
        packets.push_back({line, {}});
      continue;
    }
    if (packets.empty()) continue;
    const std::size_t start = line.find(":  ");
    if (start == std::string::npos) continue;
    std::string hex = line.substr(start + 3);
    hex = hex.substr(0, hex.find("  "));  // the ASCII column follows two spaces
    std::string digits;
    for (char c : hex)
      if (c != ' ') digits += c;
    for (std::size_t i = 0; i + 1 < digits.size(); i += 2)
      packets.back().bytes.push_back(
          static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return packets;
}

// The number after `key` in a line; 0 without one.
std::uint64_t number_after(const std::string& line, const std::string& key) {
  auto at = line.find(key);
  return at == std::string::npos ? 0 : std::stoull(line.substr(at + key.size()));
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// A TLS record that holds an alert as TLS 1.3 sends it once keys are in use: application_data
// (23), 3.3, 19 bytes (the two of the alert, the inner content type, a 16-byte tag).
bool is_encrypted_alert(const std::string& payload) {
  return payload.size() == 24 && payload.compare(0, 5, std::string("\x17\x03\x03\x00\x13", 5)) == 0;
}
// An alert in the clear (RFC 8446 6): alert (21), 3.3, 2 bytes: fatal (2), unknown_ca (48). A
// TLS 1.3 client writes it so while it has sent no handshake message under the new keys.
bool is_plain_unknown_ca(const std::string& payload) {
  return payload == std::string("\x15\x03\x03\x00\x02\x02\x30", 7);
}

class WhyHttpsTest : public StackTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "the link emulator's rules on the host need root";
    ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  }

  static std::string shop() { return net_ + ".44"; }
  static std::string impostor() { return net_ + ".66"; }
  static std::string http(const std::string& address) {
    return address + "." + std::to_string(http_port_);
  }
  static std::string https(const std::string& address) {
    return address + "." + std::to_string(https_port_);
  }
  static std::string kept(const std::string& experiment, const std::string& file) {
    return read_file(state_ / "experiments" / experiment / file);
  }
  static std::string emulator_log() { return read_file(state_ / "logs/link-drops.log"); }
  // The link emulator's log lines that say it changed a packet, from byte `since` of the log.
  static std::vector<std::string> changes(std::size_t since) {
    std::vector<std::string> lines;
    std::istringstream in(emulator_log().substr(since));
    for (std::string line; std::getline(in, line);)
      if (contains(line, "changed by the link emulator")) lines.push_back(line);
    return lines;
  }

  // The browser's segments to `server`: an alert (`is_alert` says which), then its FIN.
  static void expect_alert_then_fin(const std::vector<DumpedPacket>& packets,
                                    const std::string& server,
                                    bool (*is_alert)(const std::string&)) {
    std::size_t alert = packets.size();
    for (std::size_t i = 0; i < packets.size(); ++i)
      if (packets[i].to(server) && is_alert(packets[i].tcp_payload())) alert = i;
    ASSERT_LT(alert, packets.size()) << "no such alert from the browser to " << server;
    bool fin = false;
    for (std::size_t i = alert + 1; i < packets.size(); ++i)
      fin = fin || (packets[i].to(server) && packets[i].fin());
    EXPECT_TRUE(fin) << "the browser did not close after its alert";
  }
};

TEST_F(WhyHttpsTest, TheThreeAreListed) {
  RunResult list = launcher("experiment");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  for (const char* name : {"eavesdrop", "tamper", "impersonate"})
    EXPECT_TRUE(contains(list.out, std::string("\n  ") + name + " ")) << list.out;
  RunResult extra = launcher("experiment tamper https://www.example.test/");
  EXPECT_NE(extra.exit_code, 0);
  EXPECT_TRUE(contains(extra.err, "takes no arguments")) << extra.err;
}

TEST_F(WhyHttpsTest, TamperChangesThePriceOverHttpAndBreaksTheRecordOverHttps) {
  RunResult result;
  const std::size_t since = emulator_log().size();
  const std::string dump = tcpdump_during(
      "tcp and host " + shop(), [&] { result = launcher("experiment tamper"); }, "-X");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto packets = packets_of(dump);
  const auto changed = changes(since);
  ASSERT_EQ(changed.size(), 2u) << emulator_log();

  // http://: the shop sent 12.50 (tcpdump); the box's log names that very segment; the page
  // the browser shows says 92.50.
  std::uint64_t sent_seq = 0;
  for (const DumpedPacket& packet : packets)
    if (packet.from(http(shop())) &&
        contains(packet.tcp_payload(), ">Packet sniffer mug</a>: 12.50 EUR"))
      sent_seq = number_after(packet.line, "seq ");
  ASSERT_NE(sent_seq, 0u) << dump;
  EXPECT_TRUE(contains(changed[0], "'12.50' rewritten to '92.50'")) << changed[0];
  EXPECT_TRUE(
      contains(changed[0], "tcp " + shop() + ":" + std::to_string(http_port_) + " > 127.0.0.1:"))
      << changed[0];
  EXPECT_EQ(number_after(changed[0], "] seq "), sent_seq) << changed[0];
  const std::string page = kept("tamper", "http.page");
  EXPECT_TRUE(contains(page, "Packet sniffer mug: 92.50 EUR")) << page;
  EXPECT_FALSE(contains(page, "12.50")) << page;
  EXPECT_TRUE(contains(result.out, "Packet sniffer mug: 92.50 EUR")) << result.out;

  // https://: the price is in no packet; the box changed a byte of an application_data record
  // tcpdump saw the shop send; the browser answered with an encrypted alert and closed, and its
  // trace names the alert.
  for (const DumpedPacket& packet : packets) {
    if (packet.from(https(shop()))) {
      EXPECT_FALSE(contains(packet.tcp_payload(), "12.50"));
    }
  }
  EXPECT_TRUE(contains(changed[1], "inside a TLS application_data record")) << changed[1];
  const std::uint64_t corrupted_seq = number_after(changed[1], "] seq ");
  bool seen = false;
  for (const DumpedPacket& packet : packets)
    seen =
        seen || (packet.from(https(shop())) && number_after(packet.line, "seq ") == corrupted_seq &&
                 packet.tcp_payload().rfind("\x17\x03\x03", 0) == 0);
  EXPECT_TRUE(seen) << changed[1] << "\n" << dump;
  expect_alert_then_fin(packets, https(shop()), is_encrypted_alert);
  const std::string trace = kept("tamper", "https.trace");
  EXPECT_TRUE(contains(trace, "TLS alert sent fatal bad_record_mac")) << trace;
  EXPECT_TRUE(contains(trace, "OpenSSL could not decrypt it")) << trace;
  EXPECT_FALSE(contains(kept("tamper", "https.page"), "EUR"));
}

TEST_F(WhyHttpsTest, ImpersonateSendsTheBrowserToTheImpostorWhichHttpsRefuses) {
  RunResult result;
  const std::size_t since = emulator_log().size();
  const std::string dump = tcpdump_during(
      "(udp and host " + net_ + ".53 and host 127.0.0.1) or (tcp and (host " + impostor() +
          " or host " + shop() + "))",
      [&] { result = launcher("experiment impersonate"); }, "-X");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto packets = packets_of(dump);
  const auto changed = changes(since);
  ASSERT_EQ(changed.size(), 2u) << emulator_log();
  for (const std::string& line : changed)
    EXPECT_TRUE(contains(line, "the A record of shop.example in a DNS answer: " + shop() +
                                   " rewritten to " + impostor()))
        << line;

  // The resolver sent the true answer (tcpdump, before the box) each time; the browser read the
  // impostor's address (its trace) and connected there, never to the shop.
  std::size_t true_answers = 0, false_answers = 0;
  for (const DumpedPacket& packet : packets) {
    if (!packet.from(net_ + ".53." + std::to_string(dns_port_))) continue;
    true_answers += contains(packet.line, " A " + shop() + " (");
    false_answers += contains(packet.line, " A " + impostor());
  }
  EXPECT_GE(true_answers, 2u) << dump;  // the browser's two, and the launcher's own questions
  EXPECT_EQ(false_answers, 0u) << dump;
  std::size_t to_impostor = 0, to_shop = 0;
  for (const DumpedPacket& packet : packets) {
    if (!contains(packet.line, "Flags [S],")) continue;
    if (packet.to(http(impostor())) || packet.to(https(impostor()))) ++to_impostor;
    if (packet.to(http(shop())) || packet.to(https(shop()))) ++to_shop;
  }
  EXPECT_EQ(to_impostor, 2u) << dump;
  EXPECT_EQ(to_shop, 0u) << dump;
  EXPECT_TRUE(contains(kept("impersonate", "http.trace"), "IN\tA\t" + impostor()));

  // http://: the impostor's page, as the impostor's server sent it.
  bool page_sent = false;
  for (const DumpedPacket& packet : packets)
    page_sent = page_sent ||
                (packet.from(http(impostor())) && contains(packet.tcp_payload(), "free today"));
  EXPECT_TRUE(page_sent) << dump;
  EXPECT_TRUE(contains(kept("impersonate", "http.page"), "served by the impostor"));

  // https://: its certificate refused, the alert sent (in the clear: the browser had sent
  // nothing under the handshake's keys yet) and named.
  expect_alert_then_fin(packets, https(impostor()), is_plain_unknown_ca);
  const std::string trace = kept("impersonate", "https.trace");
  EXPECT_TRUE(contains(trace, "refused: NET::ERR_CERT_AUTHORITY_INVALID")) << trace;
  EXPECT_TRUE(contains(trace, "TLS alert sent fatal unknown_ca")) << trace;
  EXPECT_FALSE(contains(kept("impersonate", "https.page"), "impostor"));
  // Given back: the resolver's answer is the shop's again.
  EXPECT_TRUE(contains(result.out, "shop.example is " + shop())) << result.out;
}

TEST_F(WhyHttpsTest, EavesdropFindsThePasswordOverHttpOnly) {
  RunResult result;
  const std::string dump = tcpdump_during(
      "tcp and host " + shop(), [&] { result = launcher("experiment eavesdrop"); }, "-X");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // The run's password, as the experiment said it.
  const std::string said = "with the password ";
  const auto at = result.err.find(said);
  ASSERT_NE(at, std::string::npos) << result.err;
  const std::string password =
      result.err.substr(at + said.size(), result.err.find('\n', at) - at - said.size());
  ASSERT_FALSE(password.empty());
  const auto packets = packets_of(dump);
  std::size_t over_http = 0, posts = 0, over_https = 0, https_payloads = 0;
  for (const DumpedPacket& packet : packets) {
    const std::string payload = packet.tcp_payload();
    if (packet.to(http(shop()))) {
      over_http += contains(payload, "password=" + password);
      posts += payload.rfind("POST /signin HTTP/1.1\r\n", 0) == 0;
    }
    if (packet.to(https(shop())) || packet.from(https(shop()))) {
      over_https += contains(payload, password);
      // Only TLS records: handshake (22), change_cipher_spec (20), application_data (23).
      if (!payload.empty()) {
        ++https_payloads;
        EXPECT_TRUE(payload[0] == 22 || payload[0] == 20 || payload[0] == 23) << packet.line;
      }
    }
  }
  EXPECT_EQ(over_http, 1u) << dump;  // the form's body, in the clear
  EXPECT_EQ(posts, 1u) << dump;
  EXPECT_EQ(over_https, 0u);
  EXPECT_GT(https_payloads, 4u);
  // The experiment's own search agrees: found in the http:// capture, in none over https://.
  EXPECT_TRUE(contains(result.out, "for \"" + password + "\": in 1 place")) << result.out;
  EXPECT_TRUE(contains(result.out, "for \"" + password + "\": in none of them")) << result.out;
}

// Last: each experiment gave the network back.
TEST_F(WhyHttpsTest, TheNetworkIsGivenBackAfterEach) {
  EXPECT_FALSE(std::filesystem::exists(state_ / "run/link-emulator.pid"));
  RunResult shop_page =
      run("curl -sS --max-time 5 --resolve shop.example:" + std::to_string(http_port_) + ":" +
          shop() + " http://shop.example:" + std::to_string(http_port_) + "/");
  EXPECT_TRUE(contains(shop_page.out, "Packet sniffer mug</a>: 12.50 EUR")) << shop_page.out;
  EXPECT_EQ(launcher("down").exit_code, 0);
}

}  // namespace
