#include "dns/recursive_server.hpp"

namespace miniweb::dns {

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
  const Question& question = query.questions.front();
  uint16_t refusal = rcode::NOERROR;
  if (!allow.allows(client) || question.qclass != rclass::IN)
    refusal = rcode::REFUSED;
  else if (question.type == type::AXFR || question.type == 251)
    refusal = rcode::NOTIMP;
  if (refusal == rcode::NOERROR) return std::nullopt;  // no reply built for the usual case
  Message reply = query.make_reply();
  reply.ra = true;
  reply.rcode = refusal;
  return reply;
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

bool answer_recursive_at_once(Resolver& resolver, const AllowList& allow, const Message& query,
                              const asio::ip::address& client, Message& reply) {
  if (auto refused = refuse(allow, query, client)) {
    reply = std::move(*refused);
    return true;
  }
  const Question& question = query.questions.front();
  if (!resolver.answer_from_cache(question.name, question.type, reply.rcode, reply.answers,
                                  reply.authority))
    return false;
  // What query.make_reply() and reply_from() give, written over the fields in place.
  reply.id = query.id;
  reply.qr = true;
  reply.opcode = query.opcode;
  reply.aa = false;
  reply.tc = false;
  reply.rd = query.rd;
  reply.ra = true;
  reply.ad = false;
  reply.cd = query.cd;
  reply.questions.resize(1);
  reply.questions.front() = question;
  reply.additional.clear();
  reply.edns.reset();
  return true;
}

asio::awaitable<Message> answer_recursive(Resolver& resolver, const AllowList& allow, Message query,
                                          asio::ip::address client) {
  if (auto refused = refuse(allow, query, client)) co_return std::move(*refused);
  const Question& question = query.questions.front();
  Resolution resolution = co_await resolver.resolve(question.name, question.type);
  co_return reply_from(query, resolution);
}

}  // namespace miniweb::dns
