#pragma once
// A domain name (RFC 1035 3.1): a sequence of labels, compared case-insensitively (RFC 4343).
//
// Held as its uncompressed wire form without the final zero octet (length-prefixed labels in
// one string): one allocation at most per name, copies that are one memcpy, and hashing and
// comparison over contiguous bytes. A zone of a million names and a resolver cache of as many
// keep a name in 32 bytes plus its wire length, instead of a vector of strings.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/result.hpp"

namespace miniweb::dns {

inline constexpr size_t kMaxLabelLength = 63;  // RFC 1035 2.3.4
inline constexpr size_t kMaxNameLength = 255;  // wire octets, including the root label

class Name {
 public:
  // The root name ".".
  Name() = default;

  // Parses presentation format ("www.example.test." or "www.example.test"; `\.` and `\DDD`
  // escapes). Without an origin, the name is taken as absolute whether or not it ends with a
  // dot. With an origin, a name without a trailing dot is relative to it; "@" is the origin.
  static Result<Name> parse(std::string_view text);
  static Result<Name> parse(std::string_view text, const Name& origin);
  // Builds a name from raw labels (no escapes), checking the RFC 1035 limits.
  static Result<Name> from_labels(const std::vector<std::string>& labels);
  // Builds a name from length-prefixed labels without the final zero octet (see wire()),
  // checking the structure and the limits.
  static Result<Name> from_wire(std::string_view wire);

  // The labels one by one, as views into the name.
  std::vector<std::string_view> labels() const;
  size_t label_count() const;
  bool is_root() const { return wire_.empty(); }
  // Length in uncompressed wire format, including the final zero octet.
  size_t wire_length() const { return wire_.size() + 1; }
  // The uncompressed wire form without the final zero octet: each label as a length octet and
  // its bytes. Empty for the root.
  std::string_view wire() const { return wire_; }

  // Presentation format with the trailing dot: "www.example.test.", "." for the root.
  std::string to_string() const;

  // True when this name equals `ancestor` or lies below it.
  bool is_subdomain_of(const Name& ancestor) const;
  // The name with its first label removed; the root's parent is the root.
  Name parent() const;
  // The last `count` labels: suffix(0) is the root, suffix(label_count()) the name itself.
  Name suffix(size_t count) const;
  // `label` + "." + this name, checked against the limits.
  Result<Name> prepend(std::string_view label) const;
  // The first label, or "" for the root.
  std::string_view first_label() const;
  bool is_wildcard() const { return wire_.size() >= 2 && wire_[0] == 1 && wire_[1] == '*'; }
  Name lowercased() const;

  friend bool operator==(const Name& a, const Name& b);
  // Canonical DNS order (RFC 4034 6.1): compare labels right to left, case-insensitively.
  friend bool operator<(const Name& a, const Name& b);

  size_t hash() const;

 private:
  explicit Name(std::string wire) : wire_(std::move(wire)) {}
  std::string wire_;
};

// Case-insensitive comparison of one label.
bool label_equal(std::string_view a, std::string_view b);

struct NameHash {
  size_t operator()(const Name& name) const { return name.hash(); }
};

}  // namespace miniweb::dns

template <>
struct std::hash<miniweb::dns::Name> {
  size_t operator()(const miniweb::dns::Name& name) const { return name.hash(); }
};
