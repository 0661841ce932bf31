#include "shared/url.hpp"

#include "shared/text.hpp"
#include "shared/url_host.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace miniweb {
namespace {

bool is_scheme_char(char c, bool first) {
  if (std::isalpha(static_cast<unsigned char>(c))) return true;
  return !first &&
         (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
}

bool is_special(std::string_view scheme) {
  return scheme == "http" || scheme == "https";
}

// The URL Standard's first steps (section 4.4): leading and trailing C0 controls and spaces are
// stripped, and tabs and newlines removed wherever they stand (HTML wraps long href values).
std::string strip_url_whitespace(std::string_view text) {
  auto c0_or_space = [](char c) { return static_cast<unsigned char>(c) <= 0x20; };
  while (!text.empty() && c0_or_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && c0_or_space(text.back())) text.remove_suffix(1);
  std::string out;
  for (char c : text)
    if (c != '\t' && c != '\n' && c != '\r') out += c;
  return out;
}

// In http and https URLs a backslash before the query is a slash, as browsers read it (URL
// Standard section 4.4): "http://a.test\\@b.test/" is a path on a.test, not userinfo.
std::string backslashes_to_slashes(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '?' || c == '#') break;
    if (c == '\\') c = '/';
  }
  return out;
}

// The percent-encode sets of the URL Standard (section 1.3) for the path, the query of an http(s)
// URL and the fragment: C0 controls, bytes above ASCII (UTF-8) and what would end the part or
// be taken for markup. '%' stays: what is already encoded is left as it is.
enum class EncodeSet { Path, Query, Fragment };

std::string percent_encode_set(std::string_view text, EncodeSet set) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const std::string_view extra = set == EncodeSet::Path    ? " \"#<>?`{}"
                                 : set == EncodeSet::Query ? " \"#<>'"
                                                           : " \"<>`";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || extra.find(c) != std::string_view::npos) {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    } else {
      out += c;
    }
  }
  return out;
}

// Dot segments written percent-encoded (%2e, .%2E, %2e%2e) are dot segments too (URL Standard
// section 4.4, path state), as servers that decode the path would read them.
std::string decode_dot_segments(std::string_view path) {
  std::string out;
  while (true) {
    auto slash = path.find('/');
    std::string segment = to_lower(path.substr(0, slash));
    if (segment == "%2e") segment = ".";
    if (segment == ".%2e" || segment == "%2e." || segment == "%2e%2e") segment = "..";
    out += segment == "." || segment == ".." ? segment : std::string(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    out += '/';
    path.remove_prefix(slash + 1);
  }
}

// RFC 3986 section 5.2.3: merge a relative path with the base path.
std::string merge_paths(const UriReference& base, std::string_view reference_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(reference_path);
  auto slash = base.path.rfind('/');
  if (slash == std::string::npos) return std::string(reference_path);
  return base.path.substr(0, slash + 1) + std::string(reference_path);
}

}  // namespace

UriReference UriReference::split(std::string_view text) {
  // ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?
  UriReference ref;
  std::size_t pos = 0;
  std::size_t scheme_end = text.find_first_of(":/?#");
  if (scheme_end != std::string_view::npos && scheme_end > 0 && text[scheme_end] == ':') {
    bool valid = true;
    for (std::size_t i = 0; i < scheme_end; ++i) valid = valid && is_scheme_char(text[i], i == 0);
    if (valid) {
      ref.scheme = std::string(text.substr(0, scheme_end));
      pos = scheme_end + 1;
    }
  }
  if (text.substr(pos).starts_with("//")) {
    std::size_t end = text.find_first_of("/?#", pos + 2);
    if (end == std::string_view::npos) end = text.size();
    ref.authority = std::string(text.substr(pos + 2, end - pos - 2));
    pos = end;
  }
  std::size_t path_end = text.find_first_of("?#", pos);
  if (path_end == std::string_view::npos) path_end = text.size();
  ref.path = std::string(text.substr(pos, path_end - pos));
  pos = path_end;
  if (pos < text.size() && text[pos] == '?') {
    std::size_t end = text.find('#', pos);
    if (end == std::string_view::npos) end = text.size();
    ref.query = std::string(text.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  if (pos < text.size() && text[pos] == '#') ref.fragment = std::string(text.substr(pos + 1));
  return ref;
}

std::string UriReference::recompose() const {
  std::string out;
  if (scheme) out += *scheme + ":";
  if (authority) out += "//" + *authority;
  out += path;
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

std::string remove_dot_segments(std::string_view path) {
  std::string input(path);
  std::string output;
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.erase(0, 3);
    } else if (input.starts_with("./")) {
      input.erase(0, 2);
    } else if (input.starts_with("/./")) {
      input.erase(0, 2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../") || input == "/..") {
      input = input.size() == 3 ? "/" : input.substr(3);
      auto slash = output.rfind('/');
      output.erase(slash == std::string::npos ? 0 : slash);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      std::size_t start = input[0] == '/' ? 1 : 0;
      std::size_t end = input.find('/', start);
      if (end == std::string::npos) end = input.size();
      output += input.substr(0, end);
      input.erase(0, end);
    }
  }
  return output;
}

std::string resolve_reference(std::string_view base_text, std::string_view reference_text) {
  UriReference base = UriReference::split(base_text);
  UriReference ref = UriReference::split(reference_text);
  UriReference target;
  if (ref.scheme) {
    target.scheme = ref.scheme;
    target.authority = ref.authority;
    target.path = remove_dot_segments(ref.path);
    target.query = ref.query;
  } else {
    if (ref.authority) {
      target.authority = ref.authority;
      target.path = remove_dot_segments(ref.path);
      target.query = ref.query;
    } else {
      if (ref.path.empty()) {
        target.path = base.path;
        target.query = ref.query ? ref.query : base.query;
      } else {
        if (ref.path.starts_with("/")) {
          target.path = remove_dot_segments(ref.path);
        } else {
          target.path = remove_dot_segments(merge_paths(base, ref.path));
        }
        target.query = ref.query;
      }
      target.authority = base.authority;
    }
    target.scheme = base.scheme;
  }
  target.fragment = ref.fragment;
  return target.recompose();
}

std::optional<std::uint16_t> default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return std::nullopt;
}

Result<Url> Url::parse(std::string_view text) {
  std::string input = strip_url_whitespace(text);
  UriReference parts = UriReference::split(input);
  if (!parts.scheme) return make_error("URL has no scheme (expected http:// or https://)");
  Url url;
  url.scheme = to_lower(*parts.scheme);
  if (url.scheme == "file") {
    for (char c : input) {
      if (static_cast<unsigned char>(c) < 0x20 || c == ' ' || c == '\x7f')
        return make_error("URL contains a space or control character");
    }
    // RFC 8089: file:///path or file://localhost/path, a local file.
    if (parts.authority && !parts.authority->empty() && to_lower(*parts.authority) != "localhost")
      return make_error("file URLs name local files only (file:///path)");
    if (parts.path.empty()) return make_error("file URL has no path");
    url.path = remove_dot_segments(parts.path);
    // "file:a/b" names /a/b (as the WHATWG URL standard reads it): written out as file://a/b,
    // a path without its slash would read back as the host "a".
    if (url.path.empty() || url.path[0] != '/') url.path.insert(0, "/");
    url.query = parts.query;
    url.fragment = parts.fragment;
    return url;
  }
  if (!default_port(url.scheme)) return make_error("unsupported URL scheme '" + url.scheme + "'");
  // The URL Standard's special authority slashes: after "http:", any run of slashes or
  // backslashes (none too) comes before the authority.
  std::string rest =
      backslashes_to_slashes(std::string_view(input).substr(parts.scheme->size() + 1));
  rest.erase(0, rest.find_first_not_of('/'));
  parts = UriReference::split(url.scheme + "://" + rest);
  if (!parts.authority || parts.authority->empty()) return make_error("URL has no host");

  std::string_view authority = *parts.authority;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view host = authority;
  std::string_view port_text;
  if (authority.starts_with("[")) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return make_error("URL has an unterminated IPv6 literal");
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return make_error("URL has junk after the IPv6 literal");
      port_text = after.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  auto parsed_host = parse_url_host(host);
  if (!parsed_host) return parsed_host.error();
  url.host = std::move(*parsed_host);
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535)
      return make_error("URL port '" + std::string(port_text) +
                        "' is not a number from 1 to 65535");
    if (value != *default_port(url.scheme)) url.port = static_cast<std::uint16_t>(value);
  }
  url.path = parts.path.empty() ? "/" : remove_dot_segments(decode_dot_segments(parts.path));
  if (url.path.empty() || url.path[0] != '/') url.path.insert(0, "/");
  url.path = percent_encode_set(url.path, EncodeSet::Path);
  if (parts.query) url.query = percent_encode_set(*parts.query, EncodeSet::Query);
  if (parts.fragment) url.fragment = percent_encode_set(*parts.fragment, EncodeSet::Fragment);
  return url;
}

std::uint16_t Url::effective_port() const {
  return port ? *port : default_port(scheme).value_or(0);
}

std::string Url::host_for_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

std::string Url::request_target() const {
  return query ? path + "?" + *query : path;
}

std::string Url::to_string() const {
  std::string out = scheme + "://" + host_for_header() + request_target();
  if (scheme == "file") out = "file://" + request_target();
  if (fragment) out += "#" + *fragment;
  return out;
}

Result<Url> Url::resolve(std::string_view reference) const {
  std::string text = strip_url_whitespace(reference);
  if (is_special(scheme)) {
    text = backslashes_to_slashes(text);
    // "http:g" against an http page is relative, as browsers and RFC 3986's non-strict
    // resolution (section 5.2.2) read it.
    UriReference parts = UriReference::split(text);
    if (parts.scheme && to_lower(*parts.scheme) == scheme && !parts.authority)
      text.erase(0, parts.scheme->size() + 1);
    // A scheme-relative "///a/b" names host a, as any run of slashes does (URL Standard).
    if (text.starts_with("//")) return Url::parse(scheme + ":" + text);
  }
  return Url::parse(resolve_reference(to_string(), text));
}

std::string percent_encode_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') ||
                       std::string_view("/-._~!$&'()*+,;=:@").find(c) != std::string_view::npos;
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace miniweb
