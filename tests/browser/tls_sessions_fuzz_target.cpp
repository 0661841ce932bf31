// libFuzzer entry point for the browser's TLS sessions kept in its profile
// (browser/net/tls_session_store.hpp), shared by the clang fuzzer and the corpus driver
// (tests/support/fuzz_driver.cpp). Nothing may crash, hang or leak, and, by the first byte:
//   0: the rest is the profile's tls-sessions.txt. What a store reads from it, written back
//      and read by a new store, is the same number of sessions, and the sessions of one origin
//      are taken out one at a time until none is left;
//   1: the rest is a session's DER, in an entry that is otherwise right (this origin, the roots
//      trusted now, within its dates): taking it decodes those bytes; an offer is a session
//      OpenSSL calls resumable, taken once;
//   2: the rest is a session's DER as OpenSSL writes it: without its certificate it is the same
//      bytes, or a shorter SEQUENCE.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "browser/net/tls_session_file.hpp"
#include "browser/net/tls_session_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using miniweb::browser::TlsSessionStore;

constexpr const char* kOrigin = "https://www.example.test";

// A folder for the profile and a CA file, made once for the process and removed when it ends.
const std::filesystem::path& profile_dir() {
  static const miniweb::test_support::TempDir dir("tls-sessions-fuzz");
  static const bool roots_written =
      static_cast<bool>(std::ofstream(dir.path() / "roots.pem") << "roots\n");
  (void)roots_written;
  return dir.path();
}

std::filesystem::path roots() {
  return profile_dir() / "roots.pem";
}

void write_profile(const std::string& contents) {
  std::ofstream(profile_dir() / TlsSessionStore::kFileName, std::ios::binary | std::ios::trunc)
      << contents;
}

std::size_t sessions_of(TlsSessionStore& store, const std::string& origin, std::time_t now) {
  std::size_t taken = 0;
  while (store.take(origin, roots(), now)) {
    if (++taken > 1000) __builtin_trap();  // each is taken once: the store must run dry
  }
  return taken;
}

void read_write_read(const std::string& contents) {
  write_profile(contents);
  const std::time_t now = std::time(nullptr);
  TlsSessionStore first(profile_dir());
  (void)first.read_profile();
  (void)first.save();  // written back as read (whatever was damaged left out)
  TlsSessionStore again(profile_dir());
  (void)again.read_profile();
  if (!again.take_load_problem().empty()) __builtin_trap();  // its own file reads whole
  // Both hold the same: each of this origin's sessions goes once from each.
  if (sessions_of(first, kOrigin, now) != sessions_of(again, kOrigin, now)) __builtin_trap();
}

void take_session_bytes(const std::string& der) {
  const std::time_t now = std::time(nullptr);
  TlsSessionStore::Kept entry{.der = der,
                              .trust = miniweb::browser::trust_identity(roots()),
                              .expires = now + 3600,
                              .server = {.verified_at = now,
                                         .verification = "OK",
                                         .revocation = "good",
                                         .certificate = "CN=www.example.test",
                                         .certificate_ends = now + 3600}};
  write_profile(miniweb::browser::sessions_file_text({{kOrigin, {entry}}}));
  TlsSessionStore store(profile_dir());
  if (auto offer = store.take(kOrigin, roots(), now)) {
    if (SSL_SESSION_is_resumable(offer->session.get()) != 1) __builtin_trap();
  }
  if (store.take(kOrigin, roots(), now)) __builtin_trap();  // once
}

void strip_certificate(const std::string& der) {
  const std::string stripped = miniweb::browser::without_peer_certificate(der);
  if (stripped == der) return;
  if (stripped.size() >= der.size() || stripped.empty() || stripped[0] != 0x30) __builtin_trap();
  // Still a session, or still not one: never a crash.
  const auto* bytes = reinterpret_cast<const unsigned char*>(stripped.data());
  SSL_SESSION_free(d2i_SSL_SESSION(nullptr, &bytes, static_cast<long>(stripped.size())));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      read_write_read(rest);
      break;
    case 1:
      take_session_bytes(rest);
      break;
    default:
      strip_certificate(rest);
      break;
  }
  return 0;
}
