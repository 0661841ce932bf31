// bench/pageload's floor under a cold load's DNS: the exchanges any resolution from empty
// caches is made of, and nothing else. A cold load asks the resolver, which asks the root, the
// TLD's server and the name's own server in turn, each waiting for the last one's answer: four
// UDP exchanges, one after the other, each with a process that was idle until then. This
// program makes those exchanges itself, in that order, from one process: a query it wrote by
// hand, sent, and any reply with its ID read, with no parsing, caching or choosing of servers.
// The resolver is asked for a name it holds (a cache hit: the least its hop can cost), the
// authoritative servers as a resolver asks them (no recursion desired).
// Prints one line, in ms: "exchanges MS MS ... total MS", the total their sum.
// Usage: miniweb-resolution-floor NAME ADDRESS:PORT[/rd] ...   (/rd: recursion desired)

#include <arpa/inet.h>
#include <netinet/in.h>
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

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "miniweb-resolution-floor: %s\n", what.c_str());
  std::exit(1);
}

// A query for NAME's A record (RFC 1035 section 4.1), with `id` and the RD bit as given.
std::vector<std::uint8_t> query_for(std::string_view name, std::uint16_t id, bool recursion) {
  std::vector<std::uint8_t> query = {static_cast<std::uint8_t>(id >> 8),
                                     static_cast<std::uint8_t>(id & 0xff),
                                     static_cast<std::uint8_t>(recursion ? 0x01 : 0x00), 0x00};
  query.insert(query.end(), {0, 1, 0, 0, 0, 0, 0, 0});  // one question, no records
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) fail("not a domain name");
    query.push_back(static_cast<std::uint8_t>(label.size()));
    query.insert(query.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  query.insert(query.end(), {0, 0, 1, 0, 1});  // the root label, type A, class IN
  return query;
}

struct Server {
  int socket = -1;
  bool recursion = false;
  std::string text;
};

// A UDP socket connected to ADDRESS:PORT[/rd], so that only that server's datagrams reach it.
Server open_server(std::string_view spec) {
  Server server;
  server.text = std::string(spec);
  if (spec.ends_with("/rd")) {
    server.recursion = true;
    spec.remove_suffix(3);
  }
  const std::size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos) fail("expected ADDRESS:PORT, got " + server.text);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port =
      htons(static_cast<std::uint16_t>(std::atoi(std::string(spec.substr(colon + 1)).c_str())));
  if (inet_pton(AF_INET, std::string(spec.substr(0, colon)).c_str(), &peer.sin_addr) != 1)
    fail("not an IPv4 address: " + server.text);
  server.socket = socket(AF_INET, SOCK_DGRAM, 0);
  if (server.socket < 0 ||
      connect(server.socket, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0)
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
  std::vector<Server> servers;
  std::vector<std::vector<std::uint8_t>> queries;
  for (int i = 2; i < argc; ++i) {
    servers.push_back(open_server(argv[i]));
    queries.push_back(
        query_for(argv[1], static_cast<std::uint16_t>(0x4d00 + i), servers.back().recursion));
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
