#pragma once
// A site certificate for a test server: a fresh CA in `dir`/ca (its root at ca/root.pem for
// clients to trust), and the site's chain and key at `dir`/chain.pem and `dir`/key.pem, the
// paths the tests' configurations name.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ca/authority.hpp"
#include "ca/crypto.hpp"

namespace miniweb::test_support {

inline ::testing::AssertionResult issue_test_certificate(const std::filesystem::path& dir,
                                                         const std::vector<std::string>& names) {
  auto authority = ca::Authority::init(dir / "ca", ca::InitOptions{});
  if (!authority) return ::testing::AssertionFailure() << authority.error().message;
  ca::IssueRequest request;
  request.names = names;
  auto issued = authority->issue(std::move(request));
  if (!issued) return ::testing::AssertionFailure() << issued.error().message;
  std::ofstream(dir / "chain.pem") << issued->chain_pem;
  if (auto written = ca::write_private_key(dir / "key.pem", issued->private_key.get()); !written)
    return ::testing::AssertionFailure() << written.error().message;
  return ::testing::AssertionSuccess();
}

}  // namespace miniweb::test_support
