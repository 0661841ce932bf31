// The TLS client context's head start (browser/net/tls_context): begun only for an https URL
// among the program's arguments, taken by the first context built, and freed when nobody takes
// it.

#include "browser/net/tls_context.hpp"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "browser/net/tls_client.hpp"
#include "tests/browser/head_start_ready.hpp"
#include "tests/browser/localhost_certificate.hpp"
#include "tests/support/no_new_threads.hpp"

namespace miniweb::browser {
namespace {

// The certificates (and CRLs) the context's store holds: its trusted roots, once read.
int roots_in(SSL_CTX* context) {
  return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(context)));
}

// A context built to trust `trusted`, taking a head start for https://localhost/ that was told
// `told` ahead and had made its context (reading the roots) before the load asked for it.
ClientContext built_after_reading_ahead(const std::filesystem::path& told,
                                        const std::filesystem::path& trusted,
                                        HttpVersions versions) {
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://localhost/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  head_start.trust_ahead(told);
  EXPECT_TRUE(test::wait_until_ready(head_start));
  ClientContext built = build_client_context(trusted, versions, &head_start);
  EXPECT_EQ(head_start.take(), nullptr);  // taken, whether used or not
  return built;
}

TEST(ContextHeadStart, NoHttpsUrlAmongTheArgumentsBeginsNone) {
  std::array<char*, 5> argv{const_cast<char*>("miniweb-browser"), const_cast<char*>("--dump"),
                            const_cast<char*>("--proxy"), const_cast<char*>("http://127.0.0.1:1"),
                            const_cast<char*>("/tmp/page.html")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  EXPECT_FALSE(head_start.began());
  EXPECT_EQ(head_start.take(), nullptr);
}

TEST(ContextHeadStart, AnHttpsUrlInAnyCaseBeginsOneThatIsTakenOnce) {
  std::array<char*, 3> argv{const_cast<char*>("miniweb-browser"), const_cast<char*>("--dump"),
                            const_cast<char*>("HTTPS://www.example.test/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(head_start.began());
  tls::SslCtxPtr made = head_start.take();
  ASSERT_NE(made, nullptr);
  EXPECT_NE(SSL_CTX_get_options(made.get()) & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_EQ(head_start.take(), nullptr);
}

// Left to the destructor, which waits for it and frees it (LeakSanitizer would say otherwise).
TEST(ContextHeadStart, OneNotTakenIsFreed) {
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://www.example.test/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
}

// Where its thread cannot be made, the load that takes the context makes it, and the work given
// for after it (the launcher's stale check) runs too: taking it never waits for a thread that
// does not exist.
TEST(ContextHeadStart, AThreadThatCannotBeMadeLeavesTheContextToTheLoad) {
  EXPECT_EQ(test_support::run_where_no_thread_can_be_made([] {
              std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                                        const_cast<char*>("https://www.example.test/")};
              bool then_ran = false;
              ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data(),
                                          [&] { then_ran = true; });
              if (!head_start.began() || !head_start.pending()) return 1;
              if (head_start.ready()) return 2;
              tls::SslCtxPtr made = head_start.take();
              if (made == nullptr) return 3;
              return then_ran ? 0 : 4;
            }),
            "exit 0");
}

// Once its context is made, the head start's thread stays for work handed to it later (the
// profile's files), which runs there, not on the thread that handed it over.
TEST(ContextHeadStart, ItsThreadTakesWorkForLaterAndRunsItThere) {
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://www.example.test/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  ASSERT_NE(head_start.take(), nullptr);
  ASSERT_TRUE(head_start.runs_later());
  std::thread::id ran_on;
  int runs = 0;
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(head_start.run_later([&] {
      ran_on = std::this_thread::get_id();
      ++runs;
    }));
  head_start.wait_for_later();
  EXPECT_EQ(runs, 2);
  EXPECT_NE(ran_on, std::thread::id());
  EXPECT_NE(ran_on, std::this_thread::get_id());
}

// With no head start, or none whose thread could be made, there is no thread to hand work to:
// the caller keeps it.
TEST(ContextHeadStart, WithNoThreadOfItsOwnItTakesNoWorkForLater) {
  std::array<char*, 2> none{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("http://www.example.test/")};
  ContextHeadStart not_begun(static_cast<int>(none.size()), none.data());
  EXPECT_FALSE(not_begun.runs_later());
  EXPECT_FALSE(not_begun.run_later([] {}));
  EXPECT_EQ(test_support::run_where_no_thread_can_be_made([] {
              std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                                        const_cast<char*>("https://www.example.test/")};
              ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
              if (!head_start.began()) return 1;
              if (head_start.runs_later() || head_start.run_later([] {})) return 2;
              return head_start.take() != nullptr ? 0 : 3;
            }),
            "exit 0");
}

// A load with no head start builds its context on a thread of its own; where none can be made,
// the handshake that asks for the context builds it.
TEST(PrepareClientContext, WhereNoThreadCanBeMadeTheContextIsBuiltWhenAskedFor) {
  const test::LocalhostCertificate certificate("no-thread");
  EXPECT_EQ(test_support::run_where_no_thread_can_be_made([&] {
              std::future<ClientContext> prepared =
                  prepare_client_context(certificate.cert, HttpVersions::Http2AndHttp11, nullptr);
              ClientContext built = prepared.get();
              return built && SSL_CTX_get_verify_mode((*built)->native_handle()) == SSL_VERIFY_PEER
                         ? 0
                         : 1;
            }),
            "exit 0");
}

TEST(ContextHeadStart, TheFirstContextBuiltTakesItAndSetsItUp) {
  const test::LocalhostCertificate certificate("head-start");
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://localhost/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  ClientContext built =
      build_client_context(certificate.cert, HttpVersions::Http2AndHttp11, &head_start);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(head_start.take(), nullptr);  // taken
  SSL_CTX* context = (*built)->native_handle();
  EXPECT_EQ(SSL_CTX_get_verify_mode(context), SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context), TLS1_2_VERSION);
  // The roots wait for the first handshake (finish_client_context), which reads them once.
  EXPECT_EQ(roots_in(context), 0);
  EXPECT_FALSE(client_context_finished(context));
  EXPECT_FALSE(take_trusted_roots_read(context));
  ASSERT_TRUE(finish_client_context(context));
  EXPECT_TRUE(client_context_finished(context));
  EXPECT_EQ(roots_in(context), 1);
  ASSERT_TRUE(finish_client_context(context));  // once
  EXPECT_EQ(roots_in(context), 1);
  const auto read = take_trusted_roots_read(context);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->roots, 1);
  EXPECT_GT(read->took.count(), 0);
  EXPECT_TRUE(read->by_verification);  // no socket was named
  EXPECT_FALSE(read->answer_waiting);
  EXPECT_FALSE(take_trusted_roots_read(context));  // told once
}

// The TLS 1.3 suites go out in Chromium's order (shared/tls/cipher_suites.hpp), AES-128-GCM
// first, not OpenSSL's default (AES-256-GCM first): with or without a head start.
TEST(BuildClientContext, OffersTheTls13SuitesInChromiumsOrder) {
  const test::LocalhostCertificate certificate("suites");
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://localhost/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  for (ContextHeadStart* start : {&head_start, static_cast<ContextHeadStart*>(nullptr)}) {
    ClientContext built =
        build_client_context(certificate.cert, HttpVersions::Http2AndHttp11, start);
    ASSERT_TRUE(built) << built.error().message;
    const tls::SslPtr connection(SSL_new((*built)->native_handle()));
    ASSERT_NE(connection, nullptr);
    const STACK_OF(SSL_CIPHER)* offered = SSL_get_ciphers(connection.get());
    ASSERT_GE(sk_SSL_CIPHER_num(offered), 3);
    std::vector<std::string> first_three;
    for (int i = 0; i < 3; ++i)
      first_three.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(offered, i)));
    EXPECT_EQ(first_three,
              (std::vector<std::string>{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                        "TLS_CHACHA20_POLY1305_SHA256"}));
  }
}

// Told no CA file, the head start hands its context over as soon as it is made.
TEST(ContextHeadStart, ToldNoCaFileItReadsNoRoots) {
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://localhost/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  head_start.trust_ahead(std::nullopt);
  ASSERT_TRUE(test::wait_until_ready(head_start));
  tls::SslCtxPtr made = head_start.take();
  ASSERT_NE(made, nullptr);
  EXPECT_EQ(roots_in(made.get()), 0);
  EXPECT_FALSE(take_trusted_roots_read(made.get()));
}

// Told the CA file before the load waits for the context, the head start's thread reads its
// roots as soon as it has made the context: the context comes set up, its roots read, and the
// read is told once, as the head start's.
TEST(ContextHeadStart, ToldTheCaFileFirstItReadsTheRootsAhead) {
  const test::LocalhostCertificate certificate("ahead");
  ClientContext built =
      built_after_reading_ahead(certificate.cert, certificate.cert, HttpVersions::Http2AndHttp11);
  ASSERT_TRUE(built) << built.error().message;
  SSL_CTX* context = (*built)->native_handle();
  EXPECT_TRUE(client_context_finished(context));
  EXPECT_EQ(roots_in(context), 1);
  ASSERT_TRUE(finish_client_context(context));  // read already: nothing more
  EXPECT_EQ(roots_in(context), 1);
  const auto read = take_trusted_roots_read(context);
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->ahead);
  EXPECT_FALSE(read->by_verification);
  EXPECT_EQ(read->roots, 1);
  EXPECT_FALSE(take_trusted_roots_read(context));
}

// Told the CA file, but the load asks for the context before it is made: the context is handed
// over as soon as it is made, and the roots are left to the handshake, as without the file.
TEST(ContextHeadStart, ALoadWaitingForTheContextLeavesTheRootsToItsHandshake) {
  const test::LocalhostCertificate certificate("ahead-wanted");
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://localhost/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  tls::SslCtxPtr made = head_start.take();  // before it is told the file
  ASSERT_NE(made, nullptr);
  head_start.trust_ahead(certificate.cert);
  EXPECT_EQ(roots_in(made.get()), 0);
  EXPECT_FALSE(head_start.ready());
}

// A file told ahead that holds no certificate: its failure is said when the context is set up
// for it, as the handshake's own read says it.
TEST(ContextHeadStart, ACaFileReadAheadWithNoCertificateIsSaidAtTheHandshake) {
  const test::LocalhostCertificate certificate("ahead-no-roots");
  ClientContext built =
      built_after_reading_ahead(certificate.key, certificate.key, HttpVersions::Http11Only);
  ASSERT_TRUE(built) << built.error().message;
  SSL_CTX* context = (*built)->native_handle();
  EXPECT_TRUE(client_context_finished(context));
  Status read = finish_client_context(context);
  ASSERT_FALSE(read);
  EXPECT_NE(read.error().message.find("cannot load the trusted CA file " +
                                      certificate.key.string() + ": "),
            std::string::npos)
      << read.error().message;
}

// The load trusts another file than the head start was told: the head start's context, with
// the other file's roots, is not used.
TEST(ContextHeadStart, RootsReadAheadFromAnotherFileAreNotTrusted) {
  const test::LocalhostCertificate certificate("ahead-other");
  // The file told ahead holds no certificate: its read fails, and would fail the handshake.
  ClientContext built =
      built_after_reading_ahead(certificate.key, certificate.cert, HttpVersions::Http11Only);
  ASSERT_TRUE(built) << built.error().message;
  SSL_CTX* context = (*built)->native_handle();
  EXPECT_FALSE(client_context_finished(context));
  ASSERT_TRUE(finish_client_context(context));
  EXPECT_EQ(roots_in(context), 1);
}

// A file that opens but holds no certificate: the context is made, and reading its roots says
// why it cannot, every time it is asked.
TEST(ContextHeadStart, ACaFileWithNoCertificateIsSaidWhenItsRootsAreRead) {
  const test::LocalhostCertificate certificate("no-roots");
  ClientContext built = build_client_context(certificate.key, HttpVersions::Http11Only);
  ASSERT_TRUE(built) << built.error().message;
  SSL_CTX* context = (*built)->native_handle();
  for (int time = 0; time < 2; ++time) {
    Status read = finish_client_context(context);
    ASSERT_FALSE(read);
    EXPECT_NE(read.error().message.find("cannot load the trusted CA file " +
                                        certificate.key.string() + ": "),
              std::string::npos)
        << read.error().message;
  }
  EXPECT_TRUE(client_context_finished(context));
  EXPECT_FALSE(take_trusted_roots_read(context));
}

// A CA file that cannot be read is said, and the context taken is freed with the error.
TEST(ContextHeadStart, ABadCaFileIsSaidAfterTakingIt) {
  std::array<char*, 2> argv{const_cast<char*>("miniweb-browser"),
                            const_cast<char*>("https://localhost/")};
  ContextHeadStart head_start(static_cast<int>(argv.size()), argv.data());
  ClientContext built =
      build_client_context("/nonexistent/roots.pem", HttpVersions::Http11Only, &head_start);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find("cannot load the trusted CA file /nonexistent/roots.pem"),
            std::string::npos)
      << built.error().message;
  EXPECT_EQ(head_start.take(), nullptr);
}

}  // namespace
}  // namespace miniweb::browser
