// Unit tests of the CA library: certificate profiles, serials, validity limits, key files,
// CSR checks, revocation, CRLs and the database under concurrency.

#include "ca/authority.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <set>
#include <thread>

#include "tests/ca/ca_test_support.hpp"

namespace miniweb::ca {
namespace {

using testing::file_mode;
using testing::TempDir;

constexpr std::time_t kDay = 24 * 60 * 60;

// -1 when absent, else 0/1 for the critical flag.
int criticality(X509* certificate, int nid) {
  const int index = X509_get_ext_by_NID(certificate, nid, -1);
  if (index < 0) return -1;
  return X509_EXTENSION_get_critical(X509_get_ext(certificate, index));
}

// The extension as `openssl x509 -text` prints it.
std::string extension_text(X509* certificate, int nid) {
  const int index = X509_get_ext_by_NID(certificate, nid, -1);
  if (index < 0) return "";
  tls::BioPtr bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), X509_get_ext(certificate, index), 0, 0);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string key_id_hex(const ASN1_OCTET_STRING* id) {
  if (id == nullptr) return "";
  std::string out;
  char buffer[3];
  for (int i = 0; i < ASN1_STRING_length(id); ++i) {
    std::snprintf(buffer, sizeof buffer, "%02X", ASN1_STRING_get0_data(id)[i]);
    out += buffer;
  }
  return out;
}

std::time_t to_time_t(const ASN1_TIME* time) {
  std::tm tm{};
  EXPECT_EQ(ASN1_TIME_to_tm(time, &tm), 1);
  return timegm(&tm);
}

// A PKCS #10 request for `names` carrying `key`, signed by `signer` (the same key unless a
// test wants a signature that does not verify).
tls::X509ReqPtr make_csr(EVP_PKEY* key, const std::vector<std::string>& names,
                         EVP_PKEY* signer = nullptr) {
  tls::X509ReqPtr csr(X509_REQ_new());
  X509_REQ_set_version(csr.get(), 0);
  X509_NAME* subject = X509_REQ_get_subject_name(csr.get());
  if (!names.empty()) {
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
    std::string san;
    for (const auto& name : names) san += (san.empty() ? "DNS:" : ",DNS:") + name;
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* extension =
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    sk_X509_EXTENSION_push(extensions, extension);
    X509_REQ_add_extensions(csr.get(), extensions);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  X509_REQ_set_pubkey(csr.get(), key);
  X509_REQ_sign(csr.get(), signer ? signer : key, EVP_sha256());
  return csr;
}

tls::EvpPkeyPtr ec_key(const char* curve) {
  return tls::EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}

tls::EvpPkeyPtr rsa_key(size_t bits) {
  return tls::EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits));
}

class CaAuthority : public ::testing::Test {
 protected:
  void SetUp() override {
    InitOptions options;
    options.base_url = "http://ca.test/";
    auto authority = Authority::init(dir_.path() / "ca", options);
    ASSERT_TRUE(authority) << authority.error().message;
    authority_.emplace(std::move(authority).value());
  }

  IssuedCertificate issue(std::vector<std::string> names, int days = kDefaultLeafDays) {
    IssueRequest request;
    request.names = std::move(names);
    request.days = days;
    auto issued = authority_->issue(std::move(request));
    EXPECT_TRUE(issued) << issued.error().message;
    return issued ? std::move(issued).value() : IssuedCertificate{};
  }

  size_t record_count() {
    auto records = authority_->list();
    EXPECT_TRUE(records);
    return records ? records->size() : 0;
  }

  TempDir dir_;
  std::optional<Authority> authority_;
};

TEST_F(CaAuthority, InitWritesKeysWithMode0600AndCertificates) {
  const auto ca = dir_.path() / "ca";
  for (const char* key : {"root.key", "intermediate.key"}) {
    EXPECT_EQ(file_mode((ca / key).string()), 0600u) << key;
  }
  for (const char* file : {"root.pem", "intermediate.pem", "ca.json", "db.json"}) {
    EXPECT_TRUE(std::filesystem::exists(ca / file)) << file;
  }
  // No temporary files left behind.
  for (const auto& entry : std::filesystem::directory_iterator(ca)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos);
  }
  EXPECT_EQ(authority_->settings().base_url, "http://ca.test");
}

TEST_F(CaAuthority, InitRefusesADirectoryThatHoldsACa) {
  auto again = Authority::init(dir_.path() / "ca", InitOptions{});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already holds a CA"), std::string::npos);
  // The existing CA is untouched and still opens.
  auto reopened = Authority::open(dir_.path() / "ca");
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(X509_cmp(reopened->root(), authority_->root()), 0);
}

TEST_F(CaAuthority, OpenFailsClearlyWithoutACa) {
  auto missing = Authority::open(dir_.path() / "nothing");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("miniweb-ca init"), std::string::npos);
}

TEST_F(CaAuthority, RootProfile) {
  X509* root = authority_->root();
  EXPECT_EQ(X509_check_issued(root, root), X509_V_OK);  // self-signed
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(root)), EVP_PKEY_EC);
  EXPECT_EQ(criticality(root, NID_basic_constraints), 1);
  EXPECT_EQ(criticality(root, NID_key_usage), 1);
  EXPECT_TRUE(X509_get_extension_flags(root) & EXFLAG_CA);
  EXPECT_EQ(X509_get_key_usage(root), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_NE(X509_get0_subject_key_id(root), nullptr);
  EXPECT_EQ(X509_get_pathlen(root), -1);
  EXPECT_NE(name_text(X509_get_subject_name(root)).find("CN=miniweb Root CA"), std::string::npos);
}

TEST_F(CaAuthority, IntermediateProfile) {
  X509* root = authority_->root();
  X509* intermediate = authority_->intermediate();
  EXPECT_EQ(X509_check_issued(root, intermediate), X509_V_OK);
  EXPECT_EQ(X509_verify(intermediate, X509_get0_pubkey(root)), 1);
  EXPECT_EQ(criticality(intermediate, NID_basic_constraints), 1);
  EXPECT_EQ(criticality(intermediate, NID_key_usage), 1);
  EXPECT_TRUE(X509_get_extension_flags(intermediate) & EXFLAG_CA);
  EXPECT_EQ(X509_get_pathlen(intermediate), 0);
  EXPECT_EQ(X509_get_key_usage(intermediate),
            static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(key_id_hex(X509_get0_authority_key_id(intermediate)),
            key_id_hex(X509_get0_subject_key_id(root)));
  EXPECT_FALSE(key_id_hex(X509_get0_subject_key_id(intermediate)).empty());
  EXPECT_LE(ASN1_TIME_compare(X509_get0_notAfter(intermediate), X509_get0_notAfter(root)), 0);
}

TEST_F(CaAuthority, LeafProfile) {
  auto issued = issue({"WWW.example.test", "example.test", "www.example.test"});
  X509* leaf = issued.certificate.get();
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(issued.names, (std::vector<std::string>{"www.example.test", "example.test"}));
  EXPECT_EQ(X509_verify(leaf, X509_get0_pubkey(authority_->intermediate())), 1);
  EXPECT_EQ(name_text(X509_get_subject_name(leaf)), "CN=www.example.test");
  EXPECT_EQ(extension_text(leaf, NID_subject_alt_name), "DNS:www.example.test, DNS:example.test");
  EXPECT_EQ(criticality(leaf, NID_subject_alt_name), 0);
  EXPECT_EQ(criticality(leaf, NID_basic_constraints), 1);
  EXPECT_FALSE(X509_get_extension_flags(leaf) & EXFLAG_CA);
  EXPECT_EQ(criticality(leaf, NID_key_usage), 1);
  EXPECT_EQ(X509_get_key_usage(leaf), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_extended_key_usage(leaf), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_FALSE(key_id_hex(X509_get0_subject_key_id(leaf)).empty());
  EXPECT_EQ(key_id_hex(X509_get0_authority_key_id(leaf)),
            key_id_hex(X509_get0_subject_key_id(authority_->intermediate())));
  EXPECT_NE(extension_text(leaf, NID_crl_distribution_points).find("URI:http://ca.test/crl"),
            std::string::npos);
  EXPECT_NE(extension_text(leaf, NID_info_access)
                .find("CA Issuers - URI:http://ca.test/intermediate.der"),
            std::string::npos);
  EXPECT_NE(extension_text(leaf, NID_info_access).find("OCSP - URI:http://ca.test/ocsp"),
            std::string::npos);
  // The generated key pair belongs to the certificate.
  ASSERT_TRUE(issued.private_key);
  EXPECT_EQ(X509_check_private_key(leaf, issued.private_key.get()), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(issued.private_key.get()), 256);
  // The chain is leaf then intermediate.
  EXPECT_EQ(issued.chain_pem, issued.certificate_pem + authority_->intermediate_pem());
}

TEST_F(CaAuthority, LeafValidityIsNinetyDaysFromAMinuteAgo) {
  const std::time_t before = std::time(nullptr);
  auto issued = issue({"www.example.test"});
  const std::time_t after = std::time(nullptr);
  const std::time_t not_before = to_time_t(X509_get0_notBefore(issued.certificate.get()));
  const std::time_t not_after = to_time_t(X509_get0_notAfter(issued.certificate.get()));
  EXPECT_GE(not_before, before - 60);
  EXPECT_LE(not_before, after - 60);
  EXPECT_EQ(not_after - not_before, 90 * kDay - 1);
}

TEST_F(CaAuthority, SerialsArePositiveRandomAndDistinct) {
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    auto issued = issue({"www.example.test"});
    const ASN1_INTEGER* serial = X509_get0_serialNumber(issued.certificate.get());
    tls::BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    EXPECT_FALSE(BN_is_negative(bn.get()));
    EXPECT_FALSE(BN_is_zero(bn.get()));
    EXPECT_LE(BN_num_bits(bn.get()), 127);
    // 127 random bits: fewer than 65 significant bits happens with probability 2^-62.
    EXPECT_GT(BN_num_bits(bn.get()), 64);
    EXPECT_EQ(serial_hex(serial), issued.serial);
    serials.insert(issued.serial);
  }
  EXPECT_EQ(serials.size(), 20u);
  EXPECT_EQ(record_count(), 20u);
}

TEST_F(CaAuthority, ValidityCappedAt397Days) {
  auto longest = issue({"www.example.test"}, 397);
  EXPECT_EQ(to_time_t(X509_get0_notAfter(longest.certificate.get())) -
                to_time_t(X509_get0_notBefore(longest.certificate.get())),
            397 * kDay - 1);
  for (int days : {398, 1000, 0, -5}) {
    IssueRequest request;
    request.names = {"www.example.test"};
    request.days = days;
    auto refused = authority_->issue(std::move(request));
    EXPECT_FALSE(refused) << days << " days accepted";
  }
  EXPECT_EQ(record_count(), 1u);  // refusals leave no record
}

TEST_F(CaAuthority, ExpiredWindowLiesInThePast) {
  IssueRequest request;
  request.names = {"expired.badssl.test"};
  request.window = ValidityWindow::expired;
  auto issued = authority_->issue(std::move(request));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_LT(to_time_t(X509_get0_notAfter(issued->certificate.get())), std::time(nullptr));
}

TEST_F(CaAuthority, RefusesBadNames) {
  for (const char* bad : {"*.example.test", "localhost", "10.0.0.1", "bad_name.test"}) {
    IssueRequest request;
    request.names = {"www.example.test", bad};
    EXPECT_FALSE(authority_->issue(std::move(request))) << bad;
  }
  IssueRequest none;
  EXPECT_FALSE(authority_->issue(std::move(none)));
  EXPECT_EQ(record_count(), 0u);
}

TEST_F(CaAuthority, LongFirstNameLeavesSubjectEmptyAndSanCritical) {
  const std::string long_name = std::string(60, 'a') + ".example.test";
  auto issued = issue({long_name});
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(issued.certificate.get())), 0);
  EXPECT_EQ(criticality(issued.certificate.get(), NID_subject_alt_name), 1);
}

TEST_F(CaAuthority, SignsAnEcCsrWithItsNames) {
  auto key = ec_key("P-384");
  IssueRequest request;
  request.csr = make_csr(key.get(), {"api.example.test", "api2.example.test"});
  auto issued = authority_->issue(std::move(request));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->names, (std::vector<std::string>{"api.example.test", "api2.example.test"}));
  EXPECT_FALSE(issued->private_key);
  EXPECT_EQ(X509_check_private_key(issued->certificate.get(), key.get()), 1);
}

TEST_F(CaAuthority, SignsAnRsaCsrWithKeyEncipherment) {
  auto key = rsa_key(2048);
  IssueRequest request;
  request.names = {"rsa.example.test"};
  request.csr = make_csr(key.get(), {"rsa.example.test"});
  auto issued = authority_->issue(std::move(request));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(X509_get_key_usage(issued->certificate.get()),
            static_cast<uint32_t>(KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
}

TEST_F(CaAuthority, RefusesCsrWhoseSignatureDoesNotVerify) {
  auto key = ec_key("P-256");
  auto other = ec_key("P-256");
  IssueRequest request;
  request.csr = make_csr(key.get(), {"www.example.test"}, other.get());
  auto refused = authority_->issue(std::move(request));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("signature"), std::string::npos);

  // A good request with one bit of its signature flipped.
  auto good = make_csr(key.get(), {"www.example.test"});
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(good.get(), &der);
  ASSERT_GT(length, 0);
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  bytes[bytes.size() - 3] ^= 0x01;  // inside the ECDSA signature's s value
  auto tampered = parse_csr_der(bytes);
  ASSERT_TRUE(tampered) << tampered.error().message;
  IssueRequest tampered_request;
  tampered_request.csr = std::move(tampered).value();
  EXPECT_FALSE(authority_->issue(std::move(tampered_request)));
  EXPECT_EQ(record_count(), 0u);
}

TEST_F(CaAuthority, RefusesWeakKeys) {
  auto rsa1024 = rsa_key(1024);
  auto p224 = ec_key("P-224");
  for (EVP_PKEY* key : {rsa1024.get(), p224.get()}) {
    IssueRequest request;
    request.csr = make_csr(key, {"www.example.test"});
    auto refused = authority_->issue(std::move(request));
    ASSERT_FALSE(refused);
    EXPECT_TRUE(refused.error().message.find("too weak") != std::string::npos ||
                refused.error().message.find("not accepted") != std::string::npos)
        << refused.error().message;
  }
  EXPECT_EQ(record_count(), 0u);
}

TEST_F(CaAuthority, RefusesCsrNamesThatDifferFromTheGivenNames) {
  auto key = ec_key("P-256");
  IssueRequest request;
  request.names = {"www.example.test"};
  request.csr = make_csr(key.get(), {"www.example.test", "evil.example.test"});
  EXPECT_FALSE(authority_->issue(std::move(request)));

  IssueRequest wildcard;
  wildcard.csr = make_csr(key.get(), {"*.example.test"});
  EXPECT_FALSE(authority_->issue(std::move(wildcard)));
  EXPECT_EQ(record_count(), 0u);
}

TEST_F(CaAuthority, RefusesMalformedCsr) {
  EXPECT_FALSE(
      parse_csr_pem("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                    "-----END CERTIFICATE REQUEST-----\n"));
  const std::vector<std::uint8_t> junk = {0x30, 0x82, 0xff, 0xff, 0x00};
  EXPECT_FALSE(parse_csr_der(junk));
  auto key = ec_key("P-256");
  auto csr = make_csr(key.get(), {"www.example.test"});
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(csr.get(), &der);
  std::vector<std::uint8_t> bytes(der, der + length);
  OPENSSL_free(der);
  bytes.push_back(0);
  EXPECT_FALSE(parse_csr_der(bytes));  // trailing data
}

TEST_F(CaAuthority, RevokeAndCrl) {
  auto first = issue({"revoked.badssl.test"});
  auto second = issue({"www.example.test"});
  ASSERT_TRUE(authority_->revoke(first.serial, RevocationReason::key_compromise));
  // Revoking twice, or an unknown serial, is an error.
  EXPECT_FALSE(authority_->revoke(first.serial, RevocationReason::superseded));
  EXPECT_FALSE(authority_->revoke("01", RevocationReason::unspecified));
  EXPECT_FALSE(authority_->revoke("not-hex", RevocationReason::unspecified));

  auto record = authority_->find(first.serial);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, CertificateStatus::revoked);
  EXPECT_EQ(record->reason, RevocationReason::key_compromise);
  EXPECT_TRUE(record->revoked_at);
  EXPECT_EQ(authority_->find(second.serial)->status, CertificateStatus::valid);

  auto crl = authority_->make_crl(7);
  ASSERT_TRUE(crl) << crl.error().message;
  X509_CRL* c = crl->get();
  EXPECT_EQ(X509_CRL_get_version(c), X509_CRL_VERSION_2);
  EXPECT_EQ(X509_CRL_verify(c, X509_get0_pubkey(authority_->intermediate())), 1);
  EXPECT_EQ(
      X509_NAME_cmp(X509_CRL_get_issuer(c), X509_get_subject_name(authority_->intermediate())), 0);
  EXPECT_EQ(to_time_t(X509_CRL_get0_nextUpdate(c)) - to_time_t(X509_CRL_get0_lastUpdate(c)),
            7 * kDay);
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(c);
  ASSERT_EQ(sk_X509_REVOKED_num(revoked), 1);
  X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, 0);
  EXPECT_EQ(serial_hex(X509_REVOKED_get0_serialNumber(entry)), first.serial);
  int critical = 0;
  std::unique_ptr<ASN1_ENUMERATED, tls::OpenSslDeleter<ASN1_ENUMERATED_free>> reason(
      static_cast<ASN1_ENUMERATED*>(
          X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nullptr)));
  ASSERT_TRUE(reason);
  EXPECT_EQ(ASN1_ENUMERATED_get(reason.get()), 1);  // keyCompromise

  auto crl_number = [](X509_CRL* crl) {
    tls::Asn1IntegerPtr number(
        static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)));
    return number ? ASN1_INTEGER_get(number.get()) : -1;
  };
  EXPECT_EQ(crl_number(c), 1);
  EXPECT_NE(X509_CRL_get_ext_by_NID(c, NID_authority_key_identifier, -1), -1);
  auto next = authority_->make_crl(7);
  ASSERT_TRUE(next);
  EXPECT_EQ(crl_number(next->get()), 2);

  // RFC 5280 §5.3.1: an unspecified reason is left out rather than written.
  ASSERT_TRUE(authority_->revoke(second.serial, RevocationReason::unspecified));
  auto third = authority_->make_crl(7);
  ASSERT_TRUE(third);
  STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(third->get());
  ASSERT_EQ(sk_X509_REVOKED_num(entries), 2);
  for (int i = 0; i < 2; ++i) {
    X509_REVOKED* e = sk_X509_REVOKED_value(entries, i);
    const bool has_reason = X509_REVOKED_get_ext_by_NID(e, NID_crl_reason, -1) >= 0;
    EXPECT_EQ(has_reason, serial_hex(X509_REVOKED_get0_serialNumber(e)) == first.serial);
  }
  EXPECT_FALSE(authority_->make_crl(0));
}

TEST_F(CaAuthority, SerialsTypedAnyWayFindTheRecord) {
  auto issued = issue({"www.example.test"});
  std::string lower;
  for (char c : issued.serial) lower += static_cast<char>(std::tolower(c));
  EXPECT_TRUE(authority_->find(lower));
  EXPECT_TRUE(authority_->find("0x00" + issued.serial));
  std::string colons;
  for (size_t i = 0; i < issued.serial.size(); i += 2) {
    colons += (i ? ":" : "") + issued.serial.substr(i, 2);
  }
  EXPECT_TRUE(authority_->find(colons));  // as `openssl x509 -text` prints it
  const auto stripped = issued.serial.substr(issued.serial.find_first_not_of('0'));
  EXPECT_TRUE(authority_->find(stripped));
  auto mismatched = authority_->find(issued.serial + "00");
  EXPECT_FALSE(mismatched);
}

TEST_F(CaAuthority, ConcurrentIssuanceFromThreadsKeepsEveryRecord) {
  // Each thread opens the CA itself, as separate processes would; flock excludes them.
  constexpr int kThreads = 8;
  std::vector<std::string> serials(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto authority = Authority::open(dir_.path() / "ca");
      if (!authority) return;
      IssueRequest request;
      request.names = {"host" + std::to_string(i) + ".example.test"};
      auto issued = authority->issue(std::move(request));
      if (issued) serials[i] = issued->serial;
    });
  }
  for (auto& thread : threads) thread.join();
  auto records = authority_->list();
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), static_cast<size_t>(kThreads));
  std::set<std::string> distinct;
  for (const auto& record : *records) distinct.insert(record.serial);
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kThreads));
  for (const auto& serial : serials) EXPECT_EQ(distinct.count(serial), 1u);
}

TEST(CaDatabase, DamagedFileIsAnErrorAndLeftUntouched) {
  TempDir dir;
  ASSERT_TRUE(write_file_atomically(dir.path() / "db.json", "{not json", kPublicFileMode));
  Database database(dir.path());
  EXPECT_FALSE(database.load());
  EXPECT_EQ(testing::slurp(dir / "db.json"), "{not json");
}

TEST(CaDatabase, InterruptedWriteLeavesThePreviousStateWhole) {
  TempDir dir;
  Database database(dir.path());
  DatabaseState state;
  state.crl_number = 3;
  ASSERT_TRUE(database.save(state));
  // What a crash between create and rename leaves: a partial temporary file beside db.json.
  {
    std::ofstream partial(dir / ".db.json.tmp-deadbeef");
    partial << "{\"version\": 1, \"crl_num";
  }
  auto loaded = database.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->crl_number, 3u);
  state.crl_number = 4;
  ASSERT_TRUE(database.save(state));
  EXPECT_EQ(database.load()->crl_number, 4u);
}

TEST(CaDatabase, RoundTripsRecords) {
  TempDir dir;
  Database database(dir.path());
  DatabaseState state;
  state.crl_number = 7;
  CertificateRecord record;
  record.serial = "1A2B";
  record.subject = "CN=a.test";
  record.names = {"a.test", "b.test"};
  record.not_before = 1'700'000'000;
  record.not_after = 1'700'086'399;
  record.status = CertificateStatus::revoked;
  record.revoked_at = 1'700'000'500;
  record.reason = RevocationReason::superseded;
  state.certificates.push_back(record);
  ASSERT_TRUE(database.save(state));
  auto loaded = database.load();
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->crl_number, 7u);
  ASSERT_EQ(loaded->certificates.size(), 1u);
  const auto& back = loaded->certificates[0];
  EXPECT_EQ(back.serial, "1A2B");
  EXPECT_EQ(back.names, record.names);
  EXPECT_EQ(back.not_before, record.not_before);
  EXPECT_EQ(back.not_after, record.not_after);
  EXPECT_EQ(back.status, CertificateStatus::revoked);
  EXPECT_EQ(back.revoked_at, record.revoked_at);
  EXPECT_EQ(back.reason, RevocationReason::superseded);
}

TEST(CaInit, RsaRootAndIntermediate) {
  TempDir dir;
  InitOptions options;
  options.key_type = KeyType::rsa;
  options.rsa_bits = 2048;
  auto authority = Authority::init(dir.path(), options);
  ASSERT_TRUE(authority) << authority.error().message;
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(authority->root())), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(authority->intermediate())), 2048);
  IssueRequest request;
  request.names = {"www.example.test"};
  auto issued = authority->issue(std::move(request));
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(X509_verify(issued->certificate.get(), X509_get0_pubkey(authority->intermediate())), 1);
}

TEST(CaInit, RefusesBadOptions) {
  TempDir dir;
  InitOptions weak;
  weak.key_type = KeyType::rsa;
  weak.rsa_bits = 1024;
  EXPECT_FALSE(Authority::init(dir.path() / "a", weak));
  InitOptions bad_url;
  bad_url.base_url = "ftp://ca.test";
  EXPECT_FALSE(Authority::init(dir.path() / "b", bad_url));
  bad_url.base_url = "http://ca.test/a,b";
  EXPECT_FALSE(Authority::init(dir.path() / "c", bad_url));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a" / "root.pem"));
}

}  // namespace
}  // namespace miniweb::ca
