#include "shared/http2/server_session.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "shared/http/response_head.hpp"
#include "shared/http2/fields.hpp"

namespace miniweb::http2 {

struct ServerSession::Stream {
  explicit Stream(std::int32_t stream_id) : id(stream_id), fields(request) {}
  std::int32_t id;
  http::Request request;
  RequestBuilder fields;
  std::size_t header_list_bytes = 0;
  std::size_t header_count = 0;
  bool refused = false;   // answered with an error while it was read: the rest is dropped
  bool arrived = false;   // handed to the handler (or refused)
  bool answered = false;  // a response or a reset was submitted
  bool closed = false;    // nghttp2 closed the stream
  int status = 0;         // the response's
  std::shared_ptr<const std::string> body;
  std::size_t read_offset = 0;  // taken by nghttp2 into DATA frames
  std::uint64_t body_sent = 0;  // written out
};

namespace {

ServerSession& self(void* user_data) {
  return *static_cast<ServerSession*>(user_data);
}

}  // namespace

// nghttp2's callbacks, each a static function over the session it was given.
struct ServerSession::Callbacks {
  // HEADERS on a client stream below the highest one opened that nghttp2 has no record of:
  // a stream the client never opened is closed by then (RFC 9113 section 5.1.1), so this is
  // a connection error; nghttp2 ignores such frames, as it cannot tell them from frames on
  // streams it has forgotten. Streams this server reset are let through (trailers in flight).
  static int on_begin_frame(nghttp2_session* nghttp2, const nghttp2_frame_hd* head, void* user) {
    ServerSession& session = self(user);
    if (head->type != NGHTTP2_HEADERS || head->stream_id % 2 == 0) return 0;
    const std::int32_t id = head->stream_id;
    if (id > session.highest_client_stream_) {
      session.highest_client_stream_ = id;
      return 0;
    }
    if (nghttp2_session_find_stream(nghttp2, id) || session.find(id) ||
        std::find(session.reset_by_us_.begin(), session.reset_by_us_.end(), id) !=
            session.reset_by_us_.end())
      return 0;
    session.trouble_ = "HTTP/2: HEADERS on stream " + std::to_string(id) +
                       ", which was never opened, below stream " +
                       std::to_string(session.highest_client_stream_);
    session.attack_code_ = NGHTTP2_PROTOCOL_ERROR;
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ServerSession& session = self(user);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    session.streams_.emplace(frame->hd.stream_id,
                             std::make_unique<ServerSession::Stream>(frame->hd.stream_id));
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t, void* user) {
    ServerSession& session = self(user);
    ServerSession::Stream* stream = session.find(frame->hd.stream_id);
    if (!stream) return 0;
    const std::string_view field_name(reinterpret_cast<const char*>(name), name_length);
    const std::string_view field_value(reinterpret_cast<const char*>(value), value_length);
    stream->header_list_bytes += field_size(field_name, field_value);
    ++stream->header_count;
    const std::size_t limit = session.limits_.http2.max_header_list_size;
    // An HPACK bomb: a few bytes on the wire that decode to a huge list, by referring to a
    // large entry of the dynamic table again and again. Decoding it costs CPU even when
    // nothing is kept, so the connection goes.
    if (stream->header_list_bytes > 4 * limit) {
      session.trouble_ = "HTTP/2: header list of stream " + std::to_string(stream->id) +
                         " decodes to more than " + std::to_string(4 * limit) +
                         " bytes (HPACK bomb)";
      session.attack_code_ = NGHTTP2_ENHANCE_YOUR_CALM;
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    if (stream->refused) return 0;
    // As over HTTP/1.1, where the request line has its own limit: 414.
    if (field_name == ":path" && field_value.size() > session.limits_.request.max_request_line) {
      stream->refused = true;
      stream->arrived = true;
      session.refused_.push_back({stream->id, 414, "client sent too long a URI over HTTP/2"});
      return 0;
    }
    if (stream->header_list_bytes > limit ||
        stream->header_count > session.limits_.request.max_header_count) {
      // As over HTTP/1.1: a request with too large a head is answered 431.
      stream->refused = true;
      stream->arrived = true;
      session.refused_.push_back(
          {stream->id, 431, "client sent too large a header list over HTTP/2"});
      return 0;
    }
    // Trailers are read and dropped, as the HTTP/1.1 loop drops a chunked body's.
    if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) stream->fields.add(field_name, field_value);
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                           const std::uint8_t* data, std::size_t length, void* user) {
    ServerSession& session = self(user);
    ServerSession::Stream* stream = session.find(stream_id);
    if (!stream || stream->refused) return 0;
    if (stream->request.body.size() + length > session.limits_.request.max_body_bytes) {
      stream->refused = true;
      std::string().swap(stream->request.body);
      stream->arrived = true;
      session.refused_.push_back(
          {stream->id, 413, "client intended to send too large a body over HTTP/2"});
      return 0;
    }
    stream->request.body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ServerSession& session = self(user);
    const bool ack = frame->hd.flags & NGHTTP2_FLAG_ACK;
    const bool end_stream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
    switch (frame->hd.type) {
      case NGHTTP2_SETTINGS:
      case NGHTTP2_PING:
        if (!ack &&
            !session.within_rate(session.control_frames_, session.floods_.control_frames_per_second,
                                 "SETTINGS and PING frames (flood)"))
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        return 0;
      case NGHTTP2_RST_STREAM:
        if (!session.within_rate(session.resets_, session.floods_.resets_per_second,
                                 "streams reset by the client (rapid reset)"))
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        return 0;
      case NGHTTP2_DATA:
        if (frame->hd.length == 0 && !end_stream &&
            !session.within_rate(session.empty_frames_, session.floods_.empty_frames_per_second,
                                 "empty DATA frames (flood)"))
          return NGHTTP2_ERR_CALLBACK_FAILURE;
        break;
      case NGHTTP2_HEADERS:
        break;
      default:
        return 0;
    }
    ServerSession::Stream* stream = session.find(frame->hd.stream_id);
    if (!stream || !end_stream || stream->arrived) return 0;
    stream->arrived = true;
    stream->fields.finish();
    ++session.requests_arrived_;
    session.arrived_.push_back({stream->id, &stream->request});
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t, void* user) {
    ServerSession& session = self(user);
    ServerSession::Stream* stream = session.find(stream_id);
    if (!stream) return 0;
    stream->closed = true;
    // A stream still being answered stays until its handler is done with the request.
    const bool handler_busy = stream->arrived && !stream->refused && !stream->answered;
    if (!handler_busy) session.finish(*stream);
    return 0;
  }

  // Frames other than DATA bodies, already serialized by nghttp2: copied into the output.
  static ssize_t send(nghttp2_session*, const std::uint8_t* data, std::size_t length, int,
                      void* user) {
    ServerSession& session = self(user);
    if (session.out_->size() >= session.budget_) return NGHTTP2_ERR_WOULDBLOCK;
    session.out_->append(reinterpret_cast<const char*>(data), length);
    return static_cast<ssize_t>(length);
  }

  // A response body's bytes: only counted here, and copied once, straight from the body into
  // the output, by send_data (NGHTTP2_DATA_FLAG_NO_COPY).
  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t*, std::size_t length,
                           std::uint32_t* flags, nghttp2_data_source* source, void*) {
    auto& stream = *static_cast<ServerSession::Stream*>(source->ptr);
    const std::size_t n = std::min(length, stream.body->size() - stream.read_offset);
    stream.read_offset += n;
    *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    if (stream.read_offset == stream.body->size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  static int send_data(nghttp2_session*, nghttp2_frame* frame, const std::uint8_t* frame_head,
                       std::size_t length, nghttp2_data_source* source, void* user) {
    ServerSession& session = self(user);
    if (session.out_->size() >= session.budget_) return NGHTTP2_ERR_WOULDBLOCK;
    auto& stream = *static_cast<ServerSession::Stream*>(source->ptr);
    session.out_->append(reinterpret_cast<const char*>(frame_head), 9);
    // The server never pads, but a frame nghttp2 padded would carry its pad length first.
    const std::size_t padding = frame->data.padlen;
    if (padding > 0) session.out_->push_back(static_cast<char>(padding - 1));
    session.out_->append(stream.body->data() + stream.body_sent, length);
    if (padding > 1) session.out_->append(padding - 1, '\0');
    stream.body_sent += length;
    session.data_bytes_sent_ += length;
    session.body_bytes_queued_ -= length;
    return 0;
  }

  static int on_error(nghttp2_session*, int, const char* message, std::size_t length, void* user) {
    ServerSession& session = self(user);
    if (session.trouble_.empty()) session.trouble_ = "HTTP/2: " + std::string(message, length);
    return 0;
  }
};

ServerSession::ServerSession(const http::ConnectionLimits& limits, const FloodLimits& floods,
                             Finished on_finished)
    : limits_(limits), floods_(floods), on_finished_(std::move(on_finished)) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_send_callback(callbacks, Callbacks::send);
  nghttp2_session_callbacks_set_send_data_callback(callbacks, Callbacks::send_data);
  nghttp2_session_callbacks_set_error_callback2(callbacks, Callbacks::on_error);

  nghttp2_option* options = nullptr;
  nghttp2_option_new(&options);
  // Flood defences of nghttp2's own, set explicitly: unanswered ACKs queued by a client that
  // does not read (SETTINGS and PING floods), CONTINUATION frames after one HEADERS, and a
  // token bucket for RST_STREAM behind this session's own count.
  nghttp2_option_set_max_outbound_ack(options, 1000);
  nghttp2_option_set_max_continuations(options, floods.continuations_per_block);
  nghttp2_option_set_stream_reset_rate_limit(options, 2 * floods.resets_per_second,
                                             floods.resets_per_second / 2);
  nghttp2_option_set_max_settings(options, 16);
  const int created = nghttp2_session_server_new3(&session_, callbacks, this, options, nullptr);
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(callbacks);
  if (created != 0) throw std::runtime_error("nghttp2_session_server_new3 failed");

  const http::Http2Limits& h2 = limits.http2;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, h2.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, h2.initial_window_size},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, h2.max_frame_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, h2.max_header_list_size},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  // The connection's window, for request bodies on all streams together: large enough that
  // an upload to one stream is paced by its stream window only.
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(h2.connection_window_size));
}

ServerSession::~ServerSession() {
  nghttp2_session_del(session_);
}

ServerSession::Stream* ServerSession::find(std::int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

const ServerSession::Stream* ServerSession::find(std::int32_t stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void ServerSession::finish(Stream& stream) {
  if (stream.body) body_bytes_queued_ -= stream.body->size() - stream.body_sent;
  // 499, nginx's status for a client that left before its answer (it reset the stream).
  if (stream.arrived && on_finished_) {
    const int status = stream.status ? stream.status : 499;
    if (out_ != nullptr)  // its last frame is being written: reported once it is out
      ended_.push_back({std::move(stream.request), status, stream.body_sent});
    else
      on_finished_(stream.request, status, stream.body_sent);
  }
  streams_.erase(stream.id);
}

bool ServerSession::within_rate(std::uint32_t& count, std::uint32_t limit, const char* what) {
  const auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(1)) {
    window_start_ = now;
    resets_ = control_frames_ = empty_frames_ = 0;
  }
  if (++count <= limit) return true;
  trouble_ = "HTTP/2: more than " + std::to_string(limit) + " " + what + " in a second";
  attack_code_ = NGHTTP2_ENHANCE_YOUR_CALM;
  return false;
}

bool ServerSession::receive(std::span<const std::uint8_t> bytes) {
  const ssize_t result = nghttp2_session_mem_recv(session_, bytes.data(), bytes.size());
  if (result < 0) {
    if (trouble_.empty())
      trouble_ = std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(result));
    std::uint32_t code = attack_code_;
    if (!code)
      code = result == NGHTTP2_ERR_FLOODED || result == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS
                 ? NGHTTP2_ENHANCE_YOUR_CALM
                 : NGHTTP2_PROTOCOL_ERROR;
    if (!going_away_) nghttp2_session_terminate_session(session_, code);
    going_away_ = true;
    return false;
  }
  return true;
}

std::vector<ArrivedRequest> ServerSession::take_arrived() {
  std::vector<ArrivedRequest> arrived;
  arrived.swap(arrived_);
  return arrived;
}

std::vector<RefusedRequest> ServerSession::take_refused() {
  std::vector<RefusedRequest> refused;
  refused.swap(refused_);
  return refused;
}

void ServerSession::respond(std::int32_t stream_id, const http::Response& response,
                            std::shared_ptr<const std::string> body,
                            const http::ServerFields& server_fields) {
  Stream* stream = find(stream_id);
  if (!stream || stream->answered) return;
  stream->answered = true;
  if (stream->closed) {  // the client reset it while the handler worked: 499
    finish(*stream);
    return;
  }
  stream->status = response.status;
  const bool head_request = stream->request.method == "HEAD";
  const bool has_body = http::status_has_body(response.status);
  // As over HTTP/1.1 (shared/http/response_head.cpp): a proxied answer to HEAD keeps the
  // upstream's Content-Length; otherwise the length is the body's.
  const bool set_length =
      has_body && !(head_request && response.headers.contains("content-length"));
  HeaderList fields;
  fields.add(":status", std::to_string(response.status));
  for (const auto& [name, value] : response.headers) {
    if (is_connection_specific(name) || iequals(name, "date") ||
        (set_length && iequals(name, "content-length")))
      continue;
    bool fixed = false;
    for (const auto& field : server_fields) fixed = fixed || iequals(name, field.first);
    if (!fixed) fields.add(name, value);
  }
  for (const auto& [name, value] : server_fields) fields.add(name, value);
  fields.add("date", http::http_date_now());
  const std::size_t body_size = body ? body->size() : 0;
  if (set_length) fields.add("content-length", std::to_string(body_size));

  nghttp2_data_provider provider{};
  const bool send_body = has_body && !head_request && body_size > 0;
  if (send_body) {
    body_bytes_queued_ += body->size();
    stream->body = std::move(body);
    provider.source.ptr = stream;
    provider.read_callback = Callbacks::read_body;
  }
  const nghttp2_nv* list = fields.data();
  if (nghttp2_submit_response(session_, stream_id, list, fields.size(),
                              send_body ? &provider : nullptr) != 0)
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
}

void ServerSession::send_interim(std::int32_t stream_id, const http::Response& interim) {
  if (!stream_alive(stream_id)) return;
  HeaderList fields;
  fields.add(":status", std::to_string(interim.status));
  for (const auto& [name, value] : interim.headers)
    if (!is_connection_specific(name)) fields.add(name, value);
  const nghttp2_nv* list = fields.data();
  nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, stream_id, nullptr, list, fields.size(),
                         nullptr);
}

const http::Request* ServerSession::request(std::int32_t stream_id) const {
  const Stream* stream = find(stream_id);
  return stream ? &stream->request : nullptr;
}

void ServerSession::reset(std::int32_t stream_id, std::uint32_t error_code) {
  Stream* stream = find(stream_id);
  if (!stream || stream->answered) return;
  stream->answered = true;
  if (stream->closed) {
    finish(*stream);
    return;
  }
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
  reset_by_us_.push_back(stream_id);
  if (reset_by_us_.size() > 64) reset_by_us_.pop_front();
}

void ServerSession::report_ended() {
  for (const Ended& ended : std::exchange(ended_, {}))
    on_finished_(ended.request, ended.status, ended.body_sent);
}

void ServerSession::finish_all() {
  report_ended();
  while (!streams_.empty()) finish(*streams_.begin()->second);
}

bool ServerSession::stream_alive(std::int32_t stream_id) const {
  const Stream* stream = find(stream_id);
  return stream && !stream->closed;
}

void ServerSession::take_output(std::string& out, std::size_t budget) {
  out_ = &out;
  budget_ = budget;
  const int result = nghttp2_session_send(session_);
  out_ = nullptr;
  if (result != 0 && trouble_.empty())
    trouble_ = std::string("HTTP/2: ") + nghttp2_strerror(result);
}

void ServerSession::go_away_gracefully() {
  if (going_away_) return;
  going_away_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

void ServerSession::go_away(std::uint32_t error_code, std::string why) {
  if (trouble_.empty()) trouble_ = std::move(why);
  if (going_away_ && error_code == NGHTTP2_NO_ERROR) return;
  going_away_ = true;
  nghttp2_session_terminate_session(session_, error_code);
}

bool ServerSession::wants_read() const {
  return nghttp2_session_want_read(session_) != 0;
}
bool ServerSession::wants_write() const {
  return nghttp2_session_want_write(session_) != 0;
}

std::size_t ServerSession::receiving_streams() const {
  return static_cast<std::size_t>(std::count_if(
      streams_.begin(), streams_.end(),
      [](const auto& entry) { return !entry.second->arrived && !entry.second->closed; }));
}

std::size_t ServerSession::answering_streams() const {
  return static_cast<std::size_t>(std::count_if(
      streams_.begin(), streams_.end(), [](const auto& entry) { return entry.second->arrived; }));
}

}  // namespace miniweb::http2
