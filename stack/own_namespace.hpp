#pragma once
// A network namespace of this process's own, for experiments that change the kernel's TCP
// settings and send spoofed packets: the host's namespace, its sysctls and its interfaces are
// never touched. Also the few changes an experiment makes inside it, by rtnetlink (RFC 3549)
// and /proc/sys.

#include <cstdint>
#include <optional>
#include <string>

#include "shared/result.hpp"
#include "stack/links.hpp"  // Address

namespace miniweb::stack {

enum class NamespaceWay {
  NetworkOnly,    // root: unshare(CLONE_NEWNET)
  UserAndNetwork  // without root: a user namespace (this user mapped to itself), then one
};

struct OwnNamespace {
  NamespaceWay way = NamespaceWay::NetworkOnly;
  std::uint64_t inode = 0;                  // /proc/thread-self/ns/net after
  std::uint64_t started_in = 0;             // before
  std::optional<std::uint64_t> pid1_inode;  // init's, when this process may read it
  long tcp_hash_buckets = 0;  // tcp_ehash_entries: negative when shared with the host's
};

// Moves the calling thread (which must be the only one: a user namespace demands it) into a
// new network namespace. Refuses, with an error, when the namespace it ends up in is the one
// it started in or init's. With `tcp_hash_buckets`, and a kernel that has
// tcp_child_ehash_entries (6.1), the namespace gets a TCP hash table of its own that size: a
// namespace made inside a first one that asks for it. Walking the host's table (sock_diag
// does, for the request sockets) can take milliseconds.
Result<OwnNamespace> enter_own_network_namespace(unsigned tcp_hash_buckets = 0);

// "net/ipv4/tcp_syncookies" under /proc/sys, of the calling thread's network namespace.
Result<std::string> read_sysctl(const std::string& name);
Status write_sysctl(const std::string& name, const std::string& value);

// rtnetlink: an interface up, an address on an interface, a route to a network out of one.
Status bring_interface_up(const std::string& interface);
Status add_address(const std::string& interface, Address address, unsigned prefix_length);
Status add_route(Address network, unsigned prefix_length, const std::string& interface);

}  // namespace miniweb::stack
