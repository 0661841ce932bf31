#include "browser/packets/tls_names.hpp"

#include <algorithm>
#include <cstdio>
#include <span>

namespace miniweb::packets {
namespace {

struct Named {
  std::uint16_t value;
  const char* name;
};

std::string hex(std::uint16_t value, int digits) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%0*x", digits, value);
  return text;
}

// The name for `value`, or its hex (with GREASE marked, for 16-bit registries).
std::string lookup(std::span<const Named> table, std::uint16_t value, int digits) {
  auto found = std::find_if(table.begin(), table.end(),
                            [value](const Named& entry) { return entry.value == value; });
  if (found != table.end()) return found->name;
  if (digits == 4 && is_grease(value)) return hex(value, digits) + " (GREASE)";
  return hex(value, digits);
}

constexpr Named kContentTypes[] = {
    {20, "change_cipher_spec"}, {21, "alert"},     {22, "handshake"},
    {23, "application_data"},   {24, "heartbeat"},
};

constexpr Named kHandshakeTypes[] = {
    {0, "HelloRequest"},        {1, "ClientHello"},      {2, "ServerHello"},
    {3, "HelloVerifyRequest"},  {4, "NewSessionTicket"}, {5, "EndOfEarlyData"},
    {8, "EncryptedExtensions"}, {11, "Certificate"},     {12, "ServerKeyExchange"},
    {13, "CertificateRequest"}, {14, "ServerHelloDone"}, {15, "CertificateVerify"},
    {16, "ClientKeyExchange"},  {20, "Finished"},        {21, "CertificateURL"},
    {22, "CertificateStatus"},  {24, "KeyUpdate"},       {25, "CompressedCertificate"},
    {254, "MessageHash"},
};

constexpr Named kVersions[] = {
    {0x0300, "SSL 3.0"}, {0x0301, "TLS 1.0"},  {0x0302, "TLS 1.1"},  {0x0303, "TLS 1.2"},
    {0x0304, "TLS 1.3"}, {0xfeff, "DTLS 1.0"}, {0xfefd, "DTLS 1.2"}, {0xfefc, "DTLS 1.3"},
};

constexpr Named kCipherSuites[] = {
    // TLS 1.3 (RFC 8446 B.4)
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    // TLS 1.2 with ECDHE (RFC 8422, RFC 5289, RFC 7905)
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    // TLS 1.2 with DHE or RSA key exchange (RFC 5246, RFC 5288)
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    // Signalling values (RFC 5746 3.3, RFC 7507)
    {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x5600, "TLS_FALLBACK_SCSV"},
};

constexpr Named kGroups[] = {
    {0x0017, "secp256r1"},
    {0x0018, "secp384r1"},
    {0x0019, "secp521r1"},
    {0x001a, "brainpoolP256r1"},
    {0x001b, "brainpoolP384r1"},
    {0x001c, "brainpoolP512r1"},
    {0x001d, "x25519"},
    {0x001e, "x448"},
    {0x0100, "ffdhe2048"},
    {0x0101, "ffdhe3072"},
    {0x0102, "ffdhe4096"},
    {0x0103, "ffdhe6144"},
    {0x0104, "ffdhe8192"},
    {0x0200, "MLKEM512"},
    {0x0201, "MLKEM768"},
    {0x0202, "MLKEM1024"},
    {0x11eb, "SecP256r1MLKEM768"},
    {0x11ec, "X25519MLKEM768"},
    {0x11ed, "SecP384r1MLKEM1024"},
    {0x6399, "X25519Kyber768Draft00"},
};

constexpr Named kSignatureSchemes[] = {
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080a, "rsa_pss_pss_sha384"},
    {0x080b, "rsa_pss_pss_sha512"},
    {0x081a, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081b, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081c, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0203, "ecdsa_sha1"},
    // TLS 1.2's hash and signature pairs that have no TLS 1.3 name (RFC 5246 7.4.1.4.1)
    {0x0202, "dsa_sha1"},
    {0x0301, "rsa_pkcs1_sha224"},
    {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0402, "dsa_sha256"},
    {0x0502, "dsa_sha384"},
    {0x0602, "dsa_sha512"},
};

constexpr Named kExtensions[] = {
    {0, "server_name"},
    {1, "max_fragment_length"},
    {5, "status_request"},
    {10, "supported_groups"},
    {11, "ec_point_formats"},
    {13, "signature_algorithms"},
    {14, "use_srtp"},
    {15, "heartbeat"},
    {16, "application_layer_protocol_negotiation"},
    {18, "signed_certificate_timestamp"},
    {19, "client_certificate_type"},
    {20, "server_certificate_type"},
    {21, "padding"},
    {22, "encrypt_then_mac"},
    {23, "extended_master_secret"},
    {27, "compress_certificate"},
    {28, "record_size_limit"},
    {35, "session_ticket"},
    {41, "pre_shared_key"},
    {42, "early_data"},
    {43, "supported_versions"},
    {44, "cookie"},
    {45, "psk_key_exchange_modes"},
    {47, "certificate_authorities"},
    {48, "oid_filters"},
    {49, "post_handshake_auth"},
    {50, "signature_algorithms_cert"},
    {51, "key_share"},
    {57, "quic_transport_parameters"},
    {0x4469, "application_settings"},
    {0xfe0d, "encrypted_client_hello"},
    {0xff01, "renegotiation_info"},
};

constexpr Named kPskModes[] = {{0, "psk_ke"}, {1, "psk_dhe_ke"}};

constexpr Named kAlertLevels[] = {{1, "warning"}, {2, "fatal"}};

constexpr Named kAlertDescriptions[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
};

}  // namespace

bool is_grease(std::uint16_t value) {
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

std::string tls_content_type_name(std::uint8_t type) {
  return lookup(kContentTypes, type, 2);
}
std::string tls_handshake_type_name(std::uint8_t type) {
  return lookup(kHandshakeTypes, type, 2);
}
std::string tls_version_name(std::uint16_t version) {
  return lookup(kVersions, version, 4);
}
std::string tls_cipher_suite_name(std::uint16_t suite) {
  return lookup(kCipherSuites, suite, 4);
}
std::string tls_group_name(std::uint16_t group) {
  return lookup(kGroups, group, 4);
}
std::string tls_signature_scheme_name(std::uint16_t scheme) {
  return lookup(kSignatureSchemes, scheme, 4);
}
std::string tls_extension_name(std::uint16_t type) {
  return lookup(kExtensions, type, 4);
}
std::string tls_psk_mode_name(std::uint8_t mode) {
  return lookup(kPskModes, mode, 2);
}
std::string tls_alert_level_name(std::uint8_t level) {
  return lookup(kAlertLevels, level, 2);
}
std::string tls_alert_description_name(std::uint8_t description) {
  return lookup(kAlertDescriptions, description, 2);
}

}  // namespace miniweb::packets
