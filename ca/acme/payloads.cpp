#include "ca/acme/payloads.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>

#include "ca/acme/jws.hpp"
#include "ca/authority.hpp"
#include "ca/hostname.hpp"

namespace miniweb::ca::acme {
namespace {

constexpr std::size_t kMaxIdentifiers = kMaxNamesPerCertificate;

}  // namespace

std::variant<nlohmann::json, Problem> parse_payload(std::string_view payload) {
  if (payload.empty()) return nlohmann::json();
  nlohmann::json parsed = nlohmann::json::parse(payload, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return malformed("JWS payload is not a JSON object");
  return parsed;
}

std::variant<bool, Problem> read_flag(const nlohmann::json& payload, const char* name) {
  if (!payload.is_object()) return false;
  auto it = payload.find(name);
  if (it == payload.end()) return false;
  if (!it->is_boolean()) return malformed(std::string(name) + " must be true or false");
  return it->get<bool>();
}

std::variant<nlohmann::json, Problem> read_contact(const nlohmann::json& payload,
                                                   ContactRule rule) {
  if (!payload.is_object()) return nlohmann::json::array();
  auto it = payload.find("contact");
  if (it == payload.end()) return nlohmann::json::array();
  if (!it->is_array()) return malformed("contact must be an array");
  if (rule == ContactRule::MailtoOnly) {
    for (const auto& entry : *it) {
      if (!entry.is_string() || !entry.get_ref<const std::string&>().starts_with("mailto:"))
        return Problem{"unsupportedContact", "only mailto: contacts are supported", 400};
    }
  }
  return *it;
}

std::variant<bool, Problem> read_deactivation(const nlohmann::json& payload) {
  if (!payload.is_object()) return false;
  auto it = payload.find("status");
  if (it == payload.end()) return false;
  if (!it->is_string()) return malformed("status must be a string");
  return it->get_ref<const std::string&>() == "deactivated";
}

std::variant<std::vector<std::string>, Problem> read_new_order(const nlohmann::json& payload) {
  auto found = payload.is_object() ? payload.find("identifiers") : payload.end();
  if (!payload.is_object() || found == payload.end() || !found->is_array() || found->empty())
    return malformed("identifiers must be a non-empty array");
  const nlohmann::json& identifiers = *found;
  if (identifiers.size() > kMaxIdentifiers) {
    return Problem{"rejectedIdentifier",
                   "at most " + std::to_string(kMaxIdentifiers) + " names per order", 400};
  }
  if (payload.contains("notBefore") || payload.contains("notAfter"))
    return malformed("notBefore and notAfter are not supported");
  std::vector<std::string> names;
  for (const auto& identifier : identifiers) {
    if (!identifier.is_object()) return malformed("each identifier needs string type and value");
    auto type = identifier.find("type");
    auto value_member = identifier.find("value");
    if (type == identifier.end() || value_member == identifier.end() || !type->is_string() ||
        !value_member->is_string())
      return malformed("each identifier needs string type and value");
    if (*type != "dns") {
      return Problem{
          "unsupportedIdentifier",
          "identifier type '" + type->get<std::string>() + "' is not supported (only dns)", 400};
    }
    const std::string& value = value_member->get_ref<const std::string&>();
    if (value.find('*') != std::string::npos) {
      return Problem{"rejectedIdentifier",
                     "wildcard name '" + value +
                         "' refused: wildcards need dns-01, which this CA does not offer",
                     400};
    }
    auto name = normalize_hostname(value);
    if (!name) return Problem{"rejectedIdentifier", name.error().message, 400};
    if (std::find(names.begin(), names.end(), *name) == names.end()) names.push_back(*name);
  }
  return names;
}

std::variant<std::string, Problem> read_finalize(const nlohmann::json& payload) {
  auto csr = payload.is_object() ? payload.find("csr") : payload.end();
  if (!payload.is_object() || csr == payload.end() || !csr->is_string())
    return malformed("finalize needs a csr");
  auto der = base64url_decode(csr->get_ref<const std::string&>());
  if (!der) return Problem{"badCSR", "csr is not base64url", 400};
  return std::move(*der);
}

std::variant<tls::X509Ptr, Problem> read_revoked_certificate(const nlohmann::json& payload) {
  auto member = payload.is_object() ? payload.find("certificate") : payload.end();
  if (!payload.is_object() || member == payload.end() || !member->is_string())
    return malformed("revokeCert needs a certificate");
  auto der = base64url_decode(member->get_ref<const std::string&>());
  if (!der) return malformed("certificate is not base64url");
  const auto* p = reinterpret_cast<const unsigned char*>(der->data());
  tls::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  if (!cert || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
    ERR_clear_error();
    return malformed("certificate is not DER");
  }
  return cert;
}

std::variant<int, Problem> read_revocation_reason(const nlohmann::json& payload) {
  int code = 0;
  if (payload.is_object() && payload.contains("reason")) {
    const nlohmann::json& reason = payload["reason"];
    if (!reason.is_number_integer()) return malformed("reason must be an integer");
    // Read at full width: a narrowing read would make 4294967297 a 1 (keyCompromise).
    const std::int64_t wide = reason.is_number_unsigned() && reason.get<std::uint64_t>() > INT64_MAX
                                  ? INT64_MAX
                                  : reason.get<std::int64_t>();
    static constexpr std::array<int, 7> kAllowed = {0, 1, 2, 3, 4, 5, 9};
    if (std::find(kAllowed.begin(), kAllowed.end(), wide) == kAllowed.end()) {
      return Problem{"badRevocationReason", "reason code " + reason.dump() + " is not accepted",
                     400};
    }
    code = static_cast<int>(wide);
  }
  return code;
}

}  // namespace miniweb::ca::acme
