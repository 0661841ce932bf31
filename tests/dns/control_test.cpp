// The resolver's control channel: a resolver on loopback with authoritative servers for ".",
// "test.", "example.test." and "other.test." that count the queries they see, and its control
// socket driven by the client, by `miniweb-dns control` and by raw bytes. Flushes are observed at
// the servers: what was forgotten is asked for again, and only that.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <thread>

#include "dns/control_client.hpp"
#include "dns/control_commands.hpp"
#include "dns/control_server.hpp"
#include "dns/resolver.hpp"
#include "dns/server.hpp"
#include "dns/zone.hpp"
#include "dns/zone_parser.hpp"
#include "shared/unique_fd.hpp"
#include "tests/dns/zones_from_text.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::dns {
namespace {

using namespace std::chrono_literals;

const std::string kBinary = MINIWEB_DNS_BINARY;

std::string zone(const std::string& origin, const std::string& server, const std::string& rest) {
  return "$ORIGIN " + origin + "\n$TTL 300\n@ SOA " + server +
         " hostmaster 1 3600 900 604800 60\n" + "@ NS " + server + "\n" + rest;
}

// Standard error too, and the exit status on the last line ("exit=N").
std::string shell(const std::string& command) {
  return test_support::command_output(command + " 2>&1; echo exit=$?");
}

class ControlChannel : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string net = "127.57." + std::to_string(::getpid() % 250 + 1) + ".";
    const std::string root = net + "1", tld = net + "2", example = net + "3", other = net + "4";
    start(root, zone(".", "a.root-servers.test.",
                     "a.root-servers.test. A " + root +
                         "\ntest. NS ns1.nic.test.\nns1.nic.test. A " + tld + "\n"));
    start(tld, zone("test.", "ns1.nic.test.",
                    "ns1.nic.test. A " + tld + "\nexample.test. NS ns1.example.test.\n" +
                        "ns1.example.test. A " + example + "\nother.test. NS ns1.other.test.\n" +
                        "ns1.other.test. A " + other + "\n"));
    start(example, zone("example.test.", "ns1.example.test.",
                        "ns1.example.test. A " + example + "\nwww.example.test. A 127.53.0.10\n"));
    start(other, zone("other.test.", "ns1.other.test.",
                      "ns1.other.test. A " + other + "\nwww.other.test. A 127.53.0.20\n"));
    root_ = counts_[root], tld_ = counts_[tld], example_ = counts_[example],
    other_ = counts_[other];

    ResolverOptions options;
    options.root_hints = *parse_zone_text(
        ". 3600000 NS a.root-servers.test.\na.root-servers.test. 3600000 A " + root + "\n",
        "hints");
    options.upstream_port = port_;
    resolver_ = std::make_unique<Resolver>(io_.get_executor(), std::move(options));

    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-control-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    // Traversable by others, so that the tests with another user reach the socket's own checks.
    std::filesystem::permissions(dir_, std::filesystem::perms(0755));
    socket_ = dir_ / "resolver.control";
    auto control = ControlServer::open(
        io_.get_executor(), socket_,
        [this](std::string_view line) { return answer_control_line(*resolver_, line); }, nullptr);
    ASSERT_TRUE(control) << control.error().message;
    control_ = std::move(*control);
    control_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (thread_.joinable()) {
      asio::post(io_, [this] {
        control_->stop();
        for (auto& server : servers_) server->stop();
        io_.stop();
      });
      thread_.join();
    }
    control_.reset();
    std::filesystem::remove_all(dir_);
  }

  void start(const std::string& address, const std::string& text) {
    auto zones = std::make_shared<ZoneSet>(zones_from(text));
    auto counter = std::make_shared<std::atomic<int>>(0);
    counts_[address] = counter;
    auto server = std::make_unique<DnsServer>(
        io_.get_executor(), asio::ip::udp::endpoint(asio::ip::make_address(address), port_),
        SyncHandler([zones, counter](const Message& query, const asio::ip::address&) {
          ++*counter;
          return answer_authoritative(*zones, query);
        }));
    server->start();
    port_ = server->local_endpoint().port();  // the first picks a free port; the rest share it
    servers_.push_back(std::move(server));
  }

  // Resolves on the resolver's thread, as the recursive server does.
  Resolution resolve(const std::string& name) {
    std::promise<Resolution> done;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          done.set_value(co_await resolver_->resolve(*Name::parse(name), type::A));
        },
        asio::detached);
    return done.get_future().get();
  }

  std::string control(const std::string& line) {
    auto reply = control_request(socket_, line);
    return reply ? *reply : "(failed: " + reply.error().message + ")";
  }

  // The queries each server has seen: root, tld, example, other.
  std::vector<int> seen() const { return {*root_, *tld_, *example_, *other_}; }

  asio::io_context io_{1};
  std::vector<std::unique_ptr<DnsServer>> servers_;
  std::map<std::string, std::shared_ptr<std::atomic<int>>> counts_;
  std::shared_ptr<std::atomic<int>> root_, tld_, example_, other_;
  uint16_t port_ = 0;
  std::unique_ptr<Resolver> resolver_;
  std::filesystem::path dir_, socket_;
  std::unique_ptr<ControlServer> control_;
  std::thread thread_;
};

TEST_F(ControlChannel, FlushMakesTheNextQuestionGoToTheZonesServerAgain) {
  ASSERT_EQ(resolve("www.example.test").rcode, rcode::NOERROR);
  const std::vector<int> first = seen();
  EXPECT_GE(first[0], 1);
  EXPECT_GE(first[2], 1);
  EXPECT_TRUE(resolve("www.example.test").from_cache);
  EXPECT_EQ(seen(), first) << "a cached answer asks no one";

  EXPECT_EQ(control("flush www.example.test"), "ok, removed 1 entry at www.example.test.");
  EXPECT_FALSE(resolve("www.example.test").from_cache);
  // Only the answer went: the zone cut is still known, so only example.test.'s server is asked.
  EXPECT_EQ(seen(), (std::vector<int>{first[0], first[1], first[2] + 1, first[3]}));
  EXPECT_EQ(control("flush www.example.test"), "ok, removed 1 entry at www.example.test.");
  EXPECT_EQ(control("flush nothing.here.test"), "ok, removed 0 entries at nothing.here.test.");
}

TEST_F(ControlChannel, FlushForgetsNegativeAnswersAtTheNameToo) {
  EXPECT_EQ(resolve("nope.example.test").rcode, rcode::NXDOMAIN);
  const std::string dump = control("dump nope.example.test");
  EXPECT_TRUE(dump.starts_with("ok, 1 entry at nope.example.test.: any type NXDOMAIN ttl="))
      << dump;
  EXPECT_EQ(control("flush nope.example.test"), "ok, removed 1 entry at nope.example.test.");
  const int before = *example_;
  EXPECT_EQ(resolve("nope.example.test").rcode, rcode::NXDOMAIN);
  EXPECT_EQ(*example_, before + 1);
}

TEST_F(ControlChannel, FlushAllAsksTheRootAgain) {
  ASSERT_EQ(resolve("www.example.test").rcode, rcode::NOERROR);
  const int root_before = *root_;
  EXPECT_TRUE(control("flush_all").starts_with("ok, removed ")) << control("stats");
  EXPECT_EQ(control("stats").substr(0, 13), "ok, entries=0");
  ASSERT_EQ(resolve("www.example.test").rcode, rcode::NOERROR);
  // The root is primed again (". NS") and asked for the name: the whole walk from the top.
  EXPECT_GE(*root_, root_before + 2);
}

TEST_F(ControlChannel, FlushZoneRemovesTheSubtreeAndNothingElse) {
  ASSERT_EQ(resolve("www.example.test").rcode, rcode::NOERROR);
  ASSERT_EQ(resolve("www.other.test").rcode, rcode::NOERROR);
  const std::vector<int> before = seen();
  // www, the zone's NS set and its server's address (learnt from the referral and the zone).
  const std::string reply = control("flush_zone example.test");
  EXPECT_TRUE(reply.starts_with("ok, removed ")) << reply;
  EXPECT_TRUE(reply.ends_with(" entries at and below example.test.")) << reply;
  EXPECT_NE(reply, "ok, removed 1 entry at and below example.test.");
  EXPECT_EQ(control("dump www.example.test"), "ok, 0 entries at www.example.test.");

  EXPECT_TRUE(resolve("www.other.test").from_cache) << "other.test. was not below example.test.";
  EXPECT_FALSE(resolve("www.example.test").from_cache);
  // The cut at example.test. is forgotten, test.'s is not: test.'s server refers again.
  EXPECT_EQ(seen(), (std::vector<int>{before[0], before[1] + 1, before[2] + 1, before[3]}));
}

TEST_F(ControlChannel, StatsCountHitsMissesAndUpstreamQueries) {
  EXPECT_EQ(control("stats"), "ok, entries=0 hits=0 misses=0 upstream_queries=0");
  resolve("www.example.test");
  resolve("www.example.test");
  const int asked = *root_ + *tld_ + *example_;
  const std::string stats = control("stats");
  EXPECT_NE(stats.find(" hits=1 misses=1 upstream_queries=" + std::to_string(asked)),
            std::string::npos)
      << stats;
  EXPECT_EQ(control("dump www.example.test").substr(0, 47),
            "ok, 1 entry at www.example.test.: A answer ttl=");
}

TEST_F(ControlChannel, TheSocketIsForItsOwnerOnly) {
  struct stat info {};
  ASSERT_EQ(::lstat(socket_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  EXPECT_EQ(info.st_uid, ::geteuid());
}

TEST_F(ControlChannel, BadCommandsGetAnErrorLine) {
  EXPECT_EQ(control("frobnicate"), "error: unknown command 'frobnicate'; try help");
  EXPECT_EQ(control("flush"), "error: flush takes one name, e.g. flush www.example.test");
  EXPECT_EQ(control("flush_all now"), "error: flush_all takes nothing after it");
  EXPECT_TRUE(control("flush a..b").starts_with("error: bad name 'a..b': "))
      << control("flush a..b");
  EXPECT_EQ(control(""), "error: an empty line; try help");
  EXPECT_EQ(control("stats\x1b[2J"), "error: the line holds bytes that are not printable text");
  EXPECT_TRUE(control("help").starts_with("ok, commands: flush NAME, flush_zone NAME"));
}

// A raw connection: several lines on one, CRLF as a person's terminal may send, and a line
// longer than the limit refused with the connection closed, however much more comes.
TEST_F(ControlChannel, ManyLinesOnOneConnectionAndNoUnboundedLine) {
  auto session = [&](const std::string& bytes) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, socket_.c_str());
    EXPECT_EQ(::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    ::shutdown(fd.get(), SHUT_WR);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;) out.append(buffer, n);
    return out;
  };
  EXPECT_EQ(session("help\r\nstats\nflush_all"),
            "ok, commands: flush NAME, flush_zone NAME, flush_all, stats, dump NAME, help\n"
            "ok, entries=0 hits=0 misses=0 upstream_queries=0\n"
            "ok, removed 0 entries; the next question starts from the root\n");
  EXPECT_EQ(session("stats\n" + std::string(100000, 'x') + "\nstats\n"),
            "ok, entries=0 hits=0 misses=0 upstream_queries=0\n"
            "error: a line is at most 512 bytes; closing\n");
  EXPECT_EQ(control("flush " + std::string(600, 'a')),
            "error: a line is at most 512 bytes; closing");
}

TEST_F(ControlChannel, TheProgramsClientExitsZeroOnOk) {
  const std::string client = kBinary + " control --socket " + socket_.string();
  EXPECT_EQ(shell(client + " flush www.example.test"),
            "ok, removed 0 entries at www.example.test.\nexit=0\n");
  EXPECT_EQ(shell(client + " frobnicate"),
            "error: unknown command 'frobnicate'; try help\nexit=1\n");
  const std::string missing =
      shell(kBinary + " control --socket " + (dir_ / "none").string() + " stats");
  EXPECT_NE(missing.find("no control socket at "), std::string::npos) << missing;
  EXPECT_TRUE(missing.ends_with("exit=2\n")) << missing;
}

TEST_F(ControlChannel, ASecondServerDoesNotTakeALiveSocketAndReplacesAStaleOne) {
  auto second = ControlServer::open(io_.get_executor(), socket_, nullptr, nullptr);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("something already listens on"), std::string::npos);
  std::ofstream(dir_ / "plain") << "not a socket";
  auto plain = ControlServer::open(io_.get_executor(), dir_ / "plain", nullptr, nullptr);
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().message.find("is not a socket; not replacing it"), std::string::npos);
  {
    // A socket file nobody listens on any more, as a killed resolver leaves it.
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, (dir_ / "stale").c_str());
    ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  }
  auto replaced = ControlServer::open(io_.get_executor(), dir_ / "stale", nullptr, nullptr);
  EXPECT_TRUE(replaced) << replaced.error().message;
}

// Another user: the socket's mode keeps it out; and with the mode opened up on purpose, the
// resolver still refuses it by the uid the kernel reports.
TEST_F(ControlChannel, AnotherUserIsRefusedByTheModeAndByTheUid) {
  // Switching to another user needs root; CI runs as root, so there it always runs.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run the client as the user nobody";
  // scripts/install-deps.sh installs util-linux: a missing setpriv is a failure, not a skip.
  ASSERT_NE(shell("command -v setpriv").find("exit=0"), std::string::npos)
      << "setpriv (util-linux) is missing";
  const std::string as_nobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups " + kBinary +
                                " control --socket " + socket_.string() + " flush_all";
  const std::string by_mode = shell(as_nobody);
  EXPECT_NE(by_mode.find("permission denied on " + socket_.string()), std::string::npos) << by_mode;
  EXPECT_TRUE(by_mode.ends_with("exit=2\n")) << by_mode;

  std::filesystem::permissions(socket_, std::filesystem::perms(0666));
  const std::string by_uid = shell(as_nobody);
  std::filesystem::permissions(socket_, std::filesystem::perms(0600));
  EXPECT_NE(by_uid.find("error: refused: uid 65534 may not control this resolver"),
            std::string::npos)
      << by_uid;
  EXPECT_TRUE(by_uid.ends_with("exit=1\n")) << by_uid;
  // Refused, so nothing was done; root (the test) still may.
  EXPECT_EQ(control("stats"), "ok, entries=0 hits=0 misses=0 upstream_queries=0");
}

TEST(ControlCommands, ParseTheVerbsAPersonTypes) {
  EXPECT_EQ(parse_control_command("flush_zone  example.test.\r")->verb, ControlVerb::kFlushZone);
  EXPECT_EQ(parse_control_command("dump\twww.example.test")->name.to_string(), "www.example.test.");
  EXPECT_FALSE(parse_control_command("FLUSH_ALL"));
  EXPECT_TRUE(control_peer_allowed(1000, 1000));
  EXPECT_TRUE(control_peer_allowed(0, 1000));
  EXPECT_FALSE(control_peer_allowed(1001, 1000));
  EXPECT_FALSE(control_peer_allowed(65534, 0));
}

}  // namespace
}  // namespace miniweb::dns
