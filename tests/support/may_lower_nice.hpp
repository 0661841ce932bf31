#pragma once
// Whether the calling thread may lower its nice value: the kernel's own test (can_nice) for a
// thread's leaving SCHED_IDLE too, which root's threads pass (CAP_SYS_NICE) and an ordinary
// user's do not (RLIMIT_NICE 0). Asked as shared/beside_thread.cpp asks it: lowered by one,
// then raised again.

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

namespace miniweb::test_support {

inline bool may_lower_nice() {
  const auto thread = static_cast<id_t>(::gettid());
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, thread);
  if (errno != 0 || nice <= -20 || ::setpriority(PRIO_PROCESS, thread, nice - 1) != 0) return false;
  ::setpriority(PRIO_PROCESS, thread, nice);
  return true;
}

}  // namespace miniweb::test_support
