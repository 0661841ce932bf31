#pragma once
// The browser's TLS client context, and OpenSSL's own tables behind a handshake. OpenSSL 3
// builds its tables of algorithms lazily, each kind (ciphers, key exchanges, signatures, key
// derivations, decoders) at its first use: about 1.5 ms for the context and as much again
// inside the first handshake, on this team's machine. A page load over https begins the
// context as the browser starts, on a thread of its own (ContextHeadStart), while the options
// and the profile are read, the name resolved and the TCP connection made; the load's own
// thread sets it up once its connection is up (a load with no head start builds it on a thread
// of its own: prepare_client_context). The trusted roots, and the tables the server's answer
// needs, are read by the head start's thread once it has made the context, when the load is not
// yet waiting for it (ContextHeadStart::trust_ahead); else they wait for the first handshake, which
// reads them once its ClientHello is on its way, while the server works on its answer
// (finish_client_context).
// OpenSSL never builds its tables on two threads at once: measured here, two threads building
// them together took 10.5 to 12.2 ms, against 2.7 to 3.0 ms one after the other (their locks,
// handed between CPUs).

#include <asio/ssl.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include "shared/beside_thread.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"
#include "shared/work_queue.hpp"

namespace miniweb::browser {

enum class HttpVersions;

using ClientContext = Result<std::unique_ptr<asio::ssl::context>>;

// The part of a client context that no option decides, begun as the program starts: OpenSSL's
// module loaded (its relocations; by the constructor itself, while the program has no other
// thread) and an empty TLS client context made on a thread of its own, which builds OpenSSL's
// tables of ciphers and digests: 2 to 2.5 ms on this team's machine, which without it began
// only once the options and the profile were read, 0.3 to 1.8 ms later (the trace's context
// step says how much earlier, each load: its clock starts with the load). It begins only when
// one of the program's arguments is an https URL (as a browser preconnects to what the address
// bar holds before Enter is pressed); build_client_context takes it. One not taken is waited
// for and freed by the destructor.
class ContextHeadStart {
 public:
  // `then`, when the head start begins: more work for its thread once the context is made (the
  // launcher's stale check), so that it runs on the CPU the context's work leaves, beside the
  // load, with no thread of its own to start.
  ContextHeadStart(int argc, char** argv, std::function<void()> then = {});
  ContextHeadStart(const ContextHeadStart&) = delete;
  ContextHeadStart& operator=(const ContextHeadStart&) = delete;
  ~ContextHeadStart();

  // The context made, once it is (waiting for it, not for `then`); null when none was begun,
  // or once taken.
  tls::SslCtxPtr take();
  // When it began; none when it did not.
  std::optional<std::chrono::steady_clock::time_point> began() const { return began_; }
  // Whether it began and is not yet taken: the context's own thread is then not worth starting.
  bool pending();
  // What the options decided, told once they are read: the CA file whose roots the head
  // start's thread is to read as soon as it has made the context, or none. The browser names
  // it for a load with no profile (--fresh): its name is resolved over the network, which
  // takes longer than making the context, and its handshake then finds the roots read. Read
  // after its ClientHello, on the handshake's own thread, they kept the server waiting: woken
  // by that thread, the server is put on its CPU (the kernel expects a sender to sleep next)
  // and waited there for the read while the other CPU was idle (perf sched of cold loads).
  // Read ahead, a cold load's handshake step was 0.20 to 0.26 ms shorter, its trace 0.1 ms
  // and its whole process 0.2 to 0.4 ms (medians of 40 to 60, in turns). Not read when the load
  // already waits for the context (take()); the thread waits for this or take(), whichever comes
  // first.
  void trust_ahead(std::optional<std::filesystem::path> ca_file);
  // Whether the context is made (and its roots read, when they were to be): take() would not
  // wait. False when none was begun, or once taken.
  bool ready();
  // How long its thread took to make the first ClientHello's key share, once it had made the
  // context (make_key_share_ahead): the load's thread is still reading the profile's sessions
  // and making its early data then. None when it has not (yet), or found one made.
  std::optional<std::chrono::nanoseconds> key_share_made() const;

  // More work for the head start's thread once its own is done (the context, then `then`),
  // run there in order: the profile's files, written while the load's own thread parses and
  // lays the page out. The kernel puts a server the load wakes on the load's CPU (the waker's),
  // so work left there waits behind both; here it can run on the other CPU. The thread stays
  // for as long as this lives: waiting for work awake, at the idle policy, for up to 6 ms after
  // its own and each piece (kAwakeForWork), then asleep (at once where it could not leave the
  // idle policy again: an ordinary user's thread, shared/beside_thread.hpp). False when there is no such thread
  // (none began, or it could not be made): the caller then does the work itself.
  bool run_later(std::function<void()> work);
  // Whether run_later() would take work.
  bool runs_later() { return later_.accepting(); }
  // Returns once the work run_later() took so far has run.
  void wait_for_later() { later_.wait_until_done(); }

 private:
  void read_roots_ahead();  // on the head start's thread, the context made

  std::mutex mutex_;
  std::unique_ptr<BesideThread> making_;  // on another CPU than main's (beside_thread.hpp)
  std::promise<void> making_done_;        // set by making_ once made_ is
  std::future<void> made_when_;
  std::atomic<bool> made_now_{false};  // set just before making_done_, for take()'s wait_awake
  std::atomic<std::int64_t> key_share_took_ns_{-1};  // key_share_made()'s; -1: none
  bool taken_ = false;
  tls::SslCtxPtr made_;
  std::optional<std::chrono::steady_clock::time_point> began_;
  std::mutex trust_mutex_;  // guards the three below
  std::condition_variable told_;
  bool decided_ = false;                          // trust_ahead() has been called
  std::optional<std::filesystem::path> ca_file_;  // what it named
  bool wanted_ = false;                           // take() has begun
  WorkQueue later_;  // run_later's, served by making_'s thread once its own work is done
};

// A context that trusts only `ca_file` (PEM), TLS 1.2 at least, verifying the peer, offering
// `versions` by ALPN: `head_start`'s when it has one, else made here. An error when `ca_file`
// cannot be opened. The roots themselves are not read yet: see finish_client_context.
ClientContext build_client_context(const std::filesystem::path& ca_file, HttpVersions versions,
                                   ContextHeadStart* head_start = nullptr);

// The rest of a context build_client_context made, done once, by whoever asks first: the roots
// read from its CA file, then OpenSSL's tables for the server's answer built (the X25519 key
// exchange, the TLS 1.3 key derivation and HMAC fetched, a check of a root's signature set up),
// so that the handshake finds them built. The first handshake asks as soon as its ClientHello
// is on its way, with its `socket`, so that this runs while the server works on its answer
// (0.4 to 0.5 ms, which came before the ClientHello, on this team's machine); the context's
// certificate verification asks too, should nothing have asked before.
// Never on two threads at once with other OpenSSL work (this file's first comment says why).
// The same answer every call: an
// error when the file holds nothing OpenSSL can read. A context made elsewhere: nothing to do.
Status finish_client_context(SSL_CTX* context, int socket = -1);
// Whether it has been done (or failed): a handshake then need not ask.
bool client_context_finished(const SSL_CTX* context);

// What reading the roots took, as it was measured.
struct TrustedRootsRead {
  int roots = 0;                                  // certificates (and CRLs) in the store
  std::chrono::steady_clock::time_point began{};  // the read began
  std::chrono::nanoseconds took{};                // the read, then the tables built
  bool by_verification = false;                   // the certificate verification asked first
  bool ahead = false;  // the head start's thread read them, once it had made the context
  // Bytes of the server's answer already waiting in the socket when it was done (FIONREAD);
  // none when the verification read them.
  std::optional<int> answer_waiting;
};

// The read, once it is done, the first time it is asked for (for the trace of the handshake
// that did it); none after, before, or when it failed.
std::optional<TrustedRootsRead> take_trusted_roots_read(SSL_CTX* context);

// build_client_context on a thread of its own (or, where none can be made, when the future is
// asked for it); the future's destructor waits for it.
// `head_start` (may be null) outlives it.
std::future<ClientContext> prepare_client_context(const std::filesystem::path& ca_file,
                                                  HttpVersions versions,
                                                  ContextHeadStart* head_start = nullptr);

// The next ClientHello's key share (X25519) made ahead, now, on this thread
// (browser/openssl/key_share_ahead.hpp says why), unless one waits or another thread is making
// it: whether this call made it, and how long the call took; none when none can be made (a
// program without the browser's OpenSSL provider).
struct KeyShareAhead {
  bool made_here = false;
  std::chrono::steady_clock::duration took{};
};
std::optional<KeyShareAhead> make_key_share_ahead();
// Whether a key share made ahead waits for a ClientHello to take it.
bool key_share_ahead_waiting();

}  // namespace miniweb::browser
