#pragma once
// Running a test's body where no thread can be made, as on a machine out of threads or memory:
// in a child process whose threads' default stack is too large to commit, so that every
// pthread_create with default attributes fails. In a child, so that the test process keeps
// its own threads' defaults, and so that a body that waits forever is ended and said to.

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

namespace miniweb::test_support {

// What became of `body` in the child: "exit N" with the code it returned, or why it did not
// return. `seconds` bounds it.
inline std::string run_where_no_thread_can_be_made(const std::function<int()>& body,
                                                   unsigned seconds = 30) {
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    ::alarm(seconds);
    pthread_attr_t unmakeable;
    if (::pthread_attr_init(&unmakeable) != 0) ::_exit(120);
    // 32 TiB: within the address space, beyond any machine's memory to commit.
    if (::pthread_attr_setstacksize(&unmakeable, std::size_t{1} << 45) != 0) ::_exit(121);
    if (::pthread_setattr_default_np(&unmakeable) != 0) ::_exit(122);
    pthread_t probe;
    if (::pthread_create(
            &probe, nullptr, [](void*) -> void* { return nullptr; }, nullptr) == 0) {
      ::pthread_join(probe, nullptr);
      ::_exit(123);  // a thread could still be made: the test would prove nothing
    }
    // Never returned from, nor thrown out of: the test framework would go on in the child.
    int code = 125;
    try {
      code = body();
    } catch (const std::exception& thrown) {
      std::fprintf(stderr, "the body threw: %s\n", thrown.what());
      code = 124;
    } catch (...) {
      code = 124;
    }
    ::_exit(code);
  }
  int status = 0;
  if (::waitpid(child, &status, 0) != child) return "waitpid failed";
  if (WIFEXITED(status)) {
    switch (WEXITSTATUS(status)) {
      case 120:
      case 121:
      case 122:
        return "the child could not set its threads' default stack";
      case 123:
        return "a thread could still be made in the child";
      case 124:
        return "the body threw";
      default:
        return "exit " + std::to_string(WEXITSTATUS(status));
    }
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
    return "still waiting after " + std::to_string(seconds) + " s";
  return "killed by signal " + std::to_string(WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

}  // namespace miniweb::test_support
