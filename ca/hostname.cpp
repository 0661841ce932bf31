#include "ca/hostname.hpp"
#include "shared/text.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace miniweb::ca {

namespace {

bool is_ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

std::string printable(std::string_view name) {
  std::string out;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += '?';
    }
    if (out.size() > 80) {
      out += "...";
      break;
    }
  }
  return out;
}

}  // namespace

Result<std::string> normalize_hostname(std::string_view name) {
  const std::string shown = printable(name);
  if (name.empty()) return make_error("empty name");
  std::string lower;
  lower.reserve(name.size());
  for (char c : name) lower += to_lower(c);
  if (lower.back() == '.') lower.pop_back();  // a fully qualified name is the same host
  if (lower.empty()) return make_error("'" + shown + "' is not a host name");
  if (lower.size() > 253) {
    return make_error("'" + shown + "' is longer than 253 characters (RFC 1035 §2.3.4)");
  }
  if (lower.find('*') != std::string::npos) {
    return make_error("'" + shown + "': wildcard names are not issued (no dns-01 validation yet)");
  }

  std::vector<std::string_view> labels;
  std::string_view rest = lower;
  while (true) {
    const auto dot = rest.find('.');
    labels.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  for (std::string_view label : labels) {
    if (label.empty()) return make_error("'" + shown + "' has an empty label");
    if (label.size() > 63) {
      return make_error("'" + shown + "' has a label longer than 63 characters");
    }
    if (!std::all_of(label.begin(), label.end(), is_ldh)) {
      return make_error("'" + shown +
                        "' has a character other than letters, digits, '-' and '.' "
                        "(use the xn-- form for international names)");
    }
    if (label.front() == '-' || label.back() == '-') {
      return make_error("'" + shown + "' has a label that starts or ends with '-'");
    }
  }
  if (labels.size() < 2) {
    return make_error("'" + shown + "' is a single-label name; a certificate needs a domain name");
  }
  // A last label of digits only is an IPv4 address or an invalid TLD; IP addresses need
  // iPAddress SANs, which this CA does not issue.
  const std::string_view tld = labels.back();
  if (std::all_of(tld.begin(), tld.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return make_error("'" + shown + "' looks like an IP address; only DNS names are issued");
  }
  return lower;
}

}  // namespace miniweb::ca
