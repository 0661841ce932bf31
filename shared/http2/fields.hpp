#pragma once
// Header fields between HTTP/1.1's messages (shared/http/message.hpp) and HTTP/2's header
// lists (RFC 9113 section 8): pseudo-header fields, lowercase names, no connection-specific
// fields, cookies split and joined. Both ends of the stack use it: the server reads requests
// and writes responses, the browser the other way round.

#include <nghttp2/nghttp2.h>

#include <string>
#include <string_view>
#include <vector>

#include "shared/http/message.hpp"

namespace miniweb::http2 {

// Fields that belong to one HTTP/1.1 connection and must not travel in HTTP/2 (RFC 9113
// section 8.2.2): Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade.
bool is_connection_specific(std::string_view name);

// A header list as nghttp2 takes it: the names and values it points at live here.
class HeaderList {
 public:
  // Adds a field; the name is lowercased (HTTP/2 requires it).
  void add(std::string_view name, std::string_view value);
  // The list for nghttp2_submit_*; valid until the next add.
  const nghttp2_nv* data();
  std::size_t size() const { return fields_.size(); }
  // The fields' size as SETTINGS_MAX_HEADER_LIST_SIZE counts it (RFC 9113 section 6.5.2).
  std::size_t list_size() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  std::vector<nghttp2_nv> nv_;
};

// Builds an HTTP/1.1-shaped request from a stream's header fields, one at a time.
class RequestBuilder {
 public:
  explicit RequestBuilder(http::Request& request) : request_(request) {}
  void add(std::string_view name, std::string_view value);
  // After the last field: Host from :authority when the client sent no Host, the cookies
  // joined into one field (RFC 9113 section 8.2.3), the version set to 2.
  void finish();

 private:
  http::Request& request_;
  std::string authority_;
  std::string cookies_;
};

// The size of one field as HPACK and SETTINGS_MAX_HEADER_LIST_SIZE count it.
inline std::size_t field_size(std::string_view name, std::string_view value) {
  return name.size() + value.size() + 32;
}

}  // namespace miniweb::http2
