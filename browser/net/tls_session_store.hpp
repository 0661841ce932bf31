#pragma once
// TLS sessions kept for resumption (RFC 8446 section 2.2; RFC 5077 for TLS 1.2): what a server
// hands out once a handshake is done, so that the next connection to it skips the certificate
// (none is sent, none verified) and its signature, by a pre-shared key with a fresh (EC)DHE
// exchange. In memory for this run's connections and, with a profile folder, between runs, in
// tls-sessions.txt, readable by its owner only (a session is a secret: whoever holds it can
// resume it), as curl keeps them with --ssl-sessions. A browser started once per page, as this
// one is by `--dump`, resumes only through the profile.
//
// The session is kept without the server's certificate: decoding one builds OpenSSL's key
// decoders, 0.15 to 0.19 ms here before a resumed ClientHello could leave, and a resumed
// handshake has no certificate to check. What the store keeps of it instead, besides the
// session itself: when the handshake that
// verified its server ended, and what that verification and revocation check said, which a
// resumed connection's trace and page information repeat as such; and the trusted CA file it
// was verified against, by its path, size and modification time: a session verified against
// other roots is never offered (the user changed what they trust since). A session is offered
// once (RFC 8446 appendix C.4: a ticket reused would link the connections that use it), never
// past its lifetime, seven days after the full handshake that verified its server (section
// 4.6.1; a resumed connection's sessions carry that date on), nor past its certificate's
// notAfter, and only for the origin (scheme, host,
// port) whose server issued it. A damaged file is set aside: the next handshake is a full one.

#include <openssl/ssl.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::browser {

using SslSessionPtr = std::unique_ptr<SSL_SESSION, tls::OpenSslDeleter<SSL_SESSION_free>>;

// What the handshake that made a session established about its server, said again when it is
// resumed.
struct VerifiedServer {
  std::time_t verified_at = 0;       // when that handshake ended
  std::string verification;          // "OK, chain to ..., name ... matches"
  std::string revocation;            // "good, ..."
  std::string certificate;           // the server's own certificate, described
  std::time_t certificate_ends = 0;  // its notAfter
};

// The certificate's notAfter; 0 when there is none or it does not read.
std::time_t certificate_end(X509* certificate);

// A session's DER (OpenSSL's SSL_SESSION_ASN1, a SEQUENCE of its fields) without the server's
// certificate, its field [3]; unchanged when it has none or does not read as that SEQUENCE.
std::string without_peer_certificate(const std::string& der);

// The roots a session was verified against, as the store records them: the CA file's path, size
// and modification time; empty when the file cannot be read.
std::string trust_identity(const std::filesystem::path& ca_file);

class TlsSessionStore {
 public:
  // `profile_dir` empty: in memory only.
  explicit TlsSessionStore(std::filesystem::path profile_dir = {});

  // Reads the profile's file, once: a caller that would otherwise wait (for the TLS context)
  // does it first. No OpenSSL call: the sessions are decoded as they are taken. What was read
  // ("3 sessions of 2 origins read from ..."), when a file was.
  std::optional<std::string> read_profile();

  struct Offer {
    SslSessionPtr session;
    VerifiedServer server;
    std::time_t expires = 0;    // the session's lifetime ends
    bool from_profile = false;  // read from the profile's file (else made in this run)
  };

  // The newest session for `origin` ("https://host:port") that may be offered now to a server
  // verified against `ca_file`, taken out of the store; none when there is none. Sessions found
  // expired on the way are dropped.
  std::optional<Offer> take(const std::string& origin, const std::filesystem::path& ca_file,
                            std::time_t now);
  // A session the server of `origin` issued on a connection whose certificate was verified
  // against `ca_file`, as `server` says. The two newest of each origin and roots are kept.
  void keep(const std::string& origin, SSL_SESSION* session, const std::filesystem::path& ca_file,
            const VerifiedServer& server);

  // One session as the store keeps it.
  struct Kept {
    std::string der;    // i2d_SSL_SESSION
    std::string trust;  // the CA file's identity (trust_identity)
    std::time_t expires = 0;
    VerifiedServer server;
    bool from_profile = false;
  };
  // What the profile's file is to hold, copied out of the store, so that another thread can
  // write it while this one goes on (write()).
  struct Snapshot {
    std::filesystem::path file;
    std::map<std::string, std::vector<Kept>> by_origin;  // newest last
  };

  // The profile's file written when what it should hold changed since it was read or written:
  // what was written ("2 sessions of 1 origin written to ..."), or why not; none when nothing
  // changed or there is no profile.
  std::optional<std::string> save();
  // Whether save() would write.
  bool to_save() const { return !file_.empty() && changed_; }
  // save() in two halves: what to write, taken when to_save() (the store counts as saved from
  // then on); then written, on any thread: what save() says of it.
  std::optional<Snapshot> take_snapshot();
  static std::string write(const Snapshot& snapshot);
  // What reading the file found wrong, once (for the trace); empty when nothing was.
  std::string take_load_problem();

  // The file's name in a profile folder (its format: tls_session_file.hpp), and the name of the
  // JSON file earlier versions kept, removed when this one is not there yet.
  static constexpr const char* kFileName = "tls-sessions.txt";
  static constexpr const char* kFormerFileName = "tls-sessions.json";

 private:
  void load_once();

  std::filesystem::path file_;
  bool loaded_ = false;
  bool changed_ = false;
  std::string load_problem_;
  std::map<std::string, std::vector<Kept>> by_origin_;  // newest last
};

}  // namespace miniweb::browser
