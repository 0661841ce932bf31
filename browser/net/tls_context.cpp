#include "browser/net/tls_context.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "browser/exit_codes.hpp"
#include "browser/net/certificate_policy.hpp"
#include "browser/net/tls_client.hpp"
#include "shared/prefault.hpp"
#include "shared/text.hpp"
#include "shared/tls/cipher_suites.hpp"

// The browser's OpenSSL module's (browser/openssl/key_share_ahead.hpp). Weak: a program that
// links OpenSSL without the browser's provider has neither, and its ClientHellos make their
// key shares as OpenSSL does.
extern "C" [[gnu::weak]] int miniweb_module_make_key_share_ahead();
extern "C" [[gnu::weak]] int miniweb_module_key_share_waiting();

namespace miniweb::browser {
namespace {

// What the head start's thread allocates for a load: the context, then its share of the first
// handshake (the roots read, the certificates checked). Measured: about 30 pages.
constexpr std::size_t kContextThreadHeap = 128 * 1024;

// How long take() waits for the context awake (its thread on another CPU) before it sleeps:
// about what making one takes here, from its start.
constexpr std::chrono::microseconds kAwakeWait{500};

// How long the head start's thread waits for work for later awake, at the idle policy, before
// it sleeps (WorkQueue::serve): longer than a load takes, its own work done, to hand over a
// page to parse, warm (about 1 ms) or cold (2 to 3 ms, the slower ones 4 to 5). Woken from
// sleep on its halted vCPU, the parse of the demo's home page took 0.58 ms, awake 0.28: a warm
// trace 1.67 against 1.96 ms, a cold one 2.98 against 3.08, the whole process 4.13 against
// 4.15 ms (one binary, the wait switched by the environment, loads in turns). 6 ms against 3:
// cold 2.962 against 3.093 and 3.042 against 3.074 ms, warm 1.681 against 1.697, the whole
// process the same (4.196 ms). At the idle policy it takes no CPU that anything else wants,
// the servers the load waits for among them.
constexpr std::chrono::milliseconds kAwakeForWork{6};

// Whether the process may run on more than one CPU: the head start's thread waits awake only
// then, beside the load's.
bool has_other_cpus() {
  cpu_set_t allowed;
  return ::sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 1;
}

// OpenSSL's tables for what the server's answer needs, built: each call fetches or sets up what
// the handshake would, and stops short of the arithmetic (an X25519 key of its own, a signature
// checked: 0.14 ms that warmed nothing more, measured here). The ClientHello has made its key
// share already.
void use_handshake_algorithms(X509_STORE* store) {
  EVP_KEYEXCH_free(EVP_KEYEXCH_fetch(nullptr, "X25519", nullptr));
  EVP_KDF_free(EVP_KDF_fetch(nullptr, "TLS13-KDF", nullptr));
  EVP_MAC_free(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  // A check of a root's own signature, set up: its key handed to OpenSSL's provider (kept with
  // the key, which checks the chain), the signature's algorithm and digest fetched.
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i)
    if (X509* root = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) {
      int digest = NID_undef;
      if (EVP_MD_CTX* check = EVP_MD_CTX_new()) {
        if (X509_get_signature_info(root, &digest, nullptr, nullptr, nullptr) == 1)
          EVP_DigestVerifyInit_ex(check, nullptr, OBJ_nid2sn(digest), nullptr, nullptr,
                                  X509_get0_pubkey(root), nullptr);
        EVP_MD_CTX_free(check);
      }
      ERR_clear_error();
      break;
    }
}

// The one wording of a CA file the browser cannot trust from: it cannot be opened, or it holds
// nothing OpenSSL can read.
std::string ca_file_failure(const std::filesystem::path& ca_file, const std::string& why) {
  return "cannot load the trusted CA file " + ca_file.string() + ": " + why;
}

// What build_client_context leaves to the first handshake: the roots to read, once.
struct DeferredTrust {
  std::filesystem::path ca_file;
  std::once_flag once;
  std::string failure;  // why the roots could not be read; empty once they were
  TrustedRootsRead read;
  std::atomic<bool> done{false};  // read, or failed
  bool told = false;              // take_trusted_roots_read has answered it
};

void free_deferred_trust(void*, void* trust, CRYPTO_EX_DATA*, int, long, void*) {
  std::unique_ptr<DeferredTrust> owned(static_cast<DeferredTrust*>(trust));
}

int trust_slot() {
  static const int slot =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_deferred_trust);
  return slot;
}

DeferredTrust* deferred_trust(const SSL_CTX* context) {
  return static_cast<DeferredTrust*>(SSL_CTX_get_ex_data(context, trust_slot()));
}

// The roots read into `store`, then the algorithms of the server's answer used once: what
// build_client_context left, done once, by whoever asks first. `socket`: the connection whose
// handshake asked (-1: its certificate verification, or the head start when `ahead`), to see
// whether its server's answer had arrived by the end.
const std::string& read_trusted_roots(DeferredTrust& trust, X509_STORE* store, int socket,
                                      bool ahead = false) {
  std::call_once(trust.once, [&] {
    trust.read.began = std::chrono::steady_clock::now();
    trust.read.ahead = ahead;
    trust.read.by_verification = socket < 0 && !ahead;
    if (X509_STORE_load_file(store, trust.ca_file.c_str()) != 1) {
      const char* reason = ERR_reason_error_string(ERR_peek_last_error());
      ERR_clear_error();
      trust.failure =
          ca_file_failure(trust.ca_file, reason != nullptr ? reason : "no certificate in it");
      return;
    }
    trust.read.roots = sk_X509_OBJECT_num(X509_STORE_get0_objects(store));
    use_handshake_algorithms(store);
    trust.read.took = std::chrono::steady_clock::now() - trust.read.began;
    if (int waiting = 0; socket >= 0 && ::ioctl(socket, FIONREAD, &waiting) == 0)
      trust.read.answer_waiting = waiting;
  });
  trust.done = true;
  return trust.failure;
}

// The context's certificate verification (SSL_CTX_set_cert_verify_callback): the roots read
// first, when nothing has read them yet, then OpenSSL's own X509_verify_cert.
int verify_with_trusted_roots(X509_STORE_CTX* verifying, void* trust) {
  auto& deferred = *static_cast<DeferredTrust*>(trust);
  if (!read_trusted_roots(deferred, X509_STORE_CTX_get0_store(verifying), -1).empty()) {
    X509_STORE_CTX_set_error(verifying, X509_V_ERR_UNSPECIFIED);
    return 0;
  }
  return X509_verify_cert(verifying);
}

// The roots' reader for `ca_file`, attached to `context`: read by whoever asks first, the
// context's certificate verification should nothing have asked before it.
DeferredTrust& defer_trust(SSL_CTX* context, const std::filesystem::path& ca_file) {
  auto trust = std::make_unique<DeferredTrust>();
  trust->ca_file = ca_file;
  DeferredTrust& attached = *trust;
  SSL_CTX_set_cert_verify_callback(context, &verify_with_trusted_roots, trust.get());
  SSL_CTX_set_ex_data(context, trust_slot(), trust.release());
  return attached;
}

}  // namespace

ContextHeadStart::ContextHeadStart(int argc, char** argv, std::function<void()> then) {
  for (int i = 1; i < argc; ++i)
    if (istarts_with(argv[i], "https://")) {  // the scheme in any case (RFC 3986 3.1)
      began_ = std::chrono::steady_clock::now();
      // OpenSSL's module loaded here, on the program's only thread, before the context's
      // thread starts: any call into OpenSSL loads it (cmake/openssl_on_demand.cmake), and
      // this one does nothing else. Its relocations write about a hundred pages, thirty of
      // which reading its dynamic section has mapped read-only: each write is a copy-on-write
      // that, while another thread of the program runs on another CPU, interrupts that CPU to
      // flush its TLB (perf: 0.11 ms of those interrupts sent a load, and main's own work
      // stopped for each). Alone, a warm load was 0.12 to 0.15 ms sooner, and one with the
      // browser's caches fresh 0.25 ms. A cold load's DNS question leaves that much later, but
      // its iteration hides the context: it ended 0.07 ms later in one set and 0.06 ms sooner
      // in another (paired runs, 150 to 400 each).
      OpenSSL_version_num();
      // As asio's context makes one, which then takes it over (no compression: CRIME).
      made_when_ = making_done_.get_future();
      later_.open();  // before its thread serves it (below); closed again if none is made
      making_ = std::make_unique<BesideThread>([this, then = std::move(then)] {
        // This thread's first allocation makes it a malloc arena of its own, which the
        // context's making and the handshake's work on this thread then grow page by page:
        // about 30 page faults, mapped here in one call instead where that pays
        // (shared/prefault.hpp; decided before this thread began).
        if (mapping_ahead_pays()) populate_heap(kContextThreadHeap);
        made_.reset(SSL_CTX_new(TLS_client_method()));
        if (made_) {
          SSL_CTX_set_options(made_.get(), SSL_OP_NO_COMPRESSION);
          read_roots_ahead();
        }
        made_now_.store(true, std::memory_order_release);
        making_done_.set_value();
        // The ClientHello's key share, while the load's thread reads the profile's sessions and
        // makes its early data (browser/openssl/key_share_ahead.hpp).
        if (made_)
          if (const auto share = make_key_share_ahead(); share && share->made_here)
            key_share_took_ns_.store(
                std::chrono::duration_cast<std::chrono::nanoseconds>(share->took).count(),
                std::memory_order_relaxed);
        if (then) then();
        later_.serve(has_other_cpus() ? kAwakeForWork : std::chrono::milliseconds::zero());
      });
      if (!making_->started()) later_.close();
      return;
    }
}

ContextHeadStart::~ContextHeadStart() {
  take();
  later_.close();                // its thread returns once what it was given has run
  if (making_) making_->join();  // its `then` too
}

bool ContextHeadStart::run_later(std::function<void()> work) {
  return later_.post(std::move(work));
}

void ContextHeadStart::trust_ahead(std::optional<std::filesystem::path> ca_file) {
  {
    const std::lock_guard lock(trust_mutex_);
    decided_ = true;
    ca_file_ = std::move(ca_file);
  }
  told_.notify_one();
}

bool ContextHeadStart::ready() {
  const std::lock_guard lock(mutex_);
  return making_ != nullptr && !taken_ &&
         made_when_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void ContextHeadStart::read_roots_ahead() {
  std::unique_lock lock(trust_mutex_);
  told_.wait(lock, [this] { return decided_ || wanted_; });
  if (wanted_ || !ca_file_) return;
  const std::filesystem::path ca_file = *ca_file_;
  lock.unlock();
  (void)read_trusted_roots(defer_trust(made_.get(), ca_file), SSL_CTX_get_cert_store(made_.get()),
                           -1, true);
}

bool ContextHeadStart::pending() {
  const std::lock_guard lock(mutex_);
  return making_ != nullptr && !taken_;
}

tls::SslCtxPtr ContextHeadStart::take() {
  const std::lock_guard lock(mutex_);
  if (!making_ || taken_) return nullptr;
  taken_ = true;
  {
    const std::lock_guard wanting(trust_mutex_);
    wanted_ = true;
  }
  told_.notify_one();
  // No thread could be made: its work, waiting for a join, is done here (the roots left to the
  // handshake, as wanted_ now says), and its `then` after it.
  if (!making_->started()) making_->join();
  // Awake: the context's thread, on the other CPU, is a fraction of a millisecond from done
  // (its SSL_CTX_new, 0.4 ms here), and a load that slept for it was woken 45 to 70 us after it
  // was (the idle CPU's interrupt, through the host on a virtual machine): the trace's wait for
  // the context 0.22 against 0.27 ms, its total 1.56 against 1.60 (medians of 150 warm loads
  // each, in turns). Longer than kAwakeWait (a slow machine, a busy one): asleep.
  if (making_->beside()) wait_awake(made_now_, kAwakeWait);
  made_when_.wait();
  return std::move(made_);
}

ClientContext build_client_context(const std::filesystem::path& ca_file, HttpVersions versions,
                                   ContextHeadStart* head_start) {
  tls::SslCtxPtr made = head_start ? head_start->take() : nullptr;
  // The head start's roots are another file's (ContextHeadStart::trust_ahead named another): a
  // context of this file's own instead.
  if (made)
    if (const DeferredTrust* read = deferred_trust(made.get()); read && read->ca_file != ca_file)
      made.reset();
  auto context = made ? std::make_unique<asio::ssl::context>(made.release())
                      : std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // The roots themselves are read by the first handshake, once its ClientHello is on its way
  // (finish_client_context), unless the head start has read them; that the file can be opened
  // is said now.
  if (const int file = ::open(ca_file.c_str(), O_RDONLY | O_CLOEXEC); file >= 0)
    ::close(file);
  else
    return make_error(ca_file_failure(ca_file, std::strerror(errno)), exit_code::kCertificate);
  if (deferred_trust(native) == nullptr) defer_trust(native, ca_file);
  context->set_verify_mode(asio::ssl::verify_peer);
  apply_certificate_policy(native);
  SSL_CTX_set_ciphersuites(native, tls::kTls13CipherSuites);  // Chromium's order
  // RFC 7301: the protocol list, each name length-prefixed, the preferred first. h2 over TLS
  // is what browsers offer (RFC 9113 section 3.2); --http1.1 leaves it out.
  static constexpr unsigned char kH2AndHttp11[] = {2,   'h', '2', 8,   'h', 't',
                                                   't', 'p', '/', '1', '.', '1'};
  static constexpr unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  if (versions == HttpVersions::Http11Only)
    SSL_CTX_set_alpn_protos(native, kHttp11, sizeof kHttp11);
  else
    SSL_CTX_set_alpn_protos(native, kH2AndHttp11, sizeof kH2AndHttp11);
  return context;
}

Status finish_client_context(SSL_CTX* context, int socket) {
  DeferredTrust* trust = deferred_trust(context);
  if (trust == nullptr) return Ok{};  // not one of build_client_context's
  if (const std::string& failure =
          read_trusted_roots(*trust, SSL_CTX_get_cert_store(context), socket);
      !failure.empty())
    return make_error(failure, exit_code::kCertificate);
  return Ok{};
}

bool client_context_finished(const SSL_CTX* context) {
  const DeferredTrust* trust = deferred_trust(context);
  return trust == nullptr || trust->done;
}

std::optional<TrustedRootsRead> take_trusted_roots_read(SSL_CTX* context) {
  DeferredTrust* trust = deferred_trust(context);
  if (trust == nullptr || trust->told || trust->read.roots == 0) return std::nullopt;
  trust->told = true;
  return trust->read;
}

std::future<ClientContext> prepare_client_context(const std::filesystem::path& ca_file,
                                                  HttpVersions versions,
                                                  ContextHeadStart* head_start) {
  // Deferred too: where no thread can be made, the context is built when the handshake asks for
  // it (std::async's own fallback when the thread's creation says to try again).
  return std::async(std::launch::async | std::launch::deferred, [ca_file, versions, head_start] {
    return build_client_context(ca_file, versions, head_start);
  });
}

std::optional<std::chrono::nanoseconds> ContextHeadStart::key_share_made() const {
  const std::int64_t took = key_share_took_ns_.load(std::memory_order_relaxed);
  if (took < 0) return std::nullopt;
  return std::chrono::nanoseconds(took);
}

std::optional<KeyShareAhead> make_key_share_ahead() {
  if (miniweb_module_make_key_share_ahead == nullptr) return std::nullopt;
  const auto began = std::chrono::steady_clock::now();
  const int made = miniweb_module_make_key_share_ahead();
  if (made == 0) return std::nullopt;
  return KeyShareAhead{made == 2, std::chrono::steady_clock::now() - began};
}

bool key_share_ahead_waiting() {
  return miniweb_module_key_share_waiting != nullptr && miniweb_module_key_share_waiting() == 1;
}

}  // namespace miniweb::browser
