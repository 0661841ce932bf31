#include <gtest/gtest.h>

#include <initializer_list>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/options.hpp"

namespace miniweb::browser {
namespace {

// parse_options over these arguments (after the program's name), with what it printed on
// standard output and standard error.
struct Parsed {
  Result<BrowserOptions> options;
  std::string out;
  std::string err;
};

Parsed parse(std::initializer_list<const char*> arguments) {
  std::vector<std::string> words{"miniweb-browser"};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::ostringstream out;
  std::ostringstream err;
  std::streambuf* const old_out = std::cout.rdbuf(out.rdbuf());
  std::streambuf* const old_err = std::cerr.rdbuf(err.rdbuf());
  auto options = parse_options(static_cast<int>(words.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return Parsed{std::move(options), out.str(), err.str()};
}

// Each bounded option refuses a value past either bound, or one that is not a number, with
// CLI11's message naming the option and the range, and the usage exit code.
TEST(BrowserOptions, BoundedOptionsRefuseValuesOutsideTheirRange) {
  struct Case {
    const char* option;
    const char* value;
    const char* message;
  };
  for (const Case& refused : {
           Case{"--width", "19", "--width: Value 19 not in range 20 to 1000"},
           Case{"--width", "1001", "--width: Value 1001 not in range 20 to 1000"},
           Case{"--width", "wide", "--width: Value wide not in range 20 to 1000"},
           Case{"--capture-limit", "0", "--capture-limit: Value 0 not in range 1 to 1000000"},
           Case{"--timeout", "3601", "--timeout: Value 3601 not in range"},
           Case{"--timeout", "0.001", "--timeout: Value 0.001 not in range"},
           Case{"--submit=1001", nullptr, "--submit: Value 1001 not in range 1 to 1000"},
       }) {
    const Parsed parsed = refused.value
                              ? parse({refused.option, refused.value, "--dump", "page.html"})
                              : parse({refused.option, "--dump", "page.html"});
    ASSERT_FALSE(parsed.options) << refused.option << ' ' << (refused.value ? refused.value : "");
    EXPECT_EQ(parsed.options.error().code, exit_code::kUsage);
    EXPECT_NE(parsed.err.find(refused.message), std::string::npos) << parsed.err;
  }
}

// The bounds themselves are values the options take.
TEST(BrowserOptions, BoundedOptionsTakeTheirBounds) {
  const Parsed parsed = parse({"--width", "20", "--capture-limit", "1000000", "--timeout", "0.01",
                               "--submit=1000", "page.html"});
  ASSERT_TRUE(parsed.options) << parsed.err;
  EXPECT_EQ(parsed.options->width, 20);
  EXPECT_EQ(parsed.options->watch.limits.max_frames, 1000000u);
  EXPECT_EQ(parsed.options->submit_form, 1000);
  EXPECT_EQ(parsed.options->navigator.loader.io_timeout, std::chrono::milliseconds(10));
  EXPECT_EQ(parsed.options->face, Face::Dump);
}

// --help shows each bounded option's range, as CLI::Range describes one.
TEST(BrowserOptions, HelpShowsEachRange) {
  const Parsed parsed = parse({"--help"});
  ASSERT_FALSE(parsed.options);
  EXPECT_EQ(parsed.options.error().code, exit_code::kOk);
  for (const char* shown :
       {"--width INT:INT in [20 - 1000]", "--capture-limit UINT:UINT in [1 - 1000000]",
        "--timeout FLOAT:FLOAT in [0.01 - 3600]", ":INT in [1 - 1000]"})
    EXPECT_NE(parsed.out.find(shown), std::string::npos) << shown << "\n" << parsed.out;
}

}  // namespace
}  // namespace miniweb::browser
