#pragma once
// Golden captures for the packet decoders' tests: the .pcap files in packets_data/ (made by
// packets_data/make_captures.sh with tcpdump), read with libpcap as the browser will read its
// own capture, and decoded frame by frame.

#include <pcap/pcap.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "browser/packets/frame_decoder.hpp"
#include "browser/packets/tcp_streams.hpp"

namespace miniweb::packets::test {

// A golden capture's path by its name; a path that starts with '/' is taken as it is.
inline std::string capture_path(const std::string& name) {
  if (!name.empty() && name.front() == '/') return name;
  return std::string(MINIWEB_PACKETS_DATA) + "/" + name;
}

struct CapturedFrame {
  CaptureTime time{};
  std::vector<std::uint8_t> bytes;
  std::uint32_t wire_length = 0;
};

struct Capture {
  int link_type = 0;
  std::vector<CapturedFrame> frames;
  std::vector<Packet> packets;  // frames[i] decoded
};

inline Capture read_capture(const std::string& name) {
  char error[PCAP_ERRBUF_SIZE] = {};
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> handle(
      pcap_open_offline_with_tstamp_precision(capture_path(name).c_str(),
                                              PCAP_TSTAMP_PRECISION_NANO, error),
      pcap_close);
  if (!handle) throw std::runtime_error("cannot read " + name + ": " + error);
  Capture capture;
  capture.link_type = pcap_datalink(handle.get());
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(handle.get(), &header, &data) == 1) {
    CapturedFrame frame;
    frame.time = CaptureTime(std::chrono::seconds(header->ts.tv_sec) +
                             std::chrono::nanoseconds(header->ts.tv_usec));
    frame.bytes.assign(data, data + header->caplen);
    frame.wire_length = header->len;
    capture.packets.push_back(
        decode_frame(capture.link_type, frame.bytes, frame.time, frame.wire_length));
    capture.frames.push_back(std::move(frame));
  }
  return capture;
}

// Every TCP stream of a capture reassembled: each direction's bytes, concatenated.
struct ReassembledCapture {
  TcpStreams streams;
  std::map<FlowKey, std::vector<StreamBytes>> bytes;  // per direction, as handed on
};

inline ReassembledCapture reassemble(const Capture& capture) {
  ReassembledCapture out;
  for (std::size_t i = 0; i < capture.packets.size(); ++i) {
    auto added = out.streams.add(capture.packets[i], i);
    if (!added) continue;
    auto& pieces = out.bytes[added->key];
    for (auto& piece : added->result.delivered) pieces.push_back(std::move(piece));
  }
  for (auto& [key, rest] : out.streams.finish())
    for (auto& piece : rest) out.bytes[key].push_back(std::move(piece));
  return out;
}

// The TCP direction whose destination port is `port` (the client's) or whose source is.
inline FlowKey flow_to_port(const ReassembledCapture& capture, std::uint16_t port) {
  for (const auto& key : capture.streams.keys())
    if (key.destination.port == port) return key;
  throw std::runtime_error("no stream to port " + std::to_string(port));
}

}  // namespace miniweb::packets::test
