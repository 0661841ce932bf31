#include "browser/packets/tls_hello.hpp"

#include <algorithm>

#include "browser/packets/byte_reader.hpp"
#include "browser/packets/tls_names.hpp"

namespace miniweb::packets {
namespace {

// Extension types read here (IANA's TLS ExtensionType Values).
constexpr std::uint16_t kServerName = 0;
constexpr std::uint16_t kSupportedGroups = 10;
constexpr std::uint16_t kSignatureAlgorithms = 13;
constexpr std::uint16_t kAlpn = 16;
constexpr std::uint16_t kPreSharedKey = 41;
constexpr std::uint16_t kEarlyData = 42;
constexpr std::uint16_t kSupportedVersions = 43;
constexpr std::uint16_t kPskKeyExchangeModes = 45;
constexpr std::uint16_t kKeyShare = 51;

// RFC 8446 4.1.3: SHA-256 of "HelloRetryRequest".
constexpr std::array<std::uint8_t, 32> kHelloRetryRequestRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

struct Extension {
  std::uint16_t type = 0;
  std::span<const std::uint8_t> data;
};

// The body of a whole handshake message of the given type.
Result<std::span<const std::uint8_t>> body_of(std::span<const std::uint8_t> message,
                                              std::uint8_t type, const char* name) {
  auto header = parse_tls_handshake_header(message);
  if (!header) return header.error();
  if (header->type != type)
    return make_error(std::string("not a ") + name + ": handshake type " +
                      tls_handshake_type_name(header->type));
  const std::size_t present = message.size() - kTlsHandshakeHeaderSize;
  if (header->length != present)
    return make_error(std::string(name) + " says " + std::to_string(header->length) + " bytes, " +
                      std::to_string(present) + " present");
  return message.subspan(kTlsHandshakeHeaderSize);
}

// RFC 8446 4.2: Extension extensions<8..2^16-1>. A TLS 1.2 hello may end before it.
Result<std::vector<Extension>> read_extensions(ByteReader& reader, const char* name) {
  std::vector<Extension> extensions;
  if (reader.at_end()) return extensions;
  ByteReader block(reader.prefixed(2));
  if (!reader.at_end())
    return make_error(std::string(name) + ": the extensions' length does not match the message");
  while (block.ok() && block.remaining() > 0) {
    Extension extension;
    extension.type = block.u16();
    extension.data = block.prefixed(2);
    if (block.ok()) extensions.push_back(extension);
  }
  if (!block.ok()) return make_error(std::string(name) + ": an extension overruns the message");
  return extensions;
}

std::vector<std::uint16_t> read_u16_list(ByteReader& reader, int prefix_bytes) {
  ByteReader list(reader.prefixed(prefix_bytes));
  std::vector<std::uint16_t> values;
  if (list.remaining() % 2 != 0) reader.skip(reader.remaining() + 1);  // fails the reader
  while (list.ok() && list.remaining() >= 2) values.push_back(list.u16());
  return values;
}

std::string text_of(std::span<const std::uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// RFC 6066 3: a list of (name_type, name); host_name is type 0.
std::optional<std::string> read_server_name(ByteReader& reader) {
  ByteReader list(reader.prefixed(2));
  std::optional<std::string> host;
  while (list.ok() && list.remaining() > 0) {
    const std::uint8_t name_type = list.u8();
    const auto name = list.prefixed(2);
    if (list.ok() && name_type == 0 && !host) host = text_of(name);
  }
  if (!list.ok()) reader.skip(reader.remaining() + 1);
  return host;
}

// RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>, each opaque<1..2^8-1>.
std::vector<std::string> read_alpn(ByteReader& reader) {
  ByteReader list(reader.prefixed(2));
  std::vector<std::string> protocols;
  while (list.ok() && list.remaining() > 0) {
    const auto name = list.prefixed(1);
    if (list.ok()) protocols.push_back(text_of(name));
  }
  if (!list.ok()) reader.skip(reader.remaining() + 1);
  return protocols;
}

Status parse_client_extension(const Extension& extension, ClientHello& hello) {
  ByteReader reader(extension.data);
  switch (extension.type) {
    case kServerName:
      if (!extension.data.empty()) hello.server_name = read_server_name(reader);
      break;
    case kAlpn:
      hello.alpn = read_alpn(reader);
      break;
    case kSupportedVersions:  // RFC 8446 4.2.1: ProtocolVersion versions<2..254>
      hello.supported_versions = read_u16_list(reader, 1);
      break;
    case kSupportedGroups:  // RFC 8446 4.2.7
      hello.supported_groups = read_u16_list(reader, 2);
      break;
    case kSignatureAlgorithms:  // RFC 8446 4.2.3
      hello.signature_algorithms = read_u16_list(reader, 2);
      break;
    case kKeyShare: {  // RFC 8446 4.2.8: KeyShareEntry client_shares<0..2^16-1>
      ByteReader shares(reader.prefixed(2));
      while (shares.ok() && shares.remaining() > 0) {
        const std::uint16_t group = shares.u16();
        shares.prefixed(2);  // the key itself
        if (shares.ok()) hello.key_share_groups.push_back(group);
      }
      if (!shares.ok()) reader.skip(reader.remaining() + 1);
      break;
    }
    case kPskKeyExchangeModes: {  // RFC 8446 4.2.9
      const auto modes = reader.prefixed(1);
      hello.psk_key_exchange_modes.assign(modes.begin(), modes.end());
      break;
    }
    case kPreSharedKey:
      hello.pre_shared_key = true;
      return Ok{};
    case kEarlyData:
      hello.early_data = true;
      return Ok{};
    default:
      return Ok{};
  }
  if (!reader.at_end())
    return make_error("ClientHello extension " + tls_extension_name(extension.type) +
                      " is malformed");
  return Ok{};
}

Status parse_server_extension(const Extension& extension, ServerHello& hello) {
  ByteReader reader(extension.data);
  switch (extension.type) {
    case kSupportedVersions:  // RFC 8446 4.2.1: one selected_version
      hello.selected_version = reader.u16();
      break;
    case kKeyShare:
      // RFC 8446 4.2.8: a HelloRetryRequest names the group only; a ServerHello sends a share.
      hello.key_share_group = reader.u16();
      if (!hello.hello_retry_request) reader.prefixed(2);
      break;
    case kAlpn: {
      auto protocols = read_alpn(reader);
      if (protocols.size() == 1)
        hello.alpn = protocols.front();
      else
        reader.skip(reader.remaining() + 1);  // RFC 7301 3.1: exactly one
      break;
    }
    case kPreSharedKey:  // RFC 8446 4.2.11: the selected identity's index
      hello.selected_psk_identity = reader.u16();
      break;
    default:
      return Ok{};
  }
  if (!reader.at_end())
    return make_error("ServerHello extension " + tls_extension_name(extension.type) +
                      " is malformed");
  return Ok{};
}

std::string names_of(const std::vector<std::uint16_t>& values, std::string (*name)(std::uint16_t)) {
  std::string text;
  for (std::uint16_t value : values) text += (text.empty() ? "" : " ") + name(value);
  return text;
}

}  // namespace

Result<TlsHandshakeHeader> parse_tls_handshake_header(std::span<const std::uint8_t> message) {
  ByteReader reader(message);
  TlsHandshakeHeader header;
  header.type = reader.u8();
  header.length = reader.u24();
  if (!reader.ok())
    return make_error("handshake message shorter than its 4-byte header (" +
                      std::to_string(message.size()) + " bytes)");
  return header;
}

Result<ClientHello> parse_client_hello(std::span<const std::uint8_t> message) {
  auto body = body_of(message, tls_handshake::ClientHello, "ClientHello");
  if (!body) return body.error();
  ByteReader reader(*body);
  ClientHello hello;
  hello.legacy_version = reader.u16();
  const auto random = reader.bytes(32);
  const auto session_id = reader.prefixed(1);
  hello.cipher_suites = read_u16_list(reader, 2);
  const auto compression = reader.prefixed(1);
  if (!reader.ok()) return make_error("ClientHello: its fixed fields overrun the message");
  std::copy(random.begin(), random.end(), hello.random.begin());
  hello.session_id_length = session_id.size();
  hello.compression_methods.assign(compression.begin(), compression.end());
  auto extensions = read_extensions(reader, "ClientHello");
  if (!extensions) return extensions.error();
  for (const auto& extension : *extensions) {
    hello.extensions.push_back(extension.type);
    if (auto parsed = parse_client_extension(extension, hello); !parsed) return parsed.error();
  }
  return hello;
}

Result<ServerHello> parse_server_hello(std::span<const std::uint8_t> message) {
  auto body = body_of(message, tls_handshake::ServerHello, "ServerHello");
  if (!body) return body.error();
  ByteReader reader(*body);
  ServerHello hello;
  hello.legacy_version = reader.u16();
  const auto random = reader.bytes(32);
  const auto session_id = reader.prefixed(1);
  hello.cipher_suite = reader.u16();
  hello.compression_method = reader.u8();
  if (!reader.ok()) return make_error("ServerHello: its fixed fields overrun the message");
  std::copy(random.begin(), random.end(), hello.random.begin());
  hello.session_id_length = session_id.size();
  hello.hello_retry_request = hello.random == kHelloRetryRequestRandom;
  auto extensions = read_extensions(reader, "ServerHello");
  if (!extensions) return extensions.error();
  for (const auto& extension : *extensions) {
    hello.extensions.push_back(extension.type);
    if (auto parsed = parse_server_extension(extension, hello); !parsed) return parsed.error();
  }
  return hello;
}

Result<std::uint16_t> parse_server_key_exchange_group(std::span<const std::uint8_t> message) {
  constexpr std::uint8_t kNamedCurve = 3;
  auto body = body_of(message, tls_handshake::ServerKeyExchange, "ServerKeyExchange");
  if (!body) return body.error();
  ByteReader reader(*body);
  const std::uint8_t curve_type = reader.u8();
  const std::uint16_t group = reader.u16();
  if (!reader.ok()) return make_error("ServerKeyExchange: too short for ECParameters");
  if (curve_type != kNamedCurve)
    return make_error("ServerKeyExchange names no group (curve type " + std::to_string(curve_type) +
                      ", not named_curve)");
  return group;
}

std::uint16_t ClientHello::highest_version() const {
  std::uint16_t highest = 0;
  for (std::uint16_t version : supported_versions)
    if (!is_grease(version)) highest = std::max(highest, version);
  return highest != 0 ? highest : legacy_version;
}

std::string ClientHello::to_string() const {
  std::string text = "ClientHello";
  if (server_name) text += " SNI " + *server_name + ",";
  if (!alpn.empty()) {
    text += " ALPN";
    for (const auto& protocol : alpn) text += " " + protocol;
    text += ",";
  }
  text += " " + (supported_versions.empty() ? tls_version_name(legacy_version)
                                            : names_of(supported_versions, tls_version_name));
  if (!key_share_groups.empty())
    text += ", key shares " + names_of(key_share_groups, tls_group_name);
  if (pre_shared_key) text += ", PSK offered";
  return text;
}

std::string ServerHello::to_string() const {
  std::string text = hello_retry_request ? "HelloRetryRequest " : "ServerHello ";
  text += tls_version_name(version()) + ", " + tls_cipher_suite_name(cipher_suite);
  if (key_share_group)
    text +=
        (hello_retry_request ? ", asks for " : ", key share ") + tls_group_name(*key_share_group);
  if (alpn) text += ", ALPN " + *alpn;
  if (selected_psk_identity) text += ", PSK " + std::to_string(*selected_psk_identity);
  return text;
}

}  // namespace miniweb::packets
