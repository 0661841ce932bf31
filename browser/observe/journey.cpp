#include "browser/observe/journey.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "browser/observe/connection_ladder.hpp"
#include "browser/observe/endpoints.hpp"
#include "browser/observe/ladder_hosts.hpp"
#include "browser/packets/dns_summary.hpp"
#include "browser/packets/frame_decoder.hpp"
#include "browser/packets/tcp_streams.hpp"
#include "shared/dns/message.hpp"

namespace miniweb::browser::observe {
namespace {

using packets::Packet;

std::int64_t micros(const packets::CaptureTime& time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// What a captured packet is to this load.
enum class Role { None, OwnDns, ResolverDns, OwnTcp };

struct Classified {
  std::size_t frame = 0;
  Packet packet;
  Role role = Role::None;
  std::size_t connection = 0;  // OwnTcp: index into ObservedLoad::connections
  bool from_browser = false;   // OwnDns, OwnTcp
};

class JourneyReader {
 public:
  JourneyReader(const ObservedLoad& observed, const Trace& trace)
      : observed_(observed), trace_(trace), drops_(observed.link_drops) {}

  Journey read() {
    journey_.captured = observed_.capture.frames.size();
    if (!observed_.capture_error.empty()) {
      journey_.capture_error = observed_.capture_error;
      return std::move(journey_);
    }
    if (observed_.capture.dropped_by_limits)
      journey_.notes.push_back(std::to_string(observed_.capture.dropped_by_limits) +
                               " frames past the capture's bound were not kept: the ladder "
                               "stops where the capture did");
    if (observed_.capture.dropped_by_kernel)
      journey_.notes.push_back(std::to_string(observed_.capture.dropped_by_kernel) +
                               " frames dropped by the kernel before libpcap read them");
    if (!observed_.state_error.empty())
      journey_.notes.push_back("no kernel states: " + observed_.state_error);
    classify();
    if (unreadable_)
      journey_.notes.push_back(std::to_string(unreadable_) +
                               (unreadable_ == 1 ? " frame" : " frames") +
                               " the decoders could not read: " + first_unreadable_);
    if (selected_.empty()) {
      // What the browser reported of its own sockets says which: nothing went out, or what went
      // out was not matched (a connection that failed to open is not reported).
      const std::size_t questions = observed_.own_dns.size();
      const std::size_t connections = observed_.connections.size();
      journey_.notes.push_back(
          questions + connections == 0
              ? "no packet of this load was captured: it asked no DNS question and made no "
                "connection (a connection that failed to open is not matched)"
              : "no captured packet matched this load's " + std::to_string(questions) +
                    " DNS question(s) and " + std::to_string(connections) + " connection(s)");
      return std::move(journey_);
    }
    origin_us_ = micros(selected_.front().packet.time);
    hosts_.add_browser(browser_address());
    if (observed_.resolver) hosts_.add(observed_.resolver->address().to_string(), "resolver");
    for (const OwnConnection& connection : observed_.connections)
      hosts_.name(connection.end.remote.address().to_string(), connection.host);
    find_answers();
    for (const Classified& item : selected_) rows_for(item);
    said_unanswered();
    for (auto& [index, ladder] : connections_) ladder.finish(journey_.notes);
    journey_.hosts = hosts_.finish();
    steps();
    return std::move(journey_);
  }

 private:
  void classify() {
    const auto& frames = observed_.capture.frames;
    std::set<std::uint16_t> own_dns_ports;
    for (const auto& local : observed_.own_dns) own_dns_ports.insert(local.port());
    std::vector<Classified> resolver_side;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      Classified item;
      item.frame = i;
      item.packet =
          packets::decode_frame(observed_.capture.link_type, bytes_of(frames[i].bytes),
                                packets::CaptureTime(std::chrono::microseconds(frames[i].time_us)),
                                frames[i].wire_length);
      const Packet& packet = item.packet;
      if (packet.transport != packets::Transport::Udp && !packet.is_tcp()) {
        // The filter passed it as TCP or UDP of the stack's addresses: it is said, not dropped
        // in silence.
        if (packet.problem) {
          if (unreadable_++ == 0) first_unreadable_ = packet.problem->to_string();
        }
        continue;
      }
      if (classify_tcp(item)) {
        selected_.push_back(std::move(item));
        continue;
      }
      if (!observed_.resolver) continue;
      const auto& resolver = *observed_.resolver;
      if (same_endpoint(packet.destination, resolver) && own_dns_ports.count(packet.source.port)) {
        item.role = Role::OwnDns;
        item.from_browser = true;
      } else if (same_endpoint(packet.source, resolver) &&
                 own_dns_ports.count(packet.destination.port)) {
        item.role = Role::OwnDns;
      } else if (upstream(packet.source, packet.destination) ||
                 upstream(packet.destination, packet.source)) {
        item.role = Role::ResolverDns;
      } else {
        continue;
      }
      selected_.push_back(std::move(item));
    }
    // The resolver's own questions belong to this load while the browser waits for an answer:
    // between its first question and its last answer.
    std::int64_t first = -1, last = -1;
    for (const Classified& item : selected_)
      if (item.role == Role::OwnDns) {
        const std::int64_t at = micros(item.packet.time);
        if (first < 0) first = at;
        last = at;
      }
    std::erase_if(selected_, [&](const Classified& item) {
      if (item.role != Role::ResolverDns) return false;
      const std::int64_t at = micros(item.packet.time);
      return first < 0 || at < first || at > last;
    });
    for (const Classified& item : selected_) journey_.frames.push_back(item.frame);
  }

  // The resolver asking a name server: from its address (not its listening port) to a DNS port.
  bool upstream(const packets::Endpoint& from, const packets::Endpoint& to) const {
    const auto& resolver = *observed_.resolver;
    return same_address(from.address, resolver.address()) && from.port != resolver.port() &&
           to.port == resolver.port() && !same_address(to.address, resolver.address());
  }

  bool classify_tcp(Classified& item) const {
    if (!item.packet.is_tcp()) return false;
    const auto& connections = observed_.connections;
    for (std::size_t c = 0; c < connections.size(); ++c) {
      const SocketEnd& end = connections[c].end;
      if (same_endpoint(item.packet.source, end.local) &&
          same_endpoint(item.packet.destination, end.remote)) {
        item.role = Role::OwnTcp;
        item.connection = c;
        item.from_browser = true;
        return true;
      }
      if (same_endpoint(item.packet.source, end.remote) &&
          same_endpoint(item.packet.destination, end.local)) {
        item.role = Role::OwnTcp;
        item.connection = c;
        return true;
      }
    }
    return false;
  }

  std::string browser_address() const {
    for (const Classified& item : selected_)
      if (item.role == Role::OwnDns || item.role == Role::OwnTcp)
        return (item.from_browser ? item.packet.source : item.packet.destination)
            .address.to_string();
    return "127.0.0.1";
  }

  void rows_for(const Classified& item) {
    const Packet& packet = item.packet;
    LadderRow row;
    row.time_us = micros(packet.time) - origin_us_;
    row.from = hosts_.column(packet.source.address.to_string());
    row.to = hosts_.column(packet.destination.address.to_string());
    std::optional<LinkDrop> drop = drops_.take(packet);
    if (drop && drop->changed) {
      // Captured as its sender sent it; the emulator changed it on the receiving side.
      row.details.push_back("✎ changed on the way by the link emulator (" + drop->why +
                            "): the capture shows it as sent, its receiver got it changed");
    } else if (drop) {
      // Captured as it left; the emulator took it on the receiving side.
      row.lost = true;
      row.details.push_back("✗ lost: dropped by the link emulator (" + drop->why +
                            "); it never arrived");
    }
    if (packet.problem)
      journey_.notes.push_back("packet at " + format_ms(row.time_us) + ": " +
                               packet.problem->to_string());
    if (item.role == Role::OwnTcp) {
      ConnectionLadder& ladder = connection(item.connection);
      ladder.add(packet, row, row.lost);
      journey_.rows.push_back(std::move(row));
      return;
    }
    if (packet.is_tcp()) {
      dns_over_tcp(packet, row);
    } else {
      row.text = "UDP " + std::to_string(packet.payload_length) + " bytes";
      auto summary = packets::summarize_dns(packet.payload);
      std::optional<dns::Message> message;
      if (summary) {
        row.text = "DNS " + summary->to_string() + ", UDP";
        message = learn_names(packet.payload);
        if (message && item.role == Role::ResolverDns) asked_again(packet, *message, row);
      } else {
        row.details.push_back("not a DNS message the decoder reads: " + summary.error().message);
      }
      if (item.role == Role::OwnDns && message) own_dns_row(item, *message, row);
    }
    journey_.rows.push_back(std::move(row));
  }

  // The resolver over TCP (after a truncated answer): the segment, then the messages it
  // completed.
  void dns_over_tcp(const Packet& packet, LadderRow& row) {
    row.text = tcp_segment_text(packet);
    auto added = dns_streams_.add(packet, 0);
    if (!added) return;
    for (const packets::StreamBytes& bytes : added->result.delivered) {
      auto& splitter = dns_splitters_[added->key];
      for (const packets::DnsTcpMessage& message : splitter.feed(bytes.offset, bytes.bytes)) {
        auto summary = packets::summarize_dns(message.message);
        row.details.push_back(summary ? "DNS " + summary->to_string() + ", TCP"
                                      : "DNS over TCP, unreadable: " + summary.error().message);
        if (summary) learn_names(message.message);
      }
    }
  }

  // The resolver's questions upstream and their answers: a question that went unanswered (lost,
  // or the server was slow) is said where the resolver asks the same question again. The
  // resolver has several questions out at once (a name's address and HTTPS record are looked
  // up side by side), so a different question in between says nothing of it; one never asked
  // again is said on its own row once the capture is read (said_unanswered).
  void asked_again(const Packet& packet, const dns::Message& message, LadderRow& row) {
    const std::string address =
        (message.qr ? packet.source : packet.destination).address.to_string();
    const auto key = std::make_pair(address, message.id);
    if (message.qr || message.questions.empty()) return;
    const std::string question = message.questions.front().name.to_string() + " " +
                                 dns::type_to_string(message.questions.front().type);
    const std::int64_t at = micros(packet.time);
    for (auto it = unanswered_.begin(); it != unanswered_.end();) {
      if (it->second.question != question) {
        ++it;
        continue;
      }
      row.details.push_back("the same question again, " + format_ms(at - it->second.when) +
                            " after it was asked of " +
                            hosts_.name_of(it->first.first, it->first.first) +
                            ", which never answered it (none in the capture)");
      it = unanswered_.erase(it);
    }
    // This row is the next one added.
    if (!answered_.count(key)) unanswered_[key] = {at, question, journey_.rows.size()};
  }

  // The questions the resolver never had answered and never asked again: it went on without.
  void said_unanswered() {
    for (const auto& [asked, unanswered] : unanswered_)
      journey_.rows[unanswered.row].details.push_back(
          hosts_.name_of(asked.first, asked.first) +
          " never answered it (none in the capture), and the resolver did not ask it again");
    unanswered_.clear();
  }

  // Every (name server, ID) that answered the resolver in the capture.
  void find_answers() {
    for (const Classified& item : selected_)
      if (item.role == Role::ResolverDns && !item.packet.is_tcp())
        if (auto header = dns::Message::decode_header(item.packet.payload); header && header->qr)
          answered_.insert({item.packet.source.address.to_string(), header->id});
  }

  // The browser's question and the resolver's answer: did the resolver ask anyone in between?
  void own_dns_row(const Classified& item, const dns::Message& message, LadderRow& row) {
    const std::int64_t at = micros(item.packet.time);
    const std::uint16_t port =
        item.from_browser ? item.packet.source.port : item.packet.destination.port;
    const auto key = std::make_pair(port, message.id);
    if (item.from_browser) {
      questions_[key] = at;
      return;
    }
    auto asked = questions_.find(key);
    if (asked == questions_.end()) return;
    // What the resolver sent while this question waited: each UDP datagram that is a query
    // (QR clear), and each TCP connection it opened (its SYN) for an answer too big for UDP.
    // A lookup running beside this one (the HTTPS record's, beside the address's) shares the
    // window, and the line says so.
    std::size_t questions = 0, over_tcp = 0;
    std::set<std::string> servers;
    for (const Classified& other : selected_) {
      const std::int64_t when = micros(other.packet.time);
      if (other.role != Role::ResolverDns || when < asked->second || when > at ||
          !same_address(other.packet.source.address, observed_.resolver->address()))
        continue;
      const Packet& sent = other.packet;
      if (sent.is_tcp()) {
        if (!sent.tcp->has(packets::tcp_flag::Syn) || sent.tcp->has(packets::tcp_flag::Ack))
          continue;
        ++over_tcp;
      } else {
        const auto header = dns::Message::decode_header(sent.payload);
        if (!header || header->qr) continue;
        ++questions;
      }
      servers.insert(sent.destination.address.to_string());
    }
    if (questions + over_tcp == 0) {
      row.details.push_back(
          "from the resolver's cache: it asked no name server (none in the capture)" +
          (message.answers.empty()
               ? std::string()
               : "; TTL left " + std::to_string(message.answers.front().ttl) + " s"));
    } else {
      row.details.push_back("while it waited, the resolver sent " + std::to_string(questions) +
                            (questions == 1 ? " question" : " questions") +
                            (over_tcp ? " and opened " + std::to_string(over_tcp) +
                                            " TCP connection" + (over_tcp == 1 ? "" : "s")
                                      : "") +
                            " to " + std::to_string(servers.size()) +
                            (servers.size() == 1 ? " name server" : " name servers") +
                            " before answering (a lookup beside this one counts too)");
    }
  }

  // Names for the columns, from the glue and answers that passed: a name server's address
  // comes with its name in the referral that names it. The message, decoded.
  std::optional<dns::Message> learn_names(std::span<const std::uint8_t> payload) {
    auto message = dns::Message::decode(payload);
    if (!message) return std::nullopt;
    for (const auto* section : {&message->answers, &message->additional, &message->authority})
      for (const dns::ResourceRecord& record : *section)
        if (record.type == dns::type::A || record.type == dns::type::AAAA)
          hosts_.learn(record.rdata_to_string(), record.name.to_string());
    return std::move(*message);
  }

  ConnectionLadder& connection(std::size_t index) {
    auto found = connections_.find(index);
    if (found != connections_.end()) return found->second;
    const OwnConnection& own = observed_.connections[index];
    auto tls = observed_.tls.find(own.number);
    std::vector<HttpSeen> http;
    for (const HttpSeen& seen : observed_.http)
      if (seen.connection == own.number) http.push_back(seen);
    std::vector<Http2FrameSeen> frames;
    for (const Http2FrameSeen& frame : observed_.http2)
      if (frame.connection == own.number) frames.push_back(frame);
    std::vector<StateSample> states;
    for (const StateSample& sample : observed_.states)
      if (sample.reported.end == own.end ||
          sample.reported.end == SocketEnd{own.end.remote, own.end.local})
        states.push_back(sample);
    return connections_
        .emplace(index, ConnectionLadder(own, tls != observed_.tls.end() ? &tls->second : nullptr,
                                         std::move(http), std::move(frames), std::move(states)))
        .first->second;
  }

  // The seed's steps, timed by the packets of the first connection and the DNS before it.
  void steps() {
    if (connections_.empty()) return;
    const ConnectionLadder& first = connections_.begin()->second;
    const ConnectionTimes& times = first.times();
    std::int64_t dns_first = -1, dns_last = -1;
    for (const Classified& item : selected_)
      if (item.role == Role::OwnDns &&
          (!times.syn || micros(item.packet.time) - origin_us_ <= *times.syn)) {
        const std::int64_t at = micros(item.packet.time) - origin_us_;
        if (dns_first < 0) dns_first = at;
        dns_last = at;
      }
    auto add = [&](std::string name, std::optional<std::int64_t> from,
                   std::optional<std::int64_t> to, std::string how) {
      if (from && to && *to >= *from)
        journey_.steps.push_back(JourneyStep{std::move(name), *to - *from, std::move(how)});
    };
    if (dns_first >= 0)
      add("resolution", dns_first, dns_last, "the browser's first question to the answer");
    add("connection", times.syn, times.handshake_ack, "SYN to the third segment, the ACK");
    std::string tls_how = "ClientHello to the segment with the browser's Finished";
    if (times.early_data_refused)
      tls_how += " (the request went with the ClientHello as early data, which the server refused)";
    else if (times.early_data)
      tls_how += " (the request went with the ClientHello, as early data)";
    add("TLS", times.client_hello, times.client_finished, std::move(tls_how));
    add("request", times.request_first, times.request_last, "the request's segments");
    add("server", times.request_last, times.response_first,
        "the request's last segment to the response's first");
    add("response", times.response_first, times.response_last, "the response's segments");
    add("close", times.first_fin, times.last_segment, "the first FIN to the last segment");
    for (const Trace::Step& step : trace_.steps())
      if (step.phase == "parse" || step.phase == "layout")
        journey_.steps.push_back(JourneyStep{
            step.phase,
            std::chrono::duration_cast<std::chrono::microseconds>(step.duration).count(),
            "timed by the browser"});
  }

  const ObservedLoad& observed_;
  const Trace& trace_;
  Journey journey_;
  std::vector<Classified> selected_;
  std::size_t unreadable_ = 0;
  std::string first_unreadable_;
  std::int64_t origin_us_ = 0;
  LadderHosts hosts_;
  std::map<std::size_t, ConnectionLadder> connections_;
  packets::TcpStreams dns_streams_;
  std::map<packets::FlowKey, packets::DnsTcpSplitter> dns_splitters_;
  std::map<std::pair<std::uint16_t, std::uint16_t>, std::int64_t> questions_;
  std::set<std::pair<std::string, std::uint16_t>> answered_;
  // The resolver's questions upstream not answered (yet), by (server, ID).
  struct Unanswered {
    std::int64_t when;     // microseconds, as the capture's times
    std::string question;  // "www.example.test. A"
    std::size_t row;       // its row in journey_.rows
  };
  std::map<std::pair<std::string, std::uint16_t>, Unanswered> unanswered_;
  LinkDropMatcher drops_;
};

}  // namespace

Journey read_journey(const ObservedLoad& observed, const Trace& trace) {
  return JourneyReader(observed, trace).read();
}

}  // namespace miniweb::browser::observe
