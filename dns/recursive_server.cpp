#include "dns/recursive_server.hpp"

#include <charconv>

namespace miniweb::dns {

bool Cidr::contains(const asio::ip::address& address) const {
  asio::ip::address candidate = address;
  // An IPv4 client seen on a dual-stack socket arrives as ::ffff:a.b.c.d.
  if (candidate.is_v6() && candidate.to_v6().is_v4_mapped() && network.is_v4())
    candidate = asio::ip::make_address_v4(asio::ip::v4_mapped, candidate.to_v6());
  if (candidate.is_v4() != network.is_v4()) return false;
  auto compare = [&](const auto& a, const auto& b) {
    unsigned bits = prefix_length;
    for (size_t i = 0; i < a.size() && bits > 0; ++i) {
      unsigned take = std::min(bits, 8u);
      auto mask = static_cast<uint8_t>(0xFF << (8 - take));
      if ((a[i] & mask) != (b[i] & mask)) return false;
      bits -= take;
    }
    return true;
  };
  if (candidate.is_v4()) return compare(candidate.to_v4().to_bytes(), network.to_v4().to_bytes());
  return compare(candidate.to_v6().to_bytes(), network.to_v6().to_bytes());
}

Result<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  asio::error_code ec;
  auto address = asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return make_error("bad network '" + std::string(text) + "': not an IP address");
  unsigned max = address.is_v4() ? 32 : 128;
  unsigned length = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [ptr, err] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (err != std::errc() || ptr != digits.data() + digits.size() || length > max)
      return make_error("bad prefix length in '" + std::string(text) + "'");
  }
  return Cidr{address, length};
}

AllowList::AllowList()
    : networks_{Cidr{asio::ip::make_address("127.0.0.0"), 8},
                Cidr{asio::ip::make_address("::1"), 128}} {}

bool AllowList::allows(const asio::ip::address& address) const {
  for (const auto& network : networks_)
    if (network.contains(address)) return true;
  return false;
}

namespace {

// The reply for questions the resolver must not or cannot take (REFUSED, NOTIMP), or nullopt.
std::optional<Message> refuse(const AllowList& allow, const Message& query,
                              const asio::ip::address& client) {
  Message reply = query.make_reply();
  reply.ra = true;
  if (!allow.allows(client)) {
    reply.rcode = rcode::REFUSED;
    return reply;
  }
  const Question& question = query.questions.front();
  if (question.qclass != rclass::IN || question.type == type::AXFR || question.type == 251) {
    reply.rcode = question.qclass != rclass::IN ? rcode::REFUSED : rcode::NOTIMP;
    return reply;
  }
  return std::nullopt;
}

Message reply_from(const Message& query, Resolution& resolution) {
  Message reply = query.make_reply();
  reply.ra = true;
  reply.rcode = resolution.rcode;
  reply.answers = std::move(resolution.answers);
  reply.authority = std::move(resolution.authority);
  return reply;
}

}  // namespace

std::optional<Message> answer_recursive_at_once(Resolver& resolver, const AllowList& allow,
                                                const Message& query,
                                                const asio::ip::address& client) {
  if (auto refused = refuse(allow, query, client)) return refused;
  const Question& question = query.questions.front();
  auto cached = resolver.resolve_from_cache(question.name, question.type);
  if (!cached) return std::nullopt;
  return reply_from(query, *cached);
}

asio::awaitable<Message> answer_recursive(Resolver& resolver, const AllowList& allow, Message query,
                                          asio::ip::address client) {
  if (auto refused = refuse(allow, query, client)) co_return std::move(*refused);
  const Question& question = query.questions.front();
  Resolution resolution = co_await resolver.resolve(question.name, question.type);
  co_return reply_from(query, resolution);
}

}  // namespace miniweb::dns
