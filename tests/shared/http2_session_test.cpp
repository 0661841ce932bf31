// The server's HTTP/2 session (shared/http2/server_session) against nghttp2's own client
// session, in memory: what the client's frames become as requests, what the server's
// responses become as frames, and how the session ends a connection that attacks it.

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "shared/http2/server_session.hpp"

namespace {

using miniweb::http2::ServerSession;

// nghttp2's client, recording what the server sent.
class Client {
 public:
  Client() {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(
        callbacks, [](nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                      std::size_t name_length, const std::uint8_t* value, std::size_t value_length,
                      std::uint8_t, void* user) {
          auto& self = *static_cast<Client*>(user);
          self.fields[frame->hd.stream_id].emplace_back(
              std::string(reinterpret_cast<const char*>(name), name_length),
              std::string(reinterpret_cast<const char*>(value), value_length));
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        callbacks, [](nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                      const std::uint8_t* data, std::size_t length, void* user) {
          static_cast<Client*>(user)->bodies[stream_id].append(reinterpret_cast<const char*>(data),
                                                               length);
          return 0;
        });
    nghttp2_session_callbacks_set_on_frame_recv_callback(
        callbacks, [](nghttp2_session*, const nghttp2_frame* frame, void* user) {
          auto& self = *static_cast<Client*>(user);
          if (frame->hd.type == NGHTTP2_GOAWAY) {
            self.goaway_code = static_cast<int>(frame->goaway.error_code);
            self.goaway_last_stream = frame->goaway.last_stream_id;
          }
          if (frame->hd.type == NGHTTP2_RST_STREAM)
            self.resets[frame->hd.stream_id] = frame->rst_stream.error_code;
          return 0;
        });
    // nghttp2 refuses to send a header list whose uncompressed size might pass 64 KiB; an
    // attacker's client would not.
    nghttp2_option* options = nullptr;
    nghttp2_option_new(&options);
    nghttp2_option_set_max_send_header_block_length(options, 1 << 20);
    nghttp2_session_client_new2(&session, callbacks, this, options);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~Client() { nghttp2_session_del(session); }

  std::int32_t get(const std::string& path,
                   const std::vector<std::pair<std::string, std::string>>& extra = {},
                   const std::string* body = nullptr) {
    std::vector<std::pair<std::string, std::string>> list = {{":method", body ? "POST" : "GET"},
                                                             {":scheme", "https"},
                                                             {":authority", "www.example.test"},
                                                             {":path", path}};
    list.insert(list.end(), extra.begin(), extra.end());
    std::vector<nghttp2_nv> nv;
    for (auto& [name, value] : list)
      nv.push_back({reinterpret_cast<std::uint8_t*>(name.data()),
                    reinterpret_cast<std::uint8_t*>(value.data()), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE});
    nghttp2_data_provider provider{};
    if (body) {
      provider.source.ptr = &uploads_.emplace_back(*body);
      provider.read_callback = [](nghttp2_session*, std::int32_t, std::uint8_t* buffer,
                                  std::size_t length, std::uint32_t* flags,
                                  nghttp2_data_source* source, void*) -> ssize_t {
        auto& upload = *static_cast<std::string*>(source->ptr);
        const std::size_t n = std::min(length, upload.size());
        std::copy_n(upload.data(), n, buffer);
        upload.erase(0, n);
        if (upload.empty()) *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
      };
    }
    return nghttp2_submit_request(session, nullptr, nv.data(), nv.size(),
                                  body ? &provider : nullptr, nullptr);
  }

  // Frames the client has queued, as bytes.
  std::string output() {
    std::string out;
    const std::uint8_t* data = nullptr;
    while (true) {
      const ssize_t n = nghttp2_session_mem_send(session, &data);
      if (n <= 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    return out;
  }
  void input(const std::string& bytes) {
    nghttp2_session_mem_recv(session, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                             bytes.size());
  }
  std::string field(std::int32_t stream, const std::string& name) {
    for (const auto& [n, v] : fields[stream])
      if (n == name) return v;
    return "";
  }

  nghttp2_session* session = nullptr;
  std::map<std::int32_t, std::vector<std::pair<std::string, std::string>>> fields;
  std::map<std::int32_t, std::string> bodies;
  std::map<std::int32_t, std::uint32_t> resets;
  int goaway_code = -1;
  std::int32_t goaway_last_stream = -1;

 private:
  std::list<std::string> uploads_;  // each request body's bytes not yet sent
};

struct Logged {
  std::string target;
  int status;
  std::uint64_t bytes;
};

class Http2SessionTest : public ::testing::Test {
 protected:
  Http2SessionTest()
      : server(limits(), miniweb::http2::FloodLimits{},
               [this](const miniweb::http::Request& request, int status, std::uint64_t bytes) {
                 logged.push_back({request.target, status, bytes});
               }) {}

  static miniweb::http::ConnectionLimits limits() {
    miniweb::http::ConnectionLimits limits;
    limits.request.max_body_bytes = 1000;
    return limits;
  }

  // Client to server, then server to client, until neither has anything to say. False once
  // the server has given up on the connection.
  bool exchange() {
    bool alive = true;
    for (int round = 0; round < 100; ++round) {
      const std::string up = client.output();
      if (!up.empty() && alive)
        alive = server.receive({reinterpret_cast<const std::uint8_t*>(up.data()), up.size()});
      std::string down;
      server.take_output(down, 1 << 20);
      if (!down.empty()) client.input(down);
      server.report_ended();  // as the connection does once the bytes are written
      if (up.empty() && down.empty()) break;
    }
    return alive;
  }

  Client client;
  std::vector<Logged> logged;
  ServerSession server;
};

TEST_F(Http2SessionTest, ARequestArrivesAsAnHttpRequestAndItsResponseAsFrames) {
  const std::int32_t id =
      client.get("/index.html?x=1", {{"cookie", "a=1"}, {"cookie", "b=2"}, {"accept", "*/*"}});
  ASSERT_TRUE(exchange());
  auto arrived = server.take_arrived();
  ASSERT_EQ(arrived.size(), 1u);
  const miniweb::http::Request& request = *arrived[0].request;
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/index.html?x=1");
  EXPECT_EQ(request.protocol(), "HTTP/2.0");
  EXPECT_EQ(request.headers.get("Host").value_or(""), "www.example.test");
  // RFC 9113 section 8.2.3: the cookie fields become one.
  EXPECT_EQ(request.headers.get("Cookie").value_or(""), "a=1; b=2");

  miniweb::http::Response response;
  response.headers.add("Content-Type", "text/plain");
  response.headers.add("Connection", "keep-alive");  // HTTP/1.1's alone: not sent
  server.respond(id, response, std::make_shared<const std::string>("hello"),
                 {{"Server", "miniweb"}});
  ASSERT_TRUE(exchange());
  EXPECT_EQ(client.field(id, ":status"), "200");
  EXPECT_EQ(client.field(id, "content-type"), "text/plain");
  EXPECT_EQ(client.field(id, "content-length"), "5");
  EXPECT_EQ(client.field(id, "server"), "miniweb");
  EXPECT_EQ(client.field(id, "connection"), "");
  EXPECT_EQ(client.bodies[id], "hello");
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].status, 200);
  EXPECT_EQ(logged[0].bytes, 5u);
}

// A response's access log line follows it out: take_output writes the stream's last frame,
// and the line is reported once the caller has written those bytes (report_ended).
TEST_F(Http2SessionTest, AResponsesLogLineWaitsUntilItsFramesAreWritten) {
  const std::int32_t id = client.get("/");
  ASSERT_TRUE(exchange());
  ASSERT_EQ(server.take_arrived().size(), 1u);
  server.respond(id, miniweb::http::Response{}, std::make_shared<const std::string>("hello"), {});
  std::string down;
  server.take_output(down, 1 << 20);
  EXPECT_NE(down.find("hello"), std::string::npos) << "the body's DATA frame was not written";
  EXPECT_TRUE(logged.empty()) << "logged before the response was written out";
  server.report_ended();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].status, 200);
  EXPECT_EQ(logged[0].bytes, 5u);
  server.report_ended();
  EXPECT_EQ(logged.size(), 1u) << "reported twice";
}

TEST_F(Http2SessionTest, ABodyArrivesWholeWithItsLengthAndATooLargeOneIsRefused) {
  const std::string small = "name=value";
  client.get("/form", {}, &small);
  const std::string large(5000, 'x');
  const std::int32_t refused_id = client.get("/upload", {}, &large);
  ASSERT_TRUE(exchange());
  auto arrived = server.take_arrived();
  ASSERT_EQ(arrived.size(), 1u);
  EXPECT_EQ(arrived[0].request->body, small);
  EXPECT_EQ(arrived[0].request->headers.get("Content-Length").value_or(""), "10");
  auto refused = server.take_refused();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].stream_id, refused_id);
  EXPECT_EQ(refused[0].status, 413);
}

TEST_F(Http2SessionTest, TooLargeAHeaderListIsAnswered431) {
  const std::int32_t id = client.get("/", {{"x-large", std::string(40000, 'a')}});
  exchange();
  auto refused = server.take_refused();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].stream_id, id);
  EXPECT_EQ(refused[0].status, 431);
  EXPECT_TRUE(server.take_arrived().empty());
}

TEST_F(Http2SessionTest, AnHpackBombEndsTheConnection) {
  // One 2 KiB field, entered in the dynamic table once and then named by a single byte.
  std::vector<std::pair<std::string, std::string>> bomb(80, {"x-bomb", std::string(2000, 'b')});
  ASSERT_GT(client.get("/", bomb), 0);
  EXPECT_FALSE(exchange());
  EXPECT_EQ(client.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_NE(server.trouble().find("HPACK bomb"), std::string::npos) << server.trouble();
}

TEST_F(Http2SessionTest, RapidResetEndsTheConnection) {
  // Each request leaves before its reset (nghttp2 would drop a request not yet sent).
  bool alive = exchange();
  for (int i = 0; i < 400 && alive; ++i) {
    const std::int32_t id = client.get("/");
    alive = exchange();
    server.take_arrived();
    nghttp2_submit_rst_stream(client.session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    alive = alive && exchange();
  }
  EXPECT_FALSE(alive);
  EXPECT_EQ(client.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_NE(server.trouble().find("rapid reset"), std::string::npos) << server.trouble();
}

TEST_F(Http2SessionTest, APingFloodEndsTheConnection) {
  for (int i = 0; i < 300; ++i) nghttp2_submit_ping(client.session, NGHTTP2_FLAG_NONE, nullptr);
  EXPECT_FALSE(exchange());
  EXPECT_EQ(client.goaway_code, NGHTTP2_ENHANCE_YOUR_CALM);
  EXPECT_NE(server.trouble().find("PING"), std::string::npos) << server.trouble();
}

TEST_F(Http2SessionTest, AGracefulGoawayLetsStreamsInProgressFinish) {
  const std::int32_t id = client.get("/");
  ASSERT_TRUE(exchange());
  ASSERT_EQ(server.take_arrived().size(), 1u);
  server.go_away_gracefully();
  ASSERT_TRUE(exchange());
  EXPECT_EQ(client.goaway_code, NGHTTP2_NO_ERROR);
  EXPECT_EQ(client.goaway_last_stream, id);
  miniweb::http::Response response;
  server.respond(id, response, std::make_shared<const std::string>("bye"), {});
  exchange();
  EXPECT_EQ(client.bodies[id], "bye");
  EXPECT_FALSE(server.wants_read() && server.wants_write());
}

TEST_F(Http2SessionTest, AStreamResetWhileAnsweredIsLoggedAsTheClientLeaving) {
  const std::int32_t id = client.get("/slow");
  ASSERT_TRUE(exchange());
  ASSERT_EQ(server.take_arrived().size(), 1u);
  nghttp2_submit_rst_stream(client.session, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
  ASSERT_TRUE(exchange());
  EXPECT_FALSE(server.stream_alive(id));
  miniweb::http::Response response;
  server.respond(id, response, std::make_shared<const std::string>("late"), {});
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0].status, 499);  // nginx's: the client closed the request
  EXPECT_EQ(logged[0].bytes, 0u);
}

}  // namespace
