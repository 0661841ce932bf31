#include "browser/observe/connection_ladder.hpp"

#include "browser/observe/endpoints.hpp"

#include <algorithm>
#include <cstdio>

#include "browser/packets/tls_hello.hpp"
#include "browser/packets/tls_names.hpp"

namespace miniweb::browser::observe {
namespace {

using packets::tcp_flag::Ack;
using packets::tcp_flag::Fin;
using packets::tcp_flag::Syn;
namespace content = packets::tls_content;

std::string syn_options(const packets::TcpOptions& options) {
  std::vector<std::string> parts;
  if (options.mss) parts.push_back("mss " + std::to_string(*options.mss));
  if (options.sack_permitted) parts.push_back("sackOK");
  if (options.timestamps)
    parts.push_back("TS val " + std::to_string(options.timestamps->value) + " ecr " +
                    std::to_string(options.timestamps->echo_reply));
  if (options.window_scale) parts.push_back("wscale " + std::to_string(*options.window_scale));
  for (std::uint8_t kind : options.other_kinds) parts.push_back("option " + std::to_string(kind));
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : ", ") + part;
  return out;
}

}  // namespace

std::string tcp_segment_text(const packets::Packet& packet) {
  const packets::TcpHeader& tcp = *packet.tcp;
  std::string text = packets::tcp_flags_text(tcp.flags) + " seq=" + std::to_string(tcp.seq) +
                     " ack=" + std::to_string(tcp.ack) + " win=" + std::to_string(tcp.window) +
                     " len=" + std::to_string(packet.payload_length);
  if (const std::string options = syn_options(tcp.options); tcp.has(Syn) && !options.empty())
    text += " <" + options + ">";
  return text;
}

std::string format_ms(std::int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f ms", static_cast<double>(micros) / 1000.0);
  return text;
}

ConnectionLadder::ConnectionLadder(const OwnConnection& own, const std::vector<TlsEvent>* tls,
                                   std::vector<HttpSeen> http, std::vector<Http2FrameSeen> http2,
                                   std::vector<StateSample> states)
    : own_(own), tls_(tls && !tls->empty()), http2_(std::move(http2)), states_(std::move(states)) {
  if (tls_) seen_ = split_tls_events(*tls);
  for (HttpSeen& seen : http) {
    (seen.request ? requests_ : responses_).push_back(std::move(seen.start_line));
    if (seen.request) request_bodies_.push_back(std::move(seen.body));
  }
}

void ConnectionLadder::add(const packets::Packet& packet, LadderRow& row, bool lost) {
  now_ = row.time_us;
  const packets::TcpHeader& tcp = *packet.tcp;
  const bool from_client = same_endpoint(packet.source, own_.end.local);
  row.text = tcp_segment_text(packet);

  if (!first_seen_) {
    first_seen_ = true;
    if (!tcp.has(Syn)) {
      segment_states_.assume_established();
      http2_.starts_mid_connection();
      row.details.push_back("connection #" + std::to_string(own_.number) +
                            ", kept alive from an earlier load: no handshake this time");
    }
  }
  if (tcp.has(Syn) && !tcp.has(Ack) && !times_.syn) {
    times_.syn = now_;
    row.details.push_back("connection #" + std::to_string(own_.number) + " from " +
                          packet.source.to_string() + " to " + packet.destination.to_string());
  }
  if (from_client && tcp.has(Ack) && !tcp.has(Syn) && times_.syn && !times_.handshake_ack)
    times_.handshake_ack = now_;
  if (tcp.has(Fin) && !times_.first_fin) times_.first_fin = now_;
  times_.last_segment = now_;

  const auto again =
      retransmissions_.on_segment(from_client, tcp, packet.payload_length, now_, !lost);
  if (again) row.details.push_back(*again);
  Direction& direction = from_client ? client_ : server_;
  const packets::SegmentResult result = direction.stream.add(tcp.seq, tcp.flags, packet.payload, 0);
  if (result.fate == packets::SegmentFate::Retransmission && !again)
    row.details.push_back("a retransmission: every byte of it had come before");
  for (const packets::StreamGap& gap : result.gaps)
    row.details.push_back("bytes " + std::to_string(gap.begin) + "-" + std::to_string(gap.end) +
                          " never seen: " + gap.reason);
  for (const packets::StreamBytes& bytes : result.delivered) {
    if (tls_)
      tls_records(from_client, bytes, row);
    else
      plain_http(from_client, bytes, row);
  }

  const TcpState server_before = segment_states_.server();
  segment_states_.on_segment(from_client, tcp, packet.payload_length, !lost);
  if (from_client && server_before == TcpState::SynReceived) {
    const bool pure_ack = tcp.flags == Ack && packet.payload_length == 0;
    if (lost && pure_ack) third_ack_lost_ = true;
    if (!lost && segment_states_.server() == TcpState::Established && packet.payload_length > 0)
      row.details.push_back(
          std::string("the server was still in SYN_RECEIVED: the ACK in this data segment "
                      "completed its handshake") +
          (third_ack_lost_ ? ", in place of the third ACK, which was lost" : ""));
  }
  row.states = "browser " + state_text(true, segment_states_.client()) + " · " + own_.host + " " +
               state_text(false, segment_states_.server());
}

void ConnectionLadder::tls_records(bool from_client, const packets::StreamBytes& bytes,
                                   LadderRow& row) {
  Direction& direction = from_client ? client_ : server_;
  const packets::TlsStreamEvents events = direction.records.feed(bytes.offset, bytes.bytes);
  std::size_t message = 0;
  for (const packets::TlsRecord& record : events.records) {
    if (record.encrypted) {
      encrypted_record(from_client, record, row);
      continue;
    }
    row.details.push_back("TLS record " + record.to_string() + ", in the clear");
    if (record.alert) row.details.push_back("  Alert " + record.alert->to_string());
    if (record.content_type == content::ChangeCipherSpec)
      row.details.push_back("  ChangeCipherSpec (for middleboxes only in TLS 1.3, RFC 8446 D.4)");
    for (; message < events.messages.size() && events.messages[message].last_record <= record.index;
         ++message) {
      const auto& bytes_of_message = events.messages[message].bytes;
      row.details.push_back("  " + describe_handshake_message(bytes_of_message));
      ++direction.next_message;  // OpenSSL saw it too, in the same order
      const auto type = bytes_of_message.empty() ? 0 : bytes_of_message[0];
      if (type == packets::tls_handshake::ClientHello && !times_.client_hello)
        times_.client_hello = now_;
      if (type == packets::tls_handshake::ServerHello) {
        auto hello = packets::parse_server_hello(bytes_of_message);
        if (hello) {
          direction.records.set_negotiated_version(hello->version());
          client_.records.set_negotiated_version(hello->version());
          if (hello->cipher_suite == 0x1305) tag_length_ = 8;  // TLS_AES_128_CCM_8_SHA256
          tls12_ = hello->version() == 0x0303;
        }
      }
    }
  }
  if (direction.records.problem() && !direction.problem_reported) {
    direction.problem_reported = true;
    row.details.push_back("TLS records unreadable from byte " +
                          std::to_string(direction.records.problem()->offset) + ": " +
                          direction.records.problem()->message);
  }
}

// RFC 8446 6.2: the alert for a record that fails its AEAD check.
constexpr std::uint8_t kBadRecordMac = 20;

// An encrypted record: the capture sees its length; OpenSSL says what was inside.
void ConnectionLadder::encrypted_record(bool from_client, const packets::TlsRecord& record,
                                        LadderRow& row) {
  Direction& direction = from_client ? client_ : server_;
  const TlsSeenOneWay& seen = from_client ? seen_.sent : seen_.received;
  std::string line = "TLS record " + record.to_string();
  if (direction.next_inner >= seen.inner_types.size()) {
    // OpenSSL reads records in order: when the browser answered with bad_record_mac (RFC 8446
    // 5.2), the first record it has no inner type for is the one that failed its integrity check.
    const bool bad_record_mac =
        std::any_of(seen_.sent.alerts.begin(), seen_.sent.alerts.end(), [](const std::string& a) {
          return a.size() >= 2 && static_cast<std::uint8_t>(a[1]) == kBadRecordMac;
        });
    if (!from_client && bad_record_mac && !direction.undecryptable_reported) {
      direction.undecryptable_reported = true;
      row.details.push_back(line +
                            "; OpenSSL could not decrypt it: the browser sent alert "
                            "bad_record_mac");
      return;
    }
    // OpenSSL's record ends where the browser stopped reading: it had closed, or the load
    // ended with the connection kept for the next one.
    row.details.push_back(line + (from_client ? "; OpenSSL has no record of sending it"
                                              : "; OpenSSL has no record of reading it (the "
                                                "browser closed first, or had not read it yet)"));
    return;
  }
  const int inner = seen.inner_types[direction.next_inner++];
  std::string inside = packets::tls_content_type_name(static_cast<std::uint8_t>(inner));
  // Application data before the browser's Finished has gone: the browser's is TLS 1.3's early
  // data (0-RTT, under the resumed session's key), the server's its 0.5-RTT data.
  if (inner == content::ApplicationData && !times_.client_finished) {
    inside += from_client ? " (early data, 0-RTT: before the browser's Finished)"
                          : " (0.5-RTT: before the browser's Finished)";
    if (from_client) times_.early_data = true;
  }
  row.details.push_back(line + ", inside: " + inside);
  if (inner == content::Handshake) {
    // The messages that fill the record's plaintext: its length less the tag and the inner
    // content type's byte (OpenSSL adds no padding).
    const std::int64_t capacity = static_cast<std::int64_t>(record.length) - tag_length_ - 1;
    std::int64_t used = 0;
    while (direction.next_message < seen.handshake_messages.size()) {
      const std::string& message = seen.handshake_messages[direction.next_message];
      const std::int64_t length = handshake_message_length(message);
      if (used > 0 && used + length > capacity) break;
      used += length;
      ++direction.next_message;
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(message.data());
      std::string described = describe_handshake_message({bytes, message.size()});
      // The server's word on the early data the browser sent: early_data in its
      // EncryptedExtensions, or not (RFC 8446 section 4.2.10).
      if (const auto accepted = accepts_early_data({bytes, message.size()});
          accepted && !from_client && times_.early_data) {
        times_.early_data_refused = !*accepted;
        described += *accepted ? " (the server takes the browser's early data)"
                               : " (no early_data: the server refuses the browser's early data)";
      }
      row.details.push_back("  " + std::move(described));
      if (from_client && !message.empty() &&
          static_cast<std::uint8_t>(message[0]) == packets::tls_handshake::Finished &&
          !times_.client_finished)
        times_.client_finished = now_;
    }
  } else if (inner == content::Alert) {
    if (direction.next_alert < seen.alerts.size())
      row.details.push_back("  Alert " + describe_alert(seen.alerts[direction.next_alert++]));
  } else if (inner == content::ApplicationData) {
    application_data(from_client, record, row);
  }
}

// HTTP/1.1 inside TLS: requests and responses alternate (the browser does not pipeline), so
// the first record of each turn carries the next head the browser wrote or read.
void ConnectionLadder::application_data(bool from_client, const packets::TlsRecord& record,
                                        LadderRow& row) {
  if (!http2_.empty()) return http2_frames(from_client, record, row);
  const bool new_turn = last_data_from_client_ != from_client;
  last_data_from_client_ = from_client;
  if (from_client) {
    if (new_turn && next_request_ < requests_.size()) {
      row.details.push_back("  HTTP request " + requests_[next_request_] +
                            " (as the browser wrote it)");
      request_body(next_request_++, row);
      if (next_request_ == 1) times_.request_first = now_;
    } else {
      row.details.push_back("  the request, continued");
    }
    if (next_request_ == 1) times_.request_last = now_;
    return;
  }
  if (new_turn && next_response_ < responses_.size()) {
    row.details.push_back("  HTTP response " + responses_[next_response_++] +
                          " (as the browser read it)");
    if (next_response_ == 1) times_.response_first = now_;
  } else {
    row.details.push_back("  the response, continued");
  }
  if (next_response_ == 1 && next_request_ == 1) times_.response_last = now_;
}

void ConnectionLadder::http2_frames(bool from_client, const packets::TlsRecord& record,
                                    LadderRow& row) {
  // The record's plaintext: TLS 1.3 adds the AEAD tag and the inner content type's byte
  // (OpenSSL pads nothing); TLS 1.2's AES-GCM an 8-byte explicit nonce and the tag.
  const std::uint64_t overhead = tls12_ ? 8u + tag_length_ : tag_length_ + 1u;
  const std::uint64_t plaintext = record.length > overhead ? record.length - overhead : 0;
  for (std::string& line : http2_.record(from_client, plaintext)) {
    row.details.push_back(std::move(line));
    if (row.details.back().starts_with("  h2 HEADERS")) {
      if (from_client && !times_.request_first) times_.request_first = now_;
      if (!from_client && !times_.response_first) times_.response_first = now_;
    }
  }
  if (from_client && times_.request_first && !times_.response_first) times_.request_last = now_;
  if (!from_client && times_.response_first) times_.response_last = now_;
}

void ConnectionLadder::plain_http(bool from_client, const packets::StreamBytes& bytes,
                                  LadderRow& row) {
  const auto side = from_client ? packets::HttpSide::Client : packets::HttpSide::Server;
  for (const packets::HttpHead& head : http_.feed(side, bytes.offset, bytes.bytes)) {
    std::string line =
        std::string("HTTP ") + (from_client ? "request " : "response ") + head.start_line;
    for (const auto& [name, value] : head.fields)
      if (name == "Host" || name == "host" || name == "Content-Type" || name == "Content-Length")
        line += ", " + name + ": " + value;
    row.details.push_back(line);
    // The body's bytes are in this capture as sent; the view shows the browser's own record of
    // it instead, in which a password's value is masked.
    if (from_client && !head.method.empty()) request_body(next_request_++, row);
    if (from_client && !times_.request_first) times_.request_first = times_.request_last = now_;
    if (!from_client && !times_.response_first) times_.response_first = now_;
  }
  if (!from_client && times_.response_first && !times_.first_fin) times_.response_last = now_;
  if (http_.problem(side) && !(from_client ? client_ : server_).problem_reported) {
    (from_client ? client_ : server_).problem_reported = true;
    row.details.push_back("not HTTP the decoder reads: " + http_.problem(side)->message);
  }
}

void ConnectionLadder::request_body(std::size_t index, LadderRow& row) const {
  if (index >= request_bodies_.size() || request_bodies_[index].empty()) return;
  const std::vector<std::string>& lines = request_bodies_[index];
  // The first line says the body's size and type; the rest are its fields.
  row.details.push_back("  request " + lines.front());
  for (std::size_t i = 1; i < lines.size(); ++i) row.details.push_back("    " + lines[i]);
}

void ConnectionLadder::finish(std::vector<std::string>& notes) {
  for (Direction* direction : {&client_, &server_}) {
    if (!tls_ || direction->problem_reported) continue;
    direction->records.finish();
    if (const auto& problem = direction->records.problem())
      notes.push_back("connection to " + own_.host + ", from the " +
                      (direction == &client_ ? "browser" : "server") + ": " + problem->message +
                      " (at byte " + std::to_string(problem->offset) + ")");
  }
}

std::string ConnectionLadder::state_text(bool client_end, TcpState state) const {
  const SocketEnd end = client_end ? own_.end : SocketEnd{own_.end.remote, own_.end.local};
  const ReportedState* reported = nullptr;
  bool gone = false;
  for (const StateSample& sample : states_) {
    if (!(sample.reported.end == end)) continue;
    if (sample.reported.state == state) reported = &sample.reported;
    if (sample.reported.state == TcpState::Closed) gone = true;
  }
  std::string text(state_name(state));
  if (state == TcpState::Closed && gone) return text + " (gone from the kernel's table)";
  if (!reported || state == TcpState::Closed) return text + " (from segments)";
  text += " (seen";
  if (state == TcpState::TimeWait && reported->timer == ReportedState::Timer::TimeWait) {
    char timer[64];
    std::snprintf(timer, sizeof timer, "; the kernel's timer: %.1f s left",
                  static_cast<double>(reported->expires.count()) / 1000.0);
    text += timer;
  }
  return text + ")";
}

}  // namespace miniweb::browser::observe
