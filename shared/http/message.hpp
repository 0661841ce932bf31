#pragma once
// HTTP/1.1 messages as plain values (RFC 9110, RFC 9112).

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/text.hpp"

namespace miniweb::http {

// Header fields in arrival order; names compare case-insensitively (RFC 9110 section 5.1).
class Headers {
 public:
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);  // replaces every field of that name
  void remove(std::string_view name);
  void reserve(std::size_t fields) { fields_.reserve(fields); }
  std::optional<std::string_view> get(std::string_view name) const;  // the first one
  std::vector<std::string_view> get_all(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  bool contains(std::string_view name) const { return count(name) > 0; }
  // True when a comma-separated field (e.g. Connection) lists `token`, case-insensitively.
  bool has_token(std::string_view name, std::string_view token) const;

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct Request {
  std::string method;
  std::string target;
  int version_minor = 1;  // HTTP/1.x
  Headers headers;
  std::string body;
  int version_major = 1;  // 2: it came over HTTP/2 (shared/http2), its version_minor 0

  std::string serialize() const;  // head and body, as sent on the wire
  // "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0", as access logs write it.
  std::string_view protocol() const;
};

struct Response {
  int status = 200;
  std::string reason;
  int version_minor = 1;
  Headers headers;
  std::string body;

  std::string serialize_head() const;
};

using miniweb::iequals;
std::string_view reason_phrase(int status);
// An RFC 9110 section 5.6.7 IMF-fixdate for a Date or Last-Modified header.
std::string http_date(std::time_t when);

}  // namespace miniweb::http
