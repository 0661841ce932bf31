// The ACME payload readers (ca/acme/payloads.hpp): what each accepts, and the malformed
// requests that used to make nlohmann::json throw out of the service and end the CA.

#include "ca/acme/payloads.hpp"

#include <gtest/gtest.h>

namespace miniweb::ca::acme {
namespace {

using nlohmann::json;

template <class T>
std::string refusal(const std::variant<T, Problem>& read) {
  const auto* problem = std::get_if<Problem>(&read);
  return problem ? problem->type + ": " + problem->detail : "accepted";
}

TEST(CaAcmePayloads, EmptyIsPostAsGetAndAnythingElseAnObject) {
  auto empty = parse_payload("");
  ASSERT_TRUE(std::holds_alternative<json>(empty));
  EXPECT_TRUE(std::get<json>(empty).is_null());
  EXPECT_EQ(refusal(parse_payload("[1]")), "malformed: JWS payload is not a JSON object");
  EXPECT_EQ(refusal(parse_payload("{")), "malformed: JWS payload is not a JSON object");
}

// Each of these made nlohmann::json throw a type_error from Service::handle, which nothing
// caught: the CA ended.
TEST(CaAcmePayloads, MembersOfTheWrongTypeAreMalformedNotExceptions) {
  EXPECT_EQ(refusal(read_flag(json{{"onlyReturnExisting", "yes"}}, "onlyReturnExisting")),
            "malformed: onlyReturnExisting must be true or false");
  EXPECT_EQ(refusal(read_deactivation(json{{"status", 1}})), "malformed: status must be a string");
  EXPECT_EQ(std::get<bool>(read_deactivation(json{{"status", "deactivated"}})), true);
  EXPECT_EQ(std::get<bool>(read_flag(json::object(), "onlyReturnExisting")), false);
}

TEST(CaAcmePayloads, ContactsAreMailtoUrlsForNewAccounts) {
  EXPECT_EQ(refusal(read_contact(json{{"contact", "mailto:a@b.test"}}, ContactRule::MailtoOnly)),
            "malformed: contact must be an array");
  EXPECT_EQ(refusal(read_contact(json{{"contact", {"tel:+1"}}}, ContactRule::MailtoOnly)),
            "unsupportedContact: only mailto: contacts are supported");
  EXPECT_EQ(std::get<json>(read_contact(json::object(), ContactRule::MailtoOnly)), json::array());
}

TEST(CaAcmePayloads, NewOrderNamesAreNormalizedOnce) {
  auto names = read_new_order(json::parse(
      R"({"identifiers":[{"type":"dns","value":"Shop.Test."},{"type":"dns","value":"shop.test"}]})"));
  ASSERT_TRUE(std::holds_alternative<std::vector<std::string>>(names)) << refusal(names);
  EXPECT_EQ(std::get<std::vector<std::string>>(names), std::vector<std::string>{"shop.test"});
  EXPECT_EQ(refusal(read_new_order(json{{"identifiers", json::array()}})),
            "malformed: identifiers must be a non-empty array");
  EXPECT_EQ(refusal(read_new_order(json::parse(R"({"identifiers":[{"type":"ip","value":"1"}]})"))),
            "unsupportedIdentifier: identifier type 'ip' is not supported (only dns)");
}

// get<int>() narrowed the reason: 4294967297 was revoked as 1 (keyCompromise).
TEST(CaAcmePayloads, RevocationReasonIsTheNumberSent) {
  EXPECT_EQ(std::get<int>(read_revocation_reason(json::object())), 0);
  EXPECT_EQ(std::get<int>(read_revocation_reason(json{{"reason", 4}})), 4);
  EXPECT_EQ(refusal(read_revocation_reason(json::parse(R"({"reason":4294967297})"))),
            "badRevocationReason: reason code 4294967297 is not accepted");
  EXPECT_EQ(refusal(read_revocation_reason(json::parse(R"({"reason":18446744073709551615})"))),
            "badRevocationReason: reason code 18446744073709551615 is not accepted");
  EXPECT_EQ(refusal(read_revocation_reason(json{{"reason", 7}})),
            "badRevocationReason: reason code 7 is not accepted");
  EXPECT_EQ(refusal(read_revocation_reason(json{{"reason", "1"}})),
            "malformed: reason must be an integer");
}

}  // namespace
}  // namespace miniweb::ca::acme
