#include "browser/net/tls_session_file.hpp"

#include <array>
#include <charconv>
#include <optional>

#include "shared/jose/jws.hpp"

namespace miniweb::browser {
namespace {

// The first line: the format and its version. Another version is not read (a newer browser's
// file is replaced by this one's, as a damaged one would be: a cache, at worst a full handshake).
constexpr std::string_view kHeader =
    "# miniweb TLS sessions 1: origin, expires, verified_at, certificate_ends, session, trust, "
    "verification, revocation, certificate (tab-separated; secret: whoever reads a session can "
    "resume it)";
constexpr std::size_t kFields = 9;

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

std::optional<std::string> unescaped(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\') {
      out += field[i];
      continue;
    }
    if (++i == field.size()) return std::nullopt;
    switch (field[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::optional<std::time_t> time_of(std::string_view field) {
  std::time_t value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error != std::errc() || end != field.data() + field.size()) return std::nullopt;
  return value;
}

// One line's session and its origin; none when the line is damaged.
std::optional<std::pair<std::string, TlsSessionStore::Kept>> read_line(std::string_view line) {
  std::array<std::string_view, kFields> fields;
  std::size_t count = 0;
  for (std::size_t begin = 0;;) {
    const std::size_t tab = line.find('\t', begin);
    if (count == kFields) return std::nullopt;  // a field too many
    fields[count++] = line.substr(begin, tab == std::string_view::npos ? tab : tab - begin);
    if (tab == std::string_view::npos) break;
    begin = tab + 1;
  }
  if (count != kFields) return std::nullopt;
  auto origin = unescaped(fields[0]);
  const auto expires = time_of(fields[1]);
  const auto verified_at = time_of(fields[2]);
  const auto certificate_ends = time_of(fields[3]);
  auto der = jose::base64url_decode(fields[4]);
  auto trust = unescaped(fields[5]);
  auto verification = unescaped(fields[6]);
  auto revocation = unescaped(fields[7]);
  auto certificate = unescaped(fields[8]);
  if (!origin || !expires || !verified_at || !certificate_ends || !der || !trust || !verification ||
      !revocation || !certificate)
    return std::nullopt;
  if (origin->empty() || der->empty() || trust->empty() || *expires == 0 || verification->empty() ||
      *certificate_ends == 0)
    return std::nullopt;
  return std::pair{std::move(*origin),
                   TlsSessionStore::Kept{.der = std::move(*der),
                                         .trust = std::move(*trust),
                                         .expires = *expires,
                                         .server = {.verified_at = *verified_at,
                                                    .verification = std::move(*verification),
                                                    .revocation = std::move(*revocation),
                                                    .certificate = std::move(*certificate),
                                                    .certificate_ends = *certificate_ends},
                                         .from_profile = true}};
}

}  // namespace

std::string sessions_file_text(const SessionsByOrigin& by_origin) {
  std::string text(kHeader);
  text += '\n';
  for (const auto& [origin, sessions] : by_origin) {
    for (const TlsSessionStore::Kept& kept : sessions) {
      append_escaped(text, origin);
      for (const std::time_t time :
           {kept.expires, kept.server.verified_at, kept.server.certificate_ends}) {
        text += '\t';
        text += std::to_string(time);
      }
      text += '\t';
      text += jose::base64url_encode(kept.der);
      for (const std::string* field : {&kept.trust, &kept.server.verification,
                                       &kept.server.revocation, &kept.server.certificate}) {
        text += '\t';
        append_escaped(text, *field);
      }
      text += '\n';
    }
  }
  return text;
}

SessionsFileRead read_sessions_file(std::string_view text) {
  SessionsFileRead read;
  const std::size_t header_end = text.find('\n');
  if (text.substr(0, header_end) != kHeader) return read;
  read.is_session_file = true;
  if (header_end == std::string_view::npos) return read;
  for (std::size_t begin = header_end + 1; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (auto session = read_line(line))
      read.by_origin[session->first].push_back(std::move(session->second));
    else
      ++read.damaged;
  }
  return read;
}

}  // namespace miniweb::browser
