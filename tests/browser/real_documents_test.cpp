// The dump of real documents that nobody here wrote, beside `w3m -dump` of the same files:
// no text may be lost. Three generators of manuals, from Debian's packages: Sphinx (Python's
// documentation, python3.11-doc), Node.js's own (nodejs-doc) and Doxygen (the libstdc++ API
// reference, libstdc++-12-doc).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "browser/dump.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::browser {
namespace {

const std::filesystem::path kDocs = "/usr/share/doc/python3.11/html";

const auto run = &test_support::command_output;

// Words as runs of ASCII letters and digits, lower-cased. Non-ASCII bytes separate words:
// the two dumps draw typographic marks (dashes, quotes, pilcrows) differently around words.
std::map<std::string, int> count_words(std::string_view text) {
  std::map<std::string, int> words;
  std::string word;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80 && std::isalnum(byte)) {
      word += static_cast<char>(std::tolower(byte));
    } else if (!word.empty()) {
      ++words[word];
      word.clear();
    }
  }
  if (!word.empty()) ++words[word];
  return words;
}

// The share of w3m's words (with their counts) that our text also has.
double coverage(const std::string& reference, const std::string& ours) {
  auto expected = count_words(reference);
  auto found = count_words(ours);
  long total = 0, matched = 0;
  for (const auto& [word, count] : expected) {
    total += count;
    matched += std::min(count, found[word]);
  }
  return total ? 100.0 * static_cast<double>(matched) / static_cast<double>(total) : 0.0;
}

// What miniweb-browser --dump prints for the file, through the navigator as the dump face
// loads it.
std::string our_text(const std::filesystem::path& file) {
  Navigator navigator(NavigatorOptions{});
  Trace trace;
  auto page = navigator.load_now(*Url::parse("file://" + file.string()),
                                 Viewport{.width = 80, .text_as_pages = false}, trace);
  if (!page) return "";
  // The references list is ours alone (w3m -dump prints none): compare the page text only.
  std::string text = dump_text(*page);
  if (auto references = text.rfind("\nReferences\n"); references != std::string::npos)
    text.resize(references);
  return text;
}

TEST(BrowserRealDocuments, KeepEveryWordThatW3mShows) {
  ASSERT_TRUE(std::filesystem::exists(kDocs))
      << "python3.11-doc is missing: run scripts/install-deps.sh";
  ASSERT_FALSE(run("command -v w3m").empty()) << "w3m is missing: run scripts/install-deps.sh";
  for (const char* page :
       {"library/stdtypes.html", "library/os.html", "reference/datamodel.html",
        "tutorial/controlflow.html", "library/functions.html", "howto/logging-cookbook.html"}) {
    const auto file = kDocs / page;
    const std::string reference = run("w3m -dump -cols 80 -T text/html '" + file.string() + "'");
    ASSERT_GT(reference.size(), 1000u) << page;
    const double percent = coverage(reference, our_text(file));
    EXPECT_GE(percent, 98.0) << page << ": only " << percent
                             << "% of w3m's words appear in our dump";
  }
}

// The largest page of each of the other two manuals: the Node.js API on one page (5.7 MB)
// and the largest Doxygen page of the libstdc++ reference (3.7 MB), the bench's documents.
TEST(BrowserRealDocuments, KeepEveryWordOfLargeNodeAndDoxygenPages) {
  ASSERT_FALSE(run("command -v w3m").empty()) << "w3m is missing: run scripts/install-deps.sh";
  const std::filesystem::path node = "/usr/share/doc/nodejs/api/all.html";
  ASSERT_TRUE(std::filesystem::exists(node))
      << "nodejs-doc is missing: run scripts/install-deps.sh";
  std::filesystem::path doxygen;
  std::uintmax_t largest = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/usr/share/doc/gcc-12-base/libstdc++/user", error)) {
    if (entry.path().extension() == ".html" && entry.file_size() > largest) {
      largest = entry.file_size();
      doxygen = entry.path();
    }
  }
  ASSERT_GT(largest, 1'000'000u) << "libstdc++-12-doc is missing: run scripts/install-deps.sh";
  for (const auto& file : {node, doxygen}) {
    const std::string reference = run("w3m -dump -cols 80 -T text/html '" + file.string() + "'");
    ASSERT_GT(reference.size(), 100'000u) << file;
    const double percent = coverage(reference, our_text(file));
    EXPECT_GE(percent, 98.0) << file << ": only " << percent
                             << "% of w3m's words appear in our dump";
  }
}

TEST(BrowserRealDocuments, TheMeasureNoticesLostText) {
  const auto file = kDocs / "library/stdtypes.html";
  ASSERT_TRUE(std::filesystem::exists(file));
  const std::string reference = run("w3m -dump -cols 80 -T text/html '" + file.string() + "'");
  const std::string ours = our_text(file);
  EXPECT_LT(coverage(reference, ours.substr(0, ours.size() / 2)), 70.0);
}

}  // namespace
}  // namespace miniweb::browser
