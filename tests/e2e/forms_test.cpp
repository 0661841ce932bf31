// Forms through the whole stack: `./miniweb up`, then the browser fills and submits the shop's
// forms with --fill and --submit, over DNS, TLS and the reverse proxy to miniweb-shop.

#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/stack_fixture.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::RunResult;

class FormsTest : public StackTest {};

TEST_F(FormsTest, TheShopsSearchFormByGet) {
  ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  const RunResult shown = browse("https://shop.example.test/");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("Search [____________________] [Search]"), std::string::npos)
      << shown.out;
  const RunResult found = browse("https://shop.example.test/", "--trace --fill q=mug --submit");
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("1 product matching \"mug\""), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("Search [mug_________________] [Search]"), std::string::npos)
      << found.out;
  EXPECT_NE(found.err.find("request GET https://shop.example.test/?q=mug"), std::string::npos)
      << found.err;
  EXPECT_NE(found.err.find("1 field in the query string"), std::string::npos) << found.err;
}

TEST_F(FormsTest, AnUnknownFieldOfTheShopsFormIsRefused) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult refused = browse("https://shop.example.test/", "--fill query=mug --submit");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("form 1 has no control named 'query' (it has: q (text field))"),
            std::string::npos)
      << refused.err;
}

}  // namespace
