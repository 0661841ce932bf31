#include "ca/acme/validation.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "shared/awaitable.hpp"
#include "shared/deadline.hpp"
#include "shared/dns/client.hpp"
#include "shared/dns/lookup.hpp"
#include "shared/http/parser.hpp"
#include "shared/http/response_reader.hpp"
#include "shared/text.hpp"

namespace miniweb::ca::acme {

namespace {

using asio::ip::tcp;

// A key authorization is ~87 octets; anything far larger is not one.
constexpr std::size_t kMaxChallengeBody = 8192;

Problem dns_problem(std::string detail) {
  return Problem{"dns", std::move(detail), 400};
}

// One question to the configured recursive resolver.
asio::awaitable<Result<dns::Message>> ask(const ValidationConfig& config, const std::string& name,
                                          std::uint16_t type) {
  auto parsed = dns::Name::parse(name);
  if (!parsed) co_return make_error("'" + name + "' is not a DNS name: " + parsed.error().message);
  dns::Message query = dns::make_query(*parsed, type);
  asio::ip::udp::endpoint server = config.resolver;
  auto reply = co_await dns::exchange(server, query, config.dns_timeout);
  co_return reply;
}

}  // namespace

std::optional<std::string> caa_refusal(const std::vector<CaaRecord>& records,
                                       const std::string& caa_identity) {
  static constexpr std::array<std::string_view, 7> kKnownTags = {
      "issue", "issuewild", "iodef", "issuemail", "issuevmc", "contactemail", "contactphone"};
  bool any_issue = false;
  bool permitted = false;
  for (const CaaRecord& record : records) {
    const std::string tag = to_lower(record.tag);
    // RFC 8659 §4.1: an unknown property with the Issuer Critical flag forbids issuance.
    if ((record.flags & 0x80) != 0 &&
        std::find(kKnownTags.begin(), kKnownTags.end(), tag) == kKnownTags.end()) {
      return "CAA record with unknown critical property '" + record.tag + "' forbids issuance";
    }
    if (tag != "issue") continue;  // issuewild only governs wildcard names, which we refuse
    any_issue = true;
    // RFC 8659 §4.2: issuer-domain-name [";" parameters]; an empty name lets no CA issue.
    std::string_view value = record.value;
    value = trim(value.substr(0, value.find(';')));
    if (!value.empty() && iequals(value, caa_identity)) permitted = true;
  }
  if (!any_issue || permitted) return std::nullopt;
  return "CAA records do not authorize '" + caa_identity + "' to issue";
}

asio::awaitable<std::optional<Problem>> check_caa(const ValidationConfig& config,
                                                  const std::string& name) {
  // RFC 8659 §3: the relevant RRset is the first non-empty one found climbing from the name
  // towards (but not including) the root.
  std::string candidate = name;
  while (!candidate.empty()) {
    auto reply = co_await ask(config, candidate, dns::type::CAA);
    if (!reply) {
      co_return dns_problem("CAA lookup for " + candidate + " failed: " + reply.error().message);
    }
    if (reply->rcode != dns::rcode::NOERROR && reply->rcode != dns::rcode::NXDOMAIN) {
      co_return dns_problem("CAA lookup for " + candidate +
                            " failed: " + dns::rcode_to_string(reply->rcode));
    }
    std::vector<CaaRecord> records;
    for (const auto& rr : reply->answers) {
      if (rr.type != dns::type::CAA) continue;
      if (const auto* caa = std::get_if<dns::RdataCaa>(&rr.rdata)) {
        records.push_back(CaaRecord{caa->flags, caa->tag, caa->value});
      }
    }
    if (!records.empty()) {
      if (auto refusal = caa_refusal(records, config.caa_identity)) {
        co_return Problem{"caa", *refusal + " for " + name + " (CAA at " + candidate + ")", 403};
      }
      co_return std::nullopt;
    }
    const auto dot = candidate.find('.');
    candidate = dot == std::string::npos ? std::string() : candidate.substr(dot + 1);
  }
  co_return std::nullopt;
}

asio::awaitable<std::optional<Problem>> validate_http01(const ValidationConfig& config,
                                                        const std::string& name,
                                                        const std::string& token,
                                                        const std::string& key_authorization) {
  // Resolve through the stack's recursive resolver, A first, then AAAA.
  auto addresses = co_await dns::lookup_addresses(name, config.resolver, config.dns_timeout);
  if (!addresses)
    co_return dns_problem("lookup of " + name + " failed: " + addresses.error().message);
  const asio::ip::address address = addresses->front();

  const std::string url_authority =
      config.http_port == 80 ? name : name + ":" + std::to_string(config.http_port);
  const std::string url = "http://" + url_authority + "/.well-known/acme-challenge/" + token;
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  auto deadline = SocketDeadline::start(socket);
  deadline->arm(config.http_timeout);
  const tcp::endpoint endpoint(address, config.http_port);
  auto [connect_error] = co_await socket.async_connect(endpoint, use_tuple);
  if (connect_error) {
    deadline->stop();
    co_return Problem{"connection",
                      "cannot connect to " + address.to_string() + ":" +
                          std::to_string(config.http_port) + " for " + url + ": " +
                          (deadline->expired() ? "timed out" : connect_error.message()),
                      400};
  }
  const std::string request = "GET /.well-known/acme-challenge/" + token +
                              " HTTP/1.1\r\nHost: " + url_authority +
                              "\r\nUser-Agent: miniweb-ca validation\r\nAccept: */*\r\n"
                              "Connection: close\r\n\r\n";
  auto [write_error, written] =
      co_await asio::async_write(socket, asio::buffer(request), use_tuple);
  std::string buffer;
  Result<http::ReceivedResponse> answer = make_error(
      "the request could not be sent", static_cast<int>(http::ResponseFailure::NoResponse));
  if (!write_error) {
    const http::ResponseLimits limits{.max_head_bytes = 65536, .max_body_bytes = kMaxChallengeBody};
    answer = co_await http::read_response(socket, buffer, *deadline, "GET", limits);
  }
  deadline->stop();
  std::error_code ignored;
  socket.close(ignored);
  if (!answer) {
    // The server could not be reached properly: "connection"; it answered wrongly: "unauthorized".
    const std::string& why = answer.error().message;
    switch (http::failure_of(answer.error())) {
      case http::ResponseFailure::TimedOut:
        co_return Problem{"connection", "timed out reading " + url, 400};
      case http::ResponseFailure::NoResponse:
        co_return Problem{"connection", "no HTTP response from " + url, 400};
      case http::ResponseFailure::CutShort:
        co_return Problem{"connection", "the response from " + url + " was cut short: " + why, 400};
      case http::ResponseFailure::TooLarge:
        co_return Problem{"unauthorized", "response from " + url + " is too large", 403};
      case http::ResponseFailure::Malformed:
        break;
    }
    co_return Problem{"unauthorized", "malformed HTTP response from " + url + ": " + why, 403};
  }
  const http::Response* response = &answer->response;
  const std::string& body = response->body;
  if (response->status != 200) {
    co_return Problem{"unauthorized",
                      "invalid response from " + url + ": HTTP " +
                          std::to_string(response->status) +
                          (response->status / 100 == 3 ? " (redirects are not followed)" : ""),
                      403};
  }
  // RFC 8555 §8.3: whitespace at the end of the body is ignored.
  std::string_view received = body;
  while (!received.empty() && (received.back() == ' ' || received.back() == '\t' ||
                               received.back() == '\r' || received.back() == '\n')) {
    received.remove_suffix(1);
  }
  if (received != key_authorization) {
    std::string shown(received.substr(0, 100));
    for (char& c : shown) {
      if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
    }
    co_return Problem{"incorrectResponse",
                      "the key authorization at " + url + " does not match (got \"" + shown + "\")",
                      403};
  }
  co_return std::nullopt;
}

}  // namespace miniweb::ca::acme
