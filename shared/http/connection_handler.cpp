#include "shared/http/connection_handler.hpp"

namespace miniweb::http {

bool ConnectionHandler::wants_keep_alive(const Request& request) const {
  return request.version_minor >= 1 ? !request.headers.has_token("Connection", "close")
                                    : request.headers.has_token("Connection", "keep-alive");
}

}  // namespace miniweb::http
