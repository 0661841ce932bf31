#include "server/proxy_resolver.hpp"

#include <asio/ip/tcp.hpp>

#include <algorithm>

#include "shared/awaitable.hpp"
#include "shared/dns/client.hpp"
#include "shared/dns/lookup.hpp"

namespace miniweb::server {
namespace {

asio::awaitable<Result<std::vector<asio::ip::address>>> through_system(const std::string& host) {
  asio::ip::tcp::resolver system(co_await asio::this_coro::executor);
  auto [ec, results] = co_await system.async_resolve(host, "", use_tuple);
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again ||
      ec == asio::error::no_data)
    co_return dns::lookup_error(dns::LookupFailure::NotFound,
                                "the name " + host + " does not exist (" + ec.message() + ")");
  if (ec)
    co_return dns::lookup_error(dns::LookupFailure::Failed,
                                "cannot resolve " + host + ": " + ec.message());
  std::vector<asio::ip::address> v4, v6;
  for (const auto& entry : results) {
    const asio::ip::address address = entry.endpoint().address();
    auto& list = address.is_v4() ? v4 : v6;
    if (std::find(list.begin(), list.end(), address) == list.end()) list.push_back(address);
  }
  v4.insert(v4.end(), v6.begin(), v6.end());
  if (v4.empty())
    co_return dns::lookup_error(dns::LookupFailure::NotFound,
                                "the name " + host + " has no address");
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
  auto server = dns::parse_endpoint(resolver);
  if (!server) co_return dns::lookup_error(dns::LookupFailure::Failed, server.error().message);
  co_return co_await dns::lookup_addresses(host, *server, timeout);
}

}  // namespace miniweb::server
