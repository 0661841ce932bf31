// The pcapng writer: each block's bytes as the format lays them out, a file read back with
// libpcap, and tshark decrypting a TLS 1.3 exchange from the key log in the file's Decryption
// Secrets Block alone. tshark is one of the project's dependencies (scripts/install-deps.sh):
// without it these tests fail.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "browser/packets/pcapng_blocks.hpp"
#include "browser/packets/pcapng_writer.hpp"
#include "tests/browser/packets_capture.hpp"

namespace miniweb::packets {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t le32(const Bytes& bytes, std::size_t at) {
  return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) |
         (static_cast<std::uint32_t>(bytes[at + 3]) << 24);
}
std::uint16_t le16(const Bytes& bytes, std::size_t at) {
  return static_cast<std::uint16_t>(bytes[at] | (bytes[at + 1] << 8));
}

// Every block: a multiple of 4 bytes, its total length at both ends (section 3.1).
void expect_well_formed(const Bytes& block, std::uint32_t type) {
  ASSERT_GE(block.size(), 12u);
  EXPECT_EQ(block.size() % 4, 0u);
  EXPECT_EQ(le32(block, 0), type);
  EXPECT_EQ(le32(block, 4), block.size());
  EXPECT_EQ(le32(block, block.size() - 4), block.size());
}

TEST(PacketsPcapngTest, BlocksAsTheFormatLaysThemOut) {
  const Bytes section = pcapng::section_header_block("miniweb-browser");
  expect_well_formed(section, 0x0A0D0D0A);
  EXPECT_EQ(le32(section, 8), 0x1A2B3C4Du);  // byte-order magic
  EXPECT_EQ(le16(section, 12), 1);           // version 1.0
  EXPECT_EQ(le16(section, 14), 0);
  EXPECT_EQ(le32(section, 16), 0xFFFFFFFFu);  // section length not given
  EXPECT_EQ(le16(section, 24), 4);            // shb_userappl
  EXPECT_EQ(le16(section, 26), 15);
  EXPECT_EQ(std::string(section.begin() + 28, section.begin() + 43), "miniweb-browser");

  const Bytes interface = pcapng::interface_description_block(
      {link_type::Raw, 65535, pcapng::TimestampResolution::Nanoseconds, "lo"});
  expect_well_formed(interface, 1);
  EXPECT_EQ(le16(interface, 8), 101);  // DLT_RAW is LINKTYPE_RAW in files
  EXPECT_EQ(le32(interface, 12), 65535u);
  EXPECT_EQ(le16(interface, 16), 2);  // if_name "lo", padded
  EXPECT_EQ(le16(interface, 18), 2);
  EXPECT_EQ(le16(interface, 24), 9);  // if_tsresol: 10^-9
  EXPECT_EQ(interface[28], 9);
  EXPECT_EQ(pcapng::file_link_type(link_type::Ethernet), 1);
  EXPECT_EQ(pcapng::file_link_type(link_type::LinuxSll2), 276);

  const Bytes frame{1, 2, 3, 4, 5};
  const CaptureTime time{std::chrono::seconds(1) + std::chrono::nanoseconds(2345)};
  const Bytes packet =
      pcapng::enhanced_packet_block(0, time, pcapng::TimestampResolution::Microseconds, frame, 60);
  expect_well_formed(packet, 6);
  EXPECT_EQ(packet.size(), 32u + 8u);  // 5 bytes padded to 8
  const std::uint64_t micros = (std::uint64_t{le32(packet, 12)} << 32) | le32(packet, 16);
  EXPECT_EQ(micros, 1000002u);
  EXPECT_EQ(le32(packet, 20), 5u);   // captured
  EXPECT_EQ(le32(packet, 24), 60u);  // on the wire

  const std::string keys = "CLIENT_RANDOM 00 11\n";
  const Bytes secrets =
      pcapng::decryption_secrets_block(pcapng::kTlsKeyLog, Bytes(keys.begin(), keys.end()));
  expect_well_formed(secrets, 0x0A);
  EXPECT_EQ(le32(secrets, 8), 0x544c534bu);  // "TLSK"
  EXPECT_EQ(le32(secrets, 12), keys.size());
  EXPECT_EQ(
      std::string(secrets.begin() + 16, secrets.begin() + 16 + static_cast<long>(keys.size())),
      keys);
}

class PacketsPcapngFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/miniweb-pcapng-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // The golden TLS 1.3 capture written again as pcapng, with or without its key log.
  std::filesystem::path write_tls13(const std::string& name, bool with_key_log) {
    const auto capture = test::read_capture("tls13_curl.pcap");
    const auto path = directory_ / name;
    auto writer = PcapngWriter::create(path);
    EXPECT_TRUE(writer.ok()) << writer.error().message;
    auto interface = writer->add_interface(
        {capture.link_type, 262144, pcapng::TimestampResolution::Nanoseconds, "lo"});
    EXPECT_TRUE(interface.ok());
    if (with_key_log) {
      std::ifstream keys(test::capture_path("tls13_curl.keys"));
      const std::string key_log((std::istreambuf_iterator<char>(keys)),
                                std::istreambuf_iterator<char>());
      EXPECT_FALSE(key_log.empty());
      EXPECT_TRUE(writer->write_tls_key_log(key_log).ok());
    }
    for (const auto& frame : capture.frames)
      EXPECT_TRUE(
          writer->write_packet(*interface, frame.time, frame.bytes, frame.wire_length).ok());
    EXPECT_TRUE(writer->close().ok());
    return path;
  }

  std::filesystem::path directory_;
};

TEST_F(PacketsPcapngFileTest, LibpcapReadsBackEveryFrame) {
  const auto path = write_tls13("again.pcapng", true);
  const auto original = test::read_capture("tls13_curl.pcap");
  const auto again = test::read_capture(path.string());
  EXPECT_EQ(again.link_type, original.link_type);
  ASSERT_EQ(again.frames.size(), original.frames.size());
  for (std::size_t i = 0; i < again.frames.size(); ++i) {
    EXPECT_EQ(again.frames[i].bytes, original.frames[i].bytes);
    EXPECT_EQ(again.frames[i].time, original.frames[i].time);
    EXPECT_EQ(again.frames[i].wire_length, original.frames[i].wire_length);
  }
}

TEST_F(PacketsPcapngFileTest, SnapshotLengthAndWireLength) {
  const auto path = directory_ / "cut.pcapng";
  auto writer = PcapngWriter::create(path, "test");
  ASSERT_TRUE(writer.ok());
  const auto interface = writer->add_interface({link_type::Raw, 40, {}, ""});
  ASSERT_TRUE(interface.ok());
  EXPECT_EQ(*interface, 0u);
  const Bytes frame(100, 0x45);
  ASSERT_TRUE(writer->write_packet(0, CaptureTime{std::chrono::seconds(7)}, frame).ok());
  ASSERT_TRUE(
      writer->write_packet(0, CaptureTime{std::chrono::seconds(8)}, Bytes(20, 0x45), 1500).ok());
  const auto missing = writer->write_packet(3, CaptureTime{}, frame);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "no interface 3 in " + path.string());
  ASSERT_TRUE(writer->close().ok());
  EXPECT_TRUE(writer->close().ok());  // closing twice is harmless
  EXPECT_FALSE(writer->write_tls_key_log("x").ok());

  const auto capture = test::read_capture(path.string());
  ASSERT_EQ(capture.frames.size(), 2u);
  EXPECT_EQ(capture.frames[0].bytes.size(), 40u);
  EXPECT_EQ(capture.frames[0].wire_length, 100u);
  EXPECT_EQ(capture.frames[0].time, CaptureTime{std::chrono::seconds(7)});
  EXPECT_EQ(capture.frames[1].wire_length, 1500u);
}

TEST_F(PacketsPcapngFileTest, AFileThatCannotBeCreatedIsAnError) {
  const auto writer = PcapngWriter::create(directory_ / "no" / "such" / "dir.pcapng");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().message.find("cannot create "), 0u);
}

struct CommandOutput {
  int status = -1;
  std::string text;
};

CommandOutput run(const std::string& command) {
  CommandOutput out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  std::size_t count;
  while ((count = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.text.append(buffer, count);
  const int status = pclose(pipe);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// The HTTP requests tshark finds in a file, decrypting with what the file holds and nothing
// else: no key log file is named, and the port is declared TLS since 44333 is not a known one.
CommandOutput tshark_requests(const std::filesystem::path& file) {
  return run("tshark -n -r '" + file.string() +
             "' -o tls.keylog_file: -d tcp.port==44333,tls -Y http.request -T fields "
             "-e http.request.method -e http.request.uri -e http.host 2>&1");
}

TEST_F(PacketsPcapngFileTest, TsharkDecryptsWithTheKeyLogInTheFile) {
  const auto with_keys = write_tls13("with-keys.pcapng", true);
  const auto decrypted = tshark_requests(with_keys);
  ASSERT_EQ(decrypted.status, 0) << "tshark (apt-get install tshark) failed: " << decrypted.text;
  EXPECT_NE(decrypted.text.find("GET\t/hello.txt\tsite.test:44333"), std::string::npos)
      << decrypted.text;

  // The same packets without the Decryption Secrets Block: nothing to read.
  const auto without_keys = write_tls13("without-keys.pcapng", false);
  const auto opaque = tshark_requests(without_keys);
  ASSERT_EQ(opaque.status, 0) << opaque.text;
  EXPECT_EQ(opaque.text.find("hello.txt"), std::string::npos) << opaque.text;

  // capinfos-like: tshark reads the section's application and the interface's name.
  const auto interfaces =
      run("tshark -r '" + with_keys.string() + "' -T fields -e frame.interface_name -c 1 2>&1");
  ASSERT_EQ(interfaces.status, 0) << interfaces.text;
  EXPECT_NE(interfaces.text.find("lo"), std::string::npos) << interfaces.text;
}

}  // namespace
}  // namespace miniweb::packets
