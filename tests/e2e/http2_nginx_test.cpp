// The browser over HTTP/2 against a real peer it did not write: Debian's nginx (1.22,
// `listen ... ssl http2;`) on loopback with a certificate made for the test, the browser
// trusting it as its only root. The trace must show the protocol ALPN chose and the frames
// nghttp2 sent and received; a redirect within the origin and a form's POST must ride the one
// connection, which nginx's own log confirms; --http1.1 must give HTTP/1.1; the packet view
// must place the frames in TLS records.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/ip/tcp.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>

#include "tests/support/command_output.hpp"
#include "tests/support/free_port.hpp"

namespace {

using miniweb::test_support::occurrences;
using miniweb::test_support::read_file;
using miniweb::test_support::run_command;
using miniweb::test_support::RunResult;

const std::string kBrowser = MINIWEB_BINARY_DIR "/browser/miniweb-browser";

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

bool accepts(unsigned short port) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  std::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  return !ec;
}

// nginx in the foreground with a configuration of the test's, stopped with the suite.
class NginxOrigin {
 public:
  NginxOrigin() {
    std::filesystem::create_directories(dir_ / "www");
    const std::string certificate =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
        (dir_ / "key.pem").string() + " -out " + cert().string() + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(certificate.c_str()), 0);
    write(dir_ / "www/index.html",
          "<html><head><title>Over h2</title></head><body><h1>Served by nginx over h2</h1>"
          "<p>" +
              std::string(2000, 'x') +
              "</p>"
              "<form method=\"post\" action=\"/submit\"><input name=\"q\" value=\"\">"
              "<input type=\"submit\" value=\"Go\"></form></body></html>");
    write(dir_ / "www/thanks.html", "<html><body><p>Thanks, form received.</p></body></html>");
    port_ = miniweb::test_support::free_tcp_port_outside_ephemeral("127.0.0.1");
    const std::string d = dir_.string();
    write(dir_ / "nginx.conf",
          "daemon off;\nworker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
              "/error.log;\nevents { worker_connections 64; }\nhttp {\n"
              "  log_format h2 '$connection $server_protocol $request $status';\n"
              "  access_log " +
              d +
              "/access.log h2;\n"
              "  client_body_temp_path " +
              d + "/body; proxy_temp_path " + d +
              "/proxy;\n"
              "  fastcgi_temp_path " +
              d + "/fastcgi; uwsgi_temp_path " + d +
              "/uwsgi;\n"
              "  scgi_temp_path " +
              d +
              "/scgi;\n"
              "  gzip on;\n"
              "  server {\n"
              "    listen 127.0.0.1:" +
              std::to_string(port_) +
              " ssl http2;\n"
              "    server_name localhost;\n"
              "    ssl_protocols TLSv1.2 TLSv1.3;\n"
              "    ssl_certificate " +
              cert().string() +
              ";\n"
              "    ssl_certificate_key " +
              d +
              "/key.pem;\n"
              "    root " +
              d +
              "/www;\n"
              "    location = /old { return 302 /index.html; }\n"
              "    location = /submit { return 303 /thanks.html; }\n"
              "  }\n}\n");
    const std::string config = (dir_ / "nginx.conf").string();
    const std::string prefix = d + "/";
    std::vector<char*> argv = {const_cast<char*>("nginx"),        const_cast<char*>("-c"),
                               const_cast<char*>(config.c_str()), const_cast<char*>("-p"),
                               const_cast<char*>(prefix.c_str()), nullptr};
    if (posix_spawnp(&pid_, "nginx", nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
    for (int i = 0; i < 200 && !accepts(port_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ~NginxOrigin() {
    if (pid_ > 0) {
      ::kill(pid_, SIGQUIT);  // nginx's graceful stop
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path cert() const { return dir_ / "cert.pem"; }
  std::string url(const std::string& path) const {
    return "https://localhost:" + std::to_string(port_) + path;
  }
  std::string access_log() const { return read_file(dir_ / "access.log"); }
  bool running() const { return pid_ > 0 && accepts(port_); }

  // The browser with `arguments`, against this origin, with its own trust and no profile.
  RunResult browse(const std::string& arguments) const {
    return run_command(
        "timeout 60 " + kBrowser + " --fresh --ca-file " + cert().string() + " " + arguments,
        dir_ / "browser.err");
  }

 private:
  std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() / ("miniweb-h2-nginx-" + std::to_string(::getpid()));
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

class E2eHttp2Nginx : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = new NginxOrigin(); }
  static void TearDownTestSuite() {
    delete origin_;
    origin_ = nullptr;
  }
  static NginxOrigin* origin_;
};
NginxOrigin* E2eHttp2Nginx::origin_ = nullptr;

TEST_F(E2eHttp2Nginx, APageComesOverH2WithItsFramesInTheTrace) {
  ASSERT_TRUE(origin_->running()) << "nginx did not start";
  const RunResult run = origin_->browse("--dump --trace " + origin_->url("/"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Served by nginx over h2"), std::string::npos) << run.out;
  const std::string& trace = run.err;
  EXPECT_NE(trace.find("ALPN offered h2 http/1.1, protocol h2"), std::string::npos) << trace;
  EXPECT_NE(trace.find("> connection preface PRI * HTTP/2.0 (24 bytes)"), std::string::npos);
  EXPECT_NE(trace.find("> SETTINGS ENABLE_PUSH=0 INITIAL_WINDOW_SIZE=1048576"), std::string::npos);
  // nginx's own SETTINGS, with its values, and each side's ACK.
  EXPECT_NE(trace.find("< SETTINGS MAX_CONCURRENT_STREAMS=128"), std::string::npos) << trace;
  EXPECT_NE(trace.find("> SETTINGS (ACK)"), std::string::npos);
  EXPECT_NE(trace.find("< SETTINGS (ACK)"), std::string::npos);
  EXPECT_NE(trace.find("> WINDOW_UPDATE +"), std::string::npos);
  EXPECT_NE(trace.find("> HEADERS stream 1 (END_STREAM END_HEADERS): "), std::string::npos);
  EXPECT_NE(trace.find("< HEADERS stream 1 (END_HEADERS): "), std::string::npos);
  EXPECT_NE(trace.find("HPACK saved "), std::string::npos);
  EXPECT_NE(trace.find("< DATA stream 1: "), std::string::npos);
  EXPECT_NE(trace.find("bytes (END_STREAM)"), std::string::npos);
  EXPECT_NE(trace.find("< HTTP/2 200 OK"), std::string::npos);
  EXPECT_NE(trace.find("> :authority: localhost:"), std::string::npos);
  EXPECT_EQ(trace.find("> host:"), std::string::npos);
  // gzip over h2, decoded as over HTTP/1.1.
  EXPECT_NE(trace.find("< content-encoding: gzip"), std::string::npos);
  // The clean close: GOAWAY, then close_notify.
  EXPECT_NE(trace.find("HTTP/2 GOAWAY, then TLS close_notify"), std::string::npos);
  EXPECT_NE(trace.find("> GOAWAY last stream 0, NO_ERROR"), std::string::npos);
  EXPECT_NE(origin_->access_log().find("HTTP/2.0 GET / HTTP/2.0 200"), std::string::npos)
      << origin_->access_log();
}

TEST_F(E2eHttp2Nginx, Http11FlagOffersOnlyHttp11) {
  ASSERT_TRUE(origin_->running());
  const RunResult run = origin_->browse("--dump --trace --http1.1 " + origin_->url("/"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Served by nginx over h2"), std::string::npos);
  EXPECT_NE(run.err.find("ALPN offered http/1.1, protocol http/1.1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("< HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_EQ(run.err.find("frames on connection"), std::string::npos);
}

TEST_F(E2eHttp2Nginx, ARedirectAndAFormPostRideOneConnection) {
  ASSERT_TRUE(origin_->running());
  const std::string before = origin_->access_log();
  const RunResult run = origin_->browse("--trace --fill q=hello --submit " + origin_->url("/old"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Thanks, form received."), std::string::npos) << run.out;
  const std::string& trace = run.err;
  // /old (302), /index.html, POST /submit (303), /thanks.html: four streams of connection #1.
  EXPECT_EQ(occurrences(trace, "connect to 127.0.0.1:"), 1u) << trace;
  EXPECT_EQ(trace.find("connection #2"), std::string::npos) << trace;
  EXPECT_EQ(occurrences(trace, "reusing connection #1"), 3u) << trace;
  for (const char* stream : {"(stream 1)", "(stream 3)", "(stream 5)", "(stream 7)"})
    EXPECT_NE(trace.find(stream), std::string::npos) << stream;
  EXPECT_NE(trace.find("> POST /submit HTTP/2 (stream 5) on connection #1"), std::string::npos);
  EXPECT_NE(trace.find("> DATA stream 5: 1 frame, 7 bytes (END_STREAM)"), std::string::npos)
      << trace;
  EXPECT_NE(trace.find("< HTTP/2 303 See Other"), std::string::npos);

  // nginx's word for it: the four requests, one connection number.
  const std::string log = origin_->access_log().substr(before.size());
  std::set<std::string> connections;
  std::size_t lines = 0;
  for (std::size_t at = 0; at < log.size();) {
    const std::size_t end = log.find('\n', at);
    const std::string line = log.substr(at, end - at);
    at = end == std::string::npos ? log.size() : end + 1;
    if (line.empty()) continue;
    ++lines;
    connections.insert(line.substr(0, line.find(' ')));
    EXPECT_NE(line.find(" HTTP/2.0 "), std::string::npos) << line;
  }
  EXPECT_EQ(lines, 4u) << log;
  EXPECT_EQ(connections.size(), 1u) << log;
  EXPECT_NE(log.find("POST /submit HTTP/2.0 303"), std::string::npos) << log;
}

// The packet view (capturing needs CAP_NET_RAW, as E2ePackets): each frame nghttp2 reported,
// in the TLS record that carried it.
TEST_F(E2eHttp2Nginx, ThePacketViewPlacesFramesInTlsRecords) {
  ASSERT_TRUE(origin_->running());
  const RunResult run = origin_->browse("--dump --packets " + origin_->url("/"));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string& view = run.err;
  ASSERT_EQ(view.find("no capture"), std::string::npos) << view;
  EXPECT_NE(view.find("EncryptedExtensions: server_name application_layer_protocol_negotiation h2"),
            std::string::npos)
      << view;
  const auto preface = view.find("h2 connection preface PRI * HTTP/2.0 (24 bytes)");
  ASSERT_NE(preface, std::string::npos) << view;
  // The preface, our SETTINGS and the request's HEADERS leave in one record.
  const auto record = view.rfind("TLS record application_data", preface);
  const auto headers = view.find("h2 HEADERS stream 1 (END_STREAM END_HEADERS)", preface);
  ASSERT_NE(headers, std::string::npos);
  EXPECT_EQ(view.rfind("TLS record", headers), record) << view;
  EXPECT_NE(view.find("h2 SETTINGS MAX_CONCURRENT_STREAMS=128"), std::string::npos);
  EXPECT_NE(view.find("h2 HEADERS stream 1 (END_HEADERS)"), std::string::npos);
  EXPECT_NE(view.find("h2 DATA stream 1 (END_STREAM)"), std::string::npos);
  EXPECT_NE(view.find("h2 GOAWAY last stream 0, NO_ERROR"), std::string::npos);
  EXPECT_EQ(view.find("no HTTP/2 frame the browser was told of"), std::string::npos) << view;
}

}  // namespace
