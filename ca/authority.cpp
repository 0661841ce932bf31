#include "ca/authority.hpp"

#include <openssl/pem.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <system_error>
#include <unordered_set>

#include "ca/files.hpp"
#include "ca/hostname.hpp"

namespace miniweb::ca {

namespace {

using nlohmann::json;
using tls::openssl_error_text;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, tls::OpenSslDeleter<X509_REVOKED_free>>;
using Asn1EnumeratedPtr =
    std::unique_ptr<ASN1_ENUMERATED, tls::OpenSslDeleter<ASN1_ENUMERATED_free>>;

constexpr std::time_t kDay = 24 * 60 * 60;
// notBefore lies a minute in the past so that a client whose clock is slightly behind still
// accepts a certificate fresh from the CA.
constexpr std::time_t kBackdate = 60;
constexpr int kMaxCrlDays = 365;
constexpr int kMaxCaNameLength = 64;  // ub-common-name, RFC 5280 Appendix A.1

std::time_t now() {
  return std::time(nullptr);
}

Result<tls::X509NamePtr> make_name(const std::string& common_name, const std::string& org) {
  tls::X509NamePtr name(X509_NAME_new());
  if (!name) return make_error(openssl_error_text());
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name.get(), field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!org.empty() && !add("O", org)) return make_error(openssl_error_text());
  if (!common_name.empty() && !add("CN", common_name)) return make_error(openssl_error_text());
  return name;
}

Status set_validity(X509* certificate, std::time_t not_before, std::time_t not_after) {
  // ASN1_TIME_set picks UTCTime before 2050 and GeneralizedTime after (RFC 5280 §4.1.2.5).
  tls::Asn1TimePtr before(ASN1_TIME_set(nullptr, not_before));
  tls::Asn1TimePtr after(ASN1_TIME_set(nullptr, not_after));
  if (!before || !after || X509_set1_notBefore(certificate, before.get()) != 1 ||
      X509_set1_notAfter(certificate, after.get()) != 1) {
    return make_error("cannot set validity: " + openssl_error_text());
  }
  return Ok{};
}

// A v3 certificate with everything but extensions and signature.
Result<tls::X509Ptr> new_certificate(EVP_PKEY* subject_key, const X509_NAME* subject,
                                     const X509_NAME* issuer, const ASN1_INTEGER* serial,
                                     std::time_t not_before, std::time_t not_after) {
  tls::X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(certificate.get(), const_cast<ASN1_INTEGER*>(serial)) != 1 ||
      X509_set_subject_name(certificate.get(), subject) != 1 ||
      X509_set_issuer_name(certificate.get(), issuer) != 1 ||
      X509_set_pubkey(certificate.get(), subject_key) != 1) {
    return make_error("cannot build certificate: " + openssl_error_text());
  }
  if (auto status = set_validity(certificate.get(), not_before, not_after); !status) {
    return status.error();
  }
  return certificate;
}

// Adds an extension written in OpenSSL's configuration syntax (x509v3_config(5)). `issuer`
// supplies the authority key identifier; the certificate itself the subject key identifier.
Status add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  tls::X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    return make_error(std::string("cannot add extension ") + OBJ_nid2sn(nid) + "=" + value + ": " +
                      openssl_error_text());
  }
  return Ok{};
}

Status add_extensions(X509* certificate, X509* issuer,
                      const std::vector<std::pair<int, std::string>>& extensions) {
  for (const auto& [nid, value] : extensions) {
    if (auto status = add_extension(certificate, issuer, nid, value); !status) return status;
  }
  return Ok{};
}

// certificatePolicies with the CA/Browser Forum domain-validated policy (2.23.140.1.2.1), built
// directly: the x509v3_config form of this extension needs a configuration database.
Status add_domain_validated_policy(X509* certificate) {
  using PoliciesPtr =
      std::unique_ptr<CERTIFICATEPOLICIES, tls::OpenSslDeleter<CERTIFICATEPOLICIES_free>>;
  using PolicyPtr = std::unique_ptr<POLICYINFO, tls::OpenSslDeleter<POLICYINFO_free>>;
  PoliciesPtr policies(CERTIFICATEPOLICIES_new());
  PolicyPtr policy(POLICYINFO_new());
  if (!policies || !policy) return make_error(openssl_error_text());
  ASN1_OBJECT_free(policy->policyid);
  policy->policyid = OBJ_txt2obj("2.23.140.1.2.1", 1);
  if (policy->policyid == nullptr || sk_POLICYINFO_push(policies.get(), policy.get()) <= 0) {
    return make_error("cannot build certificate policies: " + openssl_error_text());
  }
  (void)policy.release();  // owned by the stack now
  if (X509_add1_ext_i2d(certificate, NID_certificate_policies, policies.get(), 0, 0) != 1) {
    return make_error("cannot add certificate policies: " + openssl_error_text());
  }
  return Ok{};
}

Status sign(X509* certificate, EVP_PKEY* key) {
  // SHA-256 with ECDSA or RSA PKCS #1 v1.5: what every TLS client verifies.
  if (X509_sign(certificate, key, EVP_sha256()) <= 0) {
    return make_error("signing failed: " + openssl_error_text());
  }
  return Ok{};
}

Result<std::string> check_ca_name(const std::string& name, const char* what) {
  if (name.empty() || name.size() > kMaxCaNameLength) {
    return make_error(std::string(what) + " must be 1 to 64 characters");
  }
  return name;
}

// Makes a certificate authority certificate: the root when `issuer` is null (self-signed),
// else one signed by `issuer`/`issuer_key` with pathlen:0.
Result<tls::X509Ptr> make_ca_certificate(EVP_PKEY* key, const std::string& common_name,
                                         X509* issuer, EVP_PKEY* issuer_key, int years) {
  auto name = make_name(common_name, "miniweb");
  if (!name) return name.error();
  auto serial = random_serial();
  if (!serial) return serial.error();
  const std::time_t not_before = now() - kBackdate;
  std::time_t not_after = not_before + static_cast<std::time_t>(years) * 365 * kDay;
  if (issuer != nullptr) {
    // A subordinate CA never outlives the CA that signed it.
    const ASN1_TIME* issuer_end = X509_get0_notAfter(issuer);
    std::tm tm{};
    if (ASN1_TIME_to_tm(issuer_end, &tm) == 1) not_after = std::min(not_after, timegm(&tm));
  }
  const X509_NAME* issuer_name = issuer ? X509_get_subject_name(issuer) : name->get();
  auto certificate =
      new_certificate(key, name->get(), issuer_name, serial->get(), not_before, not_after);
  if (!certificate) return certificate.error();
  X509* self = certificate->get();

  // RFC 5280 §4.2.1.9 / §4.2.1.3: both critical on CA certificates. The root carries no
  // AKI (it would name itself, §4.2.1.1 allows omitting it).
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, issuer ? "critical,CA:TRUE,pathlen:0" : "critical,CA:TRUE"},
      {NID_key_usage, "critical,keyCertSign,cRLSign"},
      {NID_subject_key_identifier, "hash"},
  };
  if (issuer) extensions.emplace_back(NID_authority_key_identifier, "keyid:always");
  if (auto status = add_extensions(self, issuer ? issuer : self, extensions); !status) {
    return status.error();
  }
  if (auto status = sign(self, issuer_key ? issuer_key : key); !status) return status.error();
  return certificate;
}

Result<Settings> load_settings(const std::filesystem::path& dir) {
  auto text = read_file(dir / "ca.json");
  if (!text) return text.error();
  const json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("base_url") || !j["base_url"].is_string()) {
    return make_error((dir / "ca.json").string() + " is damaged (no base_url)");
  }
  auto url = normalize_base_url(j["base_url"].get<std::string>());
  if (!url) return make_error((dir / "ca.json").string() + ": " + url.error().message);
  return Settings{*url};
}

std::string missing_ca_message(const std::filesystem::path& dir) {
  return "no CA in " + dir.string() + " (run: miniweb-ca init --dir " + dir.string() + ")";
}

}  // namespace

Result<std::string> normalize_base_url(std::string_view url) {
  std::string text(url);
  while (!text.empty() && text.back() == '/') text.pop_back();
  std::string_view rest = text;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else {
    return make_error("base URL '" + text + "' must start with http:// or https://");
  }
  if (rest.empty() || rest.front() == '/') return make_error("base URL '" + text + "' has no host");
  // The URL is written into x509v3_config strings and certificates: allow only characters
  // that need no quoting there (RFC 3986 unreserved plus ':' and '/').
  const bool plain = std::all_of(rest.begin(), rest.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == ':' || c == '/';
  });
  if (!plain) return make_error("base URL '" + text + "' has characters that need escaping");
  return text;
}

Result<Authority> Authority::init(const std::filesystem::path& dir, const InitOptions& options) {
  auto url = normalize_base_url(options.base_url);
  if (!url) return url.error();
  auto root_name = check_ca_name(options.root_name, "the root name");
  if (!root_name) return root_name.error();
  auto intermediate_name = check_ca_name(options.intermediate_name, "the intermediate name");
  if (!intermediate_name) return intermediate_name.error();
  if (options.key_type == KeyType::rsa &&
      (options.rsa_bits < kMinRsaBits || options.rsa_bits > kMaxRsaBits)) {
    return make_error("--rsa-bits must be between 2048 and 8192");
  }

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error("cannot create " + dir.string() + ": " + ec.message());

  // The lock keeps two concurrent inits from interleaving.
  Database database(dir);
  auto lock = database.lock();
  if (!lock) return lock.error();
  if (std::filesystem::exists(dir / "root.pem", ec)) {
    return make_error(dir.string() +
                      " already holds a CA (root.pem exists); refusing to "
                      "replace it. Remove the directory to start over.");
  }
  if (std::filesystem::exists(database.path(), ec)) {
    return make_error(dir.string() +
                      " holds an issuance database but no root.pem (an "
                      "interrupted init?); refusing to overwrite it. Remove the directory to "
                      "start over.");
  }

  auto root_key = generate_key(options.key_type, options.rsa_bits);
  if (!root_key) return root_key.error();
  auto intermediate_key = generate_key(options.key_type, options.rsa_bits);
  if (!intermediate_key) return intermediate_key.error();
  auto root = make_ca_certificate(root_key->get(), *root_name, nullptr, nullptr, kRootYears);
  if (!root) return root.error();
  auto intermediate = make_ca_certificate(intermediate_key->get(), *intermediate_name, root->get(),
                                          root_key->get(), kIntermediateYears);
  if (!intermediate) return intermediate.error();

  const json settings = {
      {"version", 1},
      {"base_url", *url},
      {"root_name", *root_name},
      {"intermediate_name", *intermediate_name},
      {"key_type", options.key_type == KeyType::rsa ? "rsa" : "ec"},
      {"created", utc_timestamp(now())},
  };
  // root.pem goes last: its presence means the CA is complete.
  const std::string root_pem = certificate_pem(root->get());
  const std::string intermediate_pem = certificate_pem(intermediate->get());
  if (auto s = write_private_key(dir / "root.key", root_key->get()); !s) return s.error();
  if (auto s = write_private_key(dir / "intermediate.key", intermediate_key->get()); !s) {
    return s.error();
  }
  if (auto s = write_file_atomically(dir / "intermediate.pem", intermediate_pem, kPublicFileMode);
      !s) {
    return s.error();
  }
  if (auto s = write_file_atomically(dir / "ca.json", settings.dump(2) + "\n", kPublicFileMode);
      !s) {
    return s.error();
  }
  if (auto s = database.save(DatabaseState{}); !s) return s.error();
  if (auto s = write_file_atomically(dir / "root.pem", root_pem, kPublicFileMode); !s) {
    return s.error();
  }

  Authority authority;
  authority.dir_ = dir;
  authority.settings_ = Settings{*url};
  authority.root_ = std::move(root).value();
  authority.intermediate_ = std::move(intermediate).value();
  authority.intermediate_key_ = std::move(intermediate_key).value();
  authority.root_pem_ = root_pem;
  authority.intermediate_pem_ = intermediate_pem;
  return authority;
}

Result<Authority> Authority::open(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir / "root.pem", ec)) return make_error(missing_ca_message(dir));
  auto settings = load_settings(dir);
  if (!settings) return settings.error();
  auto root = read_certificate(dir / "root.pem");
  if (!root) return root.error();
  auto intermediate = read_certificate(dir / "intermediate.pem");
  if (!intermediate) return intermediate.error();
  auto key = read_private_key(dir / "intermediate.key");
  if (!key) return key.error();
  if (X509_check_private_key(intermediate->get(), key->get()) != 1) {
    ERR_clear_error();
    return make_error((dir / "intermediate.key").string() + " does not belong to intermediate.pem");
  }
  Authority authority;
  authority.dir_ = dir;
  authority.settings_ = *settings;
  authority.root_pem_ = certificate_pem(root->get());
  authority.intermediate_pem_ = certificate_pem(intermediate->get());
  authority.root_ = std::move(root).value();
  authority.intermediate_ = std::move(intermediate).value();
  authority.intermediate_key_ = std::move(key).value();
  return authority;
}

Result<IssuedCertificate> Authority::issue(IssueRequest request) {
  // 1. The names, validated and in canonical form, duplicates dropped, order kept.
  std::vector<std::string> names;
  auto add_name = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const auto& raw : request.names) {
    auto name = normalize_hostname(raw);
    if (!name) return make_error("cannot certify " + name.error().message);
    add_name(*name);
  }

  // 2. The subject's public key: from a verified CSR, or a fresh key pair.
  tls::EvpPkeyPtr generated;
  EVP_PKEY* public_key = nullptr;
  if (request.csr) {
    if (auto status = verify_csr(request.csr.get()); !status) return status.error();
    auto asked = csr_names(request.csr.get());
    if (!asked) return asked.error();
    std::vector<std::string> csr_set;
    for (const auto& raw : *asked) {
      auto name = normalize_hostname(raw);
      if (!name) return make_error("the certificate request asks for " + name.error().message);
      if (std::find(csr_set.begin(), csr_set.end(), *name) == csr_set.end()) {
        csr_set.push_back(*name);
      }
    }
    if (names.empty()) {
      names = csr_set;
    } else if (!csr_set.empty()) {
      auto sorted = [](std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
      };
      if (sorted(csr_set) != sorted(names)) {
        return make_error("the names in the certificate request differ from the names given");
      }
    }
    public_key = X509_REQ_get0_pubkey(request.csr.get());
  }
  if (names.empty()) return make_error("no names to certify (give at least one --name)");
  if (names.size() > static_cast<size_t>(kMaxNamesPerCertificate)) {
    return make_error("at most 100 names per certificate");
  }

  // 3. Validity. RFC 5280 §4.1.2.5 counts both ends, hence the "- 1".
  if (request.days < 1) return make_error("validity must be at least 1 day");
  if (request.days > kMaxLeafDays) {
    return make_error("validity of " + std::to_string(request.days) + " days is over the " +
                      std::to_string(kMaxLeafDays) + "-day limit");
  }
  const std::time_t period = static_cast<std::time_t>(request.days) * kDay - 1;
  std::time_t not_before = now() - kBackdate;
  if (request.window == ValidityWindow::expired) not_before = now() - period - kDay;
  const std::time_t not_after = not_before + period;
  if (ASN1_TIME_cmp_time_t(X509_get0_notAfter(intermediate_.get()), not_after) < 0) {
    return make_error("the certificate would outlive the intermediate CA; ask for fewer days");
  }

  if (!request.csr) {
    auto key = generate_key(KeyType::ec_p256);
    if (!key) return key.error();
    generated = std::move(key).value();
    public_key = generated.get();
  }
  const bool rsa = EVP_PKEY_get_base_id(public_key) == EVP_PKEY_RSA;

  // 4. Under the database lock: a serial not yet used, the signed leaf, the record.
  Database database(dir_);
  auto lock = database.lock();
  if (!lock) return lock.error();
  auto state = database.load();
  if (!state) return state.error();

  tls::Asn1IntegerPtr serial;
  std::string serial_text;
  do {
    auto candidate = random_serial();
    if (!candidate) return candidate.error();
    serial = std::move(candidate).value();
    serial_text = serial_hex(serial.get());
  } while (state->find(serial_text) != nullptr);

  // A commonName holds at most 64 characters; longer names live in the SAN only, and then
  // the SAN must be critical (RFC 5280 §4.2.1.6: empty subject).
  const bool has_cn = names.front().size() <= 64;
  auto subject = make_name(has_cn ? names.front() : std::string(), std::string());
  if (!subject) return subject.error();
  auto certificate =
      new_certificate(public_key, subject->get(), X509_get_subject_name(intermediate_.get()),
                      serial.get(), not_before, not_after);
  if (!certificate) return certificate.error();

  std::string san = has_cn ? "" : "critical,";
  for (size_t i = 0; i < names.size(); ++i) san += (i ? ",DNS:" : "DNS:") + names[i];
  const std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      // keyEncipherment only matters for RSA key exchange (TLS 1.2 RSA suites).
      {NID_key_usage,
       rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_authority_key_identifier, "keyid:always"},
      {NID_subject_alt_name, san},
      {NID_crl_distribution_points, "URI:" + settings_.crl_url()},
      // RFC 5280 section 4.2.2.1: where to ask about this certificate (OCSP, which the web
      // server staples) and where its issuer's certificate is.
      {NID_info_access,
       "OCSP;URI:" + settings_.ocsp_url() + ",caIssuers;URI:" + settings_.intermediate_url()},
  };
  if (auto status = add_extensions(certificate->get(), intermediate_.get(), extensions); !status) {
    return status.error();
  }
  if (auto status = add_domain_validated_policy(certificate->get()); !status) {
    return status.error();
  }
  if (auto status = sign(certificate->get(), intermediate_key_.get()); !status) {
    return status.error();
  }

  IssuedCertificate issued;
  issued.serial = serial_text;
  issued.names = names;
  issued.certificate_pem = certificate_pem(certificate->get());
  issued.chain_pem = issued.certificate_pem + intermediate_pem_;
  issued.certificate = std::move(certificate).value();
  issued.private_key = std::move(generated);

  CertificateRecord record;
  record.serial = serial_text;
  record.subject = name_text(subject->get());
  record.names = names;
  record.not_before = not_before;
  record.not_after = not_after;
  record.certificate_pem = issued.certificate_pem;
  state->certificates.push_back(std::move(record));
  if (auto status = database.save(*state); !status) return status.error();
  return issued;
}

Status Authority::revoke(std::string_view serial_text, RevocationReason reason) {
  auto serial = normalize_serial(serial_text);
  if (!serial) return serial.error();
  Database database(dir_);
  auto lock = database.lock();
  if (!lock) return lock.error();
  auto state = database.load();
  if (!state) return state.error();
  CertificateRecord* record = state->find(*serial);
  if (record == nullptr)
    return make_error("no certificate with serial " + *serial + " was issued here");
  if (record->status == CertificateStatus::revoked) {
    return make_error("certificate " + *serial + " was already revoked at " +
                      utc_timestamp(record->revoked_at.value_or(0)));
  }
  record->status = CertificateStatus::revoked;
  record->revoked_at = now();
  record->reason = reason;
  return database.save(*state);
}

Result<tls::X509CrlPtr> Authority::make_crl(int days) {
  if (days < 1 || days > kMaxCrlDays) return make_error("CRL validity must be 1 to 365 days");
  Database database(dir_);
  auto lock = database.lock();
  if (!lock) return lock.error();
  auto state = database.load();
  if (!state) return state.error();
  state->crl_number += 1;  // RFC 5280 §5.2.3: monotonically increasing

  const std::time_t this_update = now();
  tls::X509CrlPtr crl(X509_CRL_new());
  tls::Asn1TimePtr last(ASN1_TIME_set(nullptr, this_update));
  tls::Asn1TimePtr next(ASN1_TIME_set(nullptr, this_update + days * kDay));
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(intermediate_.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return make_error("cannot build CRL: " + openssl_error_text());
  }

  for (const auto& record : state->certificates) {
    if (record.status != CertificateStatus::revoked) continue;
    BIGNUM* raw = nullptr;
    if (BN_hex2bn(&raw, record.serial.c_str()) == 0) {
      return make_error("bad serial in database: " + record.serial);
    }
    tls::BignumPtr bn(raw);
    tls::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    tls::Asn1TimePtr when(ASN1_TIME_set(nullptr, record.revoked_at.value_or(this_update)));
    X509RevokedPtr revoked(X509_REVOKED_new());
    if (!serial || !when || !revoked ||
        X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1) {
      return make_error("cannot build CRL entry: " + openssl_error_text());
    }
    // RFC 5280 §5.3.1: the reasonCode should be absent rather than "unspecified".
    const auto reason = record.reason.value_or(RevocationReason::unspecified);
    if (reason != RevocationReason::unspecified) {
      Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
      if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(reason)) != 1 ||
          X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, code.get(), 0, 0) != 1) {
        return make_error("cannot add reason code: " + openssl_error_text());
      }
    }
    if (X509_CRL_add0_revoked(crl.get(), revoked.get()) != 1) {
      return make_error("cannot add CRL entry: " + openssl_error_text());
    }
    (void)revoked.release();  // owned by the CRL now
  }

  tls::Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), state->crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return make_error("cannot add CRL number: " + openssl_error_text());
  }
  // RFC 5280 §5.2.1: conforming CRL issuers MUST include the AKI.
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, intermediate_.get(), nullptr, nullptr, crl.get(), 0);
  tls::X509ExtensionPtr aki(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1) {
    return make_error("cannot add CRL authority key identifier: " + openssl_error_text());
  }
  X509_CRL_sort(crl.get());
  if (X509_CRL_sign(crl.get(), intermediate_key_.get(), EVP_sha256()) <= 0) {
    return make_error("cannot sign CRL: " + openssl_error_text());
  }
  if (auto status = database.save(*state); !status) return status.error();
  return crl;
}

Status Authority::sign_ocsp_response(OCSP_BASICRESP* response) const {
  // The signer's key hash names the responder (ResponderID byKey, RFC 6960 section 4.2.1); no
  // certificates go in, which keeps a staple small.
  if (OCSP_basic_sign(response, intermediate_.get(), intermediate_key_.get(), EVP_sha256(), nullptr,
                      OCSP_NOCERTS | OCSP_RESPID_KEY) != 1) {
    return make_error("cannot sign OCSP response: " + openssl_error_text());
  }
  return Ok{};
}

Result<std::vector<CertificateRecord>> Authority::list() const {
  auto state = Database(dir_).load();
  if (!state) return state.error();
  return std::move(state->certificates);
}

Result<CertificateRecord> Authority::find(std::string_view serial_text) const {
  auto serial = normalize_serial(serial_text);
  if (!serial) return serial.error();
  auto state = Database(dir_).load();
  if (!state) return state.error();
  const CertificateRecord* record = state->find(*serial);
  if (record == nullptr)
    return make_error("no certificate with serial " + *serial + " was issued here");
  return *record;
}

}  // namespace miniweb::ca
