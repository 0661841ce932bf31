#pragma once
// TLS 1.3 early data (0-RTT): a client resuming a session sends its first request with its
// ClientHello, and the server answers it with its own first flight, a round trip sooner.
//
// Early data can be replayed: whoever captured a ClientHello can send it again, early data and
// all. It then comes with a ticket age that OpenSSL checks against the ticket's (RFC 8446
// section 8.3: ten seconds' allowance, so a capture replayed later is refused its early data),
// and within that window the server remembers every ticket that brought early data and refuses
// it a second time (section 8.2's single use, recorded here rather than by OpenSSL's own
// replay protection, which would make every ticket single use, early data or not, and keep each
// one issued in the server's cache). A replay can still never complete the handshake: only
// requests answered before the client's Finished arrives are exposed, and RFC 8470's rule keeps
// those to safe methods (the rest get 425 Too Early, which a client retries after the
// handshake).

#include <openssl/ssl.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace miniweb::server {

// How much early data a session's ticket allows (nginx's and OpenSSL's usual 16 KiB): a
// request's headers, or HTTP/2's preface, settings and first requests.
inline constexpr std::uint32_t kMaxEarlyData = 16384;

// The tickets that brought early data lately, each remembered for as long as OpenSSL would let
// a replay of it through its ticket age check. One per server process (its one thread).
class EarlyDataTickets {
 public:
  // How long a ticket's use is remembered: OpenSSL's allowance (10 s) with its rounding to
  // whole seconds, and a margin.
  static constexpr auto kWindow = std::chrono::seconds(15);
  // The most remembered at once; past it, early data is refused (the handshake goes on): the
  // memory it takes stays bounded under any rate of resumptions.
  static constexpr std::size_t kMaxRemembered = 65536;

  // A ticket, known by a digest of the secret it resumes (TLS 1.3's PSK for that ticket, unique
  // to it): the secret itself never sits in the table. None when `ssl` resumes nothing.
  using Key = std::array<unsigned char, 16>;
  static std::optional<Key> key_of(const SSL* ssl);

  // Whether this is the first time, within the window, that `ticket` brings early data; it is
  // remembered either way.
  bool first_use(const Key& ticket, std::chrono::steady_clock::time_point now);

  std::size_t remembered() const { return seen_.size(); }

 private:
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };
  void forget_older_than(std::chrono::steady_clock::time_point oldest);

  std::unordered_map<Key, std::chrono::steady_clock::time_point, KeyHash> seen_;
  std::chrono::steady_clock::time_point last_sweep_{};
};

// Has `ctx` accept early data, with the process's EarlyDataTickets deciding each attempt.
void accept_early_data(SSL_CTX* ctx);

// RFC 8470 section 5.1 with RFC 9110 section 9.2.1: the methods a server answers from early
// data (safe ones: a replay changes nothing); others get 425 Too Early.
bool answerable_early(std::string_view method);

// Whether a request read now on the connection `ssl` came in early data: early data was
// accepted and the handshake is not complete (a replay never completes it).
bool in_early_data(const SSL* ssl);

}  // namespace miniweb::server
