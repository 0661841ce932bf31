#pragma once
// The head of a response as a server sends it: written straight into one buffer (no copy of
// the response's fields), with the fields the server sets itself in place of any the handler
// gave: Date, Content-Length, Connection, and the server's fixed fields (Server...).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "shared/http/message.hpp"

namespace miniweb::http {

// Whether a response with this status carries a body (RFC 9110 section 6.4.1).
inline bool status_has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

struct ResponseFraming {
  std::uint64_t body_bytes = 0;  // the body's size, for Content-Length
  bool head_request = false;     // the request was HEAD: no body follows the head
  bool keep_alive = true;        // the connection stays open after this response
  // The request's minor version, or -1 for a refusal of a request that could not be read.
  int request_version_minor = 1;
};

// Writes the head of `response` into `head` (cleared first).
// `server_fields` replace any field of the same name in the response.
void write_response_head(std::string& head, const Response& response,
                         const std::vector<std::pair<std::string, std::string>>& server_fields,
                         const ResponseFraming& framing);

// The current time as an IMF-fixdate for Date (RFC 9110 section 5.6.7), formatted once a
// second rather than per response.
const std::string& http_date_now();

}  // namespace miniweb::http
