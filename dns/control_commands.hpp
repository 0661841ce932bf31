#pragma once
// The resolver's control commands, as unbound-control's: one line in, one line out, a line a
// person can type (`socat - UNIX-CONNECT:PATH`). The socket that carries them is
// control_server.hpp; the client is control_client.hpp.
//
//   flush NAME        forget everything cached at NAME: every type, positive and negative
//   flush_zone NAME   forget NAME and everything below it
//   flush_all         forget everything, zone cuts (NS and glue) included: the next question
//                     primes the root and walks down from it again
//   stats             entries, hits, misses, queries sent upstream
//   dump NAME         what is cached at NAME, with TTLs and ranks
//   help              the commands
//
// Every reply is one line: "ok, ..." or "error: ...".

#include <cstddef>
#include <string>
#include <string_view>

#include "dns/resolver.hpp"
#include "shared/dns/name.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

enum class ControlVerb { kFlush, kFlushZone, kFlushAll, kStats, kDump, kHelp };

struct ControlCommand {
  ControlVerb verb = ControlVerb::kHelp;
  Name name;  // for the verbs that take one
};

// Reads one line (without its newline; a trailing CR is allowed). The error says what is wrong
// with it in words a person can act on.
Result<ControlCommand> parse_control_command(std::string_view line);

// Carries a command out on the resolver (on the resolver's executor) and says what it did.
std::string run_control_command(Resolver& resolver, const ControlCommand& command);

// Both: the reply line, without its newline, to a line a peer sent.
std::string answer_control_line(Resolver& resolver, std::string_view line);

}  // namespace miniweb::dns
