// The stub client's questions asked together (dns::exchange_together), against the small
// internet's real authoritative servers and against a server played by the test: real DNS
// messages over real UDP sockets on loopback.

#include <gtest/gtest.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <chrono>
#include <initializer_list>
#include <set>
#include <utility>
#include <vector>

#include "shared/awaitable.hpp"
#include "tests/dns/dns_internet.hpp"

namespace miniweb::dns {
namespace {

using namespace std::chrono_literals;
using test_support::DnsInternet;
using test_support::N;

std::string first_address(const Message& reply) {
  for (const ResourceRecord& record : reply.answers)
    if (const auto* a = std::get_if<RdataA>(&record.rdata))
      return asio::ip::address_v4(a->address).to_string();
  return "";
}

// Questions for the A records of `names`, in order, recursion not asked for.
std::vector<Message> a_questions(std::initializer_list<const char*> names) {
  std::vector<Message> queries;
  for (const char* name : names) queries.push_back(make_query(N(name), type::A, false));
  return queries;
}

TEST_F(DnsInternet, QuestionsAskedTogetherLeaveFromOnePortWithAnIdEach) {
  run([&]() -> asio::awaitable<void> {
    const asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<Message> queries = a_questions({"www.example.test", "ns1.example.test"});
    std::vector<std::size_t> answered;
    std::vector<ExchangeNotes> notes;
    auto replies = co_await exchange_together(
        server, queries, 2000ms,
        [&](std::size_t i, const Message& reply, const ExchangeNotes&) {
          answered.push_back(i);
          EXPECT_EQ(reply.questions, queries[i].questions);
        },
        &notes);
    EXPECT_EQ(std::set<std::size_t>(answered.begin(), answered.end()),
              (std::set<std::size_t>{0, 1}));
    EXPECT_EQ(answered.size(), 2u);
    EXPECT_EQ(replies.size(), 2u);
    if (replies.size() != 2 || !replies[0].ok() || !replies[1].ok()) {
      ADD_FAILURE() << "both questions should be answered";
      co_return;
    }
    EXPECT_EQ(first_address(*replies[0]), "127.53.0.10");
    EXPECT_EQ(first_address(*replies[1]), example_);
    EXPECT_NE(replies[0]->id, replies[1]->id);
    EXPECT_EQ(notes.size(), 2u);
    if (notes.size() != 2) co_return;
    EXPECT_GE(notes[0].local_udp.port(), 1024);
    EXPECT_EQ(notes[0].local_udp, notes[1].local_udp);  // one socket, as glibc's stub asks
    EXPECT_EQ(notes[0].transport, Transport::Udp);
    EXPECT_EQ(notes[1].transport, Transport::Udp);
  });
}

// The second question's answer is held by the server past the timeout: the first comes back
// answered, handed over as it came, and the second alone as an error naming the wait.
TEST_F(DnsInternet, AQuestionLeftUnansweredFailsAloneAtTheDeadline) {
  unanswered_.insert({example_, 2});
  run([&]() -> asio::awaitable<void> {
    const asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<Message> queries = a_questions({"www.example.test", "ns1.example.test"});
    const auto started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration answered_after{};
    int answers = 0;
    auto replies =
        co_await exchange_together(server, std::move(queries), 300ms,
                                   [&](std::size_t i, const Message&, const ExchangeNotes&) {
                                     EXPECT_EQ(i, 0u);
                                     ++answers;
                                     answered_after = std::chrono::steady_clock::now() - started;
                                   });
    EXPECT_EQ(answers, 1);
    EXPECT_LT(answered_after, 250ms);  // as it came, not at the deadline
    EXPECT_EQ(replies.size(), 2u);
    if (replies.size() != 2) co_return;
    EXPECT_TRUE(replies[0].ok());
    EXPECT_FALSE(replies[1].ok());
    if (!replies[1].ok()) {
      EXPECT_NE(replies[1].error().message.find("within 300 ms"), std::string::npos)
          << replies[1].error().message;
    }
  });
}

TEST_F(DnsInternet, OneTruncatedAnswerIsAskedAgainOverTcpAlone) {
  run([&]() -> asio::awaitable<void> {
    const asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<Message> queries = a_questions({"big.example.test", "www.example.test"});
    std::vector<ExchangeNotes> notes;
    auto replies = co_await exchange_together(server, std::move(queries), 2000ms, {}, &notes);
    EXPECT_EQ(replies.size(), 2u);
    if (replies.size() != 2) co_return;
    EXPECT_TRUE(replies[0].ok() && replies[1].ok());
    if (replies[0].ok()) {
      EXPECT_EQ(replies[0]->answers.size(), 100u);
    }
    if (replies[1].ok()) {
      EXPECT_EQ(first_address(*replies[1]), "127.53.0.10");
    }
    EXPECT_EQ(notes[0].transport, Transport::UdpThenTcp);
    EXPECT_TRUE(notes[0].local_tcp);
    EXPECT_EQ(notes[1].transport, Transport::Udp);
    EXPECT_FALSE(notes[1].local_tcp);
  });
}

// The truncated reply's TCP exchange is held by the server past the timeout: the other
// question, whose reply came over UDP meanwhile, is answered as it came, not after that wait.
TEST_F(DnsInternet, ATruncatedAnswersTcpExchangeHoldsUpNoOtherQuestion) {
  unanswered_.insert({example_, 3});  // big's UDP question, www's, then big's over TCP
  run([&]() -> asio::awaitable<void> {
    const asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<Message> queries = a_questions({"big.example.test", "www.example.test"});
    const auto started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration answered_after{};
    auto replies =
        co_await exchange_together(server, std::move(queries), 300ms,
                                   [&](std::size_t i, const Message&, const ExchangeNotes&) {
                                     EXPECT_EQ(i, 1u);
                                     answered_after = std::chrono::steady_clock::now() - started;
                                   });
    EXPECT_EQ(replies.size(), 2u);
    if (replies.size() != 2) co_return;
    EXPECT_FALSE(replies[0].ok());
    EXPECT_TRUE(replies[1].ok());
    if (replies[1].ok()) {
      EXPECT_EQ(first_address(*replies[1]), "127.53.0.10");
    }
    EXPECT_GT(answered_after, std::chrono::steady_clock::duration::zero());
    EXPECT_LT(answered_after, 250ms);
  });
}

// The other question's UDP answer is held by the server past the timeout: the truncated
// reply's question, asked again over TCP at once, is answered as that answer comes, not after
// the other's deadline.
TEST_F(DnsInternet, ATruncatedAnswerGoesOverTcpWithoutWaitingForTheOthers) {
  unanswered_.insert({example_, 2});  // www's question over UDP
  run([&]() -> asio::awaitable<void> {
    const asio::ip::udp::endpoint server(asio::ip::make_address(example_), port_);
    std::vector<Message> queries = a_questions({"big.example.test", "www.example.test"});
    const auto started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::duration answered_after{};
    std::vector<ExchangeNotes> notes;
    auto replies = co_await exchange_together(
        server, std::move(queries), 300ms,
        [&](std::size_t i, const Message&, const ExchangeNotes&) {
          EXPECT_EQ(i, 0u);
          answered_after = std::chrono::steady_clock::now() - started;
        },
        &notes);
    EXPECT_EQ(replies.size(), 2u);
    if (replies.size() != 2) co_return;
    EXPECT_TRUE(replies[0].ok());
    if (replies[0].ok()) {
      EXPECT_EQ(replies[0]->answers.size(), 100u);
    }
    EXPECT_FALSE(replies[1].ok());
    EXPECT_EQ(notes[0].transport, Transport::UdpThenTcp);
    EXPECT_GT(answered_after, std::chrono::steady_clock::duration::zero());
    EXPECT_LT(answered_after, 250ms);
  });
}

// A server played by the test answers the first question's ID with the second's question
// (10.9.9.9), then each question properly: the crossed reply is read past (RFC 5452 9.1).
TEST_F(DnsInternet, AReplyCrossingAnIdWithAnotherQuestionIsIgnored) {
  run([&]() -> asio::awaitable<void> {
    auto executor = co_await asio::this_coro::executor;
    asio::ip::udp::socket played(executor,
                                 asio::ip::udp::endpoint(asio::ip::make_address(root_), 0));
    bool finished = false;
    auto answer_crossed = [&]() -> asio::awaitable<void> {
      std::vector<Message> asked;
      asio::ip::udp::endpoint asker;
      std::array<uint8_t, 512> datagram{};
      while (asked.size() < 2) {
        auto [ec, size] =
            co_await played.async_receive_from(asio::buffer(datagram), asker, use_tuple);
        if (ec) break;
        if (auto query = Message::decode(std::span<const uint8_t>(datagram.data(), size)))
          asked.push_back(*query);
      }
      auto reply_to = [](const Message& query, const Question& question,
                         std::array<uint8_t, 4> address) {
        Message reply = query.make_reply();
        reply.questions = {question};
        reply.answers.push_back(ResourceRecord{
            .name = question.name, .type = type::A, .ttl = 60, .rdata = RdataA{address}});
        return reply.encode();
      };
      if (asked.size() == 2) {
        const std::vector<std::vector<uint8_t>> replies{
            reply_to(asked[0], asked[1].questions.front(), {10, 9, 9, 9}),
            reply_to(asked[1], asked[1].questions.front(), {10, 0, 0, 2}),
            reply_to(asked[0], asked[0].questions.front(), {10, 0, 0, 1})};
        for (const auto& reply : replies)
          co_await played.async_send_to(asio::buffer(reply), asker, use_tuple);
      }
      finished = true;
    };
    asio::co_spawn(executor, answer_crossed(), asio::detached);
    std::vector<Message> queries = a_questions({"one.test", "two.test"});
    auto replies = co_await exchange_together(played.local_endpoint(), std::move(queries), 2000ms);
    EXPECT_TRUE(replies.size() == 2 && replies[0].ok() && replies[1].ok());
    if (replies.size() == 2 && replies[0].ok() && replies[1].ok()) {
      EXPECT_EQ(first_address(*replies[0]), "10.0.0.1");
      EXPECT_EQ(first_address(*replies[1]), "10.0.0.2");
    }
    asio::steady_timer wait(executor);
    while (!finished) {
      wait.expires_after(5ms);
      co_await wait.async_wait(use_tuple);
    }
  });
}

}  // namespace
}  // namespace miniweb::dns
