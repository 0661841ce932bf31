// JWS pieces of the ACME service: base64url, JWK <-> key, ES256/RS256 verification,
// RFC 7638 thumbprints, and the CAA decision of RFC 8659 §4.

#include <gtest/gtest.h>

#include "ca/acme/jws.hpp"
#include "ca/acme/validation.hpp"
#include "ca/crypto.hpp"

namespace miniweb::ca::acme {
namespace {

TEST(CaAcmeBase64Url, RoundTripsAndRefusesBadInput) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00\x01"}) {
    auto decoded = base64url_decode(base64url_encode(text));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zm9v=").has_value());  // padding
  EXPECT_FALSE(base64url_decode("Zm+v").has_value());   // standard alphabet
  EXPECT_FALSE(base64url_decode("Z").has_value());      // impossible length
  EXPECT_FALSE(base64url_decode("Zh").has_value());     // non-zero trailing bits
}

nlohmann::json header_for(const nlohmann::json& jwk, const std::string& alg) {
  return {{"alg", alg}, {"nonce", "n0"}, {"url", "https://ca.test/new-account"}, {"jwk", jwk}};
}

void sign_and_verify(KeyType type, const std::string& alg) {
  auto key = generate_key(type);
  ASSERT_TRUE(key);
  auto jwk = key_to_jwk(key->get());
  ASSERT_TRUE(jwk) << jwk.error().message;
  auto body = sign_jws(header_for(*jwk, alg), R"({"a":1})", key->get());
  ASSERT_TRUE(body);
  auto parsed = parse_jws(*body);
  ASSERT_TRUE(std::holds_alternative<Jws>(parsed));
  const Jws& jws = std::get<Jws>(parsed);
  EXPECT_EQ(jws.payload, R"({"a":1})");
  auto verifying_key = jwk_to_key(*jws.jwk);
  ASSERT_TRUE(std::holds_alternative<tls::EvpPkeyPtr>(verifying_key));
  EXPECT_FALSE(verify_jws(jws, std::get<tls::EvpPkeyPtr>(verifying_key).get()).has_value());

  // A changed payload no longer verifies.
  Jws tampered = jws;
  tampered.payload_b64 = base64url_encode(R"({"a":2})");
  auto error = verify_jws(tampered, std::get<tls::EvpPkeyPtr>(verifying_key).get());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->failure, JwsFailure::bad_signature);
}

TEST(CaAcmeJws, Es256SignsAndVerifies) {
  sign_and_verify(KeyType::ec_p256, "ES256");
}
TEST(CaAcmeJws, Rs256SignsAndVerifies) {
  sign_and_verify(KeyType::rsa, "RS256");
}

TEST(CaAcmeJws, RefusesWhatAcmeForbids) {
  auto failure = [](std::string_view body) {
    auto parsed = parse_jws(body);
    return std::holds_alternative<JwsError>(parsed) ? std::get<JwsError>(parsed).failure
                                                    : static_cast<JwsFailure>(-1);
  };
  EXPECT_EQ(failure("not json"), JwsFailure::malformed);
  EXPECT_EQ(failure(R"({"protected":"e30","payload":""})"), JwsFailure::malformed);
  const std::string none = base64url_encode(R"({"alg":"none","nonce":"x","url":"u","kid":"k"})");
  EXPECT_EQ(failure(R"({"protected":")" + none + R"(","payload":"","signature":""})"),
            JwsFailure::bad_signature_algorithm);
  const std::string both =
      base64url_encode(R"({"alg":"ES256","nonce":"x","url":"u","kid":"k","jwk":{}})");
  EXPECT_EQ(failure(R"({"protected":")" + both + R"(","payload":"","signature":""})"),
            JwsFailure::malformed);
  const std::string no_nonce = base64url_encode(R"({"alg":"ES256","url":"u","kid":"k"})");
  EXPECT_EQ(failure(R"({"protected":")" + no_nonce + R"(","payload":"","signature":""})"),
            JwsFailure::malformed);
}

TEST(CaAcmeJws, RefusesWeakAndForeignKeys) {
  auto bad = [](const nlohmann::json& jwk) {
    return std::holds_alternative<JwsError>(jwk_to_key(jwk));
  };
  EXPECT_TRUE(bad({{"kty", "oct"}, {"k", "AAAA"}}));
  EXPECT_TRUE(bad({{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}}));
  // A point not on the curve.
  const std::string zeros = base64url_encode(std::string(32, '\x01'));
  EXPECT_TRUE(bad({{"kty", "EC"}, {"crv", "P-256"}, {"x", zeros}, {"y", zeros}}));
  // RSA-1024 is too weak.
  EXPECT_TRUE(
      bad({{"kty", "RSA"}, {"n", base64url_encode(std::string(128, '\xc5'))}, {"e", "AQAB"}}));
}

TEST(CaAcmeJws, ThumbprintUsesOnlyRequiredMembersInOrder) {
  // RFC 7638 §3.1 example, with members reordered and extra ones added.
  const nlohmann::json jwk = {
      {"kid", "2011-04-29"},
      {"e", "AQAB"},
      {"kty", "RSA"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_"
       "BJECP"
       "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_"
       "FDW2QvzqY"
       "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
       "bFTWhAI4vMQFh6WeZu0f"
       "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}};
  auto thumbprint = jwk_thumbprint(jwk);
  ASSERT_TRUE(thumbprint);
  EXPECT_EQ(*thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(CaAcmeCaa, DecidesAsRfc8659) {
  const std::string me = "ca.test";
  EXPECT_FALSE(caa_refusal({}, me).has_value());
  EXPECT_FALSE(caa_refusal({{0, "issue", "ca.test"}}, me).has_value());
  EXPECT_FALSE(caa_refusal({{0, "ISSUE", " CA.test ; account=1"}}, me).has_value());
  EXPECT_FALSE(caa_refusal({{0, "issue", "other.test"}, {0, "issue", "ca.test"}}, me).has_value());
  EXPECT_FALSE(caa_refusal({{0, "iodef", "mailto:x@y.test"}}, me).has_value());
  EXPECT_TRUE(caa_refusal({{0, "issue", "other.test"}}, me).has_value());
  EXPECT_TRUE(caa_refusal({{0, "issue", ";"}}, me).has_value());
  EXPECT_TRUE(caa_refusal({{128, "tbs", "x"}}, me).has_value());  // unknown critical
  EXPECT_FALSE(caa_refusal({{0, "tbs", "x"}}, me).has_value());   // unknown, not critical
}

}  // namespace
}  // namespace miniweb::ca::acme
