#pragma once
// An event loop that waits for its next event awake, for a while, before it sleeps.
//
// Why: a thread that sleeps in the kernel (epoll_wait) until a server on loopback answers is
// woken by an interrupt to its CPU, idle by then. On a virtual machine whose idle vCPUs halt at
// once (this team's: guest halt polling off), that interrupt is a trip through the host: two
// processes on the two vCPUs of this machine passing a byte back and forth took 59 us a round
// trip sleeping, 3.4 awake. A warm page load waits for its server three times or more (the
// answer to its ClientHello, the ticket, the close), each wait a fraction of a millisecond.
// Awake is only for where the other CPU is free for the server (the caller says when): a thread
// that polls on one CPU while another of the program's runs on the other leaves the server
// none, and the load waits longer (measured: the parse beside the close 0.08 ms longer).

#include <chrono>
#include <functional>

#include "shared/awaitable.hpp"

namespace miniweb {

// Runs `io` as io.run() does, until it has no work left or is stopped. Before each sleep in the
// kernel, it polls for the next event for up to `at_most`, as long as `may_wait_awake()` says
// it may (asked between polls); when that time runs out, or the answer is no, it sleeps.
void run_awake(asio::io_context& io, std::chrono::nanoseconds at_most,
               const std::function<bool()>& may_wait_awake);

}  // namespace miniweb
