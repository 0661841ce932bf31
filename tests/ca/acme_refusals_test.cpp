// What `miniweb-ca serve` refuses, and how ACME clients are told: malformed, replayed,
// misdirected or unsigned requests as problem documents, CAA that names another CA, a wrong key
// authorization, a host that cannot be reached, a CSR that is not the order's, and smuggling on
// its plain-HTTP listener. The CA, the DNS servers and the client are in acme_fixture.hpp.

#include <gtest/gtest.h>

#include <string>

#include "tests/ca/acme_fixture.hpp"
#include "tests/support/raw_exchange.hpp"

namespace miniweb::ca::acme {
namespace {

// RFC 9112 section 6.1 on the CA's plain-HTTP endpoint too: the same connection loop refuses an
// HTTP/1.0 request with Transfer-Encoding and reads nothing after it.
TEST_F(CaAcme, Http10RequestsWithTransferEncodingAre400AndClose) {
  const std::string out = test_support::raw_exchange(
      http_port_,
      "POST /crl HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
      "GET /crl HTTP/1.1\r\nHost: ca.test\r\n\r\n");
  EXPECT_TRUE(out.starts_with("HTTP/1.1 400")) << out;
  EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
  EXPECT_EQ(test_support::count_responses(out), 1u) << out;
}

TEST_F(CaAcme, CaaThatNamesAnotherCaRefuses) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"www.caa-no.test"});
  EXPECT_EQ(order["status"], "invalid");
  EXPECT_EQ(order["error"]["type"], "urn:ietf:params:acme:error:caa") << order.dump(2);
  nlohmann::json authz = client.post(order["authorizations"][0].get<std::string>(), "").json();
  EXPECT_EQ(authz["challenges"][0]["error"]["type"], "urn:ietf:params:acme:error:caa");
  EXPECT_EQ(responder_->requests(), 0);  // refused before any fetch
  HttpResult finalize = client.post(order["finalize"].get<std::string>(), R"({"csr":"AA"})");
  EXPECT_EQ(finalize.problem_type(), "urn:ietf:params:acme:error:orderNotReady");
  EXPECT_EQ(issued_count(), 1u);
}

TEST_F(CaAcme, WrongKeyAuthorizationIsIncorrectResponse) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] =
      order_and_validate(client, {"wrong.acme.test"}, "not-the-key-authorization");
  EXPECT_EQ(order["status"], "invalid");
  EXPECT_EQ(order["error"]["type"], "urn:ietf:params:acme:error:incorrectResponse")
      << order.dump(2);
  EXPECT_EQ(issued_count(), 1u);
}

TEST_F(CaAcme, UnreachableHostIsConnectionError) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"closed.acme.test"});
  EXPECT_EQ(order["error"]["type"], "urn:ietf:params:acme:error:connection") << order.dump(2);
}

TEST_F(CaAcme, BadRequestsGetProblemDocuments) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  const std::string new_account = client.base() + "/new-account";

  // Malformed JWS.
  HttpResult garbage = client.request("POST", new_account, "{not json");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_EQ(garbage.headers.get("Content-Type").value_or(""), "application/problem+json");
  EXPECT_EQ(garbage.problem_type(), "urn:ietf:params:acme:error:malformed");
  EXPECT_FALSE(garbage.headers.get("Replay-Nonce").value_or("").empty());

  // A replayed nonce.
  const std::string nonce = client.fresh_nonce();
  nlohmann::json header = client.header(new_account, true);
  header["nonce"] = nonce;
  HttpResult first = client.post_signed(new_account, header, R"({"termsOfServiceAgreed":true})");
  EXPECT_EQ(first.status, 201) << first.body;
  HttpResult replay = client.post_signed(new_account, header, R"({"termsOfServiceAgreed":true})");
  EXPECT_EQ(replay.problem_type(), "urn:ietf:params:acme:error:badNonce") << replay.body;
  header["nonce"] = "never-issued";
  EXPECT_EQ(client.post_signed(new_account, header, "{}").problem_type(),
            "urn:ietf:params:acme:error:badNonce");

  // A bad signature, a wrong URL, a wrong content type.
  header = client.header(new_account, true);
  auto signed_body = sign_jws(header, "{}", client.key());
  nlohmann::json tampered = nlohmann::json::parse(*signed_body);
  tampered["payload"] = base64url_encode(R"({"contact":[]})");
  EXPECT_EQ(client.request("POST", new_account, tampered.dump()).problem_type(),
            "urn:ietf:params:acme:error:malformed");
  header = client.header(client.base() + "/elsewhere", true);
  EXPECT_EQ(client.post_signed(new_account, header, "{}").problem_type(),
            "urn:ietf:params:acme:error:unauthorized");
  HttpResult wrong_type = client.request("POST", new_account, "{}", "application/json");
  EXPECT_EQ(wrong_type.status, 415);

  // An unknown account.
  header = client.header(client.base() + "/new-order", false);
  header.erase("jwk");
  header["kid"] = client.base() + "/account/nobody";
  EXPECT_EQ(client.post_signed(client.base() + "/new-order", header, "{}").problem_type(),
            "urn:ietf:params:acme:error:accountDoesNotExist");

  // Now with the account: wildcards, unsupported identifiers and bad names are refused.
  ASSERT_EQ(client.new_account().status, 200);  // exists since `first`
  auto order_for = [&](const nlohmann::json& identifier) {
    return client.post(client.base() + "/new-order",
                       nlohmann::json{{"identifiers", nlohmann::json::array({identifier})}}.dump());
  };
  EXPECT_EQ(order_for({{"type", "dns"}, {"value", "*.acme.test"}}).problem_type(),
            "urn:ietf:params:acme:error:rejectedIdentifier");
  EXPECT_EQ(order_for({{"type", "ip"}, {"value", "127.0.0.1"}}).problem_type(),
            "urn:ietf:params:acme:error:unsupportedIdentifier");
  EXPECT_EQ(order_for({{"type", "dns"}, {"value", "bad_name!.test"}}).problem_type(),
            "urn:ietf:params:acme:error:rejectedIdentifier");
  HttpResult dated = client.post(
      client.base() + "/new-order",
      R"({"identifiers":[{"type":"dns","value":"www.acme.test"}],"notAfter":"2099-01-01T00:00:00Z"})");
  EXPECT_EQ(dated.problem_type(), "urn:ietf:params:acme:error:malformed") << dated.body;
  // GET on an ACME resource is refused.
  EXPECT_EQ(client.request("GET", client.base() + "/new-order").status, 405);
  EXPECT_EQ(issued_count(), 1u);
}

TEST_F(CaAcme, CsrMustMatchTheOrder) {
  Client client(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(client.new_account().status, 201);
  auto [order_url, order] = order_and_validate(client, {"www.acme.test"});
  ASSERT_EQ(order["status"], "ready") << order.dump(2);
  auto cert_key = generate_key(KeyType::ec_p256);
  const std::string finalize = order["finalize"];
  HttpResult extra = client.post(
      finalize,
      nlohmann::json{{"csr", make_csr({"www.acme.test", "alt.acme.test"}, cert_key->get())}}
          .dump());
  EXPECT_EQ(extra.problem_type(), "urn:ietf:params:acme:error:badCSR") << extra.body;
  HttpResult junk =
      client.post(finalize, nlohmann::json{{"csr", base64url_encode("not a csr")}}.dump());
  EXPECT_EQ(junk.problem_type(), "urn:ietf:params:acme:error:badCSR") << junk.body;
  std::string forged = make_csr_der({"www.acme.test"}, cert_key->get());
  forged.back() = static_cast<char>(forged.back() ^ 1);  // inside the signature
  HttpResult unsigned_csr =
      client.post(finalize, nlohmann::json{{"csr", base64url_encode(forged)}}.dump());
  EXPECT_EQ(unsigned_csr.problem_type(), "urn:ietf:params:acme:error:badCSR") << unsigned_csr.body;
  EXPECT_EQ(issued_count(), 1u);
  // Another account cannot touch this order.
  Client other(acme_port_, root_pem(), KeyType::ec_p256);
  ASSERT_EQ(other.new_account().status, 201);
  EXPECT_EQ(other.post(order_url, "").problem_type(), "urn:ietf:params:acme:error:unauthorized");
}

}  // namespace
}  // namespace miniweb::ca::acme
