// bench/pageload's floor under a cold load's DNS: the exchanges any resolution from empty
// caches is made of, and nothing else. A cold load asks the resolver, which asks the root, the
// TLD's server and the name's own server in turn, each waiting for the last one's answer: four
// UDP exchanges, one after the other, each with a process that was idle until then. This
// program makes those exchanges itself, in that order, from one process. Each query is encoded
// before the clock starts (shared/dns, as the browser and the resolver encode theirs); what is
// timed is the send and the wait for a reply with its ID, with no parsing, caching or choosing
// of servers. The resolver is asked for a name it holds (a cache hit: the least its hop can
// cost), the authoritative servers as a resolver asks them (no recursion desired).
// Prints one line, in ms: "exchanges MS MS ... total MS", the total their sum.
// Usage: miniweb-resolution-floor NAME ADDRESS:PORT[/rd] ...   (/rd: recursion desired)

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "shared/dns/endpoint.hpp"
#include "shared/dns/message.hpp"
#include "shared/dns/name.hpp"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "miniweb-resolution-floor: %s\n", what.c_str());
  std::exit(1);
}

struct Server {
  int socket = -1;
  bool recursion = false;
  std::string text;
};

// A UDP socket connected to ADDRESS:PORT[/rd], so that only that server's datagrams reach it.
// The address as the resolver's settings write one (shared/dns/endpoint).
Server open_server(std::string_view spec) {
  Server server;
  server.text = std::string(spec);
  if (spec.ends_with("/rd")) {
    server.recursion = true;
    spec.remove_suffix(3);
  }
  const auto peer = miniweb::dns::parse_endpoint(spec);
  if (!peer) fail(peer.error().message);
  server.socket = socket(peer->protocol().family(), SOCK_DGRAM, 0);
  if (server.socket < 0 || connect(server.socket, peer->data(), peer->size()) != 0)
    fail("cannot open a socket to " + server.text);
  const timeval wait{2, 0};  // a server that does not answer fails the run, not hangs it
  setsockopt(server.socket, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  return server;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: miniweb-resolution-floor NAME ADDRESS:PORT[/rd] ...\n");
    return 2;
  }
  // Every socket and query is made before the first exchange: the floor is the exchanges alone.
  const auto name = miniweb::dns::Name::parse(argv[1]);
  if (!name) fail("not a domain name: " + name.error().message);
  std::vector<Server> servers;
  std::vector<std::vector<std::uint8_t>> queries;
  for (int i = 2; i < argc; ++i) {
    servers.push_back(open_server(argv[i]));
    queries.push_back(
        miniweb::dns::make_query(*name, miniweb::dns::type::A, servers.back().recursion).encode());
  }
  std::vector<double> took;
  std::uint8_t reply[4096];
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const auto sent = Clock::now();
    if (send(servers[i].socket, queries[i].data(), queries[i].size(), 0) < 0)
      fail("cannot send to " + servers[i].text);
    for (;;) {  // a reply with the query's ID; a late one from elsewhere is not it
      const ssize_t n = recv(servers[i].socket, reply, sizeof reply, 0);
      if (n < 0) fail("no reply from " + servers[i].text);
      if (n >= 4 && reply[0] == queries[i][0] && reply[1] == queries[i][1]) break;
    }
    took.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
  }
  double total = 0;
  std::printf("exchanges");
  for (const double ms : took) {
    std::printf(" %.3f", ms);
    total += ms;
  }
  std::printf(" total %.3f\n", total);
  return 0;
}
