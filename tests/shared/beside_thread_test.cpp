// A thread started beside its creator (shared/beside_thread): on another CPU than the
// creator's when the process may use another, and never pinned there once it runs.

#include "shared/beside_thread.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "tests/support/may_lower_nice.hpp"
#include "tests/support/no_new_threads.hpp"

namespace miniweb {
namespace {

TEST(BesideThread, RunsTheWorkAndJoinsOnce) {
  std::atomic<int> runs{0};
  {
    BesideThread thread([&] { ++runs; });
    thread.join();
    EXPECT_EQ(runs, 1);
    thread.join();  // at once
  }                 // and the destructor has nothing left to wait for
  EXPECT_EQ(runs, 1);
}

TEST(BesideThread, TheDestructorWaitsForTheWork) {
  std::atomic<bool> done{false};
  {
    BesideThread thread([&] {
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
      while (std::chrono::steady_clock::now() < until) {
      }
      done = true;
    });
  }
  EXPECT_TRUE(done);
}

// It starts on a CPU other than the one its creator ran on (when the process has two or
// more), allowed only those, then takes back every CPU the process had. (Where its work then
// runs is the scheduler's choice: on a machine that does not pack threads onto their
// creator's CPU it is elsewhere anyway, so the test reads where the thread began.)
TEST(BesideThread, StartsOnAnotherCpuThenTakesBackAllOfThem) {
  cpu_set_t allowed;
  ASSERT_EQ(::sched_getaffinity(0, sizeof allowed, &allowed), 0);
  const int cpus = CPU_COUNT(&allowed);
  int counted = 0;
  for (int attempt = 0; attempt < 20; ++attempt) {
    int cpus_after = 0;
    const int before = ::sched_getcpu();
    BesideThread thread([&] {
      cpu_set_t now;
      cpus_after = ::sched_getaffinity(0, sizeof now, &now) == 0 ? CPU_COUNT(&now) : -1;
    });
    const int after = ::sched_getcpu();
    thread.join();
    EXPECT_EQ(cpus_after, cpus);
    EXPECT_EQ(thread.beside(), cpus > 1);
    if (before != after) continue;  // the creator moved while it made the thread: no verdict
    ++counted;
    if (cpus > 1) {
      EXPECT_NE(thread.began_on_cpu(), before) << "attempt " << attempt;
      EXPECT_EQ(thread.began_with_cpus(), cpus - 1) << "attempt " << attempt;
    } else {
      EXPECT_EQ(thread.began_on_cpu(), before);
      EXPECT_EQ(thread.began_with_cpus(), 1);
    }
  }
  EXPECT_GT(counted, 0);
}

// Where no thread can be made, the work waits for join() and runs there, once, on the caller's
// thread; started() says so.
TEST(BesideThread, OneThatCannotBeMadeRunsTheWorkAtJoin) {
  EXPECT_EQ(test_support::run_where_no_thread_can_be_made([] {
              int runs = 0;
              BesideThread thread([&] { ++runs; });
              if (thread.started()) return 1;
              if (runs != 0) return 2;
              thread.join();
              thread.join();
              return runs == 1 && thread.began_on_cpu() == -1 ? 0 : 3;
            }),
            "exit 0");
}

// The calling thread's voluntary context switches so far: each time it slept.
long slept_so_far() {
  rusage usage{};
  ::getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_nvcsw;
}

// A wait for the thread beside that ends as soon as the thread's word is given, without the
// waiting thread going to sleep (which a futex or condition variable wait would: one voluntary
// switch at least).
TEST(WaitAwake, ReturnsOnceTheWordIsGivenWithoutSleeping) {
  std::atomic<bool> done{false};
  // Before the thread starts: taken after, a test preempted for its 1 ms found the word given
  // already (a CI run on two busy CPUs: 12 us).
  const auto began = std::chrono::steady_clock::now();
  BesideThread thread([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
    while (std::chrono::steady_clock::now() < until) {
    }
    done.store(true, std::memory_order_release);
  });
  const long slept_before = slept_so_far();
  // Generous: on one CPU the word comes only once the scheduler takes the CPU from the wait.
  EXPECT_TRUE(wait_awake(done, std::chrono::seconds(5)));
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::microseconds(500));
  EXPECT_EQ(slept_so_far(), slept_before);
  thread.join();
}

TEST(WaitAwake, GivesUpAfterItsTimeWhenNoWordCame) {
  const std::atomic<bool> never{false};
  const auto began = std::chrono::steady_clock::now();
  EXPECT_FALSE(wait_awake(never, std::chrono::milliseconds(2)));
  EXPECT_GE(std::chrono::steady_clock::now() - began, std::chrono::milliseconds(2));
  const std::atomic<bool> given{true};
  EXPECT_TRUE(wait_awake(given, std::chrono::nanoseconds(0)));
}

TEST(IdlePolicyScope, TheThreadIsIdleInsideAndAtItsOwnPolicyAfter) {
  const int own = ::sched_getscheduler(0);
  {
    const IdlePolicyScope idle;
    EXPECT_EQ(idle.idle(), test_support::may_lower_nice());
    if (idle.idle()) {
      EXPECT_EQ(::sched_getscheduler(0), SCHED_IDLE);
    }
  }
  EXPECT_EQ(::sched_getscheduler(0), own);
}

// The kernel lets a thread leave SCHED_IDLE only as it lets it lower its nice value, which an
// ordinary user's cannot (RLIMIT_NICE 0, no CAP_SYS_NICE): such a thread would stay idle for
// good, starved by every other task, so it is never made idle. Run in a child made an ordinary
// user (nobody, when this runs as root) with RLIMIT_NICE 0.
TEST(IdlePolicyScope, AThreadThatCouldNotComeBackIsNeverMadeIdle) {
  const passwd* nobody = ::getpwnam("nobody");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const rlimit none{0, 0};
    if (::setrlimit(RLIMIT_NICE, &none) != 0) ::_exit(2);
    if (::geteuid() == 0 && (nobody == nullptr || ::setgroups(0, nullptr) != 0 ||
                             ::setgid(nobody->pw_gid) != 0 || ::setuid(nobody->pw_uid) != 0))
      ::_exit(3);
    bool idle = true;
    int inside = -1;
    {
      const IdlePolicyScope scope;
      idle = scope.idle();
      inside = ::sched_getscheduler(0);
    }
    ::_exit(!idle && inside == SCHED_OTHER && ::sched_getscheduler(0) == SCHED_OTHER ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: made idle, or not back; 2, 3: not made an ordinary user";
}

}  // namespace
}  // namespace miniweb
