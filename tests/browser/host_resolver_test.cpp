// The browser's questions to its recursive resolver, against a resolver played by the test on
// loopback: real DNS messages over a real UDP socket.

#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "browser/net/host_resolver.hpp"
#include "shared/dns/message.hpp"

namespace {

using namespace miniweb;
using asio::ip::udp;

// The played resolver's answer: 127.0.0.9 for A, "1 . port=8444" for HTTPS.
dns::Message answer(const dns::Message& query) {
  dns::Message reply = query.make_reply();
  reply.ra = true;
  const dns::Question& question = query.questions.front();
  dns::ResourceRecord record{.name = question.name, .type = question.type, .ttl = 300, .rdata = {}};
  if (question.type == dns::type::A) {
    record.rdata = dns::RdataA{{127, 0, 0, 9}};
  } else {
    // "1 . port=8444": this name's service listens on 8444.
    dns::RdataSvcb service;
    service.priority = 1;
    service.params.push_back({dns::svc_key::PORT, {0x20, 0xfc}});
    record.rdata = service;
  }
  reply.answers.push_back(record);
  return reply;
}

// A resolver played by the test on loopback: each question that comes is handed to its
// policy, which returns the questions to answer now (each with answer()), held ones included.
class PlayedResolver {
 public:
  using Asked = std::pair<dns::Message, udp::endpoint>;
  using Policy = std::function<std::vector<Asked>(Asked)>;

  PlayedResolver(asio::io_context& io, Policy policy)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        policy_(std::move(policy)) {
    asio::co_spawn(io, serve(), asio::detached);
  }
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }
  // Where each question of `type` came from, in the order they came.
  std::vector<udp::endpoint> askers(std::uint16_t type) const {
    std::vector<udp::endpoint> from;
    for (const auto& [question, asker] : asked_)
      if (question == type) from.push_back(asker);
    return from;
  }

 private:
  asio::awaitable<void> serve() {
    std::array<std::uint8_t, 1500> datagram{};
    for (;;) {
      udp::endpoint from;
      const std::size_t size =
          co_await socket_.async_receive_from(asio::buffer(datagram), from, asio::use_awaitable);
      auto query = dns::Message::decode(std::span(datagram.data(), size));
      if (!query || query->questions.size() != 1) continue;
      asked_.emplace_back(query->questions.front().type, from);
      for (const auto& [question, client] : policy_({*query, from})) {
        const std::vector<std::uint8_t> reply = answer(question).encode();
        co_await socket_.async_send_to(asio::buffer(reply), client, asio::use_awaitable);
      }
    }
  }

  udp::socket socket_;
  Policy policy_;
  std::vector<std::pair<std::uint16_t, udp::endpoint>> asked_;
};

// Holds every answer until both of a name's questions (A and HTTPS) have come: a stub that asks
// one question after the other never hears from it.
PlayedResolver::Policy both_questions_first() {
  return [held = std::vector<PlayedResolver::Asked>()](PlayedResolver::Asked asked) mutable {
    held.push_back(std::move(asked));
    if (held.size() < 2) return std::vector<PlayedResolver::Asked>();
    return std::exchange(held, {});
  };
}

// Never answers the first HTTPS question (lost, to the browser); every other one at once.
PlayedResolver::Policy losing_the_first_https_question() {
  return [lost = false](PlayedResolver::Asked asked) mutable {
    if (asked.first.questions.front().type == dns::type::HTTPS && !std::exchange(lost, true))
      return std::vector<PlayedResolver::Asked>();
    return std::vector<PlayedResolver::Asked>{std::move(asked)};
  };
}

// The resolver's answer, as a load resolves it: `io` run until it comes.
std::optional<Result<browser::ResolvedHost>> resolve(asio::io_context& io,
                                                     browser::HostResolver& host_resolver,
                                                     browser::Trace& trace) {
  std::optional<Result<browser::ResolvedHost>> resolved;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        resolved = co_await host_resolver.resolve("www.example.test", trace);
        io.stop();
      },
      asio::detached);
  io.restart();
  io.run_for(std::chrono::seconds(5));
  return resolved;
}

// Settings that ask only `resolver` (no hosts file, no profile).
browser::ResolverSettings asking(const udp::endpoint& resolver, std::chrono::milliseconds timeout,
                                 int attempts) {
  browser::ResolverSettings settings;
  settings.recursive = resolver;
  settings.hosts_file = "/dev/null";
  settings.timeout = timeout;
  settings.attempts = attempts;
  return settings;
}

// The step of the question of `type` ("A", "HTTPS") for www.example.test, or nullptr.
const browser::Trace::Step* question_step(const browser::Trace& trace, const std::string& type) {
  for (const browser::Trace::Step& step : trace.steps())
    if (step.title.ends_with("www.example.test " + type)) return &step;
  return nullptr;
}

TEST(HostResolver, AsksForTheAddressAndTheHttpsRecordAtOnce) {
  asio::io_context io;
  PlayedResolver resolver(io, both_questions_first());
  browser::HostResolver host_resolver(
      asking(resolver.endpoint(), std::chrono::milliseconds(1000), 1));
  browser::Trace trace;

  const auto resolved = resolve(io, host_resolver, trace);
  ASSERT_TRUE(resolved.has_value());
  ASSERT_TRUE(static_cast<bool>(*resolved)) << resolved->error().message;
  ASSERT_EQ((*resolved)->addresses.size(), 1u);
  EXPECT_EQ((*resolved)->addresses.front().to_string(), "127.0.0.9");
  EXPECT_EQ((*resolved)->https_port, std::optional<std::uint16_t>(8444));

  // One step per question, each with its own answer, and the two overlap.
  const browser::Trace::Step* address = question_step(trace, "A");
  const browser::Trace::Step* https = question_step(trace, "HTTPS");
  ASSERT_NE(address, nullptr);
  ASSERT_NE(https, nullptr);
  EXPECT_EQ(address->summary, "NOERROR over udp");
  EXPECT_EQ(https->summary, "NOERROR over udp");
  ASSERT_EQ(address->details.size(), 1u);
  EXPECT_NE(address->details.front().find("127.0.0.9"), std::string::npos);
  EXPECT_LT(https->start, address->start + address->duration);
  // Asked together: one socket, one port (dns::exchange_together).
  ASSERT_EQ(resolver.askers(dns::type::A).size(), 1u);
  ASSERT_EQ(resolver.askers(dns::type::HTTPS).size(), 1u);
  EXPECT_EQ(resolver.askers(dns::type::A).front(), resolver.askers(dns::type::HTTPS).front());
}

// The question whose answer was lost is asked again on its own, from a new port; the other's
// step ends with its answer, long before the first attempt's timeout.
TEST(HostResolver, AsksAgainOnlyTheQuestionLeftUnanswered) {
  asio::io_context io;
  PlayedResolver resolver(io, losing_the_first_https_question());
  browser::HostResolver host_resolver(
      asking(resolver.endpoint(), std::chrono::milliseconds(300), 2));
  browser::Trace trace;

  const auto resolved = resolve(io, host_resolver, trace);
  ASSERT_TRUE(resolved.has_value());
  ASSERT_TRUE(static_cast<bool>(*resolved)) << resolved->error().message;
  EXPECT_EQ((*resolved)->addresses.front().to_string(), "127.0.0.9");
  EXPECT_EQ((*resolved)->https_port, std::optional<std::uint16_t>(8444));
  const std::vector<udp::endpoint> https_askers = resolver.askers(dns::type::HTTPS);
  ASSERT_EQ(https_askers.size(), 2u);
  EXPECT_NE(https_askers[0], https_askers[1]);

  const browser::Trace::Step* address = question_step(trace, "A");
  const browser::Trace::Step* https = question_step(trace, "HTTPS");
  ASSERT_NE(address, nullptr);
  ASSERT_NE(https, nullptr);
  EXPECT_EQ(address->summary, "NOERROR over udp");
  EXPECT_LT(address->duration, std::chrono::milliseconds(250));
  EXPECT_EQ(https->summary, "NOERROR over udp");
  EXPECT_GE(https->duration, std::chrono::milliseconds(300));
  ASSERT_FALSE(https->details.empty());
  EXPECT_NE(https->details.front().find("within 300 ms): asked again"), std::string::npos)
      << https->details.front();
}

// With a profile, the recursive resolver's answer is written to the on-disk cache in a step of
// its own (the trace leaves no time unaccounted for), and the next run's resolver finds it there.
TEST(HostResolver, KeepsTheAnswerOnDiskInAStepOfItsOwn) {
  const std::filesystem::path profile = std::filesystem::temp_directory_path() /
                                        ("miniweb-host-resolver-" + std::to_string(::getpid()));
  std::filesystem::remove_all(profile);
  asio::io_context io;
  PlayedResolver resolver(io, both_questions_first());
  browser::ResolverSettings settings =
      asking(resolver.endpoint(), std::chrono::milliseconds(1000), 1);
  settings.cache_dir = profile;

  browser::Trace trace;
  browser::HostResolver first(settings);
  auto resolved = resolve(io, first, trace);
  ASSERT_TRUE(resolved.has_value() && static_cast<bool>(*resolved));
  const browser::Trace::Step& kept = trace.steps().back();
  EXPECT_EQ(kept.phase, "dns");
  EXPECT_EQ(kept.title, "on-disk cache " + (profile / "dns-cache.json").string() + " updated");
  EXPECT_EQ(kept.summary, "www.example.test kept for 300 s (1 name in the file)");
  EXPECT_TRUE(kept.finished);
  // After both questions' answers.
  for (const browser::Trace::Step& step : trace.steps())
    if (&step != &kept) {
      EXPECT_LE(step.start + step.duration, kept.start) << step.title;
    }

  browser::Trace next;
  browser::HostResolver second(settings);
  resolved = resolve(io, second, next);
  ASSERT_TRUE(resolved.has_value() && static_cast<bool>(*resolved));
  EXPECT_EQ((*resolved)->addresses.front().to_string(), "127.0.0.9");
  EXPECT_EQ(next.steps().back().summary, "hit: 127.0.0.9");
  std::filesystem::remove_all(profile);
}

}  // namespace
