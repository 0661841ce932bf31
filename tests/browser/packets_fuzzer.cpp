// libFuzzer entry point for the packet view's decoders (browser/packets/), shared by the clang
// fuzzer and the corpus driver. The first byte picks the decoder, so that one corpus reaches
// them all; each must never crash, read out of bounds, hang or grow past its limits.
//
//   0  decode_frame: byte 1 picks the link type, byte 2 whether the frame was cut; the rest is
//      the frame
//   1  TCP reassembly: segments as (seq delta: 2 bytes, flags: 1, length: 1, payload)
//   2  DNS: summarize_dns over the rest, and the rest as a DNS-over-TCP stream
//   3  TLS: the rest as one direction's stream, fed in pieces whose sizes come from byte 1;
//      each handshake message parsed as a hello
//   4  HTTP: the rest split at the first 0 byte, the client's bytes, then the server's
//
//   ./miniweb fuzz packets --seconds 60     (clang 14, build/fuzz; see cmake/fuzz.cmake)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "browser/packets/dns_summary.hpp"
#include "browser/packets/frame_decoder.hpp"
#include "browser/packets/http_heads.hpp"
#include "browser/packets/tcp_stream.hpp"
#include "browser/packets/tls_hello.hpp"
#include "browser/packets/tls_records.hpp"

namespace {

using namespace miniweb::packets;
using Input = std::span<const std::uint8_t>;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void fuzz_frame(Input input) {
  if (input.size() < 2) return;
  constexpr int kLinks[] = {link_type::Null,     link_type::Ethernet, link_type::Raw,
                            link_type::RawFile,  link_type::Loop,     link_type::LinuxSll,
                            link_type::LinuxSll2};
  const int link = kLinks[input[0] % std::size(kLinks)];
  const bool cut = (input[1] & 1) != 0;
  const Input frame = input.subspan(2);
  const auto wire_length =
      cut ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(frame.size()) + input[1])
          : std::nullopt;
  const Packet packet = decode_frame(link, frame, CaptureTime{}, wire_length);
  check(packet.payload.size() <= frame.size());
  if (packet.problem) {
    check(packet.problem->offset <= frame.size() + input[1]);
    (void)packet.problem->to_string();
  }
  if (packet.tcp) (void)tcp_flags_text(packet.tcp->flags);
  (void)packet.source.to_string();
  (void)packet.destination.to_string();
}

void fuzz_reassembly(Input input) {
  StreamLimits limits;
  limits.max_held_bytes = 2048;
  limits.max_held_segments = 32;
  limits.max_carried_ranges = 64;
  limits.max_gaps = 8;
  TcpStreamReassembler stream(limits);
  std::uint32_t seq = 1000;
  std::uint64_t delivered = 0;
  std::size_t index = 0;
  while (input.size() >= 4) {
    // A signed delta lets segments go back (retransmissions) as well as forward (gaps).
    seq += static_cast<std::uint32_t>(static_cast<std::int16_t>((input[0] << 8) | input[1]));
    const std::uint16_t flags = input[2];
    const std::size_t length = std::min<std::size_t>(input[3], input.size() - 4);
    const auto result = stream.add(seq, flags, input.subspan(4, length), index++);
    for (const auto& piece : result.delivered) {
      check(piece.offset >= delivered);
      delivered = piece.end();
    }
    check(stream.held_bytes() <= limits.max_held_bytes);
    check(stream.carried().size() <= limits.max_carried_ranges);
    check(stream.gaps().size() <= limits.max_gaps);
    input = input.subspan(4 + length);
  }
  for (const auto& piece : stream.finish()) check(piece.offset >= delivered);
  check(stream.held_bytes() == 0);
  (void)stream.packets_carrying(0, stream.delivered_end());
}

void fuzz_dns(Input input) {
  if (auto summary = summarize_dns(input)) (void)summary->to_string();
  DnsTcpSplitter splitter;
  std::uint64_t offset = 0;
  // Fed in two pieces, so that a message may span them.
  const std::size_t half = input.size() / 2;
  for (const Input piece : {input.first(half), input.subspan(half)}) {
    for (const auto& message : splitter.feed(offset, piece)) {
      check(message.message.size() <= 65535);
      if (auto summary = summarize_dns(message.message)) (void)summary->to_string();
    }
    offset += piece.size();
  }
}

void fuzz_tls(Input input) {
  if (input.empty()) return;
  const std::size_t piece_size = 1 + input[0];
  input = input.subspan(1);
  if (auto hello = parse_client_hello(input)) (void)hello->to_string();
  if (auto hello = parse_server_hello(input)) (void)hello->to_string();
  TlsRecordDecoder decoder(TlsRecordDecoder::Limits{.max_handshake_message = 4096});
  for (std::size_t at = 0; at < input.size(); at += piece_size) {
    const auto events =
        decoder.feed(at, input.subspan(at, std::min(piece_size, input.size() - at)));
    for (const auto& record : events.records) (void)record.to_string();
    for (const auto& message : events.messages) {
      check(message.bytes.size() == kTlsHandshakeHeaderSize + message.length);
      if (auto hello = parse_client_hello(message.bytes)) (void)hello->to_string();
      if (auto hello = parse_server_hello(message.bytes)) (void)hello->to_string();
      (void)parse_server_key_exchange_group(message.bytes);
    }
  }
  decoder.finish();
}

void fuzz_http(Input input) {
  const auto split = std::find(input.begin(), input.end(), std::uint8_t{0});
  const auto client_size = static_cast<std::size_t>(split - input.begin());
  const Input client = input.first(client_size);
  const Input server = client_size < input.size() ? input.subspan(client_size + 1) : Input{};
  miniweb::http::Limits limits;
  limits.max_header_bytes = 1024;
  HttpStreamDecoder decoder(limits);
  // Alternate the directions in pieces of 7 bytes, as a conversation interleaves.
  constexpr std::size_t kPiece = 7;
  for (std::size_t at = 0; at < std::max(client.size(), server.size()); at += kPiece) {
    if (at < client.size())
      (void)decoder.feed(HttpSide::Client, at,
                         client.subspan(at, std::min(kPiece, client.size() - at)));
    if (at < server.size())
      (void)decoder.feed(HttpSide::Server, at,
                         server.subspan(at, std::min(kPiece, server.size() - at)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Input input(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      fuzz_frame(input);
      break;
    case 1:
      fuzz_reassembly(input);
      break;
    case 2:
      fuzz_dns(input);
      break;
    case 3:
      fuzz_tls(input);
      break;
    default:
      fuzz_http(input);
      break;
  }
  return 0;
}
