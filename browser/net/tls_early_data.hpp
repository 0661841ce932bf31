#pragma once
// TLS 1.3 early data (RFC 8446 section 2.3), the browser's side: a handshake that offers a
// session whose ticket allows it sends the connection's first request with its ClientHello,
// and the server answers it with its own first flight, a round trip sooner. Only a safe request
// goes so (RFC 8470 section 4: a GET, which a replay cannot make do anything twice), and only
// in the protocol the session agreed by ALPN, which the server must agree again to accept it.
// What became of it is OpenSSL's word after the handshake (SSL_get_early_data_status): accepted,
// or rejected, when the caller sends the same bytes again over the finished handshake.

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "browser/trace.hpp"

namespace miniweb::browser {

struct EarlyData {
  // Given the ALPN protocol the offered session agreed ("h2", "http/1.1", "" for none), the
  // bytes of the first request in that protocol, or none to send nothing early.
  std::function<std::optional<std::string>(std::string_view alpn)> make;

  enum class Outcome {
    NotMade,   // no session that allows it, or `make` gave nothing
    Unsent,    // made but not sent early (more than the session allows): to send after
    Sent,      // with the ClientHello; the handshake's end tells the rest
    Accepted,  // the server read them: their answer follows its first flight
    Rejected,  // the server skipped them: to send again over the finished handshake
    Failed,    // OpenSSL would not write them (`failure`): the connection is unusable
  };
  Outcome outcome = Outcome::NotMade;
  std::string bytes;          // what `make` gave
  std::string alpn;           // the protocol the session agreed, given to `make`
  std::uint32_t allowed = 0;  // the most the session allows (SSL_SESSION_get_max_early_data)
  std::string first_flight;   // Sent: the ClientHello and the early data, for the caller to send
  std::string failure;        // Failed: why
};

// Before the handshake, with no TLS state yet (it needs none: the load makes it while the TLS
// context is still being made): the first request's bytes, into early.bytes, for early data
// with `session`, when the session allows early data and agreed a protocol among the `offered`
// ALPN names (space-separated: "h2 http/1.1"). Made but more than the session allows: Unsent,
// to go after the handshake.
void make_early_data(const SSL_SESSION* session, std::string_view offered, EarlyData& early);

// Before the handshake of `ssl` (a client), once make_early_data made bytes: has OpenSSL write
// the ClientHello and them, into early.first_flight, which the caller sends before the handshake
// goes on. `session_set`: the session they were made for is set on `ssl` (when OpenSSL would not
// take it, they go after the handshake, Unsent). Says so in the trace's `step`.
void write_early_data(SSL* ssl, bool session_set, EarlyData& early, std::size_t step, Trace& trace);

// After a handshake that sent early data: the server's verdict, into `early` and the trace.
void note_early_data_outcome(SSL* ssl, EarlyData& early, std::size_t step, Trace& trace);

}  // namespace miniweb::browser
