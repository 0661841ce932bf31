#include "browser/observe/tls_contents.hpp"

#include <openssl/x509.h>

#include <memory>

#include "browser/packets/tls_hello.hpp"
#include "browser/packets/tls_names.hpp"

namespace miniweb::browser::observe {
namespace {

namespace handshake = packets::tls_handshake;
constexpr std::uint8_t kEncryptedExtensions = 8;
constexpr std::uint16_t kEarlyData = 42;  // the extension (RFC 8446 section 4.2.10)
constexpr std::uint8_t kCertificateVerify = 15;

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Big-endian reads that stop at the end instead of reading past it.
struct Reader {
  std::span<const std::uint8_t> bytes;
  std::size_t at = 0;
  bool ok = true;

  std::uint32_t number(std::size_t width) {
    if (at + width > bytes.size()) {
      ok = false;
      return 0;
    }
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | bytes[at++];
    return value;
  }
  std::span<const std::uint8_t> take(std::size_t count) {
    if (at + count > bytes.size()) {
      ok = false;
      at = bytes.size();
      return {};
    }
    auto part = bytes.subspan(at, count);
    at += count;
    return part;
  }
};

template <class T, class Name>
std::string joined(const std::vector<T>& values, Name name) {
  std::string out;
  for (const T& value : values) {
    if (!out.empty()) out += ' ';
    out += name(value);
  }
  return out.empty() ? "none" : out;
}

std::string client_hello(std::span<const std::uint8_t> message) {
  auto hello = packets::parse_client_hello(message);
  if (!hello) return "ClientHello (" + hello.error().message + ")";
  std::string out = "ClientHello SNI " + hello->server_name.value_or("(none)");
  out += ", ALPN " + joined(hello->alpn, [](const std::string& p) { return p; });
  out += ", versions " + joined(hello->supported_versions, packets::tls_version_name);
  out += ", key shares " + joined(hello->key_share_groups, packets::tls_group_name);
  out += ", signature algorithms " +
         joined(hello->signature_algorithms, packets::tls_signature_scheme_name);
  if (hello->pre_shared_key) out += ", a session offered for resumption";
  return out;
}

std::string server_hello(std::span<const std::uint8_t> message) {
  auto hello = packets::parse_server_hello(message);
  if (!hello) return "ServerHello (" + hello.error().message + ")";
  std::string out = hello->hello_retry_request ? "HelloRetryRequest " : "ServerHello ";
  out += packets::tls_version_name(hello->version()) + ", " +
         packets::tls_cipher_suite_name(hello->cipher_suite);
  if (hello->key_share_group)
    out += ", key share " + packets::tls_group_name(*hello->key_share_group);
  if (hello->selected_psk_identity) out += ", resumed (PSK accepted)";
  return out;
}

// Each extension of an EncryptedExtensions message's body, in order: its type and its data.
// One cut short by the message's end is not visited.
template <class Visit>
void for_each_extension(Reader body, Visit visit) {
  const std::size_t end = body.number(2) + body.at;
  while (body.ok && body.at + 4 <= end) {
    const auto type = static_cast<std::uint16_t>(body.number(2));
    Reader data{body.take(body.number(2))};
    if (body.ok) visit(type, data);
  }
}

std::string encrypted_extensions(Reader body) {
  std::string out = "EncryptedExtensions";
  std::vector<std::string> names;
  for_each_extension(body, [&](std::uint16_t type, Reader data) {
    std::string name = packets::tls_extension_name(type);
    if (type == 16) {  // ALPN: the protocol the server chose
      data.number(2);
      auto protocol = data.take(data.number(1));
      name += " " + std::string(protocol.begin(), protocol.end());
    }
    names.push_back(std::move(name));
  });
  if (!names.empty()) out += ": " + joined(names, [](const std::string& n) { return n; });
  return out;
}

std::string common_name(std::span<const std::uint8_t> der) {
  const unsigned char* start = der.data();
  std::unique_ptr<X509, decltype(&X509_free)> certificate(
      d2i_X509(nullptr, &start, static_cast<long>(der.size())), X509_free);
  if (!certificate) return "(not a certificate OpenSSL reads)";
  char text[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName, text,
                            sizeof text);
  return text[0] ? std::string("CN=") + text : std::string("(no CN)");
}

std::string certificate(Reader body) {
  body.take(body.number(1));  // certificate_request_context
  const std::size_t end = body.number(3) + body.at;
  std::vector<std::string> subjects;
  bool cut = false;
  while (body.ok && body.at < end) {
    const std::uint32_t length = body.number(3);
    auto der = body.take(length);
    if (!body.ok) {
      cut = true;
      break;
    }
    subjects.push_back(common_name(der));
    body.take(body.number(2));  // the entry's extensions
  }
  std::string out = "Certificate: " + std::to_string(subjects.size()) +
                    (subjects.size() == 1 ? " certificate" : " certificates");
  for (std::size_t i = 0; i < subjects.size(); ++i) out += (i ? " <- " : ", ") + subjects[i];
  if (cut) out += " (and more, not kept)";
  return out;
}

}  // namespace

TlsSeen split_tls_events(const std::vector<TlsEvent>& events) {
  TlsSeen seen;
  for (const TlsEvent& event : events) {
    TlsSeenOneWay& way = event.sent ? seen.sent : seen.received;
    switch (event.kind) {
      case TlsEvent::Kind::InnerContentType:
        way.inner_types.push_back(event.content_type);
        break;
      case TlsEvent::Kind::Handshake:
        way.handshake_messages.push_back(event.bytes);
        break;
      case TlsEvent::Kind::Alert:
        way.alerts.push_back(event.bytes);
        break;
      default:
        break;
    }
  }
  return seen;
}

std::uint32_t handshake_message_length(std::string_view message) {
  auto header = packets::parse_tls_handshake_header(as_bytes(message));
  return header ? header->length + static_cast<std::uint32_t>(packets::kTlsHandshakeHeaderSize)
                : static_cast<std::uint32_t>(message.size());
}

std::optional<bool> accepts_early_data(std::span<const std::uint8_t> message) {
  auto header = packets::parse_tls_handshake_header(message);
  if (!header || header->type != kEncryptedExtensions) return std::nullopt;
  bool accepted = false;
  for_each_extension(
      Reader{message.subspan(packets::kTlsHandshakeHeaderSize)},
      [&](std::uint16_t type, Reader) { accepted = accepted || type == kEarlyData; });
  return accepted;
}

std::string describe_handshake_message(std::span<const std::uint8_t> message) {
  auto header = packets::parse_tls_handshake_header(message);
  if (!header) return "a handshake message too short to read";
  Reader body{message.subspan(packets::kTlsHandshakeHeaderSize)};
  switch (header->type) {
    case handshake::ClientHello:
      return client_hello(message);
    case handshake::ServerHello:
      return server_hello(message);
    case kEncryptedExtensions:
      return encrypted_extensions(body);
    case handshake::Certificate:
      return certificate(body);
    case kCertificateVerify:
      return "CertificateVerify " +
             packets::tls_signature_scheme_name(static_cast<std::uint16_t>(body.number(2)));
    case handshake::NewSessionTicket: {
      const std::uint32_t lifetime = body.number(4);
      return "NewSessionTicket lifetime " + std::to_string(lifetime) + " s";
    }
    default:
      return packets::tls_handshake_type_name(header->type);
  }
}

std::string describe_alert(std::string_view two_bytes) {
  if (two_bytes.size() < 2) return "an alert too short to read";
  return packets::tls_alert_level_name(static_cast<std::uint8_t>(two_bytes[0])) + " " +
         packets::tls_alert_description_name(static_cast<std::uint8_t>(two_bytes[1]));
}

}  // namespace miniweb::browser::observe
