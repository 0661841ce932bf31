#include "shared/dns/name.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace miniweb::dns {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

Status check_limits(const std::vector<std::string>& labels) {
  size_t total = 1;
  for (const auto& label : labels) {
    if (label.empty()) return make_error("empty label in domain name");
    if (label.size() > kMaxLabelLength)
      return make_error("label longer than 63 octets in domain name");
    total += label.size() + 1;
  }
  if (total > kMaxNameLength) return make_error("domain name longer than 255 octets");
  return Ok{};
}

// Splits presentation text into labels, resolving escapes. Reports whether the text ended
// with an unescaped dot (an absolute name).
Result<std::vector<std::string>> split_labels(std::string_view text, bool& absolute) {
  std::vector<std::string> labels;
  absolute = false;
  if (text == ".") {
    absolute = true;
    return labels;
  }
  if (text.empty()) return make_error("empty domain name");
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (i + 1 >= text.size()) return make_error("domain name ends in a backslash");
      if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
        int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255) return make_error("escape \\DDD above 255 in domain name");
        current.push_back(static_cast<char>(value));
        i += 3;
      } else if (std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        return make_error("bad \\DDD escape in domain name");
      } else {
        current.push_back(text[++i]);
      }
    } else if (c == '.') {
      if (current.empty())
        return make_error("empty label in domain name '" + std::string(text) + "'");
      labels.push_back(std::move(current));
      current.clear();
      if (i + 1 == text.size()) absolute = true;
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) labels.push_back(std::move(current));
  return labels;
}

}  // namespace

bool label_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

Result<Name> Name::parse(std::string_view text) {
  bool absolute = false;
  auto labels = split_labels(text, absolute);
  if (!labels) return labels.error();
  return from_labels(std::move(*labels));
}

Result<Name> Name::parse(std::string_view text, const Name& origin) {
  if (text == "@") return origin;
  bool absolute = false;
  auto labels = split_labels(text, absolute);
  if (!labels) return labels.error();
  if (!absolute) labels->insert(labels->end(), origin.labels_.begin(), origin.labels_.end());
  return from_labels(std::move(*labels));
}

Result<Name> Name::from_labels(std::vector<std::string> labels) {
  if (auto status = check_limits(labels); !status) return status.error();
  return Name(std::move(labels));
}

size_t Name::wire_length() const {
  size_t total = 1;
  for (const auto& label : labels_) total += label.size() + 1;
  return total;
}

std::string Name::to_string() const {
  if (labels_.empty()) return ".";
  std::string out;
  for (const auto& label : labels_) {
    for (char c : label) {
      auto u = static_cast<unsigned char>(c);
      if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' ||
          c == '$') {
        out.push_back('\\');
        out.push_back(c);
      } else if (u <= 0x20 || u >= 0x7f) {
        char buffer[5];
        std::snprintf(buffer, sizeof buffer, "\\%03u", u);
        out += buffer;
      } else {
        out.push_back(c);
      }
    }
    out.push_back('.');
  }
  return out;
}

bool Name::is_subdomain_of(const Name& ancestor) const {
  if (ancestor.labels_.size() > labels_.size()) return false;
  size_t offset = labels_.size() - ancestor.labels_.size();
  for (size_t i = 0; i < ancestor.labels_.size(); ++i)
    if (!label_equal(labels_[offset + i], ancestor.labels_[i])) return false;
  return true;
}

Name Name::parent() const {
  if (labels_.empty()) return Name();
  return Name(std::vector<std::string>(labels_.begin() + 1, labels_.end()));
}

Name Name::suffix(size_t count) const {
  count = std::min(count, labels_.size());
  return Name(
      std::vector<std::string>(labels_.end() - static_cast<std::ptrdiff_t>(count), labels_.end()));
}

Result<Name> Name::prepend(std::string_view label) const {
  std::vector<std::string> labels;
  labels.reserve(labels_.size() + 1);
  labels.emplace_back(label);
  labels.insert(labels.end(), labels_.begin(), labels_.end());
  return from_labels(std::move(labels));
}

std::string_view Name::first_label() const {
  return labels_.empty() ? std::string_view() : std::string_view(labels_.front());
}

Name Name::lowercased() const {
  Name out = *this;
  for (auto& label : out.labels_)
    for (auto& c : label) c = ascii_lower(c);
  return out;
}

bool operator==(const Name& a, const Name& b) {
  if (a.labels_.size() != b.labels_.size()) return false;
  for (size_t i = 0; i < a.labels_.size(); ++i)
    if (!label_equal(a.labels_[i], b.labels_[i])) return false;
  return true;
}

bool operator<(const Name& a, const Name& b) {
  size_t na = a.labels_.size(), nb = b.labels_.size();
  for (size_t i = 1; i <= std::min(na, nb); ++i) {
    const std::string& la = a.labels_[na - i];
    const std::string& lb = b.labels_[nb - i];
    size_t n = std::min(la.size(), lb.size());
    for (size_t k = 0; k < n; ++k) {
      auto ca = static_cast<unsigned char>(ascii_lower(la[k]));
      auto cb = static_cast<unsigned char>(ascii_lower(lb[k]));
      if (ca != cb) return ca < cb;
    }
    if (la.size() != lb.size()) return la.size() < lb.size();
  }
  return na < nb;
}

size_t Name::hash() const {
  // FNV-1a over the lowercased labels, with a separator so that label boundaries count.
  uint64_t h = 1469598103934665603ull;
  for (const auto& label : labels_) {
    for (char c : label) {
      h ^= static_cast<unsigned char>(ascii_lower(c));
      h *= 1099511628211ull;
    }
    h ^= 0x2e;
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

}  // namespace miniweb::dns
