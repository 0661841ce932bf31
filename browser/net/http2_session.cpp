#include "browser/net/http2_session.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "shared/http2/fields.hpp"
#include "shared/http2/frame_text.hpp"
#include "shared/text.hpp"

namespace miniweb::browser {
namespace {

// RFC 9113 section 4.1: every frame starts with a 9-byte header.
constexpr std::uint64_t kFrameHeaderBytes = 9;

// "HEADERS stream 1 (END_STREAM END_HEADERS): 7 fields, 30 bytes on the wire for 212 decoded
// (HPACK saved 86%)": the header block's length against the names and values it stands for.
std::string headers_text(const nghttp2_frame_hd& header, std::size_t fields, std::size_t decoded) {
  std::string out = "HEADERS " + http2::stream_and_flags(header) + ": " + std::to_string(fields) +
                    (fields == 1 ? " field, " : " fields, ") +
                    http2::with_thousands(header.length) + " bytes on the wire for " +
                    http2::with_thousands(decoded) + " decoded";
  if (decoded > 0 && header.length < decoded)
    out += " (HPACK saved " + std::to_string(100 - header.length * 100 / decoded) + "%)";
  return out;
}

Http2Frame frame_at(bool sent, const nghttp2_frame_hd& header, std::uint64_t offset) {
  return Http2Frame{.sent = sent,
                    .type = header.type,
                    .flags = header.flags,
                    .stream = header.stream_id,
                    .offset = offset,
                    .length = kFrameHeaderBytes + header.length,
                    .text = {},
                    .preface = false};
}

// Connection-specific fields have no place in HTTP/2 (RFC 9113 section 8.2.2; TE is allowed
// only as "trailers", which the browser does not send); Host becomes :authority (8.3.1).
bool connection_specific(std::string_view name) {
  return iequals(name, "host") || iequals(name, "te") || http2::is_connection_specific(name);
}

}  // namespace

// nghttp2's callbacks, each handing its event to the session named by user_data.
struct Http2Session::Callbacks {
  static Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* header, void* user_data) {
    Http2Session& session = self(user_data);
    session.receiving_offset_ = session.received_bytes_;
    session.received_bytes_ += kFrameHeaderBytes + header->length;
    return 0;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    const std::int32_t stream = frame->hd.stream_id;
    session.decoded_bytes_[stream] = 0;
    session.decoded_fields_[stream] = 0;
    auto found = session.replies_.find(stream);
    if (found == session.replies_.end()) return 0;
    Http2Reply& reply = found->second;
    // A final response after 1xx ones (section 8.1): the interim head is kept apart.
    if (reply.interim_head) {
      reply.interim.push_back(std::move(reply.response));
      reply.response = http::Response{};
      reply.interim_head = false;
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t, void* user_data) {
    Http2Session& session = self(user_data);
    const std::int32_t stream = frame->hd.stream_id;
    session.decoded_bytes_[stream] += name_length + value_length;
    ++session.decoded_fields_[stream];
    auto found = session.replies_.find(stream);
    if (found == session.replies_.end()) return 0;
    Http2Reply& reply = found->second;
    reply.header_bytes += name_length + value_length;
    if (reply.header_bytes > session.limits_.max_header_list_bytes) {
      reply.failure = "the response's header fields are larger than " +
                      std::to_string(session.limits_.max_header_list_bytes) + " bytes";
      reply.too_large = true;
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // nghttp2 resets the stream
    }
    const std::string_view field(reinterpret_cast<const char*>(name), name_length);
    const std::string_view text(reinterpret_cast<const char*>(value), value_length);
    // Trailers (a HEADERS after the final response's) are not kept, as the HTTP/1.1 path drops
    // a chunked body's trailer section.
    if (reply.final_head) return 0;
    if (field == ":status") {
      int status = 0;
      std::from_chars(text.data(), text.data() + text.size(), status);
      reply.response.status = status;  // nghttp2 has checked it is three digits
      reply.response.reason = std::string(http::reason_phrase(status));
      reply.response.version_minor = 0;
      reply.interim_head = status >= 100 && status < 200;
    } else if (!field.starts_with(':')) {
      reply.response.headers.add(std::string(field), std::string(text));
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* nghttp2, std::uint8_t, std::int32_t stream,
                           const std::uint8_t* data, std::size_t length, void* user_data) {
    Http2Session& session = self(user_data);
    auto found = session.replies_.find(stream);
    if (found == session.replies_.end()) return 0;
    Http2Reply& reply = found->second;
    if (reply.too_large) return 0;
    if (reply.response.body.size() + length > session.limits_.max_body_bytes) {
      reply.failure = "the body is larger than " +
                      std::to_string(session.limits_.max_body_bytes >> 20) + " MiB";
      reply.too_large = true;
      nghttp2_submit_rst_stream(nghttp2, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
      return 0;
    }
    reply.response.body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    const nghttp2_frame_hd& header = frame->hd;
    Http2Frame seen = frame_at(false, header, session.receiving_offset_);
    if (header.type == NGHTTP2_HEADERS)
      seen.text = headers_text(header, session.decoded_fields_[header.stream_id],
                               session.decoded_bytes_[header.stream_id]);
    else
      seen.text = http2::describe_frame(*frame);
    session.frames_.push_back(std::move(seen));
    if (header.type == NGHTTP2_GOAWAY) {
      session.goaway_received_ = frame->goaway.last_stream_id;
      session.goaway_text_ = "the server sent " + http2::describe_frame(*frame);
    }
    if (header.type == NGHTTP2_HEADERS)
      if (auto found = session.replies_.find(header.stream_id);
          found != session.replies_.end() && !found->second.interim_head)
        found->second.final_head = true;
    const bool ends_stream = (header.flags & NGHTTP2_FLAG_END_STREAM) != 0 &&
                             (header.type == NGHTTP2_HEADERS || header.type == NGHTTP2_DATA);
    if (ends_stream)
      if (auto found = session.replies_.find(header.stream_id); found != session.replies_.end())
        found->second.complete = found->second.failure.empty();
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    Http2Session& session = self(user_data);
    const nghttp2_frame_hd& header = frame->hd;
    Http2Frame sent = frame_at(true, header, session.sent_bytes_);
    session.sent_bytes_ += sent.length;
    if (header.type == NGHTTP2_HEADERS) {
      std::size_t decoded = 0;
      for (std::size_t i = 0; i < frame->headers.nvlen; ++i)
        decoded += frame->headers.nva[i].namelen + frame->headers.nva[i].valuelen;
      sent.text = headers_text(header, frame->headers.nvlen, decoded);
    } else {
      sent.text = http2::describe_frame(*frame);
    }
    if (header.type == NGHTTP2_GOAWAY) {
      session.goaway_sent_ = true;
      session.ended_for_error_ = frame->goaway.error_code != NGHTTP2_NO_ERROR;
      session.goaway_text_ = "we sent " + sent.text;
    }
    session.frames_.push_back(std::move(sent));
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t error_code,
                             void* user_data) {
    Http2Session& session = self(user_data);
    session.bodies_.erase(stream);
    auto found = session.replies_.find(stream);
    if (found == session.replies_.end()) return 0;
    Http2Reply& reply = found->second;
    if (reply.complete || !reply.failure.empty()) return 0;
    // REFUSED_STREAM, sent or implied by a GOAWAY below this stream, says the server did not
    // process the request (section 8.7): it may be sent again.
    reply.refused = error_code == NGHTTP2_REFUSED_STREAM;
    reply.failure = "stream " + std::to_string(stream) +
                    " was reset: " + http2::error_code_name(error_code) + " (" +
                    nghttp2_http2_strerror(error_code) + ")";
    return 0;
  }

  // What nghttp2 found wrong with the server's bytes (section 5.4: a connection or stream
  // error), in its own words ("SETTINGS: invalid payload length"), for the browser's error.
  static int on_error(nghttp2_session*, int error, const char* message, std::size_t length,
                      void* user_data) {
    Http2Session& session = self(user_data);
    session.protocol_error_ =
        "\"" + std::string(message, length) + "\" (" + nghttp2_strerror(error) + ")";
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream, std::uint8_t* buffer,
                           std::size_t length, std::uint32_t* data_flags, nghttp2_data_source*,
                           void* user_data) {
    Http2Session& session = self(user_data);
    auto found = session.bodies_.find(stream);
    if (found == session.bodies_.end()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    Body& body = found->second;
    const std::size_t n = std::min(length, body.bytes.size() - body.sent);
    std::memcpy(buffer, body.bytes.data() + body.sent, n);
    body.sent += n;
    if (body.sent == body.bytes.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
};

Result<std::unique_ptr<Http2Session>> Http2Session::start(const Http2Limits& limits) {
  std::unique_ptr<Http2Session> session(new Http2Session(limits));
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0)
    return make_error("nghttp2 could not allocate its callbacks");
  nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, &Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Callbacks::on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_error_callback2(callbacks, &Callbacks::on_error);
  const int created = nghttp2_session_client_new(&session->session_, callbacks, session.get());
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0)
    return make_error(std::string("nghttp2 could not start a session: ") +
                      nghttp2_strerror(created));
  // A client session sends the connection preface (section 3.4) before any frame.
  session->sent_bytes_ = NGHTTP2_CLIENT_MAGIC_LEN;
  // Section 6.5.2: no server push (browsers have dropped it), our windows and header limit.
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(limits.stream_window)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<std::uint32_t>(limits.max_header_list_bytes)},
  };
  if (int rv = nghttp2_submit_settings(session->session_, NGHTTP2_FLAG_NONE, settings,
                                       std::size(settings));
      rv != 0)
    return make_error(std::string("nghttp2 refused our SETTINGS: ") + nghttp2_strerror(rv));
  if (int rv = nghttp2_session_set_local_window_size(session->session_, NGHTTP2_FLAG_NONE, 0,
                                                     limits.connection_window);
      rv != 0)
    return make_error(std::string("nghttp2 refused the connection window: ") +
                      nghttp2_strerror(rv));
  return session;
}

Http2Session::~Http2Session() {
  nghttp2_session_del(session_);
}

std::vector<std::pair<std::string, std::string>> Http2Session::request_fields(
    const http::Request& request, std::string_view scheme, std::string_view authority) {
  std::vector<std::pair<std::string, std::string>> fields{{":method", request.method},
                                                          {":scheme", std::string(scheme)},
                                                          {":authority", std::string(authority)},
                                                          {":path", request.target}};
  for (const auto& [name, value] : request.headers)
    if (!connection_specific(name)) fields.emplace_back(to_lower(name), value);
  return fields;
}

Result<std::int32_t> Http2Session::submit(const http::Request& request, std::string_view scheme,
                                          std::string_view authority) {
  protocol_error_.clear();  // what nghttp2 says of the server's bytes, from this request on
  const auto fields = request_fields(request, scheme, authority);
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : fields)
    nva.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});
  nghttp2_data_provider body{};
  body.read_callback = &Callbacks::read_body;
  const bool has_body = request.method != "GET" && request.method != "HEAD";
  // nghttp2 copies the fields; the body is read from bodies_ as DATA goes out.
  const std::int32_t stream = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                                     has_body ? &body : nullptr, nullptr);
  if (stream < 0)
    return make_error(std::string("cannot start an HTTP/2 stream: ") + nghttp2_strerror(stream));
  if (has_body) bodies_[stream] = Body{request.body, 0};
  replies_[stream] = Http2Reply{};
  return stream;
}

Result<std::string> Http2Session::take_output() {
  std::string out;
  for (;;) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return make_error(std::string("HTTP/2 framing failed: ") + nghttp2_strerror(n));
    if (n == 0) break;
    // nghttp2 writes the preface alone, first, with no callback of its own (section 3.4).
    if (!preface_reported_ &&
        std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n))
            .starts_with(NGHTTP2_CLIENT_MAGIC)) {
      preface_reported_ = true;
      Http2Frame preface{.sent = true,
                         .type = 0,
                         .flags = 0,
                         .stream = 0,
                         .offset = 0,
                         .length = NGHTTP2_CLIENT_MAGIC_LEN,
                         .text = "connection preface PRI * HTTP/2.0 (24 bytes)",
                         .preface = true};
      frames_.insert(frames_.begin(), std::move(preface));
    }
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  return out;
}

Status Http2Session::receive(std::string_view bytes) {
  const ssize_t n = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (n < 0)
    return make_error(std::string("the server broke HTTP/2's rules: ") + nghttp2_strerror(n));
  return Ok{};
}

void Http2Session::submit_goaway() {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

const Http2Reply* Http2Session::reply(std::int32_t stream) const {
  auto found = replies_.find(stream);
  return found == replies_.end() ? nullptr : &found->second;
}

Http2Reply Http2Session::take_reply(std::int32_t stream) {
  auto found = replies_.find(stream);
  if (found == replies_.end()) return {};
  Http2Reply reply = std::move(found->second);
  replies_.erase(found);
  return reply;
}

bool Http2Session::usable() const {
  return !goaway_received_ && !goaway_sent_ && running();
}

bool Http2Session::running() const {
  return nghttp2_session_want_read(session_) || nghttp2_session_want_write(session_);
}

std::vector<Http2Frame> Http2Session::take_frames() {
  std::vector<Http2Frame> frames = std::move(frames_);
  frames_.clear();
  return frames;
}

void Http2Session::sent_again(const std::vector<Http2Frame>& frames) {
  const std::uint64_t first = sent_bytes_;
  std::uint64_t start = 0;  // where the refused copy began
  bool found = false;
  for (const Http2Frame& frame : frames)
    if (frame.sent && (!found || frame.offset < start)) {
      start = frame.offset;
      found = true;
    }
  for (const Http2Frame& frame : frames) {
    if (!frame.sent) continue;
    Http2Frame again = frame;
    again.offset = first + (frame.offset - start);
    again.text += ", again (the server refused the early data)";
    sent_bytes_ = std::max(sent_bytes_, again.offset + again.length);
    frames_.push_back(std::move(again));
  }
}

}  // namespace miniweb::browser
