#include "browser/net/tls_early_data.hpp"

#include <openssl/err.h>

namespace miniweb::browser {
namespace {

// Whether `protocol` is one of the space-separated names in `offered`.
bool offers(std::string_view offered, std::string_view protocol) {
  while (!offered.empty()) {
    const std::size_t space = offered.find(' ');
    if (offered.substr(0, space) == protocol) return true;
    if (space == std::string_view::npos) break;
    offered.remove_prefix(space + 1);
  }
  return false;
}

}  // namespace

void make_early_data(const SSL_SESSION* session, std::string_view offered, EarlyData& early) {
  early.allowed = SSL_SESSION_get_max_early_data(session);
  if (early.allowed == 0 || !early.make) return;
  const unsigned char* protocol = nullptr;
  std::size_t length = 0;
  SSL_SESSION_get0_alpn_selected(session, &protocol, &length);
  early.alpn.assign(reinterpret_cast<const char*>(protocol), length);
  // RFC 8446 section 4.2.10: early data goes in the protocol the session agreed, which this
  // ClientHello must offer again (--http1.1 offers no h2): OpenSSL refuses otherwise, and the
  // connection with it.
  if (!early.alpn.empty() && !offers(offered, early.alpn)) return;
  std::optional<std::string> bytes = early.make(early.alpn);
  if (!bytes || bytes->empty()) return;
  early.bytes = std::move(*bytes);
  if (early.bytes.size() > early.allowed) early.outcome = EarlyData::Outcome::Unsent;
}

void write_early_data(SSL* ssl, bool session_set, EarlyData& early, std::size_t step,
                      Trace& trace) {
  if (early.bytes.empty()) return;
  const std::string size = std::to_string(early.bytes.size()) + " bytes";
  if (early.outcome == EarlyData::Outcome::Unsent) {
    trace.detail(step, "early data: the first request's " + size + " are more than the " +
                           std::to_string(early.allowed) +
                           " the session allows: it goes after the handshake");
    return;
  }
  if (!session_set) {
    early.outcome = EarlyData::Outcome::Unsent;
    trace.detail(step, "early data: the first request's " + size +
                           " were made for a session OpenSSL would not offer: they go after the "
                           "handshake");
    return;
  }
  // A client's early data is its first I/O: OpenSSL writes the ClientHello, then the data. Into
  // memory of its own, for the caller to send: Asio's handshake writes only what its own calls
  // into OpenSSL add, so what is written here would wait in its buffer for ever.
  SSL_set_connect_state(ssl);
  BIO* memory = BIO_new(BIO_s_mem());
  BIO* asios = SSL_get_wbio(ssl);
  if (memory == nullptr || asios == nullptr || BIO_up_ref(asios) != 1) {
    BIO_free(memory);
    early.outcome = EarlyData::Outcome::Unsent;
    return;
  }
  SSL_set0_wbio(ssl, memory);  // the SSL object owns it now
  std::size_t written = 0;
  ERR_clear_error();
  const bool wrote =
      SSL_write_early_data(ssl, early.bytes.data(), early.bytes.size(), &written) == 1 &&
      written == early.bytes.size();
  char* flight = nullptr;
  const long flight_size = BIO_get_mem_data(memory, &flight);
  if (wrote && flight_size > 0)
    early.first_flight.assign(flight, static_cast<std::size_t>(flight_size));
  SSL_set0_wbio(ssl, asios);  // back to Asio's, with the reference taken above; frees `memory`
  if (!wrote || early.first_flight.empty()) {
    // The connection's TLS state is spent: its handshake fails, with OpenSSL's words.
    const unsigned long code = ERR_peek_last_error();
    early.failure = std::string("OpenSSL would not write the first request as early data") +
                    (code != 0 ? ": " + std::string(ERR_reason_error_string(code)
                                                        ? ERR_reason_error_string(code)
                                                        : "unknown reason")
                               : "");
    ERR_clear_error();
    early.outcome = EarlyData::Outcome::Failed;
    return;
  }
  early.outcome = EarlyData::Outcome::Sent;
  trace.detail(step, "early data (TLS 1.3 0-RTT): the first request's " + size + " (" +
                         (early.alpn.empty() ? std::string("no ALPN") : early.alpn) +
                         ", as the session agreed) written after the ClientHello, under the "
                         "session's key, " +
                         std::to_string(early.first_flight.size()) +
                         " bytes in all; the session allows " + std::to_string(early.allowed));
}

void note_early_data_outcome(SSL* ssl, EarlyData& early, std::size_t step, Trace& trace) {
  if (early.outcome != EarlyData::Outcome::Sent) return;
  if (SSL_get_early_data_status(ssl) == SSL_EARLY_DATA_ACCEPTED) {
    early.outcome = EarlyData::Outcome::Accepted;
    trace.detail(step,
                 "early data accepted (the server's EncryptedExtensions said so, as OpenSSL "
                 "reports): the server may answer the request before the browser's Finished "
                 "(--packets shows whether it did)");
    return;
  }
  early.outcome = EarlyData::Outcome::Rejected;
  trace.detail(step,
               "early data rejected by the server (TLS does not say why): the request goes "
               "again over the finished handshake");
}

}  // namespace miniweb::browser
