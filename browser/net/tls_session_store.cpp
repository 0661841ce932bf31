#include "browser/net/tls_session_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <string_view>
#include <utility>

#include "browser/net/tls_session_file.hpp"
#include "shared/atomic_file.hpp"
#include "shared/read_file.hpp"

namespace miniweb::browser {
namespace {

// The two newest sessions of an origin verified against the same roots: a full handshake
// brings two (OpenSSL's servers send two TLS 1.3 tickets), a resumed one uses one and brings
// one or two. Those verified against other roots stay, up to eight sessions in all, for when
// those roots are trusted again. At most this many origins, the sessions of those least
// recently given one dropped first.
constexpr std::size_t kSessionsPerOrigin = 2;
constexpr std::size_t kMaxSessionsPerOrigin = 8;
constexpr std::size_t kMaxOrigins = 64;
// RFC 8446 section 4.6.1: no ticket is kept longer than seven days. Counted, as BoringSSL counts
// its sessions' authentication timeout, from the full handshake that verified the server: the
// sessions a resumed connection brings carry that verification on, never extending it.
constexpr std::time_t kMaxVerificationAge = 7 * 24 * 60 * 60;
// A file larger than this is not the browser's: set aside unread.
constexpr std::uintmax_t kMaxFileBytes = 1 << 20;

std::string session_der(SSL_SESSION* session) {
  return tls::to_der(session, i2d_SSL_SESSION);
}

SslSessionPtr session_from_der(const std::string& der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  return SslSessionPtr(d2i_SSL_SESSION(nullptr, &bytes, static_cast<long>(der.size())));
}

// A DER element's header at `at` in `der`: its tag (one byte: the session's fields are
// numbered below 31) and its content's length. False when the bytes are not one.
bool read_header(std::string_view der, std::size_t& at, unsigned char& tag, std::size_t& length) {
  if (at + 2 > der.size()) return false;
  tag = static_cast<unsigned char>(der[at++]);
  const auto first = static_cast<unsigned char>(der[at++]);
  if (first < 0x80) {
    length = first;
  } else {
    const std::size_t bytes = first & 0x7f;
    if (bytes == 0 || bytes > 3 || at + bytes > der.size()) return false;
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i)
      length = length << 8 | static_cast<unsigned char>(der[at++]);
  }
  return length <= der.size() - at;
}

void append_header(std::string& out, unsigned char tag, std::size_t length) {
  out += static_cast<char>(tag);
  if (length < 0x80) {
    out += static_cast<char>(length);
    return;
  }
  std::string bytes;
  for (; length > 0; length >>= 8) bytes.insert(bytes.begin(), static_cast<char>(length & 0xff));
  out += static_cast<char>(0x80 | bytes.size());
  out += bytes;
}

}  // namespace

std::string trust_identity(const std::filesystem::path& ca_file) {
  struct stat status {};
  if (::stat(ca_file.c_str(), &status) != 0) return {};
  return ca_file.string() + " " + std::to_string(status.st_size) + " " +
         std::to_string(status.st_mtim.tv_sec) + "." + std::to_string(status.st_mtim.tv_nsec);
}

std::string without_peer_certificate(const std::string& der) {
  constexpr unsigned char kSequence = 0x30;
  constexpr unsigned char kPeerField = 0xa3;  // context-specific, constructed, [3]
  std::size_t at = 0;
  unsigned char tag = 0;
  std::size_t length = 0;
  if (!read_header(der, at, tag, length) || tag != kSequence || at + length != der.size())
    return der;
  std::string fields;
  bool found = false;
  while (at < der.size()) {
    const std::size_t begin = at;
    if (!read_header(der, at, tag, length)) return der;
    at += length;
    if (tag == kPeerField)
      found = true;
    else
      fields.append(der, begin, at - begin);
  }
  if (!found) return der;
  std::string out;
  append_header(out, kSequence, fields.size());
  return out + fields;
}

std::time_t certificate_end(X509* certificate) {
  std::tm ends{};
  if (certificate == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &ends) != 1)
    return 0;
  return ::timegm(&ends);
}

TlsSessionStore::TlsSessionStore(std::filesystem::path profile_dir) {
  if (!profile_dir.empty()) file_ = profile_dir / kFileName;
}

void TlsSessionStore::load_once() {
  if (loaded_) return;
  loaded_ = true;
  if (file_.empty()) return;
  std::error_code ec;
  const auto size = std::filesystem::file_size(file_, ec);
  if (ec) {  // none yet; a store an earlier version kept in JSON goes (it holds secrets)
    std::filesystem::remove(file_.parent_path() / kFormerFileName, ec);
    return;
  }
  if (size > kMaxFileBytes) {
    load_problem_ = file_.string() + " is larger than a session store can be; not read";
    changed_ = true;  // replaced at the next save
    return;
  }
  auto text = read_file(file_, ReadLock::Shared);
  if (!text) return;
  SessionsFileRead read = read_sessions_file(*text);
  if (!read.is_session_file) {
    load_problem_ = file_.string() + " is not a session store (its first line is not " +
                    "the format's); not used";
    changed_ = true;
    return;
  }
  by_origin_ = std::move(read.by_origin);
  if (read.damaged > 0) {
    load_problem_ = std::to_string(read.damaged) + " damaged " +
                    (read.damaged == 1 ? "entry" : "entries") + " of " + file_.string() +
                    " left out";
    changed_ = true;
  }
}

std::optional<std::string> TlsSessionStore::read_profile() {
  if (loaded_) return std::nullopt;
  load_once();
  std::size_t count = 0;
  for (const auto& [origin, sessions] : by_origin_) count += sessions.size();
  if (count == 0 && load_problem_.empty()) return std::nullopt;
  return "sessions kept for resumption: " + std::to_string(count) +
         (count == 1 ? " session" : " sessions") + " of " + std::to_string(by_origin_.size()) +
         (by_origin_.size() == 1 ? " origin" : " origins") + " read from " + file_.string();
}

std::optional<TlsSessionStore::Offer> TlsSessionStore::take(const std::string& origin,
                                                            const std::filesystem::path& ca_file,
                                                            std::time_t now) {
  load_once();
  const auto found = by_origin_.find(origin);
  if (found == by_origin_.end()) return std::nullopt;
  std::vector<Kept>& sessions = found->second;
  const std::string trust = trust_identity(ca_file);
  std::optional<Offer> offer;
  // The newest first; whatever is looked at is used or dropped, but for sessions verified
  // against other roots, which stay for when those roots are trusted again.
  for (auto it = sessions.end(); it != sessions.begin() && !offer;) {
    --it;
    if (it->trust != trust) continue;
    const bool current = it->expires > now && now - it->server.verified_at < kMaxVerificationAge &&
                         it->server.certificate_ends > now;
    SslSessionPtr session = current ? session_from_der(it->der) : nullptr;
    if (session && SSL_SESSION_is_resumable(session.get()) == 1)
      offer = Offer{std::move(session), std::move(it->server), it->expires, it->from_profile};
    it = sessions.erase(it);
    changed_ = true;
  }
  if (sessions.empty()) by_origin_.erase(found);
  return offer;
}

void TlsSessionStore::keep(const std::string& origin, SSL_SESSION* session,
                           const std::filesystem::path& ca_file, const VerifiedServer& server) {
  load_once();
  std::string der = without_peer_certificate(session_der(session));
  std::string trust = trust_identity(ca_file);
  if (der.empty() || trust.empty() || SSL_SESSION_is_resumable(session) != 1) return;
  const auto lifetime = static_cast<std::time_t>(SSL_SESSION_get_timeout(session));
  std::vector<Kept>& sessions = by_origin_[origin];
  sessions.push_back(
      Kept{.der = std::move(der),
           .trust = std::move(trust),
           .expires = std::min(static_cast<std::time_t>(SSL_SESSION_get_time(session)) + lifetime,
                               server.verified_at + kMaxVerificationAge),
           .server = server,
           .from_profile = false});
  // Beyond the newest two verified against the same roots, or eight in all, the oldest goes.
  const std::string kept_trust = sessions.back().trust;  // a copy: erase moves the elements
  const auto same_roots = [&](const Kept& other) { return other.trust == kept_trust; };
  while (std::count_if(sessions.begin(), sessions.end(), same_roots) >
         static_cast<std::ptrdiff_t>(kSessionsPerOrigin))
    sessions.erase(std::find_if(sessions.begin(), sessions.end(), same_roots));
  if (sessions.size() > kMaxSessionsPerOrigin) sessions.erase(sessions.begin());
  changed_ = true;
  // Too many origins: the one whose newest session is oldest goes.
  while (by_origin_.size() > kMaxOrigins) {
    auto oldest = std::min_element(by_origin_.begin(), by_origin_.end(), [](auto& a, auto& b) {
      return a.second.back().server.verified_at < b.second.back().server.verified_at;
    });
    by_origin_.erase(oldest);
  }
}

std::optional<std::string> TlsSessionStore::save() {
  auto snapshot = take_snapshot();
  if (!snapshot) return std::nullopt;
  return write(*snapshot);
}

std::optional<TlsSessionStore::Snapshot> TlsSessionStore::take_snapshot() {
  if (!to_save()) return std::nullopt;
  changed_ = false;
  return Snapshot{file_, by_origin_};
}

std::string TlsSessionStore::write(const Snapshot& snapshot) {
  std::size_t count = 0;
  for (const auto& [origin, sessions] : snapshot.by_origin) count += sessions.size();
  const std::size_t origins = snapshot.by_origin.size();
  // A cache: a power cut loses at most the next connection's resumption. Owner only: whoever
  // reads a session can resume it.
  if (auto written = write_file_atomically(snapshot.file, sessions_file_text(snapshot.by_origin),
                                           kPrivateFileMode, Durability::CacheOnly);
      !written)
    return "not written: " + written.error().message;
  return std::to_string(count) + (count == 1 ? " session" : " sessions") + " of " +
         std::to_string(origins) + (origins == 1 ? " origin" : " origins") + " written to " +
         snapshot.file.string() + " (owner only)";
}

std::string TlsSessionStore::take_load_problem() {
  return std::exchange(load_problem_, {});
}

}  // namespace miniweb::browser
