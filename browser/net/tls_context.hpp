#pragma once
// The browser's TLS client context, and OpenSSL's own tables behind a handshake. OpenSSL 3
// builds its tables of algorithms lazily, each kind (ciphers, key exchanges, signatures, key
// derivations, decoders) at its first use: about 1.5 ms for the context and as much again
// inside the first handshake, on this team's machine. A page load over https starts building
// all of it on a thread of its own as the browser starts (prepare_client_context), while the
// profile is read, the name resolved and the TCP connection made; the first handshake takes
// the result, waiting only for what is not done yet. The part no option decides begins even
// earlier, before the options are read (ContextHeadStart).

#include <asio/ssl.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::browser {

enum class HttpVersions;

using ClientContext = Result<std::unique_ptr<asio::ssl::context>>;

// The part of a client context that no option decides, begun as the program starts: OpenSSL's
// module loaded (its relocations) and an empty TLS client context made, which builds OpenSSL's
// tables of ciphers and digests: 2 to 2.5 ms on this team's machine, which without it began
// only once the options and the profile were read, 0.3 to 1.8 ms later (the trace's context
// step says how much earlier, each load: its clock starts with the load). It begins only when
// one of the program's arguments is an https URL (as a browser preconnects to what the address
// bar holds before Enter is pressed); build_client_context takes it. One not taken is waited
// for and freed by the destructor.
class ContextHeadStart {
 public:
  ContextHeadStart(int argc, char** argv);
  ContextHeadStart(const ContextHeadStart&) = delete;
  ContextHeadStart& operator=(const ContextHeadStart&) = delete;
  ~ContextHeadStart();

  // The context made, once it is (waiting for it); null when none was begun, or once taken.
  tls::SslCtxPtr take();
  // When it began; none when it did not.
  std::optional<std::chrono::steady_clock::time_point> began() const { return began_; }

 private:
  std::mutex mutex_;
  std::future<tls::SslCtxPtr> made_;
  std::optional<std::chrono::steady_clock::time_point> began_;
};

// A context that trusts only `ca_file` (PEM), TLS 1.2 at least, verifying the peer, offering
// `versions` by ALPN: `head_start`'s when it has one, else made here. Then the algorithms of
// a TLS 1.3 handshake with the stack's servers are used once (an X25519 key share, the root's
// own ECDSA signature checked with SHA-256, the TLS 1.3 key derivation and HMAC), so that the
// handshake finds OpenSSL's tables built.
ClientContext build_client_context(const std::filesystem::path& ca_file, HttpVersions versions,
                                   ContextHeadStart* head_start = nullptr);

// build_client_context on a thread of its own; the future's destructor waits for it.
// `head_start` (may be null) outlives it.
std::future<ClientContext> prepare_client_context(const std::filesystem::path& ca_file,
                                                  HttpVersions versions,
                                                  ContextHeadStart* head_start = nullptr);

}  // namespace miniweb::browser
