#pragma once
// The JSON payloads of ACME requests (RFC 8555 §7) as the service reads them: plain functions
// over the verified JWS's payload, apart from the service's state so that they can be tested and
// fuzzed alone. None throws: a member of the wrong type is a malformed request (a problem
// document), never an nlohmann::json exception, which would escape the request and end the CA.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ca/acme/problem.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::ca::acme {

// RFC 8555 §6.3: an empty payload is a POST-as-GET (null); any other is a JSON object.
std::variant<nlohmann::json, Problem> parse_payload(std::string_view payload);

// A boolean member, false when absent (onlyReturnExisting, RFC 8555 §7.3.1).
std::variant<bool, Problem> read_flag(const nlohmann::json& payload, const char* name);

// The account's contact URLs (RFC 8555 §7.3): an array, absent meaning none; with
// MailtoOnly, of "mailto:" URLs only (unsupportedContact otherwise).
enum class ContactRule { AnyStrings, MailtoOnly };
std::variant<nlohmann::json, Problem> read_contact(const nlohmann::json& payload, ContactRule rule);

// Whether the payload asks to deactivate (status "deactivated", RFC 8555 §7.3.6, §7.5.2).
std::variant<bool, Problem> read_deactivation(const nlohmann::json& payload);

// newOrder (RFC 8555 §7.4): the dns identifiers, normalized, without repeats.
std::variant<std::vector<std::string>, Problem> read_new_order(const nlohmann::json& payload);

// finalize (RFC 8555 §7.4): the CSR's DER.
std::variant<std::string, Problem> read_finalize(const nlohmann::json& payload);

// revokeCert (RFC 8555 §7.6): the certificate, and the reason code (RFC 5280 §5.3.1, 0 when
// absent; 7 and 8 are unassigned or not for end-entity certificates), read separately because
// the service checks the certificate before the reason.
std::variant<tls::X509Ptr, Problem> read_revoked_certificate(const nlohmann::json& payload);
std::variant<int, Problem> read_revocation_reason(const nlohmann::json& payload);

}  // namespace miniweb::ca::acme
