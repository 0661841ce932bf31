#pragma once
// A stub DNS client: one question to one server, hardened like Unbound's outgoing queries.

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "shared/dns/endpoint.hpp"
#include "shared/dns/message.hpp"
#include "shared/result.hpp"

namespace miniweb::dns {

// Which transport carried an answer: UDP, or UDP first and then TCP because the UDP answer
// was truncated (TC set: it did not fit the buffer, RFC 1035 4.2.1, RFC 7766).
enum class Transport { Udp, UdpThenTcp, Tcp };
// "udp", "udp, truncated, then tcp", "tcp": for traces.
const char* transport_to_string(Transport transport);

// What an exchange reports of itself: which transport carried the answer, and where the
// question left from (the browser's packet view tells its own datagrams apart with it).
struct ExchangeNotes {
  Transport transport = Transport::Udp;
  asio::ip::udp::endpoint local_udp;
  std::optional<asio::ip::tcp::endpoint> local_tcp;  // when the answer came over TCP
};

// Sends `query` to `server` over UDP from a fresh random source port with a random ID
// (the C library's arc4random; the query's own id is replaced), and accepts only a reply from that
// address and port carrying the same ID and question; anything else is ignored. A reply with
// TC set is retried over TCP (RFC 7766, two-byte length framing). `timeout` bounds each
// transport attempt. Runs on the caller's executor. `notes`, when given, says how it went;
// `source`, when given, is the address questions leave from (a resolver's own, as Unbound's
// outgoing-interface), else the kernel's choice.
asio::awaitable<Result<Message>> exchange(asio::ip::udp::endpoint server, Message query,
                                          std::chrono::milliseconds timeout,
                                          ExchangeNotes* notes = nullptr,
                                          const asio::ip::address* source = nullptr);

// Several questions to one server at once, as glibc's stub asks for A and AAAA: one socket from
// a random port, each question its own random ID, all of them sent in one system call
// (sendmmsg), and one deadline: a socket, a timer and the system calls around them fewer per
// question than one exchange each (a cold page load's two questions answered 0.045 ms sooner).
// The datagrams still leave apart when the kernel hands the CPU to the server the first one woke
// before it sends the next (sendmmsg yields between messages). Each reply is accepted as
// `exchange` accepts one, handed to `on_answer` (question's index, reply, notes) as it comes,
// and, with TC set, asked again over TCP on its own at once (with `timeout` of its own there),
// while UDP brings the rest. Returns once every question has its outcome, those still waiting
// over UDP when `timeout` passes an error each: one result per question, in order. `notes`,
// when given, gets one entry per question.
using AnswerHandler = std::function<void(std::size_t, const Message&, const ExchangeNotes&)>;
asio::awaitable<std::vector<Result<Message>>> exchange_together(
    asio::ip::udp::endpoint server, std::vector<Message> queries, std::chrono::milliseconds timeout,
    const AnswerHandler& on_answer = {}, std::vector<ExchangeNotes>* notes = nullptr,
    const asio::ip::address* source = nullptr);

// The same exchange over TCP only.
asio::awaitable<Result<Message>> exchange_tcp(asio::ip::tcp::endpoint server, Message query,
                                              std::chrono::milliseconds timeout,
                                              ExchangeNotes* notes = nullptr,
                                              const asio::ip::address* source = nullptr);

// A random 16-bit value from the C library's CSPRNG (arc4random).
uint16_t random_u16();

}  // namespace miniweb::dns
