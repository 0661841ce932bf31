#pragma once
// The two flows of the stream experiment, on one Asio loop: a sender that sends frame N at
// start + N/fps over UDP and, the same frame, over TCP, and a receiver that notes when each
// frame is handed to it. Each side is a coroutine that reads top to bottom.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/awaitable.hpp"
#include "shared/result.hpp"
#include "stack/stream_analysis.hpp"
#include "stack/stream_wire.hpp"

namespace miniweb::stack {

// The sender's sockets and the receiver's, bound to their addresses, TCP connected.
struct StreamSockets {
  explicit StreamSockets(asio::io_context& io)
      : udp_sender(io), udp_receiver(io), tcp_sender(io), tcp_receiver(io) {}
  asio::ip::udp::socket udp_sender;
  asio::ip::udp::socket udp_receiver;
  asio::ip::tcp::socket tcp_sender;
  asio::ip::tcp::socket tcp_receiver;
};

// Binds both ends and opens the TCP connection (its handshake passes the link).
Status connect_stream(StreamSockets& sockets, const StreamEnds& ends);

// What the kernel said of the sender's TCP connection at the end (tcp_info).
struct TcpInfoFigures {
  std::uint32_t total_retransmissions = 0;  // tcpi_total_retrans: segments sent again
  std::uint32_t smoothed_rtt_us = 0;        // tcpi_rtt
};

struct FlowsOutcome {
  std::int64_t start_epoch_us = 0;  // the start, by the system clock (the capture's)
  std::uint32_t udp_sent = 0;
  std::uint32_t tcp_sent = 0;
  std::vector<Arrival> udp;  // in the order the receiver got them
  std::vector<Arrival> tcp;
  std::uint32_t udp_rejected = 0;  // datagrams that were not a whole frame
  std::optional<TcpInfoFigures> tcp_info;
  std::string interrupted;  // a signal, or what went wrong mid-run
};

// Sends plan.frames frames at plan.fps; receives until every UDP frame's deadline has passed
// and every TCP frame has come, or `tcp_patience` after the last was sent.
FlowsOutcome run_flows(asio::io_context& io, StreamSockets& sockets, const StreamEnds& ends,
                       const StreamPlan& plan, std::chrono::milliseconds tcp_patience);

}  // namespace miniweb::stack
