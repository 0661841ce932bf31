// The ACME pieces that need no CA: configuration, the http-01 answer on the plain listener,
// the renewal rule, the CSR, atomic private files and the shared JWS signing.

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "ca/acme/jws.hpp"
#include "server/acme/certificate.hpp"
#include "server/acme/storage.hpp"
#include "server/config.hpp"
#include "server/http01_challenges.hpp"
#include "server/request_handler.hpp"
#include "shared/jose/jws.hpp"
#include "tests/ca/ca_test_support.hpp"

namespace miniweb::server {
namespace {

class AcmeConfigTest : public ::testing::Test {
 protected:
  Result<ServerConfig> load(const std::string& text) {
    std::ofstream(dir_ / "server.toml") << text;
    return load_config(dir_.path() / "server.toml");
  }
  ca::testing::TempDir dir_;
};

constexpr const char* kListeners = R"([[listener]]
address = "127.0.0.1"
port = 8443

[[listener]]
address = "127.0.0.1"
port = 8080
protocol = "http"
)";

constexpr const char* kAcme = R"(
[acme]
directory = "https://ca.test:14000/directory"
contact = ["mailto:admin@example.test"]
state_dir = "state"
ca_bundle = "root.pem"
resolver = "127.53.0.53:53"
)";

TEST_F(AcmeConfigTest, ASiteOptsInAndItsCertificateLivesInTheStateDir) {
  auto config = load(std::string(kListeners) + kAcme + R"(
[[site]]
names = ["www.example.test", "example.test"]
root = "www"
acme = true
)");
  ASSERT_TRUE(config) << config.error().message;
  const SiteConfig& site = config->sites.front();
  ASSERT_TRUE(site.acme);
  EXPECT_EQ(site.acme->directory, "https://ca.test:14000/directory");
  EXPECT_EQ(site.acme->contact, std::vector<std::string>{"mailto:admin@example.test"});
  EXPECT_EQ(site.acme->state_dir, dir_.path() / "state");
  EXPECT_EQ(site.acme->ca_bundle, dir_.path() / "root.pem");
  EXPECT_EQ(site.acme->resolver, "127.53.0.53:53");
  EXPECT_DOUBLE_EQ(site.acme->renewal_window_ratio, 1.0 / 3.0);
  EXPECT_EQ(site.certificate_chain, dir_.path() / "state/certificates/www.example.test.chain.pem");
  EXPECT_EQ(site.private_key, dir_.path() / "state/certificates/www.example.test.key");
}

TEST_F(AcmeConfigTest, ASiteTableOverridesTheServerTable) {
  auto config = load(std::string(kListeners) + kAcme + R"(
[[site]]
names = ["www.example.test"]
acme = { state_dir = "other", renewal_window_ratio = 0.5, renewal_check_interval = 60 }
)");
  ASSERT_TRUE(config) << config.error().message;
  const AcmeConfig& acme = *config->sites.front().acme;
  EXPECT_EQ(acme.state_dir, dir_.path() / "other");
  EXPECT_EQ(acme.directory, "https://ca.test:14000/directory");
  EXPECT_DOUBLE_EQ(acme.renewal_window_ratio, 0.5);
  EXPECT_EQ(acme.renewal_check_interval, std::chrono::seconds(60));
}

TEST_F(AcmeConfigTest, MistakesAreNamed) {
  const std::string site = "\n[[site]]\nnames = [\"www.example.test\"]\nacme = true\n";
  auto no_table = load(std::string(kListeners) + site);
  ASSERT_FALSE(no_table);
  EXPECT_NE(no_table.error().message.find("needs an [acme] table"), std::string::npos);

  auto http_url =
      load(std::string(kListeners) + "[acme]\ndirectory = \"http://ca.test/directory\"\n" + site);
  ASSERT_FALSE(http_url);
  EXPECT_NE(http_url.error().message.find("https:// URL"), std::string::npos);

  auto no_bundle = load(std::string(kListeners) +
                        "[acme]\ndirectory = \"https://ca.test/d\"\nstate_dir = \"s\"\n" + site);
  ASSERT_FALSE(no_bundle);
  EXPECT_NE(no_bundle.error().message.find("ca_bundle"), std::string::npos);

  auto both = load(std::string(kListeners) + kAcme +
                   "\n[[site]]\nnames = [\"a.test\"]\ncertificate = \"c\"\nkey = \"k\"\n"
                   "acme = true\n");
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message.find("either"), std::string::npos);

  auto ratio = load(std::string(kListeners) + kAcme + "renewal_window_ratio = 1.5\n" + site);
  ASSERT_FALSE(ratio);
  EXPECT_NE(ratio.error().message.find("renewal_window_ratio"), std::string::npos);

  auto unknown = load(std::string(kListeners) + kAcme + "email = \"x\"\n" + site);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown acme setting 'email'"), std::string::npos);
}

TEST_F(AcmeConfigTest, ThePlainListenerAnswersAProvisionedTokenInsteadOfRedirecting) {
  auto config = load(std::string(kListeners) + kAcme +
                     "\n[[site]]\nnames = [\"www.example.test\"]\nacme = true\n");
  ASSERT_TRUE(config) << config.error().message;
  RequestHandler handler(*config);
  Http01Challenges challenges;
  challenges.put("tok3n", "tok3n.thumb");
  http::Request request;
  request.method = "GET";
  request.target = "/.well-known/acme-challenge/tok3n";
  request.headers.set("Host", "www.example.test");
  const RequestContext plain{.tls = false, .sni = "", .challenges = &challenges};
  http::Response answered = handler.handle(request, plain);
  EXPECT_EQ(answered.status, 200);
  EXPECT_EQ(answered.body, "tok3n.thumb");
  // An unknown token, and any other path, are redirected as before.
  request.target = "/.well-known/acme-challenge/other";
  EXPECT_EQ(handler.handle(request, plain).status, 301);
  challenges.remove("tok3n");
  request.target = "/.well-known/acme-challenge/tok3n";
  EXPECT_EQ(handler.handle(request, plain).status, 301);
}

TEST(AcmeRenewal, OneThirdOfTheLifetimeLeftIsTheDefaultWindow) {
  CertificateInfo info;
  info.not_before = 1'000'000;
  info.not_after = info.not_before + 90 * 86400;
  const double third = 1.0 / 3.0;
  EXPECT_FALSE(due_for_renewal(info, third, info.not_before + 59 * 86400));
  EXPECT_TRUE(due_for_renewal(info, third, info.not_before + 60 * 86400));
  EXPECT_EQ(renewal_time(info, third), info.not_before + 60 * 86400);
  EXPECT_TRUE(due_for_renewal(info, 1.0, info.not_before));
}

TEST(AcmeFiles, KeysAreWrittenPrivateAndReadBack) {
  ca::testing::TempDir dir;
  const std::filesystem::path path = dir.path() / "state/account.key";
  auto created = load_or_create_key(path);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(ca::testing::file_mode(path.string()), 0600u);
  auto loaded = load_or_create_key(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(EVP_PKEY_eq(created->get(), loaded->get()), 1);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(AcmeCsr, NamesAllNamesAndVerifies) {
  auto key = generate_p256_key();
  ASSERT_TRUE(key);
  auto der = make_csr_der({"www.example.test", "example.test"}, key->get());
  ASSERT_TRUE(der) << der.error().message;
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  tls::X509ReqPtr request(d2i_X509_REQ(nullptr, &p, static_cast<long>(der->size())));
  ASSERT_TRUE(request);
  EXPECT_EQ(X509_REQ_verify(request.get(), key->get()), 1);
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(request.get());
  ASSERT_NE(extensions, nullptr);
  const int at = X509v3_get_ext_by_NID(extensions, NID_subject_alt_name, -1);
  ASSERT_GE(at, 0);
  tls::GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(sk_X509_EXTENSION_value(extensions, at))));
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  ASSERT_EQ(sk_GENERAL_NAME_num(names.get()), 2);
}

// What the server's client signs, the CA verifies: one implementation on both sides.
TEST(SharedJws, AnEs256SignatureVerifiesAtTheCa) {
  auto key = generate_p256_key();
  ASSERT_TRUE(key);
  auto algorithm = jose::signature_algorithm(key->get());
  ASSERT_TRUE(algorithm);
  EXPECT_EQ(*algorithm, "ES256");
  nlohmann::json header = {{"alg", "ES256"},
                           {"nonce", "n0nce"},
                           {"url", "https://ca.test/new-account"},
                           {"jwk", *jose::key_to_jwk(key->get())}};
  auto body = jose::sign_jws(header, R"({"termsOfServiceAgreed":true})", key->get());
  ASSERT_TRUE(body) << body.error().message;
  auto parsed = ca::acme::parse_jws(*body);
  ASSERT_TRUE(std::holds_alternative<ca::acme::Jws>(parsed));
  const auto& jws = std::get<ca::acme::Jws>(parsed);
  auto public_key = ca::acme::jwk_to_key(*jws.jwk);
  ASSERT_TRUE(std::holds_alternative<tls::EvpPkeyPtr>(public_key));
  EXPECT_FALSE(ca::acme::verify_jws(jws, std::get<tls::EvpPkeyPtr>(public_key).get()));
  EXPECT_EQ(jws.payload, R"({"termsOfServiceAgreed":true})");
}

}  // namespace
}  // namespace miniweb::server
