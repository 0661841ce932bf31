#pragma once
// The conditions of every link of the demo internet under a network profile: one-way delay,
// jitter, loss and rate per (source address, destination address), made from the description's
// [[link]] distances and read back by the link emulator from a plain text file.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/result.hpp"
#include "stack/topology.hpp"

namespace miniweb::stack {

// ./miniweb up --network PROFILE (issue 15's table; the distances are round trips).
enum class NetworkProfile {
  Loopback,   // today's loopback, no emulator at all
  Lan,        // 1 ms everywhere
  Broadband,  // the description's distances, 0.1% loss
  Mobile,     // broadband plus 60 ms, 1% loss, ±20 ms jitter and 10 Mbit/s on the browser's links
  Lossy,      // broadband's distances, 5% loss
};

std::optional<NetworkProfile> parse_network_profile(std::string_view name);

// One direction of a link. A packet waits `delay` plus a uniform draw in [-jitter, +jitter]
// (never less than nothing), after the packets before it on the link have been sent at `rate`.
struct LinkConditions {
  std::chrono::microseconds delay{0};
  std::chrono::microseconds jitter{0};
  double loss = 0;                         // probability, 0 to 1
  std::uint64_t rate_bits_per_second = 0;  // 0: no limit

  bool operator==(const LinkConditions&) const = default;
};

// IPv4 addresses in host byte order.
using Address = std::uint32_t;
using LinkKey = std::pair<Address, Address>;  // (source, destination)

inline constexpr Address kBrowserAddress = 0x7f000001;  // 127.0.0.1

// The faults an experiment asks for (./miniweb experiment): one kind of packet on a link, the
// first `skip` of them let through, the next `count` dropped, the rest let through again.
enum class FaultKind {
  Syn,       // a SYN without ACK: a connection's first segment (or its retransmission)
  SynAck,    // the server's SYN-ACK
  ThirdAck,  // the client's ACK of the SYN-ACK, carrying no data: the handshake's third segment
  Data,      // a TCP segment that carries data
  DnsQuery,  // a UDP datagram holding a DNS message with QR clear: a question
};

std::optional<FaultKind> parse_fault_kind(std::string_view name);
std::string_view fault_kind_name(FaultKind kind);  // "syn", "syn-ack", "third-ack", ...

struct LinkFault {
  FaultKind kind = FaultKind::Syn;
  std::optional<Address> from;  // nothing: any source
  std::optional<Address> to;    // nothing: any destination
  unsigned skip = 0;            // matching packets let through first
  unsigned count = 1;           // then this many dropped

  bool operator==(const LinkFault&) const = default;
};

// What a box on the path does to the packets it lets through (./miniweb experiment tamper,
// impersonate): it changes their bytes instead of dropping them. Lines of the link table:
//   rewrite FROM TO OLD NEW      every OLD in a TCP payload from FROM to TO becomes NEW (the same
//                                length, so that TCP's sequence numbers stay true)
//   corrupt FROM TO SKIP COUNT   TCP segments from FROM to TO that begin with a TLS
//                                application_data record: after SKIP, COUNT get one byte of that
//                                record's ciphertext changed (the word is not there to rewrite)
//   spoof-dns NAME ADDRESS FROM TO  DNS answers (UDP) from FROM to TO: each A record for NAME
//                                says ADDRESS instead
// Checksums are computed again, so the receiver's kernel takes the packet as sent.
enum class TamperKind { Rewrite, Corrupt, SpoofDns };

struct LinkTamper {
  TamperKind kind = TamperKind::Rewrite;
  std::optional<Address> from;  // nothing: any source
  std::optional<Address> to;    // nothing: any destination
  std::string old_bytes;        // Rewrite
  std::string new_bytes;        // Rewrite: as long as old_bytes
  unsigned skip = 0;            // Corrupt
  unsigned count = 1;           // Corrupt
  std::string name;             // SpoofDns: the name whose A records are answered falsely
  Address address = 0;          // SpoofDns: the address they say instead

  bool operator==(const LinkTamper&) const = default;
};

struct LinkTable {
  LinkConditions fallback;  // pairs of addresses the table does not name
  std::map<LinkKey, LinkConditions> links;
  std::vector<LinkFault> faults;
  std::vector<LinkTamper> tampers;

  const LinkConditions& find(Address from, Address to) const;
};

// The table for a profile; Loopback gives an empty table with no delay.
Result<LinkTable> make_link_table(const Topology& topology, const std::string& net,
                                  NetworkProfile profile);

// The emulator's file: "* * DELAY_US JITTER_US LOSS RATE_BPS" for the fallback, then one
// "FROM TO DELAY_US JITTER_US LOSS RATE_BPS" line per directed link, addresses dotted; then the
// faults ("drop ...") and the tampering ("rewrite ...", "corrupt ...", "spoof-dns ...").
std::string link_table_text(const LinkTable& table);
Result<LinkTable> parse_link_table(std::string_view text);

std::string address_text(Address address);
std::optional<Address> parse_address(std::string_view text);

}  // namespace miniweb::stack
