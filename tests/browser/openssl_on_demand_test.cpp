// The real miniweb-browser binary loads OpenSSL, a module beside it, at its first call into
// OpenSSL (cmake/openssl_on_demand.cmake): a page from a file never loads it, a page over
// https does, and a program moved without its module still shows files and says what is
// missing for the rest. What the dynamic loader opened is its own account (LD_DEBUG=files).

#include <arpa/inet.h>
#include <elf.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "browser/exit_codes.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using miniweb::test_support::run_command;
using miniweb::test_support::RunResult;
using miniweb::test_support::TempDir;
namespace fs = std::filesystem;

constexpr const char* kModule = "libminiweb-browser-openssl.so";

// Whether the ELF file at `path` (64-bit, as the stubs are x86-64) has `tag` in its dynamic
// section, found from its program headers as the dynamic loader finds it.
bool has_dynamic_tag(const fs::path& path, Elf64_Sxword tag) {
  std::ifstream in(path, std::ios::binary);
  const auto read_at = [&in](std::uint64_t offset, auto& into) {
    in.seekg(static_cast<std::streamoff>(offset));
    return static_cast<bool>(in.read(reinterpret_cast<char*>(&into), sizeof into));
  };
  Elf64_Ehdr header;
  if (!read_at(0, header)) return false;
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    if (!read_at(header.e_phoff + std::uint64_t(i) * header.e_phentsize, segment)) return false;
    if (segment.p_type != PT_DYNAMIC) continue;
    for (std::uint64_t at = 0; at + sizeof(Elf64_Dyn) <= segment.p_filesz;
         at += sizeof(Elf64_Dyn)) {
      Elf64_Dyn dynamic;
      if (!read_at(segment.p_offset + at, dynamic) || dynamic.d_tag == DT_NULL) break;
      if (dynamic.d_tag == tag) return true;
    }
  }
  return false;
}

class OpensslOnDemandTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if !defined(__x86_64__)
    GTEST_SKIP() << "the stubs that load OpenSSL on first use are x86-64 code; elsewhere the "
                    "browser links OpenSSL at its start";
#endif
    std::ofstream(page_) << "<title>t</title><p>a page from a file</p>\n";
  }

  // The browser with the dynamic loader saying what it opens, on standard error.
  RunResult browse(const fs::path& browser, const std::string& url) {
    return run_command(
        "LD_DEBUG=files " + browser.string() + " --hosts /dev/null --dump '" + url + "'",
        dir_.path() / "err");
  }

  TempDir dir_{"miniweb-openssl-on-demand"};
  fs::path page_ = dir_.path() / "page.html";
};

TEST_F(OpensslOnDemandTest, APageFromAFileLoadsNoOpenssl) {
  const RunResult result = browse(MINIWEB_BROWSER_BINARY, page_.string());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("a page from a file"), std::string::npos) << result.out;
  EXPECT_EQ(result.err.find(kModule), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("libssl"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("libcrypto"), std::string::npos) << result.err;
}

// Nothing listens on port 1: the load fails at its TCP connection, after the TLS client's
// context has started being built beside it, which loads the module.
TEST_F(OpensslOnDemandTest, AnHttpsLoadLoadsTheModuleBesideTheProgram) {
  const RunResult result = browse(MINIWEB_BROWSER_BINARY, "https://127.0.0.1:1/");
  EXPECT_EQ(result.exit_code, miniweb::browser::exit_code::kConnect) << result.err;
  const fs::path module = fs::path(MINIWEB_BROWSER_BINARY).parent_path() / kModule;
  EXPECT_NE(result.err.find("file=" + module.string() + " [0];  dynamically loaded by"),
            std::string::npos)
      << result.err;
}

TEST_F(OpensslOnDemandTest, AProgramWithoutItsModuleShowsFilesAndSaysWhatIsMissing) {
  const fs::path lone = dir_.path() / "lone" / "miniweb-browser";
  fs::create_directories(lone.parent_path());
  fs::copy_file(MINIWEB_BROWSER_BINARY, lone);

  const RunResult file = browse(lone, page_.string());
  EXPECT_EQ(file.exit_code, 0) << file.err;
  EXPECT_NE(file.out.find("a page from a file"), std::string::npos) << file.out;

  const RunResult https = browse(lone, "https://127.0.0.1:1/");
  EXPECT_EQ(https.exit_code, miniweb::browser::exit_code::kFailed) << https.err;
  EXPECT_NE(
      https.err.find("miniweb-browser: cannot load its OpenSSL module, which TLS needs: " +
                     (lone.parent_path() / kModule).string() + ": cannot open shared object file"),
      std::string::npos)
      << https.err;
}

// The module's 18,544 relative relocations, applied at every https load's start, are read from
// a packed bitmap (DT_RELR, CMakeLists.txt), not from 445 KB of entries; the program's too.
TEST_F(OpensslOnDemandTest, TheModuleAndTheProgramPackTheirRelativeRelocations) {
#if !MINIWEB_PACK_RELATIVE_RELOCS
  GTEST_SKIP() << "this linker cannot pack relative relocations (-z pack-relative-relocs)";
#endif
  const fs::path browser = MINIWEB_BROWSER_BINARY;
  EXPECT_TRUE(has_dynamic_tag(browser.parent_path() / kModule, DT_RELR));
  EXPECT_TRUE(has_dynamic_tag(browser, DT_RELR));
  // The reading itself: entries every dynamically linked program has, and one that no
  // position-independent program has.
  EXPECT_TRUE(has_dynamic_tag(browser, DT_NEEDED));
  EXPECT_TRUE(has_dynamic_tag(browser, DT_STRTAB));
  EXPECT_FALSE(has_dynamic_tag(browser, DT_TEXTREL));
}

// The module loads OpenSSL's error strings only when the program first reads one
// (browser/openssl/module.cpp): a handshake that fails still says why in OpenSSL's words. The
// server here answers the ClientHello in plain HTTP, as a web server on the wrong port does.
TEST_F(OpensslOnDemandTest, AFailedHandshakeSaysWhyInOpensslsWords) {
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::thread plain_http([listener] {
    const int connection = ::accept(listener, nullptr, nullptr);
    if (connection < 0) return;
    char hello[4096];
    (void)::read(connection, hello, sizeof hello);
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
    (void)::write(connection, answer.data(), answer.size());
    ::close(connection);
  });
  const RunResult result = browse(
      MINIWEB_BROWSER_BINARY, "https://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/");
  plain_http.join();
  ::close(listener);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("failed: wrong version number (SSL routines)"), std::string::npos)
      << result.err;
}

}  // namespace
