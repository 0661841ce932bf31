// What the SYN flood experiment reads from the kernel and from tcpdump: the counters of
// /proc/net/netstat and /proc/net/snmp, sock_diag's replies about a listener, tcpdump's closing
// counts.

#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstring>
#include <vector>

#include "stack/kernel_counters.hpp"
#include "stack/listener_queues.hpp"
#include "stack/tcpdump_process.hpp"

namespace miniweb::stack {
namespace {

TEST(KernelCountersTest, ReadsGroupsOfNamesAndValues) {
  const std::string netstat =
      "TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ListenOverflows ListenDrops\n"
      "TcpExt: 268 1 0 0 3\n"
      "IpExt: InNoRoutes InOctets\n"
      "IpExt: 0 26986021728\n";
  const std::string snmp =
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens OutRsts\n"
      "Tcp: 1 200 120000 -1 6 0\n";
  KernelCounters counters;
  ASSERT_TRUE(parse_kernel_counters(netstat, counters));
  ASSERT_TRUE(parse_kernel_counters(snmp, counters));
  EXPECT_EQ(counters.at("TcpExt.SyncookiesSent"), 268U);
  EXPECT_EQ(counters.at("TcpExt.ListenDrops"), 3U);
  EXPECT_EQ(counters.at("IpExt.InOctets"), 26986021728U);
  EXPECT_EQ(counters.at("Tcp.OutRsts"), 0U);
  KernelCounters later = counters;
  later["TcpExt.SyncookiesSent"] = 300;
  EXPECT_EQ(counter_change(counters, later, "TcpExt.SyncookiesSent"), 32);
  EXPECT_EQ(counter_change(counters, later, "TcpExt.NotThere"), 0);
}

TEST(KernelCountersTest, RefusesGroupsThatDoNotPairUp) {
  KernelCounters counters;
  EXPECT_FALSE(parse_kernel_counters("TcpExt: A B\n", counters));
  auto short_values = parse_kernel_counters("TcpExt: A B\nTcpExt: 1\n", counters);
  ASSERT_FALSE(short_values);
  EXPECT_EQ(short_values.error().message, "TcpExt has 2 names and 1 values");
  EXPECT_FALSE(parse_kernel_counters("TcpExt: A\nIpExt: 1\n", counters));
  EXPECT_FALSE(parse_kernel_counters("TcpExt: A\nTcpExt: x\n", counters));
}

TEST(KernelCountersTest, ReadsThisNamespacesFiles) {
  auto counters = read_kernel_counters();
  ASSERT_TRUE(counters) << counters.error().message;
  EXPECT_TRUE(counters->contains("TcpExt.SyncookiesSent"));
  EXPECT_TRUE(counters->contains("Tcp.OutRsts"));
}

// One netlink message carrying an inet_diag_msg.
void add_socket(std::vector<std::uint8_t>& reply, std::uint8_t state, std::uint32_t address,
                std::uint16_t port, std::uint32_t rqueue = 0, std::uint32_t wqueue = 0) {
  nlmsghdr header{};
  header.nlmsg_len = NLMSG_LENGTH(sizeof(inet_diag_msg));
  header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  inet_diag_msg message{};
  message.idiag_family = AF_INET;
  message.idiag_state = state;
  message.id.idiag_sport = htons(port);
  message.id.idiag_src[0] = htonl(address);
  message.idiag_rqueue = rqueue;
  message.idiag_wqueue = wqueue;
  const std::size_t at = reply.size();
  reply.resize(at + NLMSG_ALIGN(header.nlmsg_len));
  std::memcpy(reply.data() + at, &header, sizeof header);
  std::memcpy(reply.data() + at + NLMSG_HDRLEN, &message, sizeof message);
}

void add_done(std::vector<std::uint8_t>& reply) {
  nlmsghdr done{};
  done.nlmsg_len = NLMSG_LENGTH(sizeof(int));
  done.nlmsg_type = NLMSG_DONE;
  const std::size_t at = reply.size();
  reply.resize(at + NLMSG_ALIGN(done.nlmsg_len));
  std::memcpy(reply.data() + at, &done, sizeof done);
}

TEST(ListenerQueuesTest, CountsTheListenersRequestSockets) {
  constexpr std::uint32_t kServer = 0xc0000201;
  std::vector<std::uint8_t> reply;
  add_socket(reply, TCP_LISTEN, kServer, 8080, 1, 32);
  add_socket(reply, TCP_SYN_RECV, kServer, 8080);
  add_socket(reply, TCP_SYN_RECV, kServer, 8080);
  add_socket(reply, TCP_SYN_RECV, kServer, 8081);     // another listener's
  add_socket(reply, TCP_SYN_RECV, 0x7f000001, 8080);  // another address's
  ListenerQueues queues;
  auto done = tally_diag_reply(reply, kServer, 8080, queues);
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);  // the dump goes on in the next reply
  add_done(reply);
  queues = {};
  done = tally_diag_reply(reply, kServer, 8080, queues);
  ASSERT_TRUE(done);
  EXPECT_TRUE(*done);
  EXPECT_TRUE(queues.listening);
  EXPECT_EQ(queues.syn_queue, 2U);
  EXPECT_EQ(queues.accept_queue, 1U);
  EXPECT_EQ(queues.backlog_limit, 32U);
}

TEST(ListenerQueuesTest, RefusesABrokenReplyAndReportsTheKernelsError) {
  std::vector<std::uint8_t> reply;
  add_socket(reply, TCP_LISTEN, 1, 1);
  reply.resize(reply.size() - 8);  // the message says it is longer than what came
  ListenerQueues queues;
  EXPECT_FALSE(tally_diag_reply(reply, 1, 1, queues));
  std::vector<std::uint8_t> error(NLMSG_LENGTH(sizeof(nlmsgerr)));
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(error.size());
  header.nlmsg_type = NLMSG_ERROR;
  nlmsgerr body{};
  body.error = -EPERM;
  std::memcpy(error.data(), &header, sizeof header);
  std::memcpy(error.data() + NLMSG_HDRLEN, &body, sizeof body);
  auto refused = tally_diag_reply(error, 1, 1, queues);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "sock_diag: Operation not permitted");
}

TEST(TcpdumpCountsTest, ReadsItsClosingLines) {
  auto counts = parse_tcpdump_counts(
      "tcpdump: listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 256 "
      "bytes\n1021 packets captured\n2042 packets received by filter\n3 packets dropped by "
      "kernel\n");
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->captured, 1021U);
  EXPECT_EQ(counts->kernel_dropped, 3U);
  EXPECT_FALSE(parse_tcpdump_counts("tcpdump: any: You don't have permission\n"));
}

}  // namespace
}  // namespace miniweb::stack
