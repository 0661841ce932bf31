// TLS seen from outside: the record layer over the golden captures' reassembled streams (curl
// against openssl s_server, TLS 1.3 and 1.2; what tshark says of them), the two hellos' fields
// and their names as RFC 8446 and IANA spell them, and records that are cut or not TLS at all.

#include <gtest/gtest.h>

#include <string>

#include "browser/packets/tls_hello.hpp"
#include "browser/packets/tls_names.hpp"
#include "browser/packets/tls_records.hpp"
#include "tests/browser/packets_capture.hpp"
#include "tests/browser/packets_frame_builder.hpp"

namespace miniweb::packets {
namespace {

using test::Bytes;

// One direction of a golden capture through a record decoder.
struct DecodedDirection {
  std::vector<TlsRecord> records;
  std::vector<TlsHandshakeMessage> messages;
  std::optional<TlsStreamProblem> problem;
};

DecodedDirection decode_direction(const test::ReassembledCapture& capture, const FlowKey& key,
                                  std::uint16_t negotiated_version = 0) {
  TlsRecordDecoder decoder;
  if (negotiated_version != 0) decoder.set_negotiated_version(negotiated_version);
  DecodedDirection out;
  for (const auto& piece : capture.bytes.at(key)) {
    auto events = decoder.feed(piece.offset, piece.bytes);
    out.records.insert(out.records.end(), events.records.begin(), events.records.end());
    for (auto& message : events.messages) out.messages.push_back(std::move(message));
  }
  decoder.finish();
  out.problem = decoder.problem();
  EXPECT_EQ(decoder.record_count(), out.records.size());
  return out;
}

std::vector<std::string> record_texts(const DecodedDirection& direction) {
  std::vector<std::string> texts;
  for (const auto& record : direction.records) texts.push_back(record.to_string());
  return texts;
}

std::vector<std::string> message_names(const DecodedDirection& direction) {
  std::vector<std::string> names;
  for (const auto& message : direction.messages)
    names.push_back(tls_handshake_type_name(message.type));
  return names;
}

struct GoldenTls {
  test::Capture capture;
  test::ReassembledCapture streams;
  FlowKey to_server;
};

GoldenTls golden(const char* name) {
  GoldenTls tls{test::read_capture(name), test::ReassembledCapture{TcpStreams(), {}}, {}};
  tls.streams = test::reassemble(tls.capture);
  tls.to_server = test::flow_to_port(tls.streams, 44333);
  return tls;
}

TEST(PacketsTlsTest, Tls13RecordsOfBothDirections) {
  const auto tls = golden("tls13_curl.pcap");
  const auto client = decode_direction(tls.streams, tls.to_server);
  const auto server = decode_direction(tls.streams, tls.to_server.reversed());
  EXPECT_FALSE(client.problem) << client.problem->message;
  EXPECT_FALSE(server.problem) << server.problem->message;
  // tshark: 22 (512, TLS 1.0); 20 (1), 23 (69), 23 (105), 23 (19).
  EXPECT_EQ(
      record_texts(client),
      (std::vector<std::string>{"handshake TLS 1.0 len 512", "change_cipher_spec TLS 1.2 len 1",
                                "application_data (encrypted) TLS 1.2 len 69",
                                "application_data (encrypted) TLS 1.2 len 105",
                                "application_data (encrypted) TLS 1.2 len 19"}));
  // 22 (122), 20 (1), 23 (23, 437, 97, 69) in one segment; 23 (250, 250, 82, 19).
  ASSERT_EQ(server.records.size(), 10u);
  EXPECT_EQ(server.records[0].to_string(), "handshake TLS 1.2 len 122");
  EXPECT_EQ(server.records[1].content_type, tls_content::ChangeCipherSpec);
  for (std::size_t i = 2; i < server.records.size(); ++i) {
    EXPECT_TRUE(server.records[i].encrypted);
    EXPECT_EQ(server.records[i].index, i);
  }
  EXPECT_EQ(server.records[3].length, 437);
  EXPECT_EQ(server.records[9].length, 19);
  EXPECT_EQ(server.records[0].offset, 0u);
  EXPECT_EQ(server.records[1].offset, 127u);
  EXPECT_EQ(server.records[9].end(), 779u + 255u + 255u + 87u + 24u);
  // In the clear: one message each way.
  EXPECT_EQ(message_names(client), (std::vector<std::string>{"ClientHello"}));
  EXPECT_EQ(message_names(server), (std::vector<std::string>{"ServerHello"}));
  EXPECT_EQ(client.messages[0].length, 508u);
  EXPECT_EQ(client.messages[0].bytes.size(), 512u);
  EXPECT_EQ(client.messages[0].offset, 5u);
  EXPECT_EQ(client.messages[0].first_record, 0u);
  // The record that carried the ClientHello came in the 4th packet (index 3).
  const auto* stream = tls.streams.streams.find(tls.to_server);
  EXPECT_EQ(stream->packets_carrying(client.records[0].offset, client.records[0].end()),
            (std::vector<std::size_t>{3}));
}

Bytes handshake_message(std::uint8_t type, const Bytes& body) {
  Bytes out{type, 0, static_cast<std::uint8_t>(body.size() >> 8),
            static_cast<std::uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

TEST(PacketsTlsTest, Tls12RecordsTurnProtectedAfterChangeCipherSpec) {
  const auto tls = golden("tls12_curl.pcap");
  const auto client = decode_direction(tls.streams, tls.to_server);
  const auto server = decode_direction(tls.streams, tls.to_server.reversed());
  EXPECT_FALSE(client.problem);
  EXPECT_FALSE(server.problem);
  EXPECT_EQ(
      record_texts(client),
      (std::vector<std::string>{
          "handshake TLS 1.0 len 212", "handshake TLS 1.2 len 37",
          "change_cipher_spec TLS 1.2 len 1", "handshake (encrypted) TLS 1.2 len 40",
          "application_data (encrypted) TLS 1.2 len 112", "alert (encrypted) TLS 1.2 len 26"}));
  EXPECT_EQ(
      record_texts(server),
      (std::vector<std::string>{
          "handshake TLS 1.2 len 93", "handshake TLS 1.2 len 417", "handshake TLS 1.2 len 115",
          "handshake TLS 1.2 len 4", "change_cipher_spec TLS 1.2 len 1",
          "handshake (encrypted) TLS 1.2 len 40", "application_data (encrypted) TLS 1.2 len 89",
          "alert (encrypted) TLS 1.2 len 26"}));
  EXPECT_EQ(message_names(client), (std::vector<std::string>{"ClientHello", "ClientKeyExchange"}));
  EXPECT_EQ(message_names(server),
            (std::vector<std::string>{"ServerHello", "Certificate", "ServerKeyExchange",
                                      "ServerHelloDone"}));
  // TLS 1.2's group is in the ServerKeyExchange (tshark: named_curve x25519).
  const auto group = parse_server_key_exchange_group(server.messages[2].bytes);
  ASSERT_TRUE(group.ok()) << group.error().message;
  EXPECT_EQ(tls_group_name(*group), "x25519");
  EXPECT_FALSE(parse_server_key_exchange_group(server.messages[0].bytes).ok());
  EXPECT_EQ(parse_server_key_exchange_group(handshake_message(12, {1, 0, 23})).error().message,
            "ServerKeyExchange names no group (curve type 1, not named_curve)");
  EXPECT_FALSE(parse_server_key_exchange_group(handshake_message(12, {3, 0})).ok());
  EXPECT_EQ(server.messages[3].length, 0u);
  EXPECT_EQ(server.messages[3].first_record, 3u);
}

ClientHello client_hello_of(const char* capture) {
  const auto tls = golden(capture);
  const auto client = decode_direction(tls.streams, tls.to_server);
  EXPECT_FALSE(client.messages.empty());
  auto hello = parse_client_hello(client.messages.at(0).bytes);
  EXPECT_TRUE(hello.ok()) << hello.error().message;
  return *hello;
}

ServerHello server_hello_of(const char* capture) {
  const auto tls = golden(capture);
  const auto server = decode_direction(tls.streams, tls.to_server.reversed());
  EXPECT_FALSE(server.messages.empty());
  auto hello = parse_server_hello(server.messages.at(0).bytes);
  EXPECT_TRUE(hello.ok()) << hello.error().message;
  return *hello;
}

std::vector<std::string> names(const std::vector<std::uint16_t>& values,
                               std::string (*name)(std::uint16_t)) {
  std::vector<std::string> out;
  for (auto value : values) out.push_back(name(value));
  return out;
}

TEST(PacketsTlsTest, CurlsClientHello) {
  const ClientHello hello = client_hello_of("tls13_curl.pcap");
  EXPECT_EQ(hello.legacy_version, 0x0303);
  EXPECT_EQ(hello.server_name, "site.test");
  EXPECT_EQ(hello.alpn, (std::vector<std::string>{"http/1.1"}));
  EXPECT_EQ(names(hello.supported_versions, tls_version_name),
            (std::vector<std::string>{"TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0"}));
  EXPECT_EQ(hello.highest_version(), 0x0304);
  EXPECT_EQ(names(hello.key_share_groups, tls_group_name), (std::vector<std::string>{"x25519"}));
  EXPECT_EQ(
      names(hello.supported_groups, tls_group_name),
      (std::vector<std::string>{"x25519", "secp256r1", "x448", "secp521r1", "secp384r1",
                                "ffdhe2048", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192"}));
  const auto algorithms = names(hello.signature_algorithms, tls_signature_scheme_name);
  ASSERT_EQ(algorithms.size(), 20u);
  EXPECT_EQ(algorithms[0], "ecdsa_secp256r1_sha256");
  EXPECT_EQ(algorithms[3], "ed25519");
  EXPECT_EQ(algorithms[8], "rsa_pss_rsae_sha256");
  EXPECT_EQ(algorithms[11], "rsa_pkcs1_sha256");
  ASSERT_EQ(hello.cipher_suites.size(), 31u);
  EXPECT_EQ(tls_cipher_suite_name(hello.cipher_suites[0]), "TLS_AES_256_GCM_SHA384");
  EXPECT_EQ(tls_cipher_suite_name(hello.cipher_suites.back()), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
  EXPECT_EQ(hello.session_id_length, 32u);
  EXPECT_EQ(hello.compression_methods, (std::vector<std::uint8_t>{0}));
  EXPECT_EQ(hello.psk_key_exchange_modes, (std::vector<std::uint8_t>{1}));
  EXPECT_FALSE(hello.pre_shared_key);
  EXPECT_EQ(hello.extensions.front(), 0);  // server_name first, as curl sends it
  EXPECT_EQ(hello.to_string(),
            "ClientHello SNI site.test, ALPN http/1.1, TLS 1.3 TLS 1.2 TLS 1.1 TLS 1.0, key shares "
            "x25519");
}

TEST(PacketsTlsTest, ServerHelloOfTls13AndTls12) {
  const ServerHello tls13 = server_hello_of("tls13_curl.pcap");
  EXPECT_EQ(tls13.legacy_version, 0x0303);
  EXPECT_EQ(tls13.selected_version, 0x0304);
  EXPECT_EQ(tls13.version(), 0x0304);
  EXPECT_EQ(tls13.cipher_suite, 0x1302);
  EXPECT_EQ(tls13.key_share_group, 0x001d);
  EXPECT_FALSE(tls13.hello_retry_request);
  EXPECT_EQ(tls13.to_string(), "ServerHello TLS 1.3, TLS_AES_256_GCM_SHA384, key share x25519");

  const ServerHello tls12 = server_hello_of("tls12_curl.pcap");
  EXPECT_FALSE(tls12.selected_version);
  EXPECT_EQ(tls12.version(), 0x0303);
  EXPECT_EQ(tls12.cipher_suite, 0xc02c);
  EXPECT_FALSE(tls12.key_share_group);
  // s_server without -alpn answers none (tshark: renegotiation_info, ec_point_formats,
  // extended_master_secret).
  EXPECT_FALSE(tls12.alpn);
  EXPECT_EQ(tls12.extensions, (std::vector<std::uint16_t>{0xff01, 11, 23}));
  EXPECT_EQ(tls12.session_id_length, 32u);
  EXPECT_EQ(tls12.to_string(), "ServerHello TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
}

// --- Hellos built by hand ---------------------------------------------------------------------

void put8(Bytes& out, std::uint8_t value) {
  out.push_back(value);
}
void put24(Bytes& out, std::uint32_t value) {
  put8(out, static_cast<std::uint8_t>(value >> 16));
  test::put16(out, static_cast<std::uint16_t>(value));
}
Bytes prefixed16(const Bytes& body) {
  Bytes out;
  test::put16(out, static_cast<std::uint16_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
Bytes prefixed8(const Bytes& body) {
  Bytes out{static_cast<std::uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}
Bytes u16s(std::initializer_list<std::uint16_t> values) {
  Bytes out;
  for (auto value : values) test::put16(out, value);
  return out;
}
Bytes text(std::string_view value) {
  return Bytes(value.begin(), value.end());
}
Bytes extension(std::uint16_t type, const Bytes& data) {
  Bytes out;
  test::put16(out, type);
  return test::concat({out, prefixed16(data)});
}
Bytes handshake(std::uint8_t type, const Bytes& body) {
  Bytes out{type};
  put24(out, static_cast<std::uint32_t>(body.size()));
  return test::concat({out, body});
}

Bytes client_hello(const Bytes& extensions) {
  Bytes body = u16s({0x0303});
  body.insert(body.end(), 32, 0x11);  // random
  body.push_back(0);                  // no session id
  body = test::concat(
      {body, prefixed16(u16s({0x1a1a, 0x1301, 0x1302})), Bytes{1, 0}, prefixed16(extensions)});
  return handshake(tls_handshake::ClientHello, body);
}

Bytes server_hello(const Bytes& random, const Bytes& extensions) {
  Bytes body = test::concat({u16s({0x0303}), random, Bytes{0}, u16s({0x1301}), Bytes{0}});
  return handshake(tls_handshake::ServerHello, test::concat({body, prefixed16(extensions)}));
}

Bytes key_share(std::uint16_t group, std::size_t key_size) {
  Bytes entry = u16s({group});
  return test::concat({entry, prefixed16(Bytes(key_size, 0x42))});
}

Bytes rich_extensions() {
  return test::concat({
      extension(0x2a2a, {}),  // GREASE
      extension(0, prefixed16(test::concat({Bytes{0}, prefixed16(text("www.example.test"))}))),
      extension(16, prefixed16(test::concat({prefixed8(text("h2")), prefixed8(text("http/1.1"))}))),
      extension(43, prefixed8(u16s({0x3a3a, 0x0304, 0x0303}))),
      extension(10, prefixed16(u16s({0x11ec, 0x001d, 0x0017}))),
      extension(51, prefixed16(test::concat({key_share(0x11ec, 1216), key_share(0x001d, 32)}))),
      extension(13, prefixed16(u16s({0x0403, 0x0804, 0x0807}))), extension(45, prefixed8(Bytes{1})),
      extension(42, {}),
      extension(41, Bytes(10, 0)),  // pre_shared_key comes last (RFC 8446 4.2.11)
  });
}

TEST(PacketsTlsTest, AClientHelloWithEveryExtensionRead) {
  const auto hello = parse_client_hello(client_hello(rich_extensions()));
  ASSERT_TRUE(hello.ok()) << hello.error().message;
  EXPECT_EQ(hello->server_name, "www.example.test");
  EXPECT_EQ(hello->alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(names(hello->supported_versions, tls_version_name),
            (std::vector<std::string>{"0x3a3a (GREASE)", "TLS 1.3", "TLS 1.2"}));
  EXPECT_EQ(hello->highest_version(), 0x0304);
  EXPECT_EQ(names(hello->key_share_groups, tls_group_name),
            (std::vector<std::string>{"X25519MLKEM768", "x25519"}));
  EXPECT_EQ(names(hello->signature_algorithms, tls_signature_scheme_name),
            (std::vector<std::string>{"ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "ed25519"}));
  EXPECT_EQ(names(hello->cipher_suites, tls_cipher_suite_name),
            (std::vector<std::string>{"0x1a1a (GREASE)", "TLS_AES_128_GCM_SHA256",
                                      "TLS_AES_256_GCM_SHA384"}));
  EXPECT_EQ(hello->psk_key_exchange_modes, (std::vector<std::uint8_t>{1}));
  EXPECT_TRUE(hello->early_data);
  EXPECT_TRUE(hello->pre_shared_key);
  EXPECT_EQ(hello->extensions,
            (std::vector<std::uint16_t>{0x2a2a, 0, 16, 43, 10, 51, 13, 45, 42, 41}));
  EXPECT_EQ(hello->to_string(),
            "ClientHello SNI www.example.test, ALPN h2 http/1.1, 0x3a3a (GREASE) TLS 1.3 TLS 1.2, "
            "key shares X25519MLKEM768 x25519, PSK offered");
}

TEST(PacketsTlsTest, ATls12HelloWithoutExtensions) {
  Bytes body = u16s({0x0303});
  body.insert(body.end(), 32, 0);
  body = test::concat({body, Bytes{0}, prefixed16(u16s({0xc02f})), Bytes{1, 0}});
  const auto hello = parse_client_hello(handshake(tls_handshake::ClientHello, body));
  ASSERT_TRUE(hello.ok()) << hello.error().message;
  EXPECT_TRUE(hello->extensions.empty());
  EXPECT_EQ(hello->highest_version(), 0x0303);
  EXPECT_EQ(hello->to_string(), "ClientHello TLS 1.2");
}

TEST(PacketsTlsTest, HelloRetryRequestAndServerExtensions) {
  // RFC 8446 4.1.3: the random of a HelloRetryRequest.
  const Bytes retry_random{0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
                           0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
                           0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
  const auto retry = parse_server_hello(server_hello(
      retry_random, test::concat({extension(43, u16s({0x0304})), extension(51, u16s({0x0017}))})));
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_TRUE(retry->hello_retry_request);
  EXPECT_EQ(retry->key_share_group, 0x0017);
  EXPECT_EQ(retry->to_string(),
            "HelloRetryRequest TLS 1.3, TLS_AES_128_GCM_SHA256, asks for secp256r1");

  const auto resumed = parse_server_hello(server_hello(
      Bytes(32, 7), test::concat({extension(43, u16s({0x0304})), extension(41, u16s({0})),
                                  extension(51, key_share(0x001d, 32))})));
  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  EXPECT_FALSE(resumed->hello_retry_request);
  EXPECT_EQ(resumed->selected_psk_identity, 0);
  EXPECT_EQ(resumed->to_string(),
            "ServerHello TLS 1.3, TLS_AES_128_GCM_SHA256, key share x25519, PSK 0");

  // TLS 1.2 answers ALPN in the ServerHello (TLS 1.3 in EncryptedExtensions).
  const auto alpn = parse_server_hello(
      server_hello(Bytes(32, 7), extension(16, prefixed16(prefixed8(text("h2"))))));
  ASSERT_TRUE(alpn.ok()) << alpn.error().message;
  EXPECT_EQ(alpn->alpn, "h2");
  EXPECT_EQ(alpn->to_string(), "ServerHello TLS 1.2, TLS_AES_128_GCM_SHA256, ALPN h2");

  // RFC 7301 3.1: a server answers with exactly one protocol.
  const auto two_protocols = parse_server_hello(server_hello(
      Bytes(32, 7), extension(16, prefixed16(test::concat(
                                      {prefixed8(text("h2")), prefixed8(text("http/1.1"))})))));
  ASSERT_FALSE(two_protocols.ok());
  EXPECT_EQ(two_protocols.error().message,
            "ServerHello extension application_layer_protocol_negotiation is malformed");
}

TEST(PacketsTlsTest, BrokenHellosAreProblems) {
  const Bytes good = client_hello(rich_extensions());
  // Every cut: the header's length no longer matches, or the header is not whole.
  for (std::size_t size = 0; size < good.size(); ++size) {
    const Bytes cut(good.begin(), good.begin() + static_cast<long>(size));
    ASSERT_FALSE(parse_client_hello(cut).ok()) << "cut to " << size;
    ASSERT_FALSE(parse_server_hello(cut).ok()) << "cut to " << size;
  }
  // Every cut of the body with the header's length made to match it: a problem, but where the
  // compression methods end, which is a hello without extensions (RFC 5246 7.4.1.2).
  const Bytes body(good.begin() + 4, good.end());
  const std::size_t without_extensions = 2 + 32 + 1 + 8 + 2;
  for (std::size_t size = 0; size < body.size(); ++size) {
    const Bytes cut = handshake(tls_handshake::ClientHello,
                                Bytes(body.begin(), body.begin() + static_cast<long>(size)));
    const auto hello = parse_client_hello(cut);
    EXPECT_EQ(hello.ok(), size == without_extensions) << "body cut to " << size;
  }
  EXPECT_EQ(parse_client_hello(Bytes{1, 0}).error().message,
            "handshake message shorter than its 4-byte header (2 bytes)");
  EXPECT_EQ(parse_client_hello(handshake(2, Bytes(40))).error().message,
            "not a ClientHello: handshake type ServerHello");
  Bytes long_header = good;
  long_header[3] += 1;
  EXPECT_EQ(parse_client_hello(long_header).error().message.find("ClientHello says "), 0u);
  EXPECT_EQ(parse_client_hello(client_hello(extension(43, Bytes{3, 3, 4, 3}))).error().message,
            "ClientHello extension supported_versions is malformed");
  EXPECT_FALSE(parse_client_hello(client_hello(extension(0, Bytes{0, 9, 0}))).ok());
  EXPECT_FALSE(parse_client_hello(client_hello(extension(51, Bytes{0, 4, 0, 29, 0, 9}))).ok());
  EXPECT_FALSE(parse_server_hello(server_hello(Bytes(32, 0), extension(43, Bytes{3}))).ok());
  EXPECT_EQ(parse_tls_handshake_header(good)->length, good.size() - 4);
}

// --- The record layer on bytes built by hand --------------------------------------------------

Bytes record(std::uint8_t type, const Bytes& fragment, std::uint16_t version = 0x0303) {
  Bytes out{type};
  test::put16(out, version);
  return test::concat({out, prefixed16(fragment)});
}

TEST(PacketsTlsTest, HandshakeMessagesSpanningAndSharingRecords) {
  const Bytes hello = client_hello(rich_extensions());
  const Bytes finished = handshake(tls_handshake::Finished, Bytes(32, 9));
  const Bytes done = handshake(14, {});
  // The hello split over three records; the last also carries two whole messages.
  const std::size_t third = hello.size() / 3;
  const Bytes stream = test::concat(
      {record(22, Bytes(hello.begin(), hello.begin() + static_cast<long>(third))),
       record(22, Bytes(hello.begin() + static_cast<long>(third),
                        hello.begin() + static_cast<long>(2 * third))),
       record(22, test::concat({Bytes(hello.begin() + static_cast<long>(2 * third), hello.end()),
                                finished, done}))});
  // Fed one byte at a time: the decoder keeps whatever state a byte leaves it in.
  TlsRecordDecoder decoder;
  std::vector<TlsHandshakeMessage> messages;
  std::size_t records = 0;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    auto events = decoder.feed(100 + i, std::span(stream).subspan(i, 1));
    records += events.records.size();
    for (auto& message : events.messages) messages.push_back(std::move(message));
  }
  decoder.finish();
  EXPECT_FALSE(decoder.problem());
  EXPECT_EQ(records, 3u);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].bytes, hello);
  EXPECT_EQ(messages[0].offset, 105u);
  EXPECT_EQ(messages[0].first_record, 0u);
  EXPECT_EQ(messages[0].last_record, 2u);
  EXPECT_EQ(tls_handshake_type_name(messages[1].type), "Finished");
  EXPECT_EQ(messages[1].first_record, 2u);
  EXPECT_EQ(messages[2].length, 0u);
  EXPECT_EQ(tls_handshake_type_name(messages[2].type), "ServerHelloDone");
  EXPECT_TRUE(parse_client_hello(messages[0].bytes).ok());
}

TEST(PacketsTlsTest, AlertsInTheClear) {
  TlsRecordDecoder decoder;
  const auto events = decoder.feed(0, record(21, Bytes{2, 40}));
  ASSERT_EQ(events.records.size(), 1u);
  ASSERT_TRUE(events.records[0].alert);
  EXPECT_EQ(events.records[0].to_string(), "alert TLS 1.2 len 2 fatal handshake_failure");
  EXPECT_EQ((TlsAlert{1, 0}.to_string()), "warning close_notify");
}

TEST(PacketsTlsTest, ATruncatedRecordIsAClearProblem) {
  const Bytes whole = record(22, client_hello(rich_extensions()));
  TlsRecordDecoder decoder;
  const auto events = decoder.feed(0, std::span(whole).first(100));
  EXPECT_TRUE(events.records.empty());
  EXPECT_FALSE(decoder.problem());
  decoder.finish();
  ASSERT_TRUE(decoder.problem());
  EXPECT_EQ(decoder.problem()->offset, 0u);
  EXPECT_EQ(decoder.problem()->message, "the stream ended inside a handshake record that says " +
                                            std::to_string(whole.size() - 5) + " bytes, 95 came");

  TlsRecordDecoder header_cut;
  (void)header_cut.feed(0, std::span(whole).first(3));
  header_cut.finish();
  ASSERT_TRUE(header_cut.problem());
  EXPECT_EQ(header_cut.problem()->message,
            "the stream ended inside a record header (3 of 5 bytes)");

  // Every record whole, but the handshake message they carry is not.
  const Bytes hello = client_hello(rich_extensions());
  TlsRecordDecoder message_cut;
  (void)message_cut.feed(0, record(22, Bytes(hello.begin(), hello.begin() + 50)));
  message_cut.finish();
  ASSERT_TRUE(message_cut.problem());
  EXPECT_EQ(message_cut.problem()->offset, 5u);
  EXPECT_EQ(message_cut.problem()->message,
            "the stream ended inside a ClientHello message that says " +
                std::to_string(hello.size() - 4) + " bytes, 46 came");

  // Every cut of a whole record, finished: a problem each time, never a crash.
  for (std::size_t size = 1; size < whole.size(); ++size) {
    TlsRecordDecoder cut;
    const Bytes bytes(whole.begin(), whole.begin() + static_cast<long>(size));
    (void)cut.feed(0, bytes);
    cut.finish();
    EXPECT_TRUE(cut.problem()) << "cut to " << size;
  }
}

TEST(PacketsTlsTest, WhatIsNotTlsStopsTheDecoder) {
  const std::string http = "GET / HTTP/1.1\r\n\r\n";
  TlsRecordDecoder not_tls;
  EXPECT_TRUE(not_tls.feed(0, Bytes(http.begin(), http.end())).records.empty());
  ASSERT_TRUE(not_tls.problem());
  EXPECT_EQ(not_tls.problem()->message, "not a TLS record: content type 0x47");
  // Once stopped, it stays stopped.
  EXPECT_TRUE(not_tls.feed(http.size(), record(22, Bytes{1})).records.empty());

  TlsRecordDecoder bad_version;
  (void)bad_version.feed(0, record(22, Bytes{0}, 0x0203));
  EXPECT_EQ(bad_version.problem()->message, "not a TLS record: version 0x0203");

  TlsRecordDecoder too_long;
  Bytes header{22, 3, 3};
  test::put16(header, 16385);
  (void)too_long.feed(0, header);
  EXPECT_EQ(too_long.problem()->message,
            "handshake record says 16385 bytes, more than the 16384 a record may carry");

  TlsRecordDecoder interleaved;
  const Bytes hello = client_hello({});
  (void)interleaved.feed(0, test::concat({record(22, Bytes(hello.begin(), hello.begin() + 10)),
                                          record(21, Bytes{1, 0})}));
  ASSERT_TRUE(interleaved.problem());
  EXPECT_EQ(interleaved.problem()->message,
            "a alert record came inside an unfinished ClientHello message");

  TlsRecordDecoder gap;
  (void)gap.feed(0, record(22, handshake(14, {})));
  (void)gap.feed(20, record(22, handshake(14, {})));
  ASSERT_TRUE(gap.problem());
  EXPECT_EQ(gap.problem()->message,
            "the stream skips from byte 9 to 20: record boundaries are lost");

  TlsRecordDecoder limited(TlsRecordDecoder::Limits{.max_handshake_message = 100});
  (void)limited.feed(0, record(22, client_hello(rich_extensions())));
  ASSERT_TRUE(limited.problem());
  EXPECT_EQ(limited.problem()->message.find("ClientHello says "), 0u);
}

TEST(PacketsTlsTest, ASecondClientHelloAfterChangeCipherSpecInTls13) {
  // RFC 8446 D.4: a client's middlebox-compatible ChangeCipherSpec, then its second hello.
  const Bytes stream = test::concat(
      {record(22, client_hello({})), record(20, Bytes{1}), record(22, client_hello({}))});
  TlsRecordDecoder tls13;
  tls13.set_negotiated_version(0x0304);
  const auto events = tls13.feed(0, stream);
  EXPECT_EQ(events.messages.size(), 2u);
  EXPECT_FALSE(events.records[2].encrypted);

  TlsRecordDecoder tls12;
  const auto protected_events = tls12.feed(0, stream);
  EXPECT_EQ(protected_events.messages.size(), 1u);
  EXPECT_TRUE(protected_events.records[2].encrypted);
}

// --- Names ------------------------------------------------------------------------------------

TEST(PacketsTlsTest, NamesAsRfc8446AndIanaSpellThem) {
  EXPECT_EQ(tls_version_name(0x0304), "TLS 1.3");
  EXPECT_EQ(tls_version_name(0x0303), "TLS 1.2");
  EXPECT_EQ(tls_version_name(0x0300), "SSL 3.0");
  EXPECT_EQ(tls_version_name(0xfefd), "DTLS 1.2");
  EXPECT_EQ(tls_version_name(0x7f1c), "0x7f1c");
  EXPECT_EQ(tls_cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(tls_cipher_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
  EXPECT_EQ(tls_cipher_suite_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(tls_group_name(0x001d), "x25519");
  EXPECT_EQ(tls_group_name(0x0017), "secp256r1");
  EXPECT_EQ(tls_group_name(0x0100), "ffdhe2048");
  EXPECT_EQ(tls_group_name(0xfafa), "0xfafa (GREASE)");
  EXPECT_EQ(tls_signature_scheme_name(0x0804), "rsa_pss_rsae_sha256");
  EXPECT_EQ(tls_signature_scheme_name(0x0807), "ed25519");
  EXPECT_EQ(tls_signature_scheme_name(0x0201), "rsa_pkcs1_sha1");
  EXPECT_EQ(tls_extension_name(0), "server_name");
  EXPECT_EQ(tls_extension_name(16), "application_layer_protocol_negotiation");
  EXPECT_EQ(tls_extension_name(51), "key_share");
  EXPECT_EQ(tls_extension_name(0xff01), "renegotiation_info");
  EXPECT_EQ(tls_content_type_name(23), "application_data");
  EXPECT_EQ(tls_content_type_name(99), "0x63");
  EXPECT_EQ(tls_handshake_type_name(8), "EncryptedExtensions");
  EXPECT_EQ(tls_handshake_type_name(15), "CertificateVerify");
  EXPECT_EQ(tls_psk_mode_name(1), "psk_dhe_ke");
  EXPECT_EQ(tls_alert_level_name(2), "fatal");
  EXPECT_EQ(tls_alert_description_name(0), "close_notify");
  EXPECT_EQ(tls_alert_description_name(48), "unknown_ca");
  EXPECT_EQ(tls_alert_description_name(120), "no_application_protocol");
  for (int i = 0; i < 16; ++i) {
    const auto grease = static_cast<std::uint16_t>(0x0a0a + i * 0x1010);
    EXPECT_TRUE(is_grease(grease)) << grease;
  }
  EXPECT_FALSE(is_grease(0x0a1a));
  EXPECT_FALSE(is_grease(0x1301));
}

}  // namespace
}  // namespace miniweb::packets
