// Linked into a test program, sets OpenSSL up as miniweb-browser does before any test runs
// (browser/net/openssl_start.hpp: its provider, no openssl.cnf), so that the browser's code
// under test meets the OpenSSL the browser runs.

#include <gtest/gtest.h>
#include <openssl/provider.h>

#include "browser/net/openssl_start.hpp"

namespace {

class OpensslAsTheBrowser : public ::testing::Environment {
 public:
  void SetUp() override {
    miniweb::browser::start_openssl();
    ASSERT_EQ(OSSL_PROVIDER_available(nullptr, miniweb::browser::kBrowserProviderName), 1);
    ASSERT_EQ(OSSL_PROVIDER_available(nullptr, "default"), 0);
  }
};

const auto* const kOpensslAsTheBrowser =
    ::testing::AddGlobalTestEnvironment(new OpensslAsTheBrowser);

}  // namespace
