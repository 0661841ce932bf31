// The CA's OCSP responder (RFC 6960, RFC 5019) as its clients see it: a real `miniweb-ca serve`
// on loopback, asked by Debian's `openssl ocsp` (POST) and by curl (the GET form of appendix
// A.1), its answers read back with openssl; and the responder's own edges in-process.

#include "ca/ocsp_responder.hpp"

#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>

#include "shared/dns/base64.hpp"
#include "tests/ca/ca_test_support.hpp"
#include "tests/ca/test_internet.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::ca {
namespace {

using testing::Daemon;
using testing::ProcessResult;
using testing::run;
using testing::slurp;
using testing::TempDir;

const std::string kCa = MINIWEB_CA_BINARY;

using OcspRequestPtr = std::unique_ptr<OCSP_REQUEST, tls::OpenSslDeleter<OCSP_REQUEST_free>>;
using OcspResponsePtr = std::unique_ptr<OCSP_RESPONSE, tls::OpenSslDeleter<OCSP_RESPONSE_free>>;
using OcspBasicPtr = std::unique_ptr<OCSP_BASICRESP, tls::OpenSslDeleter<OCSP_BASICRESP_free>>;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// RFC 6960 appendix A.1's URL-encoding of base64: the three characters base64 has beyond
// letters and digits.
std::string url_encode_base64(const std::string& base64) {
  std::string out;
  for (char c : base64) {
    out += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
  }
  return out;
}

std::string base64_of(const std::string& bytes) {
  return dns::base64_encode(
      std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

// "Dec  4 01:02:36 2026 GMT", as `openssl ocsp` prints times.
std::string openssl_time(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%b %e %H:%M:%S %Y GMT", &tm);
  return text;
}

OcspResponsePtr parse_response(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return OcspResponsePtr(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
}

class CaOcsp : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = dir_ / "ca";
    auto init = run({kCa, "init", "--dir", ca_, "--base-url", "http://ca.example.test:8080"});
    ASSERT_EQ(init.exit_code, 0) << init.output;
    intermediate_ = ca_ + "/intermediate.pem";
    root_ = ca_ + "/root.pem";
    server_ = std::make_unique<Daemon>(
        std::vector<std::string>{kCa, "serve", "--dir", ca_, "--listen", "127.0.0.1:0",
                                 "--http-listen", "127.0.0.1:0"},
        dir_ / "ca.log");
    ASSERT_TRUE(server_->wait_for("ready acme")) << server_->output();
    const std::string ready = server_->output();
    const auto at = ready.find(" http 127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << ready;
    url_ = "http://127.0.0.1:" + std::to_string(std::stoi(ready.substr(at + 16))) + "/ocsp";
  }

  // Issues a certificate for `name` from the CA in `ca` as DIR/NAME.crt; returns its serial.
  std::string issue(const std::string& ca, const std::string& name) {
    auto issued = run({kCa, "issue", "--dir", ca, "--name", name, "--out", dir_ / name});
    EXPECT_EQ(issued.exit_code, 0) << issued.output;
    const auto start = issued.output.find("issued ") + 7;
    return issued.output.substr(start, issued.output.find(' ', start) - start);
  }

  // `openssl ocsp` asks the CA's responder about `subject` (-cert FILE or -serial N), issued by
  // `issuer`, and checks the answer against the root.
  ProcessResult ask(const std::vector<std::string>& subject, std::vector<std::string> extra = {},
                    const std::string& issuer = "", const std::string& root = "") {
    std::vector<std::string> argv = {"openssl", "ocsp", "-issuer",
                                     issuer.empty() ? intermediate_ : issuer};
    argv.insert(argv.end(), subject.begin(), subject.end());
    argv.insert(argv.end(), {"-url", url_, "-CAfile", root.empty() ? root_ : root});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv);
  }

  // curl at the responder; returns the HTTP status, with the body in DIR/NAME.der and the head
  // in DIR/NAME.head.
  int curl(const std::string& name, std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "curl", "-s",          "-o", dir_ / (name + ".der"), "-D", dir_ / (name + ".head"),
        "-w",   "%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = run(argv);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return std::atoi(result.output.c_str());
  }

  // What `openssl ocsp` makes of a response in a file, about `certificate` when one is named.
  ProcessResult read_response(const std::string& file, const std::string& certificate = "") {
    if (certificate.empty()) {
      return run({"openssl", "ocsp", "-respin", file, "-resp_text", "-noverify"});
    }
    return run({"openssl", "ocsp", "-respin", file, "-issuer", intermediate_, "-cert", certificate,
                "-CAfile", root_, "-no_nonce"});
  }

  TempDir dir_;
  std::string ca_, intermediate_, root_, url_;
  std::unique_ptr<Daemon> server_;
};

TEST_F(CaOcsp, IssuedCertificatesNameTheResponderBesideTheCrl) {
  issue(ca_, "www.example.test");
  const std::string leaf = dir_ / "www.example.test.crt";
  auto uri = run({"openssl", "x509", "-in", leaf, "-noout", "-ocsp_uri"});
  EXPECT_EQ(uri.output, "http://ca.example.test:8080/ocsp\n");
  auto crl = run({"openssl", "x509", "-in", leaf, "-noout", "-ext", "crlDistributionPoints"});
  EXPECT_TRUE(contains(crl.output, "URI:http://ca.example.test:8080/crl")) << crl.output;
}

TEST_F(CaOcsp, GoodCertificateIsGoodSignedByTheIssuerByKeyWithoutCertificates) {
  const std::string serial = issue(ca_, "www.example.test");
  auto good = ask({"-cert", dir_ / "www.example.test.crt"}, {"-no_nonce", "-resp_text"});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_TRUE(contains(good.output, "www.example.test.crt: good")) << good.output;
  EXPECT_TRUE(contains(good.output, "Response verify OK")) << good.output;
  EXPECT_TRUE(contains(good.output, "Signature Algorithm: ecdsa-with-SHA256")) << good.output;
  // byKey prints as hex; byName would print the intermediate's name.
  EXPECT_FALSE(contains(good.output, "Responder Id: O = ")) << good.output;
  EXPECT_FALSE(contains(good.output, "Certificate:")) << good.output;  // OCSP_NOCERTS
  EXPECT_TRUE(server_->wait_for("ocsp successful " + serial + " good")) << server_->output();

  // A CertID hashed with SHA-256 names the same issuer (openssl wants the digest before -cert).
  auto sha256 = ask({"-sha256", "-cert", dir_ / "www.example.test.crt"}, {"-no_nonce"});
  EXPECT_EQ(sha256.exit_code, 0) << sha256.output;
  EXPECT_TRUE(contains(sha256.output, "www.example.test.crt: good")) << sha256.output;
}

TEST_F(CaOcsp, EchoesTheNonce) {
  issue(ca_, "www.example.test");
  auto answered = ask({"-cert", dir_ / "www.example.test.crt"}, {"-nonce", "-resp_text"});
  EXPECT_EQ(answered.exit_code, 0) << answered.output;
  EXPECT_TRUE(contains(answered.output, "OCSP Nonce")) << answered.output;
  EXPECT_FALSE(contains(answered.output, "no nonce in response")) << answered.output;
  EXPECT_FALSE(contains(answered.output, "Nonce Verify error")) << answered.output;
  EXPECT_TRUE(contains(answered.output, "www.example.test.crt: good")) << answered.output;
}

TEST_F(CaOcsp, RevokedCertificateIsRevokedWithTheReasonAndTimeOfTheDatabase) {
  const std::string serial = issue(ca_, "revoked.example.test");
  const std::string leaf = dir_ / "revoked.example.test.crt";
  EXPECT_TRUE(contains(ask({"-cert", leaf}).output, "revoked.example.test.crt: good"));

  // Revoked beside the running server: the next answer says so.
  auto revoked = run({kCa, "revoke", "--dir", ca_, serial, "--reason", "keyCompromise"});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.output;
  auto listed = run({kCa, "list", "--dir", ca_, "--json"});
  std::time_t revoked_at = 0;
  for (const auto& record : nlohmann::json::parse(listed.output)) {
    if (record["serial"] == serial)
      revoked_at = *parse_time(record["revoked_at"].get<std::string>());
  }
  ASSERT_NE(revoked_at, 0) << listed.output;
  auto answered = ask({"-cert", leaf});
  EXPECT_EQ(answered.exit_code, 0) << answered.output;
  EXPECT_TRUE(contains(answered.output, "revoked.example.test.crt: revoked")) << answered.output;
  EXPECT_TRUE(contains(answered.output, "Reason: keyCompromise")) << answered.output;
  EXPECT_TRUE(contains(answered.output, "Revocation Time: " + openssl_time(revoked_at)))
      << answered.output;
  EXPECT_TRUE(contains(answered.output, "Response verify OK")) << answered.output;
  EXPECT_TRUE(server_->wait_for("ocsp successful " + serial + " revoked (keyCompromise)"))
      << server_->output();

  // As in the CRL, an unspecified reason is left out.
  const std::string other = issue(ca_, "unspecified.example.test");
  ASSERT_EQ(run({kCa, "revoke", "--dir", ca_, other}).exit_code, 0);
  auto plain = ask({"-cert", dir_ / "unspecified.example.test.crt"});
  EXPECT_TRUE(contains(plain.output, "unspecified.example.test.crt: revoked")) << plain.output;
  EXPECT_FALSE(contains(plain.output, "Reason:")) << plain.output;
}

TEST_F(CaOcsp, SerialNeverIssuedIsUnknown) {
  issue(ca_, "www.example.test");
  auto answered = ask({"-serial", "0x0123456789ABCDEF"});
  EXPECT_EQ(answered.exit_code, 0) << answered.output;
  EXPECT_TRUE(contains(answered.output, "0x0123456789ABCDEF: unknown")) << answered.output;
  EXPECT_TRUE(contains(answered.output, "Response verify OK")) << answered.output;
}

TEST_F(CaOcsp, CertificateOfAnotherCaIsUnauthorized) {
  const std::string other = dir_ / "other";
  ASSERT_EQ(run({kCa, "init", "--dir", other}).exit_code, 0);
  issue(other, "elsewhere.example.test");
  auto answered = ask({"-cert", dir_ / "elsewhere.example.test.crt"}, {},
                      other + "/intermediate.pem", other + "/root.pem");
  EXPECT_NE(answered.exit_code, 0) << answered.output;
  EXPECT_TRUE(contains(answered.output, "Responder Error: unauthorized (6)")) << answered.output;
  EXPECT_TRUE(server_->wait_for("ocsp unauthorized")) << server_->output();
}

TEST_F(CaOcsp, GetFormAnswersAsPostDoesAndMayBeCached) {
  issue(ca_, "www.example.test");
  const std::string leaf = dir_ / "www.example.test.crt";
  const std::string request = dir_ / "request.der";
  auto made = run({"openssl", "ocsp", "-issuer", intermediate_, "-cert", leaf, "-no_nonce",
                   "-reqout", request});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string base64 = base64_of(slurp(request));

  EXPECT_EQ(curl("get", {url_ + "/" + url_encode_base64(base64)}), 200);
  const std::string head = slurp(dir_ / "get.head");
  EXPECT_TRUE(contains(head, "Content-Type: application/ocsp-response\r\n")) << head;
  EXPECT_TRUE(contains(head, "Cache-Control: max-age=86400,")) << head;
  auto read = read_response(dir_ / "get.der", leaf);
  EXPECT_EQ(read.exit_code, 0) << read.output;
  EXPECT_TRUE(contains(read.output, "www.example.test.crt: good")) << read.output;
  EXPECT_TRUE(contains(read.output, "Response verify OK")) << read.output;

  // The response itself: a day from thisUpdate to nextUpdate, no certificates, byKey.
  OcspResponsePtr response = parse_response(slurp(dir_ / "get.der"));
  ASSERT_TRUE(response);
  ASSERT_EQ(OCSP_response_status(response.get()), OCSP_RESPONSE_STATUS_SUCCESSFUL);
  OcspBasicPtr basic(OCSP_response_get1_basic(response.get()));
  ASSERT_TRUE(basic);
  const STACK_OF(X509)* certificates = OCSP_resp_get0_certs(basic.get());
  EXPECT_TRUE(certificates == nullptr || sk_X509_num(certificates) == 0);
  const ASN1_OCTET_STRING* key_id = nullptr;
  const X509_NAME* name = nullptr;
  EXPECT_EQ(OCSP_resp_get0_id(basic.get(), &key_id, &name), 1);
  EXPECT_NE(key_id, nullptr);
  ASSERT_EQ(OCSP_resp_count(basic.get()), 1);
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  OCSP_single_get0_status(OCSP_resp_get0(basic.get(), 0), nullptr, nullptr, &this_update,
                          &next_update);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, this_update, next_update), 1);
  EXPECT_EQ(days * 86400 + seconds, 86400);

  // Clients that leave '/', '+' and '=' unescaped are answered too.
  EXPECT_EQ(curl("raw", {url_ + "/" + base64}), 200);
  EXPECT_TRUE(contains(read_response(dir_ / "raw.der", leaf).output, "www.example.test.crt: good"));

  // What is not base64 of an OCSPRequest is malformedRequest, and not for caches to keep.
  EXPECT_EQ(curl("bad", {url_ + "/not*base64"}), 200);
  EXPECT_TRUE(contains(read_response(dir_ / "bad.der").output, "malformedrequest"));
  EXPECT_TRUE(contains(slurp(dir_ / "bad.head"), "Cache-Control: no-store"))
      << slurp(dir_ / "bad.head");
}

TEST_F(CaOcsp, BadRequestsGetClearAnswersAndTheResponderKeepsServing) {
  issue(ca_, "www.example.test");
  const std::string leaf = dir_ / "www.example.test.crt";

  // Not DER: an OCSP response saying malformedRequest, over HTTP 200 (RFC 6960 appendix A.1).
  std::ofstream(dir_ / "garbage.bin") << "this is not an OCSPRequest";
  EXPECT_EQ(curl("garbage", {"--data-binary", "@" + (dir_ / "garbage.bin"), "-H",
                             "Content-Type: application/ocsp-request", url_}),
            200);
  EXPECT_TRUE(contains(slurp(dir_ / "garbage.head"), "Content-Type: application/ocsp-response"));
  auto garbage = read_response(dir_ / "garbage.der");
  EXPECT_TRUE(contains(garbage.output, "Responder Error: malformedrequest (1)")) << garbage.output;
  EXPECT_TRUE(server_->wait_for("ocsp malformedRequest (not a DER OCSPRequest)"))
      << server_->output();

  // More certificates in one request than are answered; as many as are, answered.
  std::vector<std::string> nine;
  for (int i = 1; i <= 9; ++i) nine.insert(nine.end(), {"-serial", std::to_string(i)});
  auto too_many = ask(nine);
  EXPECT_TRUE(contains(too_many.output, "Responder Error: malformedrequest (1)"))
      << too_many.output;
  auto eight = ask(std::vector<std::string>(nine.begin(), nine.begin() + 16));
  EXPECT_EQ(eight.exit_code, 0) << eight.output;
  EXPECT_EQ(test_support::occurrences(eight.output, ": unknown"), 8u) << eight.output;

  // Too large for any request: refused by the HTTP layer, as every other body is.
  std::ofstream(dir_ / "large.bin") << std::string(2 << 20, '\0');
  EXPECT_EQ(curl("large", {"--data-binary", "@" + (dir_ / "large.bin"), url_}), 413);

  // The wrong method for either form.
  EXPECT_EQ(curl("put", {"-X", "PUT", url_}), 405);
  EXPECT_TRUE(contains(slurp(dir_ / "put.head"), "Allow: POST\r\n"));
  EXPECT_EQ(curl("get", {url_}), 405);
  EXPECT_EQ(curl("post", {"--data-binary", "x", url_ + "/AAAA"}), 405);
  EXPECT_TRUE(contains(slurp(dir_ / "post.head"), "Allow: GET, HEAD\r\n"));

  // After all of it, a good request is answered as ever.
  auto good = ask({"-cert", leaf});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_TRUE(contains(good.output, "www.example.test.crt: good")) << good.output;
  EXPECT_TRUE(server_->running());
}

// The responder's own edges, in-process: what lies around a well-formed request.
class CaOcspResponder : public ::testing::Test {
 protected:
  void SetUp() override {
    auto authority = Authority::init(dir_.path() / "ca", InitOptions{});
    ASSERT_TRUE(authority) << authority.error().message;
    authority_.emplace(std::move(authority).value());
  }

  std::string request_der(int certificates) {
    OcspRequestPtr request(OCSP_REQUEST_new());
    for (int i = 0; i < certificates; ++i) {
      OCSP_request_add0_id(request.get(),
                           OCSP_cert_to_id(nullptr, nullptr, authority_->intermediate()));
    }
    return tls::to_der(request.get(), i2d_OCSP_REQUEST);
  }

  static int status_of(const OcspAnswer& answer) {
    OcspResponsePtr response = parse_response(answer.der);
    return response ? OCSP_response_status(response.get()) : -1;
  }

  TempDir dir_;
  std::optional<Authority> authority_;
};

TEST_F(CaOcspResponder, AnswersOnlyWholeRequestsOfOneToEightCertificates) {
  OcspResponder responder(*authority_);
  const std::time_t now = std::time(nullptr);
  const OcspAnswer one = responder.answer(request_der(1), now);
  EXPECT_EQ(status_of(one), OCSP_RESPONSE_STATUS_SUCCESSFUL) << one.summary;
  EXPECT_TRUE(one.successful);
  EXPECT_EQ(one.next_update - one.this_update, kOcspResponseLifetime);
  EXPECT_EQ(status_of(responder.answer(request_der(8), now)), OCSP_RESPONSE_STATUS_SUCCESSFUL);

  for (const std::string& bad : {request_der(0), request_der(9), request_der(1) + "x",
                                 request_der(1).substr(0, 20), std::string()}) {
    const OcspAnswer answer = responder.answer(bad, now);
    EXPECT_EQ(status_of(answer), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) << answer.summary;
    EXPECT_FALSE(answer.successful);
  }
  EXPECT_EQ(ERR_peek_error(), 0u);  // nothing left for the next request to trip over
}

// Nothing in a request makes the signed answer large: the request's size is capped, and a
// CertID's serial is at most 20 octets (RFC 5280 section 4.1.2.2), as the CA's own are.
TEST_F(CaOcspResponder, RefusesOversizedRequestsAndSerials) {
  OcspResponder responder(*authority_);
  const std::time_t now = std::time(nullptr);
  const auto with_serial = [&](int octets) {
    tls::Asn1IntegerPtr serial(ASN1_INTEGER_new());
    const std::string bytes(static_cast<std::size_t>(octets), '\x7f');
    ASN1_STRING_set(serial.get(), bytes.data(), octets);
    OcspRequestPtr request(OCSP_REQUEST_new());
    X509* issuer = authority_->intermediate();
    OCSP_request_add0_id(request.get(),
                         OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuer),
                                          X509_get0_pubkey_bitstr(issuer), serial.get()));
    return tls::to_der(request.get(), i2d_OCSP_REQUEST);
  };
  const OcspAnswer twenty = responder.answer(with_serial(20), now);
  EXPECT_EQ(status_of(twenty), OCSP_RESPONSE_STATUS_SUCCESSFUL) << twenty.summary;
  const OcspAnswer longer = responder.answer(with_serial(21), now);
  EXPECT_EQ(status_of(longer), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) << longer.summary;

  OcspRequestPtr big(OCSP_REQUEST_new());
  OCSP_request_add0_id(big.get(), OCSP_cert_to_id(nullptr, nullptr, authority_->intermediate()));
  OCSP_request_add1_nonce(big.get(), nullptr, 5000);
  const OcspAnswer oversized = responder.answer(tls::to_der(big.get(), i2d_OCSP_REQUEST), now);
  EXPECT_EQ(status_of(oversized), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST) << oversized.summary;
  EXPECT_LT(oversized.der.size(), 100u);
}

TEST(CaOcspGetPath, DecodesBase64EscapedOrNot) {
  EXPECT_EQ(decode_ocsp_get_path("%2F%2B8%3D"), std::string("\xff\xef", 2));
  EXPECT_EQ(decode_ocsp_get_path("/+8="), std::string("\xff\xef", 2));
  EXPECT_EQ(decode_ocsp_get_path("MAo%3d"), std::string("0\n"));
  EXPECT_FALSE(decode_ocsp_get_path(""));
  EXPECT_FALSE(decode_ocsp_get_path("not*base64"));
  EXPECT_FALSE(decode_ocsp_get_path("MAo"));  // padding is part of base64
}

}  // namespace
}  // namespace miniweb::ca
