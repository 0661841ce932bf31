#include "ca/database.hpp"

#include "shared/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <system_error>

namespace miniweb::ca {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<RevocationReason, std::string_view>, 7> kReasons{{
    {RevocationReason::unspecified, "unspecified"},
    {RevocationReason::key_compromise, "keyCompromise"},
    {RevocationReason::ca_compromise, "cACompromise"},
    {RevocationReason::affiliation_changed, "affiliationChanged"},
    {RevocationReason::superseded, "superseded"},
    {RevocationReason::cessation_of_operation, "cessationOfOperation"},
    {RevocationReason::privilege_withdrawn, "privilegeWithdrawn"},
}};

json to_json(const CertificateRecord& record) {
  json j = {
      {"serial", record.serial},
      {"subject", record.subject},
      {"names", record.names},
      {"not_before", utc_timestamp(record.not_before)},
      {"not_after", utc_timestamp(record.not_after)},
      {"status", record.status == CertificateStatus::revoked ? "revoked" : "valid"},
      {"certificate", record.certificate_pem},
  };
  if (record.revoked_at) j["revoked_at"] = utc_timestamp(*record.revoked_at);
  if (record.reason) j["reason"] = std::string(reason_name(*record.reason));
  return j;
}

Result<CertificateRecord> from_json(const json& j) {
  CertificateRecord record;
  record.serial = j.at("serial").get<std::string>();
  record.subject = j.at("subject").get<std::string>();
  record.names = j.at("names").get<std::vector<std::string>>();
  auto not_before = parse_time(j.at("not_before").get<std::string>());
  auto not_after = parse_time(j.at("not_after").get<std::string>());
  if (!not_before) return not_before.error();
  if (!not_after) return not_after.error();
  record.not_before = *not_before;
  record.not_after = *not_after;
  const auto status = j.at("status").get<std::string>();
  if (status == "revoked") {
    record.status = CertificateStatus::revoked;
  } else if (status != "valid") {
    return make_error("unknown status '" + status + "'");
  }
  if (j.contains("revoked_at")) {
    auto at = parse_time(j.at("revoked_at").get<std::string>());
    if (!at) return at.error();
    record.revoked_at = *at;
  }
  if (j.contains("reason")) {
    auto reason = parse_reason(j.at("reason").get<std::string>());
    if (!reason) return reason.error();
    record.reason = *reason;
  }
  record.certificate_pem = j.value("certificate", "");
  return record;
}

}  // namespace

std::string_view reason_name(RevocationReason reason) {
  for (const auto& [value, name] : kReasons) {
    if (value == reason) return name;
  }
  return "unspecified";
}

Result<RevocationReason> parse_reason(std::string_view name) {
  for (const auto& [value, known] : kReasons) {
    if (known == name) return value;
  }
  std::string list;
  for (const auto& [value, known] : kReasons) {
    if (!list.empty()) list += ", ";
    list += known;
  }
  return make_error("unknown revocation reason '" + std::string(name) + "' (one of: " + list + ")");
}

const CertificateRecord* DatabaseState::find(std::string_view serial) const {
  auto it = std::find_if(certificates.begin(), certificates.end(),
                         [&](const CertificateRecord& r) { return r.serial == serial; });
  return it == certificates.end() ? nullptr : &*it;
}

CertificateRecord* DatabaseState::find(std::string_view serial) {
  return const_cast<CertificateRecord*>(std::as_const(*this).find(serial));
}

Result<std::string> normalize_serial(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return make_error("'" + std::string(text) + "' is not a hexadecimal serial number");
    }
    if (hex.empty() && c == '0') continue;
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.empty()) return make_error("a serial number is a nonzero hexadecimal number");
  if (hex.size() % 2 != 0) hex.insert(hex.begin(), '0');  // whole octets, as OpenSSL prints
  if (hex.size() > 40)
    return make_error("a serial number has at most 20 octets (RFC 5280 §4.1.2.2)");
  return hex;
}

Result<std::time_t> parse_time(std::string_view text) {
  std::tm tm{};
  const std::string copy(text);
  const char* end = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') return make_error("bad time '" + copy + "'");
  return timegm(&tm);
}

Result<DatabaseState> Database::load() const {
  std::error_code ec;
  if (!std::filesystem::exists(path(), ec)) return DatabaseState{};
  auto text = read_file(path());
  if (!text) return text.error();
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(path().string() + " is not valid JSON; it was left untouched");
  }
  DatabaseState state;
  try {
    state.crl_number = j.value("crl_number", std::uint64_t{0});
    for (const json& item : j.at("certificates")) {
      auto record = from_json(item);
      if (!record) return make_error(path().string() + ": " + record.error().message);
      state.certificates.push_back(std::move(record).value());
    }
  } catch (const json::exception& e) {
    return make_error(path().string() + " is damaged: " + e.what());
  }
  return state;
}

Status Database::save(const DatabaseState& state) const {
  json j = {{"version", 1}, {"crl_number", state.crl_number}, {"certificates", json::array()}};
  for (const auto& record : state.certificates) j["certificates"].push_back(to_json(record));
  return write_file_atomically(path(), j.dump(2) + "\n", kPublicFileMode);
}

}  // namespace miniweb::ca
