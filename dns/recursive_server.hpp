#pragma once
// The recursive role: answers clients from the Resolver with RA set, only for allowed networks.

#include <asio/ip/address.hpp>
#include <optional>
#include <vector>

#include "dns/resolver.hpp"
#include "dns/server.hpp"
#include "shared/cidr.hpp"

namespace miniweb::dns {

// Who may ask for recursion (Unbound's access-control; loopback only by default).
class AllowList {
 public:
  AllowList();  // 127.0.0.0/8 and ::1/128
  explicit AllowList(std::vector<Cidr> networks) : networks_(std::move(networks)) {}
  bool allows(const asio::ip::address& address) const;

 private:
  std::vector<Cidr> networks_;
};

// The reply to one vetted client query: REFUSED for clients not allowed, else the resolver's
// answer with RA set (SERVFAIL when resolution fails).
// The same reply, written over `reply`, when it needs no upstream query (refused, or all in
// the cache): true; false when it does. For DnsServer::set_fast_handler.
bool answer_recursive_at_once(Resolver& resolver, const AllowList& allow, const Message& query,
                              const asio::ip::address& client, Message& reply);

asio::awaitable<Message> answer_recursive(Resolver& resolver, const AllowList& allow, Message query,
                                          asio::ip::address client);

}  // namespace miniweb::dns
