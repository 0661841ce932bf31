#include "tests/differential/certificates/verifiers.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

#include "browser/exit_codes.hpp"
#include "browser/net/tls_client.hpp"
#include "browser/trace.hpp"
#include "shared/deadline.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::differential {
namespace {

// The first line of `text` that starts with "error", or the whole of it.
std::string error_line(const std::string& text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? end : end - at);
    if (line.rfind("error", 0) == 0) return line;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return text;
}

// `openssl s_server` serving the chain, from the moment it says ACCEPT (it has bound and
// listens) until the object goes. -www: it answers a request rather than reading standard
// input (at the end of /dev/null it would shut the connection down mid-handshake). It signs with
// the leaf's key whatever its strength: the security level is 0 on the server's side, so that weak
// chains reach the browser to be judged.
class ChainServer {
 public:
  ChainServer(const ChainFiles& files, const std::string& address, std::uint16_t port) {
    std::vector<std::string> args = {
        "openssl", "s_server",          "-accept",  address + ":" + std::to_string(port),
        "-cert",   files.leaf.string(), "-key",     files.leaf_key.string(),
        "-cipher", "ALL:@SECLEVEL=0",   "-naccept", "1",
        "-www"};
    if (files.has_intermediates) {
      args.push_back("-cert_chain");
      args.push_back(files.intermediates.string());
    }
    log_ = files.leaf.parent_path() / "s_server.log";
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawnp(&pid_, "openssl", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (spawned != 0) {
      ::close(out[0]);
      pid_ = -1;
      throw std::runtime_error("cannot start openssl s_server");
    }
    // Blocking reads: s_server either prints ACCEPT or exits (end of file), never neither.
    std::string said;
    char buffer[256];
    while (said.find("ACCEPT\n") == std::string::npos) {
      const ssize_t n = ::read(out[0], buffer, sizeof buffer);
      if (n <= 0) break;
      said.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(out[0]);
    if (said.find("ACCEPT\n") == std::string::npos)
      throw std::runtime_error("openssl s_server did not start: " + test_support::read_file(log_));
  }
  ChainServer(const ChainServer&) = delete;
  ChainServer& operator=(const ChainServer&) = delete;
  ~ChainServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  std::string log() const { return test_support::read_file(log_); }

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_;
};

asio::awaitable<Result<std::string>> revocation_not_checked(SSL*, browser::Trace&) {
  co_return std::string("not checked: the suite's chains name no CRL");
}

}  // namespace

Verdict openssl_verify(const ChainFiles& files, const std::string& host) {
  std::string command = "openssl verify -x509_strict -purpose sslserver -verify_hostname '" + host +
                        "' -CAfile " + files.trusted_root.string();
  if (files.has_intermediates) command += " -untrusted " + files.intermediates.string();
  command += " " + files.leaf.string();
  const auto run = test_support::run_command(command, files.leaf.parent_path() / "verify.err");
  if (run.exit_code == 0) return {true, "OK"};
  return {false, error_line(run.err + run.out)};
}

Verdict browser_verify(const ChainFiles& files, const std::string& host, const std::string& address,
                       std::uint16_t port) {
  ChainServer server(files, address, port);
  browser::TlsClient client(files.trusted_root, /*insecure=*/false,
                            browser::HttpVersions::Http11Only);
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address(address), port});
  auto deadline = SocketDeadline::start(socket);
  const browser::TlsClient::RevocationCheck check = &revocation_not_checked;
  const std::chrono::milliseconds timeout(5000);
  browser::TlsSecurity security;
  browser::Trace trace;
  std::optional<Result<std::unique_ptr<browser::TlsStream>>> outcome;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        outcome.emplace(
            co_await client.handshake(socket, *deadline, host, timeout, check, 1, security, trace));
        // Disarmed, so that io.run() returns now rather than when the deadline's timer fires.
        deadline->stop();
      },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  if (!outcome) throw std::runtime_error("the handshake never finished");
  if (*outcome) return {true, security.verification};
  if (outcome->error().code != browser::exit_code::kCertificate)
    throw std::runtime_error("the handshake failed before the browser judged the chain: " +
                             outcome->error().message + "; s_server said: " + server.log());
  return {false, outcome->error().message};
}

}  // namespace miniweb::differential
