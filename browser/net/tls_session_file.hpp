#pragma once
// The profile's file of TLS sessions (tls_session_store.hpp), as text: a header line naming the
// format, then one session a line, its fields separated by tabs, in this order:
//   origin  expires  verified_at  certificate_ends  session  trust  verification  revocation
//   certificate
// the three times in seconds since the epoch, the session as base64url DER (without the
// server's certificate), the rest as the store keeps them, with backslash, tab, newline and
// carriage return written \\ \t \n \r (a server's certificate names may hold any of them).
// Lines of one origin keep their order: the newest last. Lines that begin with # are comments.
//
// A warm load reads this file before its ClientHello and writes it while its connection
// closes. In JSON through nlohmann-json, the read was 0.04 to 0.05 ms of the load's thread
// (the parser's code run for the first time in the process) and the write 0.03 more beside
// the parse; split on tabs, each is a few microseconds. curl keeps its --ssl-sessions the same
// way, one line a session.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "browser/net/tls_session_store.hpp"

namespace miniweb::browser {

using SessionsByOrigin = std::map<std::string, std::vector<TlsSessionStore::Kept>>;

// The file's text for these sessions.
std::string sessions_file_text(const SessionsByOrigin& by_origin);

struct SessionsFileRead {
  bool is_session_file = false;  // its first line is the header
  SessionsByOrigin by_origin;    // the lines that read whole, marked from_profile
  std::size_t damaged = 0;       // lines that did not
};
// What `text` holds. A line is damaged when a field is missing, extra or unreadable (a time
// that is not a number, a session that is not base64url, an unknown escape), or when what the
// store needs of a session is empty: its bytes, the roots' identity, the verification, the
// times it expires and its certificate ends.
SessionsFileRead read_sessions_file(std::string_view text);

}  // namespace miniweb::browser
