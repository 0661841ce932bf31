#include "shared/dns/name.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace miniweb::dns {
namespace {

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Length octets are at most 63, below 'A': lowering a whole wire form leaves them alone, so
// two names compare equal exactly when their wire forms do, case aside.
bool wire_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

uint8_t length_at(std::string_view wire, size_t offset) {
  return static_cast<uint8_t>(wire[offset]);
}

// The offset of each label in a wire form (at most 127 labels fit in 255 octets).
struct LabelOffsets {
  std::array<uint8_t, 128> at;
  size_t count = 0;
};
LabelOffsets offsets_of(std::string_view wire) {
  LabelOffsets out;
  for (size_t offset = 0; offset < wire.size(); offset += 1 + length_at(wire, offset))
    out.at[out.count++] = static_cast<uint8_t>(offset);
  return out;
}

Status check_total(size_t wire_size) {
  if (wire_size + 1 > kMaxNameLength) return make_error("domain name longer than 255 octets");
  return Ok{};
}

// Reads presentation text into length-prefixed labels, resolving escapes. Reports whether the
// text ended with an unescaped dot (an absolute name).
Result<std::string> split_labels(std::string_view text, bool& absolute) {
  std::string wire;
  absolute = false;
  if (text == ".") {
    absolute = true;
    return wire;
  }
  if (text.empty()) return make_error("empty domain name");
  wire.reserve(text.size() + 1);
  size_t label_start = std::string::npos;  // offset of the current label's length octet
  auto add = [&](char c) -> Status {
    if (label_start == std::string::npos) {
      label_start = wire.size();
      wire.push_back(0);
    }
    if (wire.size() - label_start > kMaxLabelLength)
      return make_error("label longer than 63 octets in domain name");
    wire.push_back(c);
    ++wire[label_start];
    return Ok{};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    Status added = Ok{};
    if (c == '\\') {
      if (i + 1 >= text.size()) return make_error("domain name ends in a backslash");
      if (i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
        int value = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255) return make_error("escape \\DDD above 255 in domain name");
        added = add(static_cast<char>(value));
        i += 3;
      } else if (std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        return make_error("bad \\DDD escape in domain name");
      } else {
        added = add(text[++i]);
      }
    } else if (c == '.') {
      if (label_start == std::string::npos)
        return make_error("empty label in domain name '" + std::string(text) + "'");
      label_start = std::string::npos;
      if (i + 1 == text.size()) absolute = true;
    } else {
      added = add(c);
    }
    if (!added) return added.error();
  }
  if (auto total = check_total(wire.size()); !total) return total.error();
  return wire;
}

}  // namespace

bool label_equal(std::string_view a, std::string_view b) {
  return wire_equal(a, b);
}

Result<Name> Name::parse(std::string_view text) {
  bool absolute = false;
  auto wire = split_labels(text, absolute);
  if (!wire) return wire.error();
  return Name(std::move(*wire));
}

Result<Name> Name::parse(std::string_view text, const Name& origin) {
  if (text == "@") return origin;
  bool absolute = false;
  auto wire = split_labels(text, absolute);
  if (!wire) return wire.error();
  if (!absolute) {
    if (auto total = check_total(wire->size() + origin.wire_.size()); !total) return total.error();
    wire->append(origin.wire_);
  }
  return Name(std::move(*wire));
}

Result<Name> Name::from_labels(const std::vector<std::string>& labels) {
  std::string wire;
  for (const auto& label : labels) {
    if (label.empty()) return make_error("empty label in domain name");
    if (label.size() > kMaxLabelLength)
      return make_error("label longer than 63 octets in domain name");
    wire.push_back(static_cast<char>(label.size()));
    wire.append(label);
  }
  if (auto total = check_total(wire.size()); !total) return total.error();
  return Name(std::move(wire));
}

Result<Name> Name::from_wire(std::string_view wire) {
  for (size_t offset = 0; offset < wire.size(); offset += 1 + length_at(wire, offset)) {
    const uint8_t length = length_at(wire, offset);
    if (length == 0) return make_error("empty label in domain name");
    if (length > kMaxLabelLength) return make_error("label longer than 63 octets in domain name");
    if (offset + 1 + length > wire.size()) return make_error("truncated label in domain name");
  }
  if (auto total = check_total(wire.size()); !total) return total.error();
  return Name(std::string(wire));
}

std::vector<std::string_view> Name::labels() const {
  std::vector<std::string_view> out;
  for (size_t offset = 0; offset < wire_.size(); offset += 1 + length_at(wire_, offset))
    out.push_back(std::string_view(wire_).substr(offset + 1, length_at(wire_, offset)));
  return out;
}

size_t Name::label_count() const {
  size_t count = 0;
  for (size_t offset = 0; offset < wire_.size(); offset += 1 + length_at(wire_, offset)) ++count;
  return count;
}

std::string Name::to_string() const {
  if (wire_.empty()) return ".";
  std::string out;
  out.reserve(wire_.size() + 1);
  for (size_t offset = 0; offset < wire_.size(); offset += 1 + length_at(wire_, offset)) {
    for (char c : std::string_view(wire_).substr(offset + 1, length_at(wire_, offset))) {
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
  if (ancestor.wire_.size() > wire_.size()) return false;
  // Walk label boundaries until what is left is as long as the ancestor.
  size_t offset = 0;
  const size_t start = wire_.size() - ancestor.wire_.size();
  while (offset < start) offset += 1 + length_at(wire_, offset);
  return offset == start && wire_equal(std::string_view(wire_).substr(start), ancestor.wire_);
}

Name Name::parent() const {
  if (wire_.empty()) return Name();
  return Name(wire_.substr(1 + length_at(wire_, 0)));
}

Name Name::suffix(size_t count) const {
  const LabelOffsets offsets = offsets_of(wire_);
  if (count >= offsets.count) return *this;
  if (count == 0) return Name();
  return Name(wire_.substr(offsets.at[offsets.count - count]));
}

Result<Name> Name::prepend(std::string_view label) const {
  if (label.empty()) return make_error("empty label in domain name");
  if (label.size() > kMaxLabelLength)
    return make_error("label longer than 63 octets in domain name");
  std::string wire;
  wire.reserve(1 + label.size() + wire_.size());
  wire.push_back(static_cast<char>(label.size()));
  wire.append(label);
  wire.append(wire_);
  if (auto total = check_total(wire.size()); !total) return total.error();
  return Name(std::move(wire));
}

std::string_view Name::first_label() const {
  return wire_.empty() ? std::string_view()
                       : std::string_view(wire_).substr(1, length_at(wire_, 0));
}

Name Name::lowercased() const {
  Name out = *this;
  for (auto& c : out.wire_) c = ascii_lower(c);
  return out;
}

bool operator==(const Name& a, const Name& b) {
  return wire_equal(a.wire_, b.wire_);
}

bool operator<(const Name& a, const Name& b) {
  const LabelOffsets oa = offsets_of(a.wire_), ob = offsets_of(b.wire_);
  const std::string_view wa = a.wire_, wb = b.wire_;
  for (size_t i = 1; i <= std::min(oa.count, ob.count); ++i) {
    const size_t at_a = oa.at[oa.count - i], at_b = ob.at[ob.count - i];
    const std::string_view la = wa.substr(at_a + 1, length_at(wa, at_a));
    const std::string_view lb = wb.substr(at_b + 1, length_at(wb, at_b));
    size_t n = std::min(la.size(), lb.size());
    for (size_t k = 0; k < n; ++k) {
      auto ca = static_cast<unsigned char>(ascii_lower(la[k]));
      auto cb = static_cast<unsigned char>(ascii_lower(lb[k]));
      if (ca != cb) return ca < cb;
    }
    if (la.size() != lb.size()) return la.size() < lb.size();
  }
  return oa.count < ob.count;
}

size_t Name::hash() const {
  // FNV-1a over the lowercased wire form: its length octets mark the label boundaries.
  uint64_t h = 1469598103934665603ull;
  for (char c : wire_) {
    h ^= static_cast<unsigned char>(ascii_lower(c));
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

}  // namespace miniweb::dns
