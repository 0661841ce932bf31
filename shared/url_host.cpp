#include "shared/url_host.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "shared/text.hpp"

namespace miniweb {
namespace {

// URL Standard section 3.5: an IPv4 number is decimal, octal with a leading 0, or hex after
// 0x; an empty hex number is 0. nullopt when it is not a number at all.
std::optional<std::uint64_t> parse_ipv4_number(std::string_view text) {
  int radix = 10;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    radix = 16;
    text.remove_prefix(2);
  } else if (text.size() >= 2 && text[0] == '0') {
    radix = 8;
    text.remove_prefix(1);
  }
  if (text.empty()) return 0;
  std::uint64_t value = 0;
  for (char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0 || digit >= radix) return std::nullopt;
    // Past 2^32 it fails anyway; stop growing before it could overflow.
    value = std::min<std::uint64_t>(value * radix + digit, std::uint64_t{1} << 40);
  }
  return value;
}

std::vector<std::string_view> split_labels(std::string_view host) {
  std::vector<std::string_view> labels;
  while (true) {
    auto dot = host.find('.');
    labels.push_back(host.substr(0, dot));
    if (dot == std::string_view::npos) return labels;
    host.remove_prefix(dot + 1);
  }
}

// "Ends in a number": the last label (after a trailing dot, the one before it) is all digits
// or a 0x number. Such a host is an IPv4 address or nothing.
bool ends_in_a_number(std::string_view host) {
  std::vector<std::string_view> labels = split_labels(host);
  if (labels.back().empty() && labels.size() > 1) labels.pop_back();
  std::string_view last = labels.back();
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos) return true;
  return parse_ipv4_number(last).has_value() && last.size() >= 2 && last[0] == '0' &&
         (last[1] == 'x' || last[1] == 'X');
}

Result<std::string> parse_ipv4(std::string_view host) {
  std::vector<std::string_view> labels = split_labels(host);
  if (labels.back().empty() && labels.size() > 1) labels.pop_back();
  if (labels.size() > 4) return make_error("URL host '" + std::string(host) + "' is not IPv4");
  std::vector<std::uint64_t> numbers;
  for (std::string_view label : labels) {
    auto number = label.empty() ? std::nullopt : parse_ipv4_number(label);
    if (!number) return make_error("URL host '" + std::string(host) + "' is not IPv4");
    numbers.push_back(*number);
  }
  // Every number but the last is one byte; the last fills the bytes that are left.
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i)
    if (numbers[i] > 255) return make_error("URL host '" + std::string(host) + "' is not IPv4");
  if (numbers.back() >= (std::uint64_t{1} << (8 * (5 - numbers.size()))))
    return make_error("URL host '" + std::string(host) + "' is not IPv4");
  std::uint64_t address = numbers.back();
  for (std::size_t i = 0; i + 1 < numbers.size(); ++i) address += numbers[i] << (8 * (3 - i));
  return std::to_string(address >> 24) + "." + std::to_string((address >> 16) & 255) + "." +
         std::to_string((address >> 8) & 255) + "." + std::to_string(address & 255);
}

// URL Standard section 3.6 (IPv6 serializer): lower-case hex pieces, the first longest run of
// two or more zero pieces written "::", never a dotted IPv4 tail.
Result<std::string> parse_ipv6(std::string_view literal) {
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, std::string(literal).c_str(), bytes.data()) != 1)
    return make_error("URL host '[" + std::string(literal) + "]' is not an IPv6 address");
  std::array<unsigned, 8> pieces{};
  for (std::size_t i = 0; i < 8; ++i) pieces[i] = bytes[2 * i] << 8 | bytes[2 * i + 1];
  std::size_t best_start = 8;
  std::size_t best_length = 1;
  for (std::size_t i = 0; i < 8;) {
    std::size_t end = i;
    while (end < 8 && pieces[end] == 0) ++end;
    if (end - i > best_length) {
      best_start = i;
      best_length = end - i;
    }
    i = end == i ? i + 1 : end;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += i == 0 ? "::" : ":";
      i += best_length - 1;
      continue;
    }
    std::string piece;
    for (unsigned value = pieces[i]; value || piece.empty(); value >>= 4)
      piece.insert(piece.begin(), kHex[value & 15]);
    out += piece;
    if (i < 7) out += ':';
  }
  return out;
}

}  // namespace

Result<std::string> parse_url_host(std::string_view host) {
  if (host.starts_with('[')) {
    if (!host.ends_with(']')) return make_error("URL has an unterminated IPv6 literal");
    return parse_ipv6(host.substr(1, host.size() - 2));
  }
  if (host.empty()) return make_error("URL has no host");
  // Forbidden domain code points (URL Standard section 3.2); '%' too, as percent-encoded
  // hosts are not decoded here.
  for (char c : host) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f ||
        std::string_view("#%/:<>?@[\\]^|").find(c) != std::string_view::npos)
      return make_error("URL host contains a forbidden character '" + std::string(1, c) + "'");
  }
  std::string lower = to_lower(host);
  if (ends_in_a_number(lower)) return parse_ipv4(lower);
  return lower;
}

}  // namespace miniweb
