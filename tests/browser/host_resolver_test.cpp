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
#include <optional>
#include <vector>

#include "browser/net/host_resolver.hpp"
#include "shared/dns/message.hpp"

namespace {

using namespace miniweb;
using asio::ip::udp;

// A resolver that holds every answer until both of a name's questions (A and HTTPS) have come:
// a stub that asks one question after the other never hears from it.
class BothQuestionsResolver {
 public:
  explicit BothQuestionsResolver(asio::io_context& io)
      : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io, serve(), asio::detached);
  }
  udp::endpoint endpoint() const { return socket_.local_endpoint(); }

 private:
  asio::awaitable<void> serve() {
    std::vector<std::pair<dns::Message, udp::endpoint>> held;
    std::array<std::uint8_t, 1500> datagram{};
    for (;;) {
      udp::endpoint from;
      const std::size_t size =
          co_await socket_.async_receive_from(asio::buffer(datagram), from, asio::use_awaitable);
      auto query = dns::Message::decode(std::span(datagram.data(), size));
      if (!query || query->questions.size() != 1) continue;
      held.emplace_back(*query, from);
      if (held.size() < 2) continue;
      for (const auto& [question, client] : held) {
        const std::vector<std::uint8_t> reply = answer(question).encode();
        co_await socket_.async_send_to(asio::buffer(reply), client, asio::use_awaitable);
      }
      held.clear();
    }
  }

  static dns::Message answer(const dns::Message& query) {
    dns::Message reply = query.make_reply();
    reply.ra = true;
    const dns::Question& question = query.questions.front();
    dns::ResourceRecord record{
        .name = question.name, .type = question.type, .ttl = 300, .rdata = {}};
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

  udp::socket socket_;
};

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

TEST(HostResolver, AsksForTheAddressAndTheHttpsRecordAtOnce) {
  asio::io_context io;
  BothQuestionsResolver resolver(io);
  browser::ResolverSettings settings;
  settings.recursive = resolver.endpoint();
  settings.hosts_file = "/dev/null";
  settings.timeout = std::chrono::milliseconds(1000);
  settings.attempts = 1;
  browser::HostResolver host_resolver(settings);
  browser::Trace trace;

  const auto resolved = resolve(io, host_resolver, trace);
  ASSERT_TRUE(resolved.has_value());
  ASSERT_TRUE(static_cast<bool>(*resolved)) << resolved->error().message;
  ASSERT_EQ((*resolved)->addresses.size(), 1u);
  EXPECT_EQ((*resolved)->addresses.front().to_string(), "127.0.0.9");
  EXPECT_EQ((*resolved)->https_port, std::optional<std::uint16_t>(8444));

  // One step per question, each with its own answer, and the two overlap.
  const browser::Trace::Step* address = nullptr;
  const browser::Trace::Step* https = nullptr;
  for (const browser::Trace::Step& step : trace.steps()) {
    if (step.title.ends_with("www.example.test A")) address = &step;
    if (step.title.ends_with("www.example.test HTTPS")) https = &step;
  }
  ASSERT_NE(address, nullptr);
  ASSERT_NE(https, nullptr);
  EXPECT_EQ(address->summary, "NOERROR over udp");
  EXPECT_EQ(https->summary, "NOERROR over udp");
  ASSERT_EQ(address->details.size(), 1u);
  EXPECT_NE(address->details.front().find("127.0.0.9"), std::string::npos);
  EXPECT_LT(https->start, address->start + address->duration);
}

// With a profile, the recursive resolver's answer is written to the on-disk cache in a step of
// its own (the trace leaves no time unaccounted for), and the next run's resolver finds it there.
TEST(HostResolver, KeepsTheAnswerOnDiskInAStepOfItsOwn) {
  const std::filesystem::path profile = std::filesystem::temp_directory_path() /
                                        ("miniweb-host-resolver-" + std::to_string(::getpid()));
  std::filesystem::remove_all(profile);
  asio::io_context io;
  BothQuestionsResolver resolver(io);
  browser::ResolverSettings settings;
  settings.recursive = resolver.endpoint();
  settings.hosts_file = "/dev/null";
  settings.cache_dir = profile;
  settings.timeout = std::chrono::milliseconds(1000);
  settings.attempts = 1;

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
