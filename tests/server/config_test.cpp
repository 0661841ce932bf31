#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "server/config.hpp"

namespace miniweb::server {
namespace {

class ServerConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("miniweb-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<ServerConfig> load(const std::string& text) {
    std::ofstream(dir_ / "server.toml") << text;
    return load_config(dir_ / "server.toml");
  }

  std::filesystem::path dir_;
};

constexpr const char* kGood = R"([server]
name = "test"

[limits]
header_timeout = 3
max_body_bytes = 1000

[[listener]]
address = "127.0.0.1"
port = 8443

[[listener]]
address = "127.0.0.1"
port = 8080
protocol = "http"

[[site]]
names = ["WWW.Example.TEST", "example.test"]
root = "site"
certificate = "chain.pem"
key = "key.pem"
)";

TEST_F(ServerConfigTest, ReadsAGoodFile) {
  auto config = load(kGood);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server_name, "test");
  ASSERT_EQ(config->listeners.size(), 2u);
  EXPECT_EQ(config->listeners[1].kind, ListenerKind::Http);
  EXPECT_FALSE(config->listeners[1].deferred);  // as nginx: not unless asked
  ASSERT_EQ(config->sites.size(), 1u);
  EXPECT_EQ(config->sites[0].names[0], "www.example.test");  // lower-cased
  EXPECT_EQ(config->sites[0].root, dir_ / "site");           // relative to the file
  EXPECT_EQ(config->limits.header_timeout, std::chrono::seconds(3));
  EXPECT_EQ(config->limits.http.max_body_bytes, 1000u);
}

// A listener's `deferred` (nginx's `listen ... deferred`) is its own.
TEST_F(ServerConfigTest, AListenerIsDeferredWhenItSaysSo) {
  std::string text = kGood;
  const std::string http = "protocol = \"http\"\n";
  text.replace(text.find(http), http.size(), http + "deferred = true\n");
  auto config = load(text);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_FALSE(config->listeners[0].deferred);
  EXPECT_TRUE(config->listeners[1].deferred);
}

// TLS 1.3 early data is on unless [server] says early_data = false (nginx's ssl_early_data).
TEST_F(ServerConfigTest, EarlyDataIsOnUnlessTurnedOff) {
  auto on = load(kGood);
  ASSERT_TRUE(on) << on.error().message;
  EXPECT_TRUE(on->early_data);
  std::string text = kGood;
  const std::string name = "name = \"test\"\n";
  text.replace(text.find(name), name.size(), name + "early_data = false\n");
  auto off = load(text);
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_FALSE(off->early_data);
  text.replace(text.find("early_data = false"), 18, "early_data = \"no\"");
  EXPECT_FALSE(load(text)) << "a string is not a switch";
}

TEST_F(ServerConfigTest, ErrorsNameTheFileTheLineAndTheReason) {
  struct Case {
    std::string text;
    std::string line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = \"x\"\n", ":3:", "wrong type"},
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = 70000\n", ":3:", "0 to 65535"},
      {"[[listener]]\naddress = \n", ":2:", ""},
      {std::string(kGood) + "\n[oops]\nx = 1\n", ":23:", "unknown section 'oops'"},
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = 1\nprotocol = \"ftp\"\n",
       ":4:", "\"https\", \"http\" or \"forward-proxy\""},
      {"[[listener]]\naddress = \"127.0.0.1\"\nport = 1\n[[site]]\nnames = []\n",
       ":4:", "non-empty list"},
      {"[limits]\nheader_timeout = -1\n", ":2:", "must be positive"},
  };
  for (const Case& c : cases) {
    auto config = load(c.text);
    ASSERT_FALSE(config) << c.text;
    const std::string& message = config.error().message;
    EXPECT_NE(message.find("server.toml" + c.line), std::string::npos) << message;
    EXPECT_NE(message.find(c.reason), std::string::npos) << message;
  }
}

constexpr const char* kProxy = R"([[listener]]
address = "127.0.0.1"
port = 8080
protocol = "http"

[[site]]
names = ["shop.example.test"]
redirect_to_https = false
error_pages = { 502 = "/errors/502.html" }

[[site.proxy]]
prefix = "/"
upstream = "shop"

[[upstream]]
name = "shop"
balance = "least_connections"
max_fails = 2
fail_timeout = 5
[[upstream.server]]
address = "127.0.0.1:9001"
weight = 3
[[upstream.server]]
address = "127.0.0.1:9002"
)";

TEST_F(ServerConfigTest, ReadsUpstreamsProxyRoutesAndPlainHttpSites) {
  auto config = load(kProxy);
  ASSERT_TRUE(config) << config.error().message;
  const SiteConfig& site = config->sites[0];
  EXPECT_FALSE(site.redirect_to_https);
  EXPECT_TRUE(site.certificate_chain.empty());
  EXPECT_EQ(site.error_pages.at(502), "/errors/502.html");
  ASSERT_EQ(site.proxies.size(), 1u);
  EXPECT_EQ(site.proxies[0].upstream, "shop");
  ASSERT_EQ(config->upstreams.size(), 1u);
  const UpstreamConfig& shop = config->upstreams[0];
  EXPECT_EQ(shop.balance, BalanceMethod::LeastConnections);
  EXPECT_EQ(shop.max_fails, 2);
  EXPECT_EQ(shop.fail_timeout, std::chrono::seconds(5));
  ASSERT_EQ(shop.servers.size(), 2u);
  EXPECT_EQ(shop.servers[0].port, 9001);
  EXPECT_EQ(shop.servers[0].weight, 3);
  EXPECT_EQ(shop.servers[1].weight, 1);
  EXPECT_EQ(shop.bind, "");
  // proxy_bind: the address the connections to the servers start from.
  std::string bound = kProxy;
  bound.replace(bound.find("max_fails = 2"), 13, "max_fails = 2\nbind = \"127.0.0.40\"");
  auto with_bind = load(bound);
  ASSERT_TRUE(with_bind) << with_bind.error().message;
  EXPECT_EQ(with_bind->upstreams[0].bind, "127.0.0.40");
  bound.replace(bound.find("127.0.0.40"), 10, "localhost");
  auto bad_bind = load(bound);
  ASSERT_FALSE(bad_bind);
  EXPECT_NE(bad_bind.error().message.find("bind must be an IP address"), std::string::npos)
      << bad_bind.error().message;
}

TEST_F(ServerConfigTest, ProxyErrorsNameTheLine) {
  std::string text = kProxy;
  struct Case {
    std::string from, to, line, reason;
  };
  const std::vector<Case> cases = {
      {"upstream = \"shop\"", "upstream = \"shops\"", ":11:", "no [[upstream]] is named 'shops'"},
      {"least_connections", "random", ":17:", "balance must be"},
      // Found by the server_config fuzz target: a float read as an integer was undefined.
      {"weight = 3", "weight = 8e80", ":22:", "'weight' has the wrong type"},
      // Found by the server_config fuzz target: the ACME files were named after such a name.
      {"shop.example.test", "shop/example.test", ":7:", "site name 'shop/example.test' is not"},
      {"shop.example.test", "shop example.test", ":7:", "is not a host name"},
      {"max_fails = 2", "max_fails = 2\nkeepalive = -1",
       ":19:", "'keepalive' is how many idle connections to keep, 0 or more"},
      {"127.0.0.1:9002", "localhost:9002", ":24:", "not IP:PORT"},
      {"502 = ", "302 = ", ":9:", "not a 4xx or 5xx"},
      {"redirect_to_https = false", "redirect_to_http = false", ":8:", "unknown site setting"},
      {"protocol = \"http\"", "protocol = \"https\"",
       ":1:", "needs at least one site with 'certificate'"},
  };
  for (const Case& c : cases) {
    std::string changed = text;
    changed.replace(changed.find(c.from), c.from.size(), c.to);
    auto config = load(changed);
    ASSERT_FALSE(config) << changed;
    EXPECT_NE(config.error().message.find("server.toml" + c.line), std::string::npos)
        << config.error().message;
    EXPECT_NE(config.error().message.find(c.reason), std::string::npos) << config.error().message;
  }
}

// load_config reads the file and hands its text to parse_config, which the fuzz target calls.
TEST_F(ServerConfigTest, TheTextReadsAsTheFileDoes) {
  auto loaded = load(kProxy);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto parsed = parse_config(kProxy, dir_ / "server.toml");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->source, loaded->source);
  EXPECT_EQ(parsed->sites[0].names, loaded->sites[0].names);
  EXPECT_EQ(parsed->upstreams[0].servers.size(), loaded->upstreams[0].servers.size());
  auto broken = parse_config("[[site]\n", dir_ / "server.toml");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message.rfind((dir_ / "server.toml").string() + ":1: ", 0), 0u)
      << broken.error().message;
  auto missing = load_config(dir_ / "absent.toml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            (dir_ / "absent.toml").string() + ":0: File could not be opened for reading");
}

TEST_F(ServerConfigTest, RefusesAFileWithoutListenersOrSites) {
  auto none = load("[server]\nname = \"x\"\n");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("no [[listener]]"), std::string::npos);
}

TEST_F(ServerConfigTest, OcspStaplingIsOnUnlessASiteTurnsItOff) {
  auto config = load(kGood);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_TRUE(config->sites.at(0).ocsp_stapling);  // as Caddy: on by default
  EXPECT_TRUE(config->resolver.empty());

  auto off = load(std::string(kGood) + "ocsp_stapling = false\n");
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_FALSE(off->sites.at(0).ocsp_stapling);
  auto wrong = load(std::string(kGood) + "ocsp_stapling = \"off\"\n");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("server.toml:22: 'ocsp_stapling' has the wrong type"),
            std::string::npos)
      << wrong.error().message;
}

TEST_F(ServerConfigTest, TheServerResolverIsAnAddress) {
  std::string text = kGood;
  text.replace(text.find("name = \"test\"\n"), 14, "name = \"test\"\nresolver = \"127.53.0.53\"\n");
  auto config = load(text);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->resolver, "127.53.0.53");

  text.replace(text.find("127.53.0.53"), 11, "ns.example.test");
  auto bad = load(text);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("server.toml:3: resolver 'ns.example.test' is not"),
            std::string::npos)
      << bad.error().message;
}

}  // namespace
}  // namespace miniweb::server

namespace miniweb::server {
namespace {

TEST_F(ServerConfigTest, ReadsAForwardProxyListenerWithItsDefaults) {
  auto config = load(R"([[listener]]
address = "127.53.0.8"
port = 3128
protocol = "forward-proxy"
)");
  ASSERT_TRUE(config) << config.error().message;  // a proxy alone needs no site
  const ForwardProxyConfig& proxy = config->listeners.at(0).forward;
  EXPECT_EQ(config->listeners[0].kind, ListenerKind::ForwardProxy);
  EXPECT_EQ(proxy.connect_ports, std::vector<std::uint16_t>{443});
  EXPECT_TRUE(proxy.resolver.empty());
  ASSERT_EQ(proxy.allow.size(), 2u);
  EXPECT_EQ(proxy.allow[0].to_string(), "127.0.0.0/8");
  EXPECT_EQ(proxy.allow[1].to_string(), "::1/128");

  auto custom = load(R"([[listener]]
address = "127.53.0.8"
port = 3128
protocol = "forward-proxy"
allow = ["10.1.2.3/16", "127.0.0.1"]
connect_ports = [443, 8443]
resolver = "127.53.0.53:53"
connect_timeout = 3
idle_timeout = 60
)");
  ASSERT_TRUE(custom) << custom.error().message;
  const ForwardProxyConfig& set = custom->listeners.at(0).forward;
  EXPECT_EQ(set.allow.at(0).to_string(), "10.1.0.0/16");  // host bits cleared
  EXPECT_EQ(set.connect_ports, (std::vector<std::uint16_t>{443, 8443}));
  EXPECT_EQ(set.resolver, "127.53.0.53:53");
  EXPECT_EQ(set.connect_timeout, std::chrono::seconds(3));
  EXPECT_EQ(set.tunnel_idle_timeout, std::chrono::seconds(60));
}

TEST_F(ServerConfigTest, ForwardProxyErrorsNameTheLine) {
  const std::string head = "[[listener]]\naddress = \"127.0.0.1\"\nport = 3128\n";
  struct Case {
    std::string lines, reason;
  };
  const std::vector<Case> cases = {
      {"protocol = \"forward-proxy\"\nallow = [\"10.0.0.0/33\"]\n",
       "prefix length must be 0 to 32"},
      {"protocol = \"forward-proxy\"\nallow = [\"example.test\"]\n", "not an address range"},
      {"protocol = \"forward-proxy\"\nconnect_ports = [0]\n", "ports, 1 to 65535"},
      {"protocol = \"forward-proxy\"\nresolver = \"resolver.test\"\n", "is not \"IP\" or"},
      {"protocol = \"http\"\nallow = [\"10.0.0.0/8\"]\n", "setting of a listener with protocol"},
      {"protocol = \"forward-proxy\"\nallowed = []\n", "unknown listener setting 'allowed'"},
      {"protocol = \"http\"\ndeferred = \"yes\"\n", "'deferred' has the wrong type"},
  };
  for (const Case& c : cases) {
    auto config = load(head + c.lines);
    ASSERT_FALSE(config) << c.lines;
    EXPECT_NE(config.error().message.find("server.toml:5:"), std::string::npos)
        << config.error().message;
    EXPECT_NE(config.error().message.find(c.reason), std::string::npos) << config.error().message;
  }
}

}  // namespace
}  // namespace miniweb::server
