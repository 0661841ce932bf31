#pragma once
// The issuance database: every certificate the CA has signed, in DIR/db.json.
//
// Every change is a read-modify-write under an exclusive lock on DIR/db.lock, and the file is
// replaced atomically, so concurrent `issue` processes never reuse a serial or lose a record
// and a crash leaves the previous state whole. Readers need no lock: they always see a whole
// file.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ca/files.hpp"
#include "shared/result.hpp"
#include "shared/text.hpp"

namespace miniweb::ca {

// CRLReason (RFC 5280 §5.3.1). removeFromCRL and certificateHold are not offered: this CA
// revokes for good.
enum class RevocationReason {
  unspecified = 0,
  key_compromise = 1,
  ca_compromise = 2,
  affiliation_changed = 3,
  superseded = 4,
  cessation_of_operation = 5,
  privilege_withdrawn = 9,
};

// The RFC 5280 name ("keyCompromise"), and back.
std::string_view reason_name(RevocationReason reason);
Result<RevocationReason> parse_reason(std::string_view name);

enum class CertificateStatus { valid, revoked };

struct CertificateRecord {
  // Upper-case hex of whole octets without leading zero octets, as `openssl x509 -serial`
  // prints it.
  std::string serial;
  std::string subject;  // one line, RFC 2253 style
  std::vector<std::string> names;
  std::time_t not_before = 0;
  std::time_t not_after = 0;
  CertificateStatus status = CertificateStatus::valid;
  std::optional<std::time_t> revoked_at;
  std::optional<RevocationReason> reason;
  std::string certificate_pem;
};

struct DatabaseState {
  std::uint64_t crl_number = 0;  // the number of the last CRL issued
  std::vector<CertificateRecord> certificates;

  const CertificateRecord* find(std::string_view serial) const;
  CertificateRecord* find(std::string_view serial);
};

// Canonical form of a serial typed by a user: hex digits, optional "0x" and ':' separators,
// any case, leading zeros ignored. Returns the form CertificateRecord::serial uses.
Result<std::string> normalize_serial(std::string_view text);

// "2026-11-23T20:34:18Z" is written by utc_timestamp (shared/text.hpp).
Result<std::time_t> parse_time(std::string_view text);

class Database {
 public:
  explicit Database(std::filesystem::path dir) : dir_(std::move(dir)) {}

  std::filesystem::path path() const { return dir_ / "db.json"; }

  // Held across load() and save() for a read-modify-write.
  Result<FileLock> lock() const { return FileLock::acquire(dir_ / "db.lock"); }

  // A missing file is an empty database; a damaged one is an error (never overwritten).
  Result<DatabaseState> load() const;
  Status save(const DatabaseState& state) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace miniweb::ca
