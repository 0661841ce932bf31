#pragma once
// The names of TLS's numbers, as IANA's TLS registries and RFC 8446 spell them, for the packet
// view to print. A value without a name prints as hex, and GREASE values (RFC 8701) say so:
// "0x1a1a (GREASE)".

#include <cstdint>
#include <string>

namespace miniweb::packets {

// RFC 8446 5.1 (and heartbeat, RFC 6520): "handshake", "application_data", ...
std::string tls_content_type_name(std::uint8_t type);
// RFC 8446 4 with TLS 1.2's (RFC 5246 7.4): "ClientHello", "ServerKeyExchange", ...
std::string tls_handshake_type_name(std::uint8_t type);
// "TLS 1.3", "TLS 1.2", "SSL 3.0", "DTLS 1.2".
std::string tls_version_name(std::uint16_t version);
// "TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", ...
std::string tls_cipher_suite_name(std::uint16_t suite);
// RFC 8446 4.2.7, RFC 7919: "x25519", "secp256r1", "ffdhe2048", ...
std::string tls_group_name(std::uint16_t group);
// RFC 8446 4.2.3: "ecdsa_secp256r1_sha256", "rsa_pss_rsae_sha256", "ed25519", ...
std::string tls_signature_scheme_name(std::uint16_t scheme);
// "server_name", "application_layer_protocol_negotiation", "key_share", ...
std::string tls_extension_name(std::uint16_t type);
// RFC 8446 4.2.9: "psk_ke", "psk_dhe_ke".
std::string tls_psk_mode_name(std::uint8_t mode);
// RFC 8446 6: "warning", "fatal"; "close_notify", "handshake_failure", ...
std::string tls_alert_level_name(std::uint8_t level);
std::string tls_alert_description_name(std::uint8_t description);

// RFC 8701 2: 0x0a0a, 0x1a1a, ..., 0xfafa.
bool is_grease(std::uint16_t value);

}  // namespace miniweb::packets
