#pragma once
// What OpenSSL saw of one connection's TLS, put in the order the capture can be matched
// against: per direction, the real content type of each encrypted record and the handshake
// messages and alerts in the order they went. And each handshake message described in one
// line, with the fields the packet view shows (RFC 8446 4).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "browser/observe/tls_recorder.hpp"

namespace miniweb::browser::observe {

struct TlsSeenOneWay {
  std::vector<int> inner_types;                 // each encrypted record's, in order (TLS 1.3)
  std::vector<std::string> handshake_messages;  // each whole message, header included
  std::vector<std::string> alerts;              // two bytes each: level, description
};

struct TlsSeen {
  TlsSeenOneWay sent;      // by the browser
  TlsSeenOneWay received;  // by the browser, from the server
};

TlsSeen split_tls_events(const std::vector<TlsEvent>& events);

// The length in the message's own header (bytes may have been cut short when kept).
std::uint32_t handshake_message_length(std::string_view message);

// "ClientHello SNI www.example.test, ALPN http/1.1, versions TLS 1.3 TLS 1.2, key shares
// x25519, signature algorithms ecdsa_secp256r1_sha256 ...", "ServerHello TLS 1.3,
// TLS_AES_256_GCM_SHA384, key share x25519", "Certificate: 2 certificates, CN=... <- CN=...",
// "CertificateVerify rsa_pss_rsae_sha256", "Finished", "NewSessionTicket lifetime 7200 s".
std::string describe_handshake_message(std::span<const std::uint8_t> message);

// Whether an EncryptedExtensions message carries early_data: the server accepted the early data
// the browser sent (RFC 8446 section 4.2.10). nullopt for any other message.
std::optional<bool> accepts_early_data(std::span<const std::uint8_t> message);

// "warning close_notify"
std::string describe_alert(std::string_view two_bytes);

}  // namespace miniweb::browser::observe
