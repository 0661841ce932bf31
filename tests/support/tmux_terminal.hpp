#pragma once
// A real terminal for tests of full-screen programs: a tmux server of the test's own (its own
// socket, so nothing else a user runs in tmux is touched), one window of a fixed size running
// the program, keys sent as a person types them, and the screen read back as text.

#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/support/command_output.hpp"

namespace miniweb::test_support {

class TmuxTerminal {
 public:
  // Starts `command` (a shell command) in a terminal of `columns` x `rows`. When it ends, the
  // window stays, showing "EXITED <code>", for the test to read.
  TmuxTerminal(const std::string& command, int columns, int rows)
      : socket_("miniweb-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count())) {
    tmux("new-session -d -s main -x " + std::to_string(columns) + " -y " + std::to_string(rows) +
         " " + quote(command + "; echo EXITED $?; sleep 600"));
  }
  ~TmuxTerminal() { tmux("kill-server"); }
  TmuxTerminal(const TmuxTerminal&) = delete;
  TmuxTerminal& operator=(const TmuxTerminal&) = delete;

  // Keys in tmux's names: "Tab", "Enter", "Left", "BTab", "C-c", or literal text with -l.
  void keys(const std::string& names) { tmux("send-keys -t main " + names); }
  void type(const std::string& text) { tmux("send-keys -t main -l " + quote(text)); }
  void resize(int columns, int rows) {
    tmux("resize-window -t main -x " + std::to_string(columns) + " -y " + std::to_string(rows));
  }

  std::string screen() { return tmux("capture-pane -p -t main"); }
  // With the attributes as escape sequences (reverse video: "\x1b[7m"...).
  std::string screen_with_attributes() { return tmux("capture-pane -p -e -t main"); }

  // True once the screen shows `text`, within `patience`.
  bool wait_for(const std::string& text,
                std::chrono::milliseconds patience = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < until) {
      if (screen().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  static int& count() {
    static int made = 0;
    return made;
  }
  static std::string quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  std::string tmux(const std::string& arguments) {
    return command_output("tmux -L " + socket_ + " " + arguments + " 2>&1");
  }

  std::string socket_;
};

}  // namespace miniweb::test_support
