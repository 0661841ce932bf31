#pragma once
// One request and its response over a connection whose TLS chose h2 (RFC 9113): the request
// a stream of the connection's Http2Session, the bytes it frames written over TLS and the
// server's read back into it until the stream ends, within the load's timeout. The trace gets
// the request and response as the HTTP/1.1 path words them, and an "h2" step with every frame
// nghttp2 sent and received on the way; the observer each frame's place in the plaintext.

#include <string>
#include <vector>

#include "browser/net/connection_pool.hpp"
#include "browser/net/load_observer.hpp"
#include "browser/net/tls_early_data.hpp"
#include "browser/trace.hpp"
#include "shared/awaitable.hpp"
#include "shared/http/message.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/result.hpp"
#include "shared/url.hpp"

namespace miniweb::browser {

struct Http2ExchangeSettings {
  std::chrono::milliseconds io_timeout{10000};  // for the whole response
  Http2Limits limits;
};

// Gives `connection` its HTTP/2 session (its first output the preface and our SETTINGS).
Status start_http2(Connection& connection, const Http2Limits& limits);

// The first request of a connection whose offered session agreed h2, made before its handshake
// to go as TLS 1.3 early data (tls_early_data.hpp): the HTTP/2 session started, the request
// submitted, and the bytes they make (the connection preface, SETTINGS, WINDOW_UPDATE, the
// request's HEADERS) returned. The session's and the request's steps are traced here; the
// frames wait in connection.early_request for the exchange's frames step.
Result<std::string> prepare_early_http2(Connection& connection, const http::Request& request,
                                        const Url& url, const std::vector<std::string>& body_lines,
                                        const Http2Limits& limits, LoadObserver* observer,
                                        Trace& trace);

// After the handshake that carried prepare_early_http2's bytes, as `early` says it went:
// accepted, nothing to do; rejected (or never sent: more than the session allows), the same
// bytes over the finished handshake when h2 was agreed again (told to `observer` as frames sent
// again), else the early session dropped, for the exchange to make the request in the protocol
// agreed.
asio::awaitable<Status> settle_early_http2(Connection& connection, const EarlyData& early,
                                           LoadObserver* observer, Trace& trace);

// The request on `connection`: submitted, or, when it went as early data, its stream read.
// `nothing_received` is set when the server processed nothing of the request (the connection
// was closed before any frame for it, or its stream was refused): it may be sent again.
asio::awaitable<Result<http::ReceivedResponse>> exchange_http2(
    Connection& connection, const http::Request& request, const Url& url,
    const std::vector<std::string>& body_lines, const Http2ExchangeSettings& settings,
    LoadObserver* observer, Trace& trace, bool& nothing_received);

// A clean close's first half (RFC 9113 section 6.8): GOAWAY with NO_ERROR written, as a detail
// of the trace's `step`. TLS close_notify and the FIN follow, by the caller.
asio::awaitable<void> send_goaway(Connection& connection, LoadObserver* observer, Trace& trace,
                                  std::size_t step);

// The frames as the trace lists them, "> " sent and "< " received, in order; the DATA frames
// of a stream in one direction summed up in one line at the first one's place:
// "< DATA stream 1: 3 frames, 41,223 bytes (END_STREAM)".
std::vector<std::string> frame_lines(const std::vector<Http2Frame>& frames);

}  // namespace miniweb::browser
