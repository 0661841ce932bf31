#include "shared/http2/fields.hpp"

#include "shared/text.hpp"

namespace miniweb::http2 {

bool is_connection_specific(std::string_view name) {
  return iequals(name, "connection") || iequals(name, "keep-alive") ||
         iequals(name, "proxy-connection") || iequals(name, "transfer-encoding") ||
         iequals(name, "upgrade");
}

void HeaderList::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(to_lower(name), std::string(value));
}

const nghttp2_nv* HeaderList::data() {
  nv_.clear();
  nv_.reserve(fields_.size());
  for (auto& [name, value] : fields_) {
    // nghttp2 copies names and values when it queues the frame (no NO_COPY flags), so the
    // list may go once nghttp2_submit_* has returned.
    nv_.push_back(nghttp2_nv{reinterpret_cast<std::uint8_t*>(name.data()),
                             reinterpret_cast<std::uint8_t*>(value.data()), name.size(),
                             value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return nv_.data();
}

std::size_t HeaderList::list_size() const {
  std::size_t total = 0;
  for (const auto& [name, value] : fields_) total += field_size(name, value);
  return total;
}

void RequestBuilder::add(std::string_view name, std::string_view value) {
  // nghttp2 has checked the pseudo-header fields: each once, before the others, none unknown.
  if (name == ":method") {
    request_.method = value;
  } else if (name == ":path") {
    request_.target = value;
  } else if (name == ":authority") {
    authority_ = value;
  } else if (name == ":scheme" || name == ":protocol") {
    // https on the TLS port; the handler knows the connection's scheme already.
  } else if (name == "cookie") {
    if (!cookies_.empty()) cookies_ += "; ";
    cookies_ += value;
  } else {
    request_.headers.add(std::string(name), std::string(value));
  }
}

void RequestBuilder::finish() {
  // RFC 9113 section 8.3.1: :authority stands for Host; a server that has both uses
  // :authority... and a client should send only one, so a Host beside it is replaced.
  if (!authority_.empty()) request_.headers.set("host", authority_);
  if (!cookies_.empty()) request_.headers.add("cookie", cookies_);
  request_.version_major = 2;
  request_.version_minor = 0;
  // The body was framed by DATA frames; a handler (or an HTTP/1.1 upstream) reads its size
  // from Content-Length, which HTTP/2 makes optional.
  if (!request_.body.empty() && !request_.headers.contains("content-length"))
    request_.headers.add("content-length", std::to_string(request_.body.size()));
}

}  // namespace miniweb::http2
