#pragma once
// A real miniweb-server process for tests: started from its binary with a configuration file,
// its standard error captured in a file, its listening ports read from its "ready" lines. Any
// other program of the project's can be started and stopped the same way.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace miniweb::test_support {

class ServerProcess {
 public:
  ServerProcess(const std::filesystem::path& binary, const std::filesystem::path& config,
                const std::filesystem::path& stderr_file)
      : ServerProcess({binary.string(), "--config", config.string()}, stderr_file) {}
  // Any program of the project's: `command` is the program, then its arguments.
  ServerProcess(const std::vector<std::string>& command, const std::filesystem::path& stderr_file)
      : stderr_file_(stderr_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  pid_t pid() const { return pid_; }
  std::string stderr_text() const {
    std::ifstream in(stderr_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Waits (at most `limit`, so a broken server fails the test instead of hanging it) until its
  // standard error holds `needle` at least `count` times; false if it never does.
  bool wait_for_stderr(const std::string& needle, std::size_t count = 1,
                       std::chrono::seconds limit = std::chrono::seconds(20)) const {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < give_up) {
      const std::string text = stderr_text();
      std::size_t found = 0;
      for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++found;
      if (found >= count) return true;
      if (exited()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // The port of the first "ready <protocol> address:port" line for `protocol`, 0 if none.
  unsigned short port(const std::string& protocol) const {
    if (!wait_for_stderr("ready " + protocol + " ")) return 0;
    const std::string text = stderr_text();
    const auto line = text.find("ready " + protocol + " ");
    const auto colon = text.find(':', line);
    return static_cast<unsigned short>(std::stoi(text.substr(colon + 1)));
  }

  bool exited() const {
    int status = 0;
    if (pid_ <= 0) return true;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
      return true;
    }
    return false;
  }
  // SIGTERM, then the exit status (a clean stop is 0).
  int stop() {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_status_;
  }

 private:
  std::filesystem::path stderr_file_;
  mutable pid_t pid_ = -1;
  mutable int exit_status_ = -1;
};

}  // namespace miniweb::test_support
