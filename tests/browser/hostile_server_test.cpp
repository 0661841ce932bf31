// The real miniweb-browser binary, --dump, against origins on loopback that misbehave: a huge
// document, a server that stalls, a gzip bomb, a broken chunked body, redirect loops. Each
// must end with a clear message and curl's exit code, never a hang or a crash.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "shared/http/gzip.hpp"
#include "tests/browser/test_origin.hpp"

namespace miniweb::browser {
namespace {

using test::http_response;
using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

struct BrowserRun {
  int exit_code = -1;
  std::string stderr_text;
};

// Runs the browser; stdout goes to `stdout_file` (or nowhere), stderr is returned.
BrowserRun run_browser(const std::string& arguments, const std::string& stdout_file = "/dev/null") {
  const std::string command = std::string(MINIWEB_BROWSER_BINARY) + " --dump --hosts /dev/null " +
                              arguments + " 2>&1 >" + stdout_file;
  BrowserRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    run.stderr_text.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string base(const TestOrigin& origin) {
  return "http://127.0.0.1:" + std::to_string(origin.port());
}

// gzip of `size` zero bytes, compressed as it goes so the plain bytes never exist in memory.
std::string gzip_of_zeros(std::size_t size) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::vector<unsigned char> zeros(1 << 20, 0);
  std::vector<unsigned char> out(1 << 16);
  std::string compressed;
  std::size_t left = size;
  int flush = Z_NO_FLUSH;
  do {
    const std::size_t n = std::min(left, zeros.size());
    stream.next_in = zeros.data();
    stream.avail_in = static_cast<uInt>(n);
    left -= n;
    flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
    do {
      stream.next_out = out.data();
      stream.avail_out = static_cast<uInt>(out.size());
      deflate(&stream, flush);
      compressed.append(reinterpret_cast<const char*>(out.data()), out.size() - stream.avail_out);
    } while (stream.avail_out == 0);
  } while (flush != Z_FINISH);
  deflateEnd(&stream);
  return compressed;
}

TEST(BrowserHostileServers, AFiftyMegabyteDocumentIsDumped) {
  std::string page = "<!doctype html><title>big</title><h1>Big</h1>\n";
  const std::string paragraph =
      "<p>Lorem ipsum dolor sit amet, <a href=/x>consectetur</a> adipiscing elit, sed do "
      "<b>eiusmod</b> tempor incididunt ut labore et dolore magna aliqua.</p>\n";
  while (page.size() < 50u << 20) page += paragraph;
  page += "<p>THE END</p>";
  TestOrigin origin([&](const OriginRequest&) {
    return OriginReply{http_response(200, "OK", {"Content-Type: text/html"}, page)};
  });
  const auto output = std::filesystem::temp_directory_path() /
                      ("miniweb-big-dump-" + std::to_string(::getpid()) + ".txt");
  BrowserRun run = run_browser("--timeout 600 " + base(origin) + "/big", output.string());
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_GT(std::filesystem::file_size(output), 30u << 20);
  std::filesystem::remove(output);
}

TEST(BrowserHostileServers, AServerThatSendsNothingTimesOut) {
  TestOrigin origin([](const OriginRequest&) { return OriginReply{"", false, true}; });
  BrowserRun run = run_browser("--timeout 1 " + base(origin) + "/");
  EXPECT_EQ(run.exit_code, 28) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("timed out: the response did not come within 1 s (--timeout)"),
            std::string::npos)
      << run.stderr_text;
}

TEST(BrowserHostileServers, AServerThatStallsMidBodyTimesOut) {
  TestOrigin origin([](const OriginRequest&) {
    return OriginReply{
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n"
        "<p>the first bytes",
        false, true};
  });
  BrowserRun run = run_browser("--timeout 0.5 " + base(origin) + "/");
  EXPECT_EQ(run.exit_code, 28) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("timed out: the response did not come within 500 ms"),
            std::string::npos)
      << run.stderr_text;
}

TEST(BrowserHostileServers, AGzipBombIsCapped) {
  const std::string bomb = gzip_of_zeros(std::size_t{1} << 30);  // 1 GiB of zeros
  ASSERT_LT(bomb.size(), 2u << 20);
  TestOrigin origin([&](const OriginRequest&) {
    return OriginReply{
        http_response(200, "OK", {"Content-Type: text/html", "Content-Encoding: gzip"}, bomb)};
  });
  BrowserRun run = run_browser("--trace " + base(origin) + "/");
  EXPECT_EQ(run.exit_code, 8) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("the gzip body expands beyond 64 MiB; refused"), std::string::npos)
      << run.stderr_text;
  // The decoding is a step of the trace, which says why it failed.
  EXPECT_NE(run.stderr_text.find("failed: the gzip body expands beyond 64 MiB"), std::string::npos)
      << run.stderr_text;
}

// The trace shows the body's decoding as a step of its own: the bytes that came, then the
// bytes they make.
TEST(BrowserHostileServers, AGzipBodyIsDecodedInAStepOfItsOwn) {
  std::string page = "<!doctype html><title>packed</title>";
  for (int i = 0; i < 200; ++i) page += "<p>the same words again and again</p>";
  const std::string packed = http::gzip_compress(page);
  TestOrigin origin([&](const OriginRequest&) {
    return OriginReply{
        http_response(200, "OK", {"Content-Type: text/html", "Content-Encoding: gzip"}, packed)};
  });
  const auto output = std::filesystem::temp_directory_path() /
                      ("miniweb-gzip-dump-" + std::to_string(::getpid()) + ".txt");
  BrowserRun run = run_browser("--trace " + base(origin) + "/", output.string());
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("decode Content-Encoding: gzip, " + std::to_string(packed.size()) +
                                 " bytes (zlib)"),
            std::string::npos)
      << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("7,436 bytes decoded"), std::string::npos) << run.stderr_text;
  std::ifstream dumped(output);
  const std::string text((std::istreambuf_iterator<char>(dumped)), {});
  EXPECT_NE(text.find("the same words again and again"), std::string::npos) << text;
  std::filesystem::remove(output);
}

TEST(BrowserHostileServers, ABadChunkSizeIsAClearError) {
  TestOrigin origin([](const OriginRequest&) {
    return OriginReply{
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked"
        "\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        true};
  });
  BrowserRun run = run_browser(base(origin) + "/");
  EXPECT_EQ(run.exit_code, 8) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("malformed response: bad chunked body: bad chunk size"),
            std::string::npos)
      << run.stderr_text;
}

// A body delimited by the close ends at a FIN, not at a reset: a connection aborted in the
// middle is an error, never a page that looks complete.
TEST(BrowserHostileServers, AResetInABodyEndedByTheCloseIsAnError) {
  TestOrigin origin([](const OriginRequest&) {
    OriginReply reply;
    reply.bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>the first half";
    reply.reset = true;
    return reply;
  });
  BrowserRun run = run_browser(base(origin) + "/");
  EXPECT_EQ(run.exit_code, 56) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("reading the response failed"), std::string::npos)
      << run.stderr_text;
}

TEST(BrowserHostileServers, RedirectLoopsEnd) {
  TestOrigin origin([](const OriginRequest& seen) {
    const std::string& target = seen.request.target;
    if (target == "/a") return OriginReply{http_response(302, "Found", {"Location: /b"}, "")};
    if (target == "/b") return OriginReply{http_response(302, "Found", {"Location: /a"}, "")};
    // /n/1 -> /n/2 -> ... never ends, and never repeats.
    const int n = std::stoi(target.substr(3));
    return OriginReply{http_response(302, "Found", {"Location: /n/" + std::to_string(n + 1)}, "")};
  });
  BrowserRun loop = run_browser(base(origin) + "/a");
  EXPECT_EQ(loop.exit_code, 47) << loop.stderr_text;
  EXPECT_NE(loop.stderr_text.find("redirect loop: " + base(origin) + "/a redirects back to itself"),
            std::string::npos)
      << loop.stderr_text;
  BrowserRun endless = run_browser(base(origin) + "/n/1");
  EXPECT_EQ(endless.exit_code, 47) << endless.stderr_text;
  EXPECT_NE(endless.stderr_text.find("more than 10 redirects"), std::string::npos)
      << endless.stderr_text;
}

}  // namespace
}  // namespace miniweb::browser
