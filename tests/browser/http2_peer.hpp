#pragma once
// A server end for the browser's HTTP/2 session in unit tests: nghttp2's own server session,
// in memory, so that the browser's glue is checked against the real library's framing rather
// than against bytes the test invents. It answers each request as its `answer` says and keeps
// what it received.

#include <nghttp2/nghttp2.h>

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace miniweb::browser::test {

struct PeerRequest {
  std::map<std::string, std::string> fields;  // names as received (lower-case)
  std::string body;
};

struct PeerAnswer {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  bool refuse = false;       // RST_STREAM REFUSED_STREAM instead of an answer
  bool early_hints = false;  // a 103 with a Link field first (RFC 8297)
};

class Http2Peer {
 public:
  using Answer = std::function<PeerAnswer(const PeerRequest&)>;

  explicit Http2Peer(Answer answer) : answer_(std::move(answer)) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &on_data);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &on_frame);
    nghttp2_session_server_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
  }
  ~Http2Peer() { nghttp2_session_del(session_); }
  Http2Peer(const Http2Peer&) = delete;
  Http2Peer& operator=(const Http2Peer&) = delete;

  // The client's bytes in; false when nghttp2 refused them.
  bool receive(const std::string& bytes) {
    return nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                    bytes.size()) == static_cast<ssize_t>(bytes.size());
  }
  // What the server has to send.
  std::string output() {
    std::string out;
    const std::uint8_t* data = nullptr;
    while (true) {
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n <= 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    return out;
  }
  void goaway(std::uint32_t error_code) {
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_), error_code, nullptr,
                          0);
  }
  const std::vector<PeerRequest>& requests() const { return done_; }

 private:
  static Http2Peer& self(void* user_data) { return *static_cast<Http2Peer*>(user_data); }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                       std::uint8_t, void* user_data) {
    self(user_data)
        .open_[frame->hd.stream_id]
        .fields[std::string(reinterpret_cast<const char*>(name), name_length)] =
        std::string(reinterpret_cast<const char*>(value), value_length);
    return 0;
  }
  static int on_data(nghttp2_session*, std::uint8_t, std::int32_t stream, const std::uint8_t* data,
                     std::size_t length, void* user_data) {
    self(user_data).open_[stream].body.append(reinterpret_cast<const char*>(data), length);
    return 0;
  }
  static ssize_t read_body(nghttp2_session*, std::int32_t stream, std::uint8_t* buffer,
                           std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                           void* user_data) {
    auto& [body, sent] = self(user_data).bodies_[stream];
    const std::size_t n = std::min(length, body.size() - sent);
    std::memcpy(buffer, body.data() + sent, n);
    sent += n;
    if (sent == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  static int on_frame(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
    Http2Peer& peer = self(user_data);
    const bool request_done = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 &&
                              (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA);
    if (!request_done) return 0;
    const std::int32_t stream = frame->hd.stream_id;
    PeerRequest request = std::move(peer.open_[stream]);
    peer.open_.erase(stream);
    PeerAnswer answer = peer.answer_(request);
    peer.done_.push_back(std::move(request));
    if (answer.refuse)
      return nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream, NGHTTP2_REFUSED_STREAM);
    if (answer.early_hints) {
      std::string status = ":status", hundred_three = "103", link = "link",
                  target = "</style.css>; rel=preload";
      nghttp2_nv hints[] = {{reinterpret_cast<std::uint8_t*>(status.data()),
                             reinterpret_cast<std::uint8_t*>(hundred_three.data()), status.size(),
                             hundred_three.size(), NGHTTP2_NV_FLAG_NONE},
                            {reinterpret_cast<std::uint8_t*>(link.data()),
                             reinterpret_cast<std::uint8_t*>(target.data()), link.size(),
                             target.size(), NGHTTP2_NV_FLAG_NONE}};
      nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, stream, nullptr, hints, 2, nullptr);
    }
    std::vector<std::pair<std::string, std::string>> fields{
        {":status", std::to_string(answer.status)}};
    for (auto& field : answer.fields) fields.push_back(field);
    std::vector<nghttp2_nv> nva;
    for (auto& [name, value] : fields)
      nva.push_back({reinterpret_cast<std::uint8_t*>(name.data()),
                     reinterpret_cast<std::uint8_t*>(value.data()), name.size(), value.size(),
                     NGHTTP2_NV_FLAG_NONE});
    peer.bodies_[stream] = {answer.body, 0};
    nghttp2_data_provider provider{};
    provider.read_callback = &read_body;
    return nghttp2_submit_response(session, stream, nva.data(), nva.size(), &provider);
  }

  Answer answer_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, PeerRequest> open_;
  std::map<std::int32_t, std::pair<std::string, std::size_t>> bodies_;
  std::vector<PeerRequest> done_;
};

}  // namespace miniweb::browser::test
