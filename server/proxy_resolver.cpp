#include "server/proxy_resolver.hpp"

#include <asio/ip/tcp.hpp>

#include <algorithm>

#include "shared/awaitable.hpp"
#include "shared/dns/client.hpp"
#include "shared/dns/message.hpp"
#include "shared/dns/name.hpp"

namespace miniweb::server {
namespace {

Error failure(LookupFailure kind, std::string message) {
  return Error{std::move(message), static_cast<int>(kind)};
}

asio::awaitable<Result<std::vector<asio::ip::address>>> through_dns(
    const std::string& host, const std::string& resolver,
    const std::chrono::milliseconds& timeout) {
  auto name = dns::Name::parse(host);
  if (!name)
    co_return failure(LookupFailure::NotFound,
                      "'" + host + "' is not a valid host name: " + name.error().message);
  auto server = dns::parse_endpoint(resolver);
  if (!server) co_return failure(LookupFailure::Failed, server.error().message);
  std::vector<asio::ip::address> addresses;
  // A first; AAAA only when there is no A (the stack's sites are IPv4).
  for (std::uint16_t type : {dns::type::A, dns::type::AAAA}) {
    // Named objects: dns::exchange is a coroutine taking class types by value (GCC 12).
    dns::Message query = dns::make_query(*name, type);
    asio::ip::udp::endpoint endpoint = *server;
    auto reply = co_await dns::exchange(endpoint, std::move(query), timeout);
    if (!reply)
      co_return failure(LookupFailure::Failed, "the resolver " + resolver + " did not answer for " +
                                                   host + " (" + reply.error().message + ")");
    if (reply->rcode == dns::rcode::NXDOMAIN)
      co_return failure(LookupFailure::NotFound,
                        "the name " + host + " does not exist (NXDOMAIN from " + resolver + ")");
    if (reply->rcode != dns::rcode::NOERROR)
      co_return failure(LookupFailure::Failed, "the resolver " + resolver + " answered " +
                                                   dns::rcode_to_string(reply->rcode) + " for " +
                                                   host);
    for (const dns::ResourceRecord& record : reply->answers) {
      if (const auto* a = std::get_if<dns::RdataA>(&record.rdata); a && record.type == dns::type::A)
        addresses.push_back(asio::ip::address_v4(a->address));
      if (const auto* aaaa = std::get_if<dns::RdataAAAA>(&record.rdata);
          aaaa && record.type == dns::type::AAAA)
        addresses.push_back(asio::ip::address_v6(aaaa->address));
    }
    if (!addresses.empty()) break;
  }
  if (addresses.empty())
    co_return failure(LookupFailure::NotFound,
                      "the name " + host + " has no address (NODATA from " + resolver + ")");
  co_return addresses;
}

asio::awaitable<Result<std::vector<asio::ip::address>>> through_system(const std::string& host) {
  asio::ip::tcp::resolver system(co_await asio::this_coro::executor);
  auto [ec, results] = co_await system.async_resolve(host, "", use_tuple);
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
      ec == asio::error::no_data)
    co_return failure(LookupFailure::NotFound,
                      "the name " + host + " does not exist (" + ec.message() + ")");
  if (ec) co_return failure(LookupFailure::Failed, "cannot resolve " + host + ": " + ec.message());
  std::vector<asio::ip::address> v4, v6;
  for (const auto& entry : results) {
    const asio::ip::address address = entry.endpoint().address();
    auto& list = address.is_v4() ? v4 : v6;
    if (std::find(list.begin(), list.end(), address) == list.end()) list.push_back(address);
  }
  v4.insert(v4.end(), v6.begin(), v6.end());
  if (v4.empty())
    co_return failure(LookupFailure::NotFound, "the name " + host + " has no address");
  co_return v4;
}

}  // namespace

asio::awaitable<Result<std::vector<asio::ip::address>>> lookup_host(
    const std::string& host, const std::string& resolver,
    const std::chrono::milliseconds& timeout) {
  std::error_code literal_error;
  auto literal = asio::ip::make_address(host, literal_error);
  if (!literal_error) co_return std::vector<asio::ip::address>{literal};
  if (resolver.empty()) co_return co_await through_system(host);
  co_return co_await through_dns(host, resolver, timeout);
}

}  // namespace miniweb::server
