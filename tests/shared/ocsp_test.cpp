// The check every OCSP response passes before the browser believes a staple or the server
// staples it: responses made here with OpenSSL's responder API, as a CA makes them, then
// changed one way each.

#include "shared/tls/ocsp.hpp"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <string>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::tls {
namespace {

using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, OpenSslDeleter<OCSP_BASICRESP_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, OpenSslDeleter<OCSP_REQUEST_free>>;

constexpr std::time_t kDay = 24 * 60 * 60;

EvpPkeyPtr new_key() {
  return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

// A certificate for `name` with `key`, signed by `issuer_key` (itself when null), serial
// `serial`, carrying `ocsp_url` in its Authority Information Access when not empty.
X509Ptr new_certificate(const std::string& name, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                        long serial, const std::string& ocsp_url = "") {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kDay);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30 * kDay);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
  X509_set_pubkey(cert.get(), key);
  if (!ocsp_url.empty()) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert.get(), nullptr, nullptr, 0);
    X509ExtensionPtr access(
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_info_access, ("OCSP;URI:" + ocsp_url).c_str()));
    X509_add_ext(cert.get(), access.get(), -1);
  }
  X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

class OcspCheck : public ::testing::Test {
 protected:
  // What a response says, and how it is made; each test changes one thing.
  struct Answer {
    int status = V_OCSP_CERTSTATUS_GOOD;
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    long this_update = -60;   // seconds from now
    long next_update = kDay;  // seconds from now; 0: none
    X509* about = nullptr;    // the certificate asked about: the leaf when null
    X509* signer = nullptr;   // the issuer when null
    EVP_PKEY* signer_key = nullptr;
  };

  std::string response_der(const Answer& answer) {
    X509* signer = answer.signer ? answer.signer : issuer_.get();
    EVP_PKEY* signer_key = answer.signer_key ? answer.signer_key : issuer_key_.get();
    OcspBasicPtr basic(OCSP_BASICRESP_new());
    OCSP_CERTID* id =
        OCSP_cert_to_id(EVP_sha1(), answer.about ? answer.about : leaf_.get(), issuer_.get());
    Asn1TimePtr this_update(X509_gmtime_adj(nullptr, answer.this_update));
    Asn1TimePtr next_update(answer.next_update ? X509_gmtime_adj(nullptr, answer.next_update)
                                               : nullptr);
    Asn1TimePtr revoked_at(X509_gmtime_adj(nullptr, -kDay));
    OCSP_basic_add1_status(basic.get(), id, answer.status, answer.reason,
                           answer.status == V_OCSP_CERTSTATUS_REVOKED ? revoked_at.get() : nullptr,
                           this_update.get(), next_update.get());
    OCSP_CERTID_free(id);
    OCSP_basic_sign(basic.get(), signer, signer_key, EVP_sha256(), nullptr,
                    OCSP_NOCERTS | OCSP_RESPID_KEY);
    OcspResponsePtr response(OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
    return to_der(response.get(), i2d_OCSP_RESPONSE);
  }

  Result<OcspVerdict> check(const std::string& der) {
    return check_ocsp_response(der, leaf_.get(), issuer_.get(), std::time(nullptr));
  }

  EvpPkeyPtr issuer_key_ = new_key();
  X509Ptr issuer_ = new_certificate("Test Issuing CA", issuer_key_.get(), nullptr, nullptr, 1);
  EvpPkeyPtr leaf_key_ = new_key();
  X509Ptr leaf_ = new_certificate("www.example.test", leaf_key_.get(), issuer_.get(),
                                  issuer_key_.get(), 4242, "http://ca.example.test/ocsp");
};

TEST_F(OcspCheck, AGoodResponseFromTheIssuerIsBelievedWithItsTimes) {
  const std::time_t before = std::time(nullptr);
  auto verdict = check(response_der({}));
  ASSERT_TRUE(verdict) << verdict.error().message;
  EXPECT_EQ(verdict->status, OcspVerdict::Status::Good);
  EXPECT_NEAR(static_cast<double>(verdict->this_update), static_cast<double>(before - 60), 2);
  EXPECT_NEAR(static_cast<double>(verdict->next_update), static_cast<double>(before + kDay), 2);
  EXPECT_NEAR(static_cast<double>(verdict->produced_at), static_cast<double>(before), 2);
}

TEST_F(OcspCheck, ARevokedResponseCarriesItsReasonAndTime) {
  Answer revoked;
  revoked.status = V_OCSP_CERTSTATUS_REVOKED;
  revoked.reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
  auto verdict = check(response_der(revoked));
  ASSERT_TRUE(verdict) << verdict.error().message;
  EXPECT_EQ(verdict->status, OcspVerdict::Status::Revoked);
  EXPECT_EQ(revocation_reason_name(verdict->reason), "keyCompromise");
  EXPECT_NEAR(static_cast<double>(verdict->revoked_at),
              static_cast<double>(std::time(nullptr) - kDay), 2);
}

TEST_F(OcspCheck, UnknownIsReportedAsUnknown) {
  Answer unknown;
  unknown.status = V_OCSP_CERTSTATUS_UNKNOWN;
  auto verdict = check(response_der(unknown));
  ASSERT_TRUE(verdict) << verdict.error().message;
  EXPECT_EQ(verdict->status, OcspVerdict::Status::Unknown);
}

TEST_F(OcspCheck, AResponseSignedByAnotherKeyIsRefused) {
  EvpPkeyPtr other_key = new_key();
  X509Ptr other = new_certificate("Test Issuing CA", other_key.get(), nullptr, nullptr, 1);
  Answer forged;
  forged.signer = other.get();
  forged.signer_key = other_key.get();
  auto verdict = check(response_der(forged));
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().message, "the OCSP response is not signed by the certificate's issuer");
}

TEST_F(OcspCheck, AResponseSignedByTheLeafItselfIsRefused) {
  Answer self_signed;
  self_signed.signer = leaf_.get();
  self_signed.signer_key = leaf_key_.get();
  EXPECT_FALSE(check(response_der(self_signed)));
}

TEST_F(OcspCheck, AResponseAboutAnotherCertificateIsRefused) {
  X509Ptr other = new_certificate("other.example.test", leaf_key_.get(), issuer_.get(),
                                  issuer_key_.get(), 4243);
  Answer elsewhere;
  elsewhere.about = other.get();
  auto verdict = check(response_der(elsewhere));
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().message, "the OCSP response is about another certificate");
}

TEST_F(OcspCheck, StaleFutureAndOpenEndedResponsesAreRefused) {
  Answer stale;
  stale.this_update = -3 * kDay;
  stale.next_update = -kDay;
  EXPECT_EQ(check(response_der(stale)).error().message, "the OCSP response is out of date");
  Answer future;
  future.this_update = kDay;
  future.next_update = 2 * kDay;
  EXPECT_EQ(check(response_der(future)).error().message, "the OCSP response is from the future");
  Answer open_ended;
  open_ended.next_update = 0;
  EXPECT_EQ(check(response_der(open_ended)).error().message,
            "the OCSP response names no nextUpdate");
  // Inside the five minutes' leeway for clocks: still believed.
  Answer just_past;
  just_past.this_update = -kDay;
  just_past.next_update = -120;
  EXPECT_TRUE(check(response_der(just_past)));
}

TEST_F(OcspCheck, AnErrorStatusOrBytesThatAreNoResponseAreRefused) {
  OcspResponsePtr try_later(OCSP_response_create(OCSP_RESPONSE_STATUS_TRYLATER, nullptr));
  EXPECT_EQ(check(to_der(try_later.get(), i2d_OCSP_RESPONSE)).error().message,
            "the responder answered trylater");
  EXPECT_EQ(check("").error().message, "not a DER OCSP response");
  std::string cut = response_der({});
  cut.resize(cut.size() / 2);
  EXPECT_EQ(check(cut).error().message, "not a DER OCSP response");
  std::string flipped = response_der({});
  flipped[flipped.size() - 5] ^= 0x01;  // inside the signature
  EXPECT_FALSE(check(flipped));
}

TEST(Ocsp, TheUrlComesFromTheAuthorityInformationAccess) {
  EvpPkeyPtr key = new_key();
  X509Ptr with = new_certificate("a", key.get(), nullptr, nullptr, 1, "http://ca.test:8080/ocsp");
  X509Ptr without = new_certificate("b", key.get(), nullptr, nullptr, 2);
  EXPECT_EQ(ocsp_url_of(with.get()), "http://ca.test:8080/ocsp");
  EXPECT_EQ(ocsp_url_of(without.get()), "");
}

TEST(Ocsp, TheRequestNamesTheCertificateBySha1CertId) {
  EvpPkeyPtr key = new_key();
  X509Ptr issuer = new_certificate("CA", key.get(), nullptr, nullptr, 1);
  X509Ptr leaf = new_certificate("leaf", key.get(), issuer.get(), key.get(), 77);
  auto der = ocsp_request_for(leaf.get(), issuer.get());
  ASSERT_TRUE(der);
  const auto* bytes = reinterpret_cast<const unsigned char*>(der->data());
  OcspRequestPtr request(d2i_OCSP_REQUEST(nullptr, &bytes, static_cast<long>(der->size())));
  ASSERT_TRUE(request);
  ASSERT_EQ(OCSP_request_onereq_count(request.get()), 1);
  OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(request.get(), 0));
  std::unique_ptr<OCSP_CERTID, OpenSslDeleter<OCSP_CERTID_free>> expected(
      OCSP_cert_to_id(EVP_sha1(), leaf.get(), issuer.get()));
  EXPECT_EQ(OCSP_id_cmp(id, expected.get()), 0);
}

TEST(Ocsp, ReasonNamesFollowRfc5280) {
  EXPECT_EQ(revocation_reason_name(0), "unspecified");
  EXPECT_EQ(revocation_reason_name(1), "keyCompromise");
  EXPECT_EQ(revocation_reason_name(10), "aACompromise");
  EXPECT_EQ(revocation_reason_name(11), "unknown");
  EXPECT_EQ(revocation_reason_name(-1), "unknown");
}

}  // namespace
}  // namespace miniweb::tls
