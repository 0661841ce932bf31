// Certificates: `openssl verify -x509_strict -purpose sslserver -verify_hostname` is the floor.
// Over chains made for each case (chain_factory), the browser's own TLS client, in a handshake
// with `openssl s_server` on 127.77.0.x, refuses every chain openssl refuses, and on top of it
// what Chromium refuses and openssl allows (the cases whose reason names the rule). The good
// chain is accepted by both, so the suite fails the other way too.
//
// `./miniweb test` runs the table and a fixed handful of combinations (two cases' changes on one
// chain, where only the floor is asserted). Longer, by hand:
//   MINIWEB_DIFFCERT_PAIRS=200 MINIWEB_DIFFCERT_SEED=7 (the seed is optional)
//   build/test/tests/differential/certificates/differential_certificate_tests
//   --gtest_filter='*Combinations*'   (one command line)

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include "tests/differential/certificates/certificate_cases.hpp"
#include "tests/differential/certificates/verifiers.hpp"

namespace miniweb::differential {
namespace {

constexpr std::uint16_t kPort = 27443;

std::filesystem::path work_dir() {
  static const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("miniweb-diffcert-" + std::to_string(::getpid()));
  return dir;
}

struct Row {
  std::string name;
  Verdict openssl;
  Verdict browser;
};

std::vector<Row>& rows() {
  static std::vector<Row> all;
  return all;
}

const char* word(bool accepted) {
  return accepted ? "accept" : "REFUSE";
}

// The table of verdicts, printed once the suite is done (the report's table), and the chains'
// folder removed.
class SuiteEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!rows().empty()) {
      std::cout << "\n| case | openssl verify | browser | browser's reason |\n|---|---|---|---|\n";
      for (const Row& row : rows())
        std::cout << "| " << row.name << " | " << word(row.openssl.accepted) << " | "
                  << word(row.browser.accepted) << " | "
                  << (row.browser.accepted ? "" : row.browser.detail.substr(0, 90)) << " |\n";
    }
    std::filesystem::remove_all(work_dir());
  }
};
const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SuiteEnvironment);

std::string address_for(std::size_t index) {
  return "127.77.0." + std::to_string(10 + index % 240);
}

class CertificateDifferential : public ::testing::TestWithParam<std::size_t> {};

TEST_P(CertificateDifferential, BrowserRefusesAtLeastWhatOpensslRefuses) {
  const CertificateCase& c = certificate_cases()[GetParam()];
  ChainSpec spec = good_chain();
  c.change(spec);
  const ChainFiles files = write_chain(spec, work_dir() / c.name);
  const Verdict openssl = openssl_verify(files, spec.host);
  const Verdict browser = browser_verify(files, spec.host, address_for(GetParam()), kPort);
  rows().push_back({c.name, openssl, browser});
  SCOPED_TRACE(c.name + ": " + c.reason);

  // The floor: nothing openssl refuses gets through.
  if (!openssl.accepted) {
    EXPECT_FALSE(browser.accepted)
        << "openssl refuses (" << openssl.detail << ") but the browser accepts: " << browser.detail;
  }
  // The table says what each verifier answers; a verdict that changes makes it stale.
  EXPECT_EQ(openssl.accepted, c.openssl == Expect::Accept) << "openssl: " << openssl.detail;
  EXPECT_EQ(browser.accepted, c.browser == Expect::Accept) << "browser: " << browser.detail;
  if (!browser.accepted && c.browser == Expect::Refuse) {
    EXPECT_NE(browser.detail.find(c.browser_error + ":"), std::string::npos)
        << "the browser refuses for another reason than " << c.browser_error << ": "
        << browser.detail;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, CertificateDifferential,
                         ::testing::Range(std::size_t{0}, certificate_cases().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& info) {
                           return certificate_cases()[info.param].name;
                         });

std::size_t env_number(const char* name, std::size_t fallback) {
  const char* text = std::getenv(name);
  return text && *text ? std::strtoul(text, nullptr, 10) : fallback;
}

// Two cases' changes on one chain: only the floor holds whatever the mix (a later change may
// undo an earlier one, so the table's expectations do not carry over).
TEST(CertificateDifferentialCombinations, BrowserRefusesWhatOpensslRefuses) {
  const std::size_t pairs = env_number("MINIWEB_DIFFCERT_PAIRS", 6);
  std::mt19937 random(
      static_cast<std::mt19937::result_type>(env_number("MINIWEB_DIFFCERT_SEED", 19)));
  const auto& cases = certificate_cases();
  std::uniform_int_distribution<std::size_t> pick(0, cases.size() - 1);
  for (std::size_t i = 0; i < pairs; ++i) {
    const CertificateCase& a = cases[pick(random)];
    const CertificateCase& b = cases[pick(random)];
    const std::string name = a.name + "+" + b.name;
    const ChainSpec spec = combined_chain(a, b);
    const ChainFiles files = write_chain(spec, work_dir() / ("pair-" + std::to_string(i)));
    const Verdict openssl = openssl_verify(files, spec.host);
    const Verdict browser = browser_verify(files, spec.host, address_for(100 + i), kPort);
    rows().push_back({name, openssl, browser});
    if (!openssl.accepted) {
      EXPECT_FALSE(browser.accepted) << name << ": openssl refuses (" << openssl.detail
                                     << ") but the browser accepts: " << browser.detail;
    }
  }
}

}  // namespace
}  // namespace miniweb::differential
