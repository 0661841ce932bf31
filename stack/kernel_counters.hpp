#pragma once
// The kernel's network counters of the reader's network namespace, as /proc/net/netstat
// (TcpExt, IpExt, ...) and /proc/net/snmp (Ip, Tcp, ...) print them: for each group, a line of
// names and a line of values, both starting with the group's name.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb::stack {

// "TcpExt.SyncookiesSent" -> 12.
using KernelCounters = std::map<std::string, std::uint64_t>;

// Adds the counters of one file's text to `counters`; an error when a group's lines do not
// pair up (a name line without its values, or counts that differ).
Status parse_kernel_counters(std::string_view text, KernelCounters& counters);

// /proc/thread-self/net/netstat and /proc/thread-self/net/snmp: the calling thread's namespace.
Result<KernelCounters> read_kernel_counters(
    const std::filesystem::path& net = "/proc/thread-self/net");

// The change of one counter; absent counters count as 0.
std::int64_t counter_change(const KernelCounters& before, const KernelCounters& after,
                            const std::string& name);

}  // namespace miniweb::stack
