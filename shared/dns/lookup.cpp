#include "shared/dns/lookup.hpp"

#include "shared/dns/client.hpp"
#include "shared/dns/message.hpp"
#include "shared/dns/name.hpp"

namespace miniweb::dns {
asio::awaitable<Result<std::vector<asio::ip::address>>> lookup_addresses(
    const std::string& host, const asio::ip::udp::endpoint& resolver,
    const std::chrono::milliseconds& timeout) {
  std::error_code literal_error;
  const auto literal = asio::ip::make_address(host, literal_error);
  if (!literal_error) co_return std::vector<asio::ip::address>{literal};
  auto name = Name::parse(host);
  if (!name)
    co_return lookup_error(LookupFailure::NotFound,
                           "'" + host + "' is not a valid host name: " + name.error().message);
  const std::string server = endpoint_to_string(resolver);
  std::vector<asio::ip::address> addresses;
  for (std::uint16_t type : {type::A, type::AAAA}) {
    // Named objects: exchange() is a coroutine taking class types by value (GCC 12).
    Message query = make_query(*name, type);
    asio::ip::udp::endpoint endpoint = resolver;
    auto reply = co_await exchange(endpoint, std::move(query), timeout);
    if (!reply)
      co_return lookup_error(LookupFailure::Failed, "the resolver " + server +
                                                        " did not answer for " + host + " (" +
                                                        reply.error().message + ")");
    if (reply->rcode == rcode::NXDOMAIN)
      co_return lookup_error(LookupFailure::NotFound,
                             "the name " + host + " does not exist (NXDOMAIN from " + server + ")");
    if (reply->rcode != rcode::NOERROR)
      co_return lookup_error(
          LookupFailure::Failed,
          "the resolver " + server + " answered " + rcode_to_string(reply->rcode) + " for " + host);
    for (const ResourceRecord& record : reply->answers) {
      if (const auto* a = std::get_if<RdataA>(&record.rdata); a && record.type == type::A)
        addresses.push_back(asio::ip::address_v4(a->address));
      if (const auto* aaaa = std::get_if<RdataAAAA>(&record.rdata);
          aaaa && record.type == type::AAAA)
        addresses.push_back(asio::ip::address_v6(aaaa->address));
    }
    if (!addresses.empty()) break;
  }
  if (addresses.empty())
    co_return lookup_error(LookupFailure::NotFound,
                           "the name " + host + " has no address (NODATA from " + server + ")");
  co_return addresses;
}

}  // namespace miniweb::dns
