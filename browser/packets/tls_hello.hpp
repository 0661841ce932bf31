#pragma once
// The two handshake messages sent in the clear that say what a TLS connection will be:
// ClientHello (RFC 8446 4.1.2) and ServerHello (4.1.3), with the extensions the packet view
// shows. Each parser takes one whole handshake message with its 4-byte header, as the record
// layer (tls_records.hpp) and OpenSSL's message callback (SSL_CTX_set_msg_callback) give it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::packets {

namespace tls_handshake {
inline constexpr std::uint8_t ClientHello = 1;
inline constexpr std::uint8_t ServerHello = 2;
inline constexpr std::uint8_t NewSessionTicket = 4;
inline constexpr std::uint8_t Certificate = 11;
inline constexpr std::uint8_t ServerKeyExchange = 12;
inline constexpr std::uint8_t Finished = 20;
}  // namespace tls_handshake

// RFC 8446 4: msg_type, then the body's length in three bytes.
struct TlsHandshakeHeader {
  std::uint8_t type = 0;
  std::uint32_t length = 0;
};
inline constexpr std::size_t kTlsHandshakeHeaderSize = 4;

struct ClientHello {
  std::uint16_t legacy_version = 0;
  std::array<std::uint8_t, 32> random{};
  std::size_t session_id_length = 0;
  std::vector<std::uint16_t> cipher_suites;
  std::vector<std::uint8_t> compression_methods;
  std::vector<std::uint16_t> extensions;   // types, in the order sent
  std::optional<std::string> server_name;  // SNI's host_name (RFC 6066 3)
  std::vector<std::string> alpn;           // protocols offered (RFC 7301 3.1)
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint16_t> supported_groups;
  std::vector<std::uint16_t> key_share_groups;  // the groups a key share was sent for
  std::vector<std::uint16_t> signature_algorithms;
  std::vector<std::uint8_t> psk_key_exchange_modes;
  bool pre_shared_key = false;  // RFC 8446 4.2.11: a resumption (or external PSK) offered
  bool early_data = false;

  // The highest version offered: supported_versions' (GREASE aside), else legacy_version.
  std::uint16_t highest_version() const;
  // "ClientHello SNI site.test, ALPN h2 http/1.1, TLS 1.3 TLS 1.2, key shares x25519"
  std::string to_string() const;
};

struct ServerHello {
  std::uint16_t legacy_version = 0;
  std::array<std::uint8_t, 32> random{};
  std::size_t session_id_length = 0;
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression_method = 0;
  std::vector<std::uint16_t> extensions;
  std::optional<std::uint16_t> selected_version;  // supported_versions (TLS 1.3)
  // The group of the server's key share; in a HelloRetryRequest, the group it asks for.
  std::optional<std::uint16_t> key_share_group;
  std::optional<std::string> alpn;  // TLS 1.2 answers ALPN here; TLS 1.3 encrypts it
  std::optional<std::uint16_t> selected_psk_identity;
  // RFC 8446 4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest").
  bool hello_retry_request = false;

  std::uint16_t version() const { return selected_version.value_or(legacy_version); }
  // "ServerHello TLS 1.3, TLS_AES_128_GCM_SHA256, key share x25519"
  std::string to_string() const;
};

// The header of a handshake message whose first four bytes are there.
Result<TlsHandshakeHeader> parse_tls_handshake_header(std::span<const std::uint8_t> message);
Result<ClientHello> parse_client_hello(std::span<const std::uint8_t> message);
Result<ServerHello> parse_server_hello(std::span<const std::uint8_t> message);
// TLS 1.2 names its ECDHE group in the ServerKeyExchange, not the ServerHello (RFC 8422 5.4):
// ECParameters with curve_type named_curve (3), then the NamedGroup. Other key exchanges (DHE's
// explicit parameters, RFC 5246 7.4.3) give an error.
Result<std::uint16_t> parse_server_key_exchange_group(std::span<const std::uint8_t> message);

}  // namespace miniweb::packets
