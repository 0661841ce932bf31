#include "server/early_data.hpp"

#include <openssl/evp.h>

#include <cstring>

namespace miniweb::server {
namespace {

EarlyDataTickets& tickets() {
  static EarlyDataTickets remembered;  // the server's one thread does every handshake
  return remembered;
}

// Called by OpenSSL once it would accept the client's early data (a resumed session, a fresh
// ticket age, the same cipher and ALPN): the last word, ours.
int allow_early_data(SSL* ssl, void*) {
  const auto ticket = EarlyDataTickets::key_of(ssl);
  return ticket && tickets().first_use(*ticket, std::chrono::steady_clock::now()) ? 1 : 0;
}

}  // namespace

std::size_t EarlyDataTickets::KeyHash::operator()(const Key& key) const {
  std::size_t value = 0;
  std::memcpy(&value, key.data(), sizeof value);  // a digest's bytes: already spread
  return value;
}

std::optional<EarlyDataTickets::Key> EarlyDataTickets::key_of(const SSL* ssl) {
  const SSL_SESSION* session = SSL_get_session(ssl);
  if (session == nullptr) return std::nullopt;
  unsigned char secret[EVP_MAX_MD_SIZE];
  const std::size_t length = SSL_SESSION_get_master_key(session, secret, sizeof secret);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  const bool hashed =
      length > 0 && EVP_Digest(secret, length, digest, &digest_length, EVP_sha256(), nullptr) == 1;
  OPENSSL_cleanse(secret, sizeof secret);
  if (!hashed || digest_length < sizeof(Key)) return std::nullopt;
  Key key;
  std::memcpy(key.data(), digest, key.size());
  return key;
}

bool EarlyDataTickets::first_use(const Key& key, std::chrono::steady_clock::time_point now) {
  if (now - last_sweep_ >= std::chrono::seconds(1)) {  // a sweep a second at most
    forget_older_than(now - kWindow);
    last_sweep_ = now;
  }
  const auto [at, inserted] = seen_.try_emplace(key, now);
  if (!inserted) {
    const bool stale = now - at->second >= kWindow;  // outlived the window, not yet swept
    at->second = now;
    return stale;
  }
  if (seen_.size() > kMaxRemembered) {
    seen_.erase(at);
    return false;  // too many to remember: no early data, the handshake goes on
  }
  return true;
}

void EarlyDataTickets::forget_older_than(std::chrono::steady_clock::time_point oldest) {
  std::erase_if(seen_, [oldest](const auto& entry) { return entry.second < oldest; });
}

void accept_early_data(SSL_CTX* ctx) {
  SSL_CTX_set_max_early_data(ctx, kMaxEarlyData);
  SSL_CTX_set_recv_max_early_data(ctx, kMaxEarlyData);
  // Single use for the tickets that bring early data only (EarlyDataTickets), not OpenSSL's
  // single use of every ticket (header).
  SSL_CTX_set_options(ctx, SSL_OP_NO_ANTI_REPLAY);
  SSL_CTX_set_allow_early_data_cb(ctx, &allow_early_data, nullptr);
}

bool answerable_early(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

bool in_early_data(const SSL* ssl) {
  return ssl != nullptr && !SSL_is_init_finished(ssl) &&
         SSL_get_early_data_status(ssl) == SSL_EARLY_DATA_ACCEPTED;
}

}  // namespace miniweb::server
