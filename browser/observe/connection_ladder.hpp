#pragma once
// The rows of one of the browser's TCP connections: each segment with its flags, numbers and
// SYN options; the TLS records its bytes completed, with what OpenSSL says was inside the
// encrypted ones; the HTTP heads; and after each segment the state of both ends, marked
// `(seen)` when the kernel reported it and `(from segments)` when only derived.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "browser/observe/http2_frames.hpp"
#include "browser/observe/journey.hpp"
#include "browser/observe/retransmissions.hpp"
#include "browser/observe/segment_states.hpp"
#include "browser/observe/tls_contents.hpp"
#include "browser/packets/http_heads.hpp"
#include "browser/packets/tcp_stream.hpp"
#include "browser/packets/tls_records.hpp"

namespace miniweb::browser::observe {

// When the first connection's milestones passed, in microseconds since the load's first packet.
struct ConnectionTimes {
  std::optional<std::int64_t> syn, handshake_ack, client_hello, client_finished, request_first,
      request_last, response_first, response_last, first_fin, last_segment;
  bool early_data = false;          // the browser sent application data before its Finished (0-RTT)
  bool early_data_refused = false;  // and the server's EncryptedExtensions did not accept it
};

// "SYN seq=1 ack=0 win=65495 len=0 <mss 65495, sackOK, TS val 1 ecr 0, wscale 7>"
std::string tcp_segment_text(const packets::Packet& packet);
// "12.345 ms"
std::string format_ms(std::int64_t micros);

class ConnectionLadder {
 public:
  ConnectionLadder(const OwnConnection& own, const std::vector<TlsEvent>* tls,
                   std::vector<HttpSeen> http, std::vector<Http2FrameSeen> http2,
                   std::vector<StateSample> states);

  // One of the connection's segments; `row` has its time and columns already. A `lost` segment
  // was captured leaving but never arrived (the link emulator dropped it).
  void add(const packets::Packet& packet, LadderRow& row, bool lost = false);
  const ConnectionTimes& times() const { return times_; }
  // The capture is over: a TLS record or HTTP head left unfinished is said in `notes`.
  void finish(std::vector<std::string>& notes);

 private:
  struct Direction {
    packets::TcpStreamReassembler stream;
    packets::TlsRecordDecoder records;
    std::size_t next_inner = 0;    // OpenSSL's inner content types used so far
    std::size_t next_message = 0;  // OpenSSL's handshake messages used so far
    std::size_t next_alert = 0;
    bool problem_reported = false;
    bool undecryptable_reported = false;  // the record the browser's bad_record_mac answered
  };

  void tls_records(bool from_client, const packets::StreamBytes& bytes, LadderRow& row);
  void encrypted_record(bool from_client, const packets::TlsRecord& record, LadderRow& row);
  void application_data(bool from_client, const packets::TlsRecord& record, LadderRow& row);
  // HTTP/2 inside TLS: the frames nghttp2 reported, placed in the record.
  void http2_frames(bool from_client, const packets::TlsRecord& record, LadderRow& row);
  void plain_http(bool from_client, const packets::StreamBytes& bytes, LadderRow& row);
  // The body of the browser's request number `index`, as the browser shows it.
  void request_body(std::size_t index, LadderRow& row) const;
  std::string state_text(bool client_end, TcpState state) const;

  OwnConnection own_;
  bool tls_ = false;
  TlsSeen seen_;
  std::uint16_t tag_length_ = 16;  // the AEAD tag of the negotiated cipher
  bool tls12_ = false;             // TLS 1.2: an explicit nonce, no inner content type
  Http2FramePlacement http2_;
  std::vector<std::string> requests_, responses_;
  std::vector<std::vector<std::string>> request_bodies_;  // as the browser showed each body
  std::size_t next_request_ = 0, next_response_ = 0;
  std::optional<bool> last_data_from_client_;
  std::vector<StateSample> states_;
  SegmentStates segment_states_;
  Retransmissions retransmissions_;
  bool third_ack_lost_ = false;
  Direction client_, server_;
  packets::HttpStreamDecoder http_;
  ConnectionTimes times_;
  std::int64_t now_ = 0;  // the time of the segment being added
  bool first_seen_ = false;
};

}  // namespace miniweb::browser::observe
