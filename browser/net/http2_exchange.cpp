#include "browser/net/http2_exchange.hpp"

#include <array>
#include <map>
#include <optional>

#include "browser/exit_codes.hpp"
#include "shared/http2/frame_text.hpp"

namespace miniweb::browser {
namespace {

// Tells the observer of each frame, and keeps them for the trace's h2 step.
void note_frames(Connection& connection, LoadObserver* observer, std::vector<Http2Frame>& kept) {
  for (Http2Frame& frame : connection.h2->take_frames()) {
    if (observer)
      observer->http2_frame(connection.number, frame.sent, frame.offset, frame.length, frame.text);
    kept.push_back(std::move(frame));
  }
}

// Writes what the session has to send.
asio::awaitable<Status> flush(Connection& connection, LoadObserver* observer,
                              std::vector<Http2Frame>& kept) {
  auto output = connection.h2->take_output();
  note_frames(connection, observer, kept);
  if (!output) co_return output.error();
  if (output->empty()) co_return Ok{};
  auto [ec, n] = co_await asio::async_write(*connection.tls, asio::buffer(*output), use_tuple);
  if (ec) co_return make_error("cannot send HTTP/2 frames: " + ec.message(), exit_code::kReceive);
  co_return Ok{};
}

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

// Why the connection failed under the stream, with what HTTP/2 said of it: nghttp2's words for
// what the server got wrong when it has some, and the GOAWAY either end sent.
std::string connection_failure(const Http2Session& session, const std::string& what) {
  std::string out = what;
  if (!session.protocol_error().empty())
    out = "the server broke HTTP/2's rules: nghttp2 says " + session.protocol_error();
  else if (session.ended_for_error())
    out = "the server broke HTTP/2's rules: nghttp2 ended the connection";
  if (!session.goaway_text().empty()) out += " (" + session.goaway_text() + ")";
  return out;
}

// Drives the session until `stream` ends: write what is queued, read, hand it to nghttp2.
asio::awaitable<Status> run_stream(Connection& connection, std::int32_t stream,
                                   const Http2ExchangeSettings& settings, LoadObserver* observer,
                                   std::vector<Http2Frame>& kept, bool& anything_received) {
  Http2Session& session = *connection.h2;
  std::array<char, 16384> chunk;
  connection.deadline->arm(settings.io_timeout);
  for (;;) {
    if (auto sent = co_await flush(connection, observer, kept); !sent) co_return sent;
    const Http2Reply* reply = session.reply(stream);
    if (reply->complete || !reply->failure.empty()) co_return Ok{};
    if (!session.running())
      co_return make_error(connection_failure(session, "the HTTP/2 connection ended"),
                           exit_code::kBadResponse);
    auto [ec, n] = co_await connection.tls->async_read_some(asio::buffer(chunk), use_tuple);
    if (ec) {
      if (connection.deadline->expired())
        co_return make_error("timed out: the response did not come within " +
                                 seconds_text(settings.io_timeout) + " (--timeout)",
                             exit_code::kTimeout);
      // A close is an end of file (TLS says whether the server sent its close_notify first);
      // anything else is the error the read met, which the server may never have seen.
      const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      co_return make_error(
          connection_failure(session, (closed ? "the server closed the HTTP/2 connection: "
                                              : "reading the HTTP/2 connection failed: ") +
                                          ec.message()),
          exit_code::kReceive);
    }
    anything_received = true;
    auto taken = session.receive(std::string_view(chunk.data(), n));
    note_frames(connection, observer, kept);
    if (!taken) {
      co_await flush(connection, observer, kept);  // nghttp2's GOAWAY, when it queued one
      co_return make_error(connection_failure(session, taken.error().message),
                           exit_code::kBadResponse);
    }
  }
}

// The request's step begun, with its fields as HTTP/2 sends them and its body's lines.
std::size_t begin_request_step(const http::Request& request, const Url& url,
                               const std::vector<std::string>& body_lines, Trace& trace) {
  const std::size_t step = trace.begin("http", "request " + request.method + " " + url.to_string());
  for (const auto& [name, value] :
       Http2Session::request_fields(request, url.scheme, url.host_for_header()))
    trace.detail(step, "> " + name + ": " + value);
  for (const std::string& line : body_lines) trace.detail(step, "> " + line);
  return step;
}

std::string request_line(const http::Request& request, std::int32_t stream, const std::string& on) {
  return "> " + request.method + " " + request.target + " HTTP/2 (stream " +
         std::to_string(stream) + ") " + on;
}

std::string status_line(const http::Response& response) {
  return "HTTP/2 " + std::to_string(response.status) + " " + response.reason;
}

}  // namespace

std::vector<std::string> frame_lines(const std::vector<Http2Frame>& frames) {
  struct DataRun {
    std::size_t line = 0;
    std::size_t count = 0;
    std::uint64_t bytes = 0;
    bool end_stream = false;
  };
  std::vector<std::string> lines;
  std::map<std::pair<bool, std::int32_t>, DataRun> runs;
  for (const Http2Frame& frame : frames) {
    const std::string arrow = frame.sent ? "> " : "< ";
    if (frame.type != NGHTTP2_DATA || frame.preface) {
      lines.push_back(arrow + frame.text);
      continue;
    }
    auto [run, first] = runs.try_emplace({frame.sent, frame.stream});
    if (first) {
      run->second.line = lines.size();
      lines.emplace_back();
    }
    DataRun& data = run->second;
    ++data.count;
    data.bytes += frame.length - 9;
    data.end_stream = data.end_stream || (frame.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    lines[data.line] = arrow + "DATA stream " + std::to_string(frame.stream) + ": " +
                       std::to_string(data.count) + (data.count == 1 ? " frame, " : " frames, ") +
                       http2::with_thousands(data.bytes) + " bytes" +
                       (data.end_stream ? " (END_STREAM)" : "");
  }
  return lines;
}

Status start_http2(Connection& connection, const Http2Limits& limits) {
  auto session = Http2Session::start(limits);
  if (!session) return session.error();
  connection.h2 = std::move(*session);
  return Ok{};
}

Result<std::string> prepare_early_http2(Connection& connection, const http::Request& request,
                                        const Url& url, const std::vector<std::string>& body_lines,
                                        const Http2Limits& limits, LoadObserver* observer,
                                        Trace& trace) {
  const std::string on = "on connection #" + std::to_string(connection.number);
  const std::size_t session_step =
      trace.begin("h2", "session " + on + " (the offered TLS session agreed h2 by ALPN)");
  if (auto started = start_http2(connection, limits); !started) {
    trace.finish(session_step, "failed: " + started.error().message);
    return started.error();
  }
  trace.finish(session_step,
               "nghttp2's client session made before the handshake, for its early data");
  const std::size_t step = begin_request_step(request, url, body_lines, trace);
  auto stream = connection.h2->submit(request, url.scheme, url.host_for_header());
  auto output = stream ? connection.h2->take_output() : Result<std::string>(stream.error());
  Connection::EarlyRequest early{.stream = stream ? *stream : 0, .frames = {}};
  note_frames(connection, observer, early.frames);
  if (!output) {
    trace.finish(step, "failed: " + output.error().message);
    connection.h2.reset();
    return output.error();
  }
  if (observer)
    observer->http_request(connection.number, request.method + " " + request.target + " HTTP/2",
                           body_lines);
  trace.finish(step, request_line(request, *stream, on) +
                         ", made for the handshake's early data (" +
                         std::to_string(output->size()) + " bytes with the preface)");
  connection.early_request = std::move(early);
  return output;
}

asio::awaitable<Status> settle_early_http2(Connection& connection, const EarlyData& early,
                                           LoadObserver* observer, Trace& trace) {
  connection.early_data_accepted = early.outcome == EarlyData::Outcome::Accepted;
  if (!connection.h2 || (early.outcome != EarlyData::Outcome::Rejected &&
                         early.outcome != EarlyData::Outcome::Unsent))
    co_return Ok{};
  if (connection.security.alpn != "h2") {
    // Another protocol this time: the request goes as that one's, by the exchange.
    connection.h2.reset();
    connection.early_request.reset();
    co_return Ok{};
  }
  // The server read none of it (or none went: more than the session allows): the same bytes,
  // now over the finished handshake.
  const bool again = early.outcome == EarlyData::Outcome::Rejected;
  const std::size_t step = trace.begin(
      "h2", std::string(again ? "the early data again" : "the first request's frames") +
                " on connection #" + std::to_string(connection.number) + ", after the handshake");
  auto [ec, n] = co_await asio::async_write(*connection.tls, asio::buffer(early.bytes), use_tuple);
  if (ec) {
    trace.finish(step, "failed: " + ec.message());
    co_return make_error("cannot send the request: " + ec.message(), exit_code::kReceive);
  }
  // The refused copy went first: the packet view places these frames after it, and every
  // later frame after them (a frame's offset counts both copies).
  if (again && connection.early_request) {
    connection.h2->sent_again(connection.early_request->frames);
    std::vector<Http2Frame> told;
    note_frames(connection, observer, told);
  }
  trace.finish(step, std::to_string(n) + " bytes: the preface, SETTINGS and the request");
  co_return Ok{};
}

asio::awaitable<Result<http::ReceivedResponse>> exchange_http2(
    Connection& connection, const http::Request& request, const Url& url,
    const std::vector<std::string>& body_lines, const Http2ExchangeSettings& settings,
    LoadObserver* observer, Trace& trace, bool& nothing_received) {
  Http2Session& session = *connection.h2;
  const std::string on = "on connection #" + std::to_string(connection.number);
  const std::size_t frames_step = trace.begin("h2", "frames " + on);
  std::vector<Http2Frame> kept;
  // The first request, when it went as early data: submitted and traced before the handshake.
  std::optional<std::int32_t> sent_early;
  if (connection.early_request) {
    kept = std::move(connection.early_request->frames);
    sent_early = connection.early_request->stream;
    connection.early_request.reset();
  }
  auto finish_frames = [&] {
    std::size_t sent = 0, received = 0;
    for (const Http2Frame& frame : kept) {
      if (!frame.sent) ++received;
      if (frame.sent && !frame.preface) ++sent;
    }
    for (std::string& line : frame_lines(kept)) trace.detail(frames_step, std::move(line));
    trace.finish(frames_step, std::to_string(sent) + " frame(s) sent, " + std::to_string(received) +
                                  " received (from nghttp2's callbacks)");
  };

  Result<std::int32_t> stream = make_error("not submitted");
  std::size_t step = 0;
  bool anything_received = false;
  Status ran = Ok{};
  for (;;) {
    if (sent_early) {
      stream = *sent_early;
    } else {
      step = begin_request_step(request, url, body_lines, trace);
      stream = session.submit(request, url.scheme, url.host_for_header());
      if (!stream) {
        trace.finish(step, "failed: " + stream.error().message);
        finish_frames();
        co_return make_error(stream.error().message, exit_code::kReceive);
      }
      if (observer)
        observer->http_request(connection.number, request.method + " " + request.target + " HTTP/2",
                               body_lines);
      trace.finish(step, request_line(request, *stream, on));
    }
    step = trace.begin("http", "response");
    ran = co_await run_stream(connection, *stream, settings, observer, kept, anything_received);
    // RFC 8470 section 5.2: 425 Too Early to a request sent as early data says the server
    // would not answer it before the handshake's end, which has come since: sent again, once.
    // Only an answer to early data the server accepted: a request it refused early went again
    // after the handshake, and its 425 is the final word.
    const Http2Reply* answer = session.reply(*stream);
    const bool answered_early = sent_early && connection.early_data_accepted;
    if (!answered_early || !ran || !answer->complete || answer->response.status != 425) break;
    session.take_reply(*stream);
    trace.finish(step,
                 "< HTTP/2 425 Too Early, to the request sent as early data: it goes again, "
                 "now that the handshake is complete");
    sent_early.reset();
  }
  finish_frames();
  Http2Reply reply = session.take_reply(*stream);
  if (!ran || !reply.complete) {
    std::string why = ran ? reply.failure : ran.error().message;
    if (ran && !session.protocol_error().empty())
      why += "; nghttp2 says " + session.protocol_error();
    trace_alerts(connection.tls->native_handle(), step, trace);
    trace.finish(step, "failed: " + why);
    nothing_received = reply.refused || (!ran && !anything_received);
    connection.stream_refused = reply.refused;
    if (!ran) co_return ran.error();
    co_return make_error(reply.too_large ? "the response is too large: " + why
                                         : "the HTTP/2 response failed: " + why,
                         reply.too_large ? exit_code::kBadResponse : exit_code::kReceive);
  }
  for (const http::Response& early : reply.interim) {
    trace.detail(step, "< " + status_line(early) + " (interim, RFC 9110 section 15.2)");
    for (const auto& [name, value] : early.headers)
      trace.detail(step, "<   " + name + ": " + value);
  }
  if (observer) observer->http_response(connection.number, status_line(reply.response));
  for (const auto& [name, value] : reply.response.headers)
    trace.detail(step, "< " + name + ": " + value);
  trace.finish(step, "< " + status_line(reply.response) + " (" +
                         std::to_string(reply.response.body.size()) + " body bytes)");
  http::ReceivedResponse received;
  received.response = std::move(reply.response);
  received.interim = std::move(reply.interim);
  received.reusable = session.usable();
  co_return received;
}

asio::awaitable<void> send_goaway(Connection& connection, LoadObserver* observer, Trace& trace,
                                  std::size_t step) {
  if (!connection.h2) co_return;
  connection.h2->submit_goaway();
  std::vector<Http2Frame> kept;
  auto sent = co_await flush(connection, observer, kept);
  for (std::string& line : frame_lines(kept)) trace.detail(step, std::move(line));
  if (!sent) trace.detail(step, "GOAWAY not sent: " + sent.error().message);
}

}  // namespace miniweb::browser
