// The demo internet's description and what the planner makes of it: zones with delegations and
// glue derived from the name servers, a record for every site name, server configurations the
// server itself accepts, and a clear error for each kind of mistake in the description.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "stack/plan.hpp"
#include "stack/topology.hpp"
#ifdef MINIWEB_WITH_SERVER
#include "server/config.hpp"
#endif

namespace miniweb::stack {
namespace {

const std::filesystem::path kRepo = MINIWEB_SOURCE_DIR;

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = load_topology(kRepo / "demo/topology.toml");
    ASSERT_TRUE(loaded) << loaded.error().message;
    topology_ = *loaded;
    settings_.net = "127.9.8";
    settings_.dns_port = 5300;
    settings_.https_port = 8443;
    settings_.http_port = 8080;
    // Tests run as processes of their own, two at a time: each gets its own folder.
    settings_.state = std::filesystem::temp_directory_path() /
                      ("miniweb-plan-test-" + std::to_string(::getpid()));
    settings_.repo = kRepo;
    settings_.serial = "2026112301";
  }

  void TearDown() override { std::filesystem::remove_all(settings_.state); }

  const PlannedFile& file(const Plan& plan, const std::string& name) {
    static const PlannedFile kMissing{};
    auto it = std::find_if(plan.files.begin(), plan.files.end(),
                           [&](const PlannedFile& f) { return f.path.filename() == name; });
    if (it == plan.files.end()) {
      ADD_FAILURE() << name << " is not in the plan";
      return kMissing;
    }
    return *it;
  }

  Topology topology_;
  PlanSettings settings_;
};

bool has_line(const std::string& text, const std::string& owner, const std::string& type,
              const std::string& data) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string o, in, t, rest;
    words >> o >> in >> t;
    std::getline(words >> std::ws, rest);
    if (o == owner && in == "IN" && t == type && rest == data) return true;
  }
  return false;
}

TEST_F(PlanTest, RootDelegatesEachTopLevelDomainWithGlue) {
  std::string root = zone_text(topology_, settings_, ".");
  EXPECT_TRUE(has_line(root, "@", "NS", "a.root-servers.test.")) << root;
  EXPECT_TRUE(has_line(root, "test.", "NS", "ns1.nic.test.")) << root;
  EXPECT_TRUE(has_line(root, "example.", "NS", "ns1.nic.example.")) << root;
  EXPECT_TRUE(has_line(root, "ns1.nic.test.", "A", "127.9.8.2")) << root;
  EXPECT_TRUE(has_line(root, "ns1.nic.example.", "A", "127.9.8.4")) << root;
  EXPECT_TRUE(has_line(root, "a.root-servers.test.", "A", "127.9.8.1")) << root;
  // Nothing below the TLDs: the root knows only who serves each one.
  EXPECT_EQ(root.find("www."), std::string::npos) << root;
  EXPECT_EQ(root.find("example.test."), std::string::npos) << root;
}

TEST_F(PlanTest, TopLevelDomainDelegatesBadsslToItsOwnServer) {
  std::string test = zone_text(topology_, settings_, "test.");
  EXPECT_TRUE(has_line(test, "example.test.", "NS", "ns1.example.test.")) << test;
  EXPECT_TRUE(has_line(test, "badssl.test.", "NS", "ns1.badssl.test.")) << test;
  EXPECT_TRUE(has_line(test, "ns1.badssl.test.", "A", "127.9.8.5")) << test;
  EXPECT_TRUE(has_line(test, "ca.test.", "A", "127.9.8.30")) << test;
  EXPECT_TRUE(has_line(test, "ca.test.", "HTTPS", "1 . alpn=\"http/1.1\" port=8443")) << test;
  EXPECT_EQ(test.find("expired.badssl.test."), std::string::npos) << test;

  std::string badssl = zone_text(topology_, settings_, "badssl.test.");
  EXPECT_TRUE(has_line(badssl, "@", "NS", "ns1.badssl.test.")) << badssl;
  for (const char* host :
       {"expired", "wrong.host", "untrusted-root", "self-signed", "incomplete-chain", "revoked"})
    EXPECT_TRUE(has_line(badssl, std::string(host) + ".badssl.test.", "A", "127.9.8.20"))
        << host << "\n"
        << badssl;
}

TEST_F(PlanTest, EverySiteNameIsInExactlyOneZone) {
  std::vector<std::string> zones;
  for (const auto& server : topology_.nameservers)
    for (const auto& origin : server.zones)
      zones.push_back(zone_text(topology_, settings_, origin));
  for (const Site& site : topology_.sites) {
    for (const std::string& name : site.names) {
      int found = 0;
      for (const std::string& zone : zones)
        found += has_line(zone, name + ".", "A", "127.9.8." + std::to_string(site.address));
      // A site outside DNS (the impostor) is named by no zone.
      EXPECT_EQ(found, site.in_dns ? 1 : 0) << name;
    }
  }
  std::string example_test = zone_text(topology_, settings_, "example.test.");
  EXPECT_TRUE(has_line(example_test, "closed.example.test.", "A", "127.9.8.99")) << example_test;
  EXPECT_FALSE(has_line(example_test, "closed.example.test.", "HTTPS",
                        "1 . alpn=\"h2,http/1.1\" port=8443"));
}

// The experiments of why HTTPS exists: shop.example is the shop's plain copy, in the example.
// zone; its impostor has an address no zone names and a certificate of its own making.
TEST_F(PlanTest, ThePlainShopIsInDnsAndItsImpostorIsNot) {
  const std::string example = zone_text(topology_, settings_, "example.");
  EXPECT_TRUE(has_line(example, "shop.example.", "A", "127.9.8.44")) << example;
  EXPECT_EQ(example.find("127.9.8.66"), std::string::npos) << example;
  auto plan = make_plan(topology_, settings_);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_NE(
      plan->script.find("certificate self-signed '" +
                        (settings_.state / "certs/shop.example").string() + "' 'shop.example'"),
      std::string::npos)
      << plan->script;
  EXPECT_NE(plan->script.find("service impostor "), std::string::npos);
  EXPECT_NE(file(*plan, "plain-shop.toml").content.find("hsts_max_age = 0"), std::string::npos);
  EXPECT_EQ(file(*plan, "shop.toml").content.find("hsts_max_age"), std::string::npos);
}

TEST_F(PlanTest, NoHttpsRecordOnTheStandardPort) {
  settings_.https_port = 443;
  std::string zone = zone_text(topology_, settings_, "example.test.");
  EXPECT_TRUE(has_line(zone, "www.example.test.", "A", "127.9.8.10")) << zone;
  EXPECT_EQ(zone.find("HTTPS"), std::string::npos) << zone;
}

// The resolver's control channel: the service gets --control, and the `resolver` word carries
// the socket for the launcher (./miniweb flush).
TEST_F(PlanTest, TheResolverGetsAControlSocketInTheStateFolder) {
  auto plan = make_plan(topology_, settings_);
  ASSERT_TRUE(plan) << plan.error().message;
  const std::string socket = (settings_.state / "run/resolver.control").string();
  EXPECT_EQ(resolver_control_socket(settings_).string(), socket);
  EXPECT_NE(plan->script.find("\nresolver 127.9.8.53:5300 '" + socket + "'\n"), std::string::npos)
      << plan->script;
  EXPECT_NE(plan->script.find(" --upstream-port 5300 --control '" + socket + "'\n"),
            std::string::npos)
      << plan->script;

  settings_.state = "/tmp/" + std::string(100, 's');
  auto too_long = make_plan(topology_, settings_);
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("a Unix socket's path holds at most 107"),
            std::string::npos)
      << too_long.error().message;
}

TEST_F(PlanTest, ScriptStartsEveryServiceAndAsksEachOneAQuestion) {
  auto plan = make_plan(topology_, settings_);
  ASSERT_TRUE(plan) << plan.error().message;
  for (const char* service :
       {"root-dns", "tld-dns", "tld2-dns", "auth-dns", "badssl-dns", "resolver", "ca",
        "shop-backend-1", "shop-backend-2", "shop-backend-3", "www", "shop", "badssl", "proxy"}) {
    EXPECT_NE(plan->script.find("\nservice " + std::string(service) + " "), std::string::npos)
        << service;
    EXPECT_NE(plan->script.find("\nready " + std::string(service) + " "), std::string::npos)
        << service;
  }
  EXPECT_NE(plan->script.find("certificate wrong-host '" +
                              (settings_.state / "certs/wrong.host.badssl.test").string() +
                              "' 'www.badssl.test'"),
            std::string::npos)
      << plan->script;
  EXPECT_NE(plan->script.find("'HTTPS server (www.example.test and 1 more)'"), std::string::npos)
      << plan->script;
  EXPECT_NE(plan->script.find("'reverse proxy (shop.example.test)'"), std::string::npos)
      << plan->script;
  EXPECT_NE(file(*plan, "root.hints").content.find("a.root-servers.test.  3600000 A 127.9.8.1"),
            std::string::npos);
}

// The demo's shop: each backend an instance of miniweb-shop, told its name, over one database
// that the plan never writes (it outlives every `up`), trusting X-Forwarded-For from the proxies'
// addresses only (shop.example.test's and shop.example's), which they connect from.
TEST_F(PlanTest, ShopBackendsRunTheApplicationOverOneDatabase) {
  auto plan = make_plan(topology_, settings_);
  ASSERT_TRUE(plan) << plan.error().message;
  const std::string database = (settings_.state / "shop/shop.db").string();
  EXPECT_EQ(shop_database(settings_).string(), database);
  for (const char* n : {"1", "2", "3"}) {
    const std::string name = std::string("backend-") + n;
    const std::string where = "127.9.8.4" + std::string(n) + ":8080";
    EXPECT_NE(plan->script.find("\nservice shop-" + name + " 'shop " + name +
                                " (miniweb-shop, plain HTTP)' " + where + " shop --listen '" +
                                where + "' --instance '" + name + "' --database '" + database +
                                "' --trusted-proxy '127.9.8.40' --trusted-proxy '127.9.8.44'\n"),
              std::string::npos)
        << plan->script;
  }
  EXPECT_NE(file(*plan, "shop.toml").content.find("bind = '127.9.8.40'"), std::string::npos)
      << file(*plan, "shop.toml").content;
  for (const PlannedFile& planned : plan->files) {
    EXPECT_NE(planned.path.parent_path(), settings_.state / "shop") << planned.path;
    EXPECT_EQ(planned.path.string().find("shop-backend"), std::string::npos) << planned.path;
  }
}

// An upstream of static pages (`page` instead of `application`): one miniweb-server each.
TEST_F(PlanTest, BackendPagesSayWhichBackendAndItsWeight) {
  topology_.upstreams.at(0).kind = BackendKind::StaticPage;
  topology_.upstreams.at(0).page = "demo/sites/shop-backend/index.html";
  auto plan = make_plan(topology_, settings_);
  ASSERT_TRUE(plan) << plan.error().message;
  auto page = std::find_if(plan->files.begin(), plan->files.end(), [&](const PlannedFile& f) {
    return f.path == settings_.state / "server/shop-backend-1/index.html";
  });
  ASSERT_NE(page, plan->files.end());
  EXPECT_NE(page->content.find("served by <b>backend-1</b> at 127.9.8.41, weight 3 of 5"),
            std::string::npos)
      << page->content;
  EXPECT_EQ(page->content.find("{{"), std::string::npos);
  EXPECT_NE(plan->script.find("\nservice shop-backend-1 'shop backend-1 (plain HTTP)' "
                              "127.9.8.41:8080 server --config '"),
            std::string::npos)
      << plan->script;
}

#ifdef MINIWEB_WITH_SERVER
// The configurations are the server's own format: its loader takes each one as written.
TEST_F(PlanTest, ServerAcceptsEveryGeneratedConfiguration) {
  auto plan = make_plan(topology_, settings_);
  ASSERT_TRUE(plan) << plan.error().message;
  int configs = 0;
  for (const PlannedFile& planned : plan->files) {
    if (planned.path.extension() != ".toml") continue;
    std::filesystem::create_directories(planned.path.parent_path());
    std::ofstream(planned.path) << planned.content;
    auto config = server::load_config(planned.path);
    ASSERT_TRUE(config) << config.error().message << "\n" << planned.content;
    ++configs;
    if (planned.path.filename() == "shop.toml") {
      ASSERT_EQ(config->upstreams.size(), 1u);
      ASSERT_EQ(config->upstreams[0].servers.size(), 3u);
      EXPECT_EQ(config->upstreams[0].servers[0].weight, 3);
      EXPECT_EQ(config->upstreams[0].servers[0].address, "127.9.8.41");
      EXPECT_EQ(config->upstreams[0].servers[0].port, 8080);
    }
    if (planned.path.filename() == "proxy.toml") {
      ASSERT_EQ(config->listeners.size(), 1u);
      EXPECT_EQ(config->listeners[0].kind, server::ListenerKind::ForwardProxy);
      EXPECT_EQ(config->listeners[0].forward.connect_ports, std::vector<std::uint16_t>{8443});
      EXPECT_EQ(config->listeners[0].forward.resolver, "127.9.8.53:5300");
    }
    if (planned.path.filename() == "plain-shop.toml") {
      // Plain HTTP as it is, no redirect; no Strict-Transport-Security over HTTPS.
      EXPECT_EQ(config->hsts_max_age.count(), 0);
      ASSERT_EQ(config->sites.size(), 1u);
      EXPECT_FALSE(config->sites[0].redirect_to_https);
      ASSERT_EQ(config->upstreams.size(), 1u);
      EXPECT_EQ(config->upstreams[0].servers[0].address, "127.9.8.41");
    }
    if (planned.path.filename() == "shop.toml") {
      EXPECT_GT(config->hsts_max_age.count(), 0);
      // Configured as nginx is by default: the browser's CRL path stays on the tour.
      ASSERT_EQ(config->sites.size(), 1u);
      EXPECT_FALSE(config->sites[0].ocsp_stapling);
    }
    if (planned.path.filename() == "badssl.toml") {
      ASSERT_EQ(config->sites.size(), 7u);
      EXPECT_EQ(config->sites[4].certificate_chain.filename(), "incomplete-chain.badssl.test.crt");
      EXPECT_TRUE(config->sites[5].ocsp_stapling);   // revoked: the staple says so
      EXPECT_FALSE(config->sites[6].ocsp_stapling);  // revoked-crl: the CRL says so
    }
    // Every web server's listeners are deferred (woken once a connection's first bytes are in);
    // the forward proxy's is as nginx's are by default.
    for (const server::ListenerConfig& listener : config->listeners)
      EXPECT_EQ(listener.deferred, planned.path.filename() != "proxy.toml") << planned.path;
    // Every web server looks the OCSP responder's name up through the stack's resolver (the
    // forward proxy serves no certificate).
    if (planned.path.filename() != "proxy.toml") {
      EXPECT_EQ(config->resolver, "127.9.8.53:5300") << planned.path;
    }
  }
  // www, shop, the plain shop, the impostor, badssl and the forward proxy (the backends are
  // miniweb-shop).
  EXPECT_EQ(configs, 6);
}
#endif

// Mistakes in the description: each named with its line.
class TopologyErrorTest : public ::testing::Test {
 protected:
  std::string error_for(const std::string& text) {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() /
        ("miniweb-topology-test-" + std::to_string(::getpid()) + ".toml");
    std::ofstream(file) << text;
    auto loaded = load_topology(file);
    std::filesystem::remove(file);
    return loaded ? "" : loaded.error().message;
  }
  const std::string root_ =
      "[[nameserver]]\nservice = \"root-dns\"\nhost = \"a.root\"\naddress = 1\nzones = [\".\"]\n";
};

TEST_F(TopologyErrorTest, MinimalDescriptionLoads) {
  EXPECT_EQ(error_for(root_), "");
}

TEST_F(TopologyErrorTest, EachMistakeIsNamedWithItsLine) {
  EXPECT_NE(error_for(root_ + "[[site]]\nservice = \"www\"\naddress = 1\nnames = [\"www.a\"]\n")
                .find(":6: address .1 is taken by 'root-dns'"),
            std::string::npos)
      << error_for(root_ + "[[site]]\nservice = \"www\"\naddress = 1\nnames = [\"www.a\"]\n");
  EXPECT_NE(
      error_for(
          root_ +
          "[[site]]\nservice = \"www\"\naddress = 9\nnames = [\"www.a\"]\ncertificate = \"old\"\n")
          .find(":10: certificate is one of acme"),
      std::string::npos);
  EXPECT_NE(error_for(root_ + "[[site]]\nservice = \"www\"\naddress = 9\nnames = [\"WWW.A\"]\n")
                .find(":9: a host name"),
            std::string::npos);
  EXPECT_NE(error_for(root_ + "[[site]]\nservice = \"www\"\nnames = [\"www.a\"]\n")
                .find("needs 'address'"),
            std::string::npos);
  EXPECT_NE(error_for("sites = 1\n" + root_).find(":1: unknown key 'sites'"), std::string::npos);
  EXPECT_NE(error_for(root_ + "zone = \"x.\"\n").find(":6: unknown key 'zone' in a name server"),
            std::string::npos);
  EXPECT_NE(
      error_for(
          "[[nameserver]]\nservice = \"tld\"\nhost = \"a.b\"\naddress = 2\nzones = [\"test.\"]\n")
          .find("serve the root zone"),
      std::string::npos);
  EXPECT_NE(error_for(root_ + "[[site]]\nservice = \"www\"\naddress = 300\nnames = [\"a\"]\n")
                .find(":8: an address"),
            std::string::npos);
  const std::string upstream = "[[upstream]]\nname = \"shop\"\n";
  const std::string backend = "[[upstream.backend]]\nname = \"b\"\naddress = 9\n";
  EXPECT_NE(error_for(root_ + upstream + "application = \"blog\"\n" + backend)
                .find(":8: the only application is \"shop\""),
            std::string::npos)
      << error_for(root_ + upstream + "application = \"blog\"\n" + backend);
  EXPECT_NE(error_for(root_ + upstream + "application = \"shop\"\npage = \"p.html\"\n" + backend)
                .find("'application' or 'page', not both"),
            std::string::npos);
  EXPECT_NE(error_for(root_ + upstream + backend).find("needs 'page'"), std::string::npos);
  EXPECT_EQ(error_for(root_ + upstream + "application = \"shop\"\n" + backend), "");
  const std::string site = "[[site]]\nservice = \"www\"\naddress = 9\nnames = [\"a.b\"]\n";
  EXPECT_NE(error_for(root_ + site + "hsts = \"no\"\n").find(":10: hsts is true or false"),
            std::string::npos)
      << error_for(root_ + site + "hsts = \"no\"\n");
  EXPECT_NE(error_for(root_ + site + "hsts = false\n" +
                      "[[site]]\nservice = \"www\"\nnames = [\"c.b\"]\n")
                .find("disagree on hsts"),
            std::string::npos);
  EXPECT_NE(error_for(root_ + "[[site\n").find(":6:"), std::string::npos)
      << error_for(root_ + "[[site\n");
}

// Found by the topology fuzz target: toml++ 3.3 writes a key with a tab, a line break or a
// single quote bare, so a site passing one through got a server configuration no reader reads.
TEST_F(TopologyErrorTest, KeysThePlannerCannotWriteBackAreRefusedAtTheirLine) {
  const std::string site = "[[site]]\nservice = \"www\"\naddress = 9\nnames = [\"a.b\"]\n";
  for (const std::string key : {"\"R\\try-After\"", "\"a\\nb\"", "\"it's\""}) {
    const std::string text = root_ + site +
                             "[[site.return]]\npath = \"/x\"\nstatus = 429\nheaders = { " + key +
                             " = \"60\" }\n";
    EXPECT_NE(error_for(text).find(":13: a key holds no tab, line break or single quote"),
              std::string::npos)
        << key << ": " << error_for(text);
  }
  EXPECT_EQ(error_for(root_ + site + "error_pages = { \"404\" = \"/404.html\" }\n"), "");
}

// Found by the topology fuzz target: a zone origin names the zone's file, and "/xample." made
// the planner write /xample.zone, outside the stack's state folder.
TEST_F(TopologyErrorTest, ZoneOriginsAreHostNamesThatNoPathCanEscapeWith) {
  auto tld = [](const std::string& origin) {
    return "[[nameserver]]\nservice = \"tld\"\nhost = \"ns.t\"\naddress = 2\nzones = [\"" + origin +
           "\"]\n";
  };
  for (const std::string origin : {"/xample.", "../../etc.", "a/b.", "..", "A.test.", "a..b."}) {
    EXPECT_NE(error_for(root_ + tld(origin)).find(":10: a zone origin is \".\" or a host name"),
              std::string::npos)
        << origin << ": " << error_for(root_ + tld(origin));
  }
  EXPECT_EQ(error_for(root_ + tld("example.test.")), "");
}

}  // namespace
}  // namespace miniweb::stack
