#include "shared/beside_thread.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace miniweb {
namespace {

// The CPUs the process may use, as the caller's thread has them.
struct CpuChoice {
  cpu_set_t allowed;
  cpu_set_t others;  // `allowed` without the caller's own CPU
  bool has_others = false;
};

CpuChoice choose_cpus() {
  CpuChoice choice{};
  CPU_ZERO(&choice.allowed);
  CPU_ZERO(&choice.others);
  if (::sched_getaffinity(0, sizeof choice.allowed, &choice.allowed) != 0) return choice;
  const int here = ::sched_getcpu();
  CPU_OR(&choice.others, &choice.others, &choice.allowed);
  if (here >= 0 && here < CPU_SETSIZE) CPU_CLR(here, &choice.others);
  choice.has_others = here >= 0 && CPU_COUNT(&choice.others) > 0;
  return choice;
}

// What the new thread needs of its creator: the work, and the CPUs to take back.
struct Start {
  BesideThread* thread;
  cpu_set_t allowed;
  bool restore;
};

}  // namespace

BesideThread::BesideThread(std::function<void()> work) : work_(std::move(work)) {
  const CpuChoice cpus = choose_cpus();
  pthread_attr_t attributes;
  if (::pthread_attr_init(&attributes) != 0) return;
  if (cpus.has_others) ::pthread_attr_setaffinity_np(&attributes, sizeof cpus.others, &cpus.others);
  auto* start = new Start{this, cpus.allowed, cpus.has_others};
  started_ = ::pthread_create(&thread_, &attributes, &BesideThread::run, start) == 0;
  ::pthread_attr_destroy(&attributes);
  beside_ = started_ && cpus.has_others;
  if (!started_) delete start;
}

void* BesideThread::run(void* argument) {
  const Start start = *static_cast<Start*>(argument);
  delete static_cast<Start*>(argument);
  start.thread->began_on_cpu_ = ::sched_getcpu();
  cpu_set_t began_with;
  if (::sched_getaffinity(0, sizeof began_with, &began_with) == 0)
    start.thread->began_with_cpus_ = CPU_COUNT(&began_with);
  if (start.restore) ::sched_setaffinity(0, sizeof start.allowed, &start.allowed);
  start.thread->work_();
  return nullptr;
}

void BesideThread::join() {
  if (joined_) return;
  joined_ = true;
  if (started_)
    ::pthread_join(thread_, nullptr);
  else if (work_)
    work_();
}

BesideThread::~BesideThread() {
  join();
}

bool wait_awake(const std::function<bool()>& done, std::chrono::nanoseconds at_most) {
  const auto until = std::chrono::steady_clock::now() + at_most;
  for (;;) {
    // The clock read once every 64 looks: each look a few nanoseconds, the clock's read 20.
    for (int look = 0; look < 64; ++look) {
      if (done()) return true;
#if defined(__x86_64__) || defined(__i386__)
      _mm_pause();  // tells the CPU (and its sibling hyperthread) that this is a wait
#endif
    }
    if (std::chrono::steady_clock::now() >= until) return done();
  }
}

bool wait_awake(const std::atomic<bool>& done, std::chrono::nanoseconds at_most) {
  return wait_awake([&done] { return done.load(std::memory_order_acquire); }, at_most);
}

namespace {

// Whether the calling thread may leave SCHED_IDLE again: the kernel's test for it is the one for
// lowering its nice value (can_nice), asked by doing so, by one, then undone (raising it is
// always allowed). A thread at -20 cannot be asked: it stays where it is.
bool may_leave_idle_policy() {
  const auto thread = static_cast<id_t>(::gettid());
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, thread);
  if (errno != 0 || nice <= -20) return false;
  if (::setpriority(PRIO_PROCESS, thread, nice - 1) != 0) return false;
  ::setpriority(PRIO_PROCESS, thread, nice);
  return true;
}

}  // namespace

IdlePolicyScope::IdlePolicyScope() {
  if (!may_leave_idle_policy()) return;
  own_policy_ = ::sched_getscheduler(0);
  if (own_policy_ < 0 || ::sched_getparam(0, &own_param_) != 0) return;
  const sched_param none{};
  idle_ = ::sched_setscheduler(0, SCHED_IDLE, &none) == 0;
}

IdlePolicyScope::~IdlePolicyScope() {
  if (idle_) ::sched_setscheduler(0, own_policy_, &own_param_);
}

}  // namespace miniweb
