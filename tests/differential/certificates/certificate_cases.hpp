#pragma once
// The suite's table: each case is the good chain with one thing changed, what openssl verify
// and the browser are to answer, and why. Where the browser refuses what openssl accepts, the
// reason names the rule (CA/Browser Forum Baseline Requirements, Chromium's policy, an RFC).

#include <functional>
#include <string>
#include <vector>

#include "tests/differential/certificates/chain_factory.hpp"

namespace miniweb::differential {

enum class Expect { Accept, Refuse };

struct CertificateCase {
  std::string name;  // a gtest name: letters, digits and underscores
  std::function<void(ChainSpec&)> change;
  Expect openssl;
  Expect browser;
  std::string browser_error;  // the NET:: error the browser names when it refuses
  std::string reason;         // what is wrong, and for browser-only refusals, whose rule it is
};

const std::vector<CertificateCase>& certificate_cases();

// The chain of `a` with `b`'s change applied on top, for the combined runs.
ChainSpec combined_chain(const CertificateCase& a, const CertificateCase& b);

}  // namespace miniweb::differential
