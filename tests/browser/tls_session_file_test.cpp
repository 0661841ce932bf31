// The text the profile's TLS sessions are kept in (browser/net/tls_session_file.hpp): what is
// written reads back the same, whatever bytes a server put in its certificate's names, and a
// line that does not read whole is counted and left out, the others kept.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "browser/net/tls_session_file.hpp"

namespace miniweb::browser {
namespace {

TlsSessionStore::Kept session(std::string der, std::string certificate) {
  return TlsSessionStore::Kept{.der = std::move(der),
                               .trust = "/state/ca/root.pem 615 1796640670.5",
                               .expires = 1796649459,
                               .server = {.verified_at = 1796645859,
                                          .verification = "OK, chain to CN=miniweb Root CA",
                                          .revocation = "",
                                          .certificate = std::move(certificate),
                                          .certificate_ends = 1804415469},
                               .from_profile = false};
}

void expect_same(const TlsSessionStore::Kept& read, const TlsSessionStore::Kept& written) {
  EXPECT_EQ(read.der, written.der);
  EXPECT_EQ(read.trust, written.trust);
  EXPECT_EQ(read.expires, written.expires);
  EXPECT_EQ(read.server.verified_at, written.server.verified_at);
  EXPECT_EQ(read.server.verification, written.server.verification);
  EXPECT_EQ(read.server.revocation, written.server.revocation);
  EXPECT_EQ(read.server.certificate, written.server.certificate);
  EXPECT_EQ(read.server.certificate_ends, written.server.certificate_ends);
  EXPECT_TRUE(read.from_profile);
}

TEST(TlsSessionFile, WhatIsWrittenReadsBackTheSameInItsOrder) {
  // Bytes a hostile server may put in its names: the separators, escapes, no UTF-8.
  const std::string awkward = std::string("CN=a\tb\nc\\t\r\\") + '\xff' + '\0' + "end";
  const SessionsByOrigin written = {{"https://www.example.test",
                                     {session("\x30\x01\x02", "CN=www.example.test"),
                                      session(std::string("\x30\x00\x09\n", 4), awkward)}},
                                    {"https://odd\torigin:8443", {session("\x30\x05", "")}}};
  const std::string text = sessions_file_text(written);
  EXPECT_EQ(text.front(), '#');
  // One line a session under the header: nothing written broke a line.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);

  const SessionsFileRead read = read_sessions_file(text);
  EXPECT_TRUE(read.is_session_file);
  EXPECT_EQ(read.damaged, 0u);
  ASSERT_EQ(read.by_origin.size(), written.size());
  for (const auto& [origin, sessions] : written) {
    ASSERT_EQ(read.by_origin.count(origin), 1u) << origin;
    const auto& read_sessions = read.by_origin.at(origin);
    ASSERT_EQ(read_sessions.size(), sessions.size()) << origin;
    for (std::size_t i = 0; i < sessions.size(); ++i) expect_same(read_sessions[i], sessions[i]);
  }
}

TEST(TlsSessionFile, AStoreOfNoSessionIsItsHeader) {
  const std::string text = sessions_file_text({});
  const SessionsFileRead read = read_sessions_file(text);
  EXPECT_TRUE(read.is_session_file);
  EXPECT_TRUE(read.by_origin.empty());
  // Without its newline too (a file cut short after its first line).
  EXPECT_TRUE(read_sessions_file(text.substr(0, text.size() - 1)).is_session_file);
}

TEST(TlsSessionFile, ADamagedLineIsLeftOutAndCounted) {
  const std::string header = sessions_file_text({});
  const std::string good =
      sessions_file_text({{"https://a.test", {session("\x30\x01", "CN=a.test")}}})
          .substr(header.size());
  const std::string lines[] = {
      "https://a.test\t1\t2\n",                             // fields missing
      "https://a.test\t1\t2\t3\tMAE\tt\tv\tr\tc\textra\n",  // a field too many
      "https://a.test\tsoon\t2\t3\tMAE\tt\tv\tr\tc\n",      // a time not a number
      "https://a.test\t1x\t2\t3\tMAE\tt\tv\tr\tc\n",        // nor this
      "https://a.test\t1\t2\t3\t%%%\tt\tv\tr\tc\n",         // not base64url
      "https://a.test\t1\t2\t3\tMAE\tt\\q\tv\tr\tc\n",      // an escape there is none of
      "https://a.test\t1\t2\t3\tMAE\tt\tv\tr\tc\\\n",       // an escape cut short
      "https://a.test\t1\t2\t3\t\tt\tv\tr\tc\n",            // no session
      "https://a.test\t1\t2\t3\tMAE\t\tv\tr\tc\n",          // no roots' identity
      "https://a.test\t1\t2\t3\tMAE\tt\t\tr\tc\n",          // no verification
      "https://a.test\t0\t2\t3\tMAE\tt\tv\tr\tc\n",         // never expires
      "https://a.test\t1\t2\t0\tMAE\tt\tv\tr\tc\n",         // no certificate's end
      "\t1\t2\t3\tMAE\tt\tv\tr\tc\n",                       // no origin
  };
  for (const std::string& line : lines) {
    const SessionsFileRead read = read_sessions_file(header + good + line + good);
    EXPECT_TRUE(read.is_session_file) << line;
    EXPECT_EQ(read.damaged, 1u) << line;
    ASSERT_EQ(read.by_origin.count("https://a.test"), 1u) << line;
    EXPECT_EQ(read.by_origin.at("https://a.test").size(), 2u) << line;  // the good ones kept
  }
  // Comments and empty lines are neither.
  const SessionsFileRead commented = read_sessions_file(header + "# a note\n\n" + good);
  EXPECT_EQ(commented.damaged, 0u);
  EXPECT_EQ(commented.by_origin.size(), 1u);
}

TEST(TlsSessionFile, AnotherFormatIsNotASessionFile) {
  const std::string header = sessions_file_text({});
  for (const std::string& text :
       {std::string(), std::string("{\"https://a.test\": []}\n"), std::string("\n") + header,
        header.substr(0, header.size() - 2) + "\n", "x" + header}) {
    const SessionsFileRead read = read_sessions_file(text);
    EXPECT_FALSE(read.is_session_file) << text;
    EXPECT_TRUE(read.by_origin.empty()) << text;
  }
}

}  // namespace
}  // namespace miniweb::browser
