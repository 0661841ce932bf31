// What this machine charges every process and every thread hand-off, whatever the program: the
// costs under the page-load floors that no browser can work around. bench/pageload prints them
// beside its figures: a whole-process ratio is read against them (on the team's third host, a
// cpuid cost 6.5 us and an empty process 0.8 ms, most of it glibc's start).
// - cpuid: glibc's start asks the CPU for its caches with dozens of cpuid instructions (its
//   init_cpu_features, in the dynamic loader); in a virtual machine each one leaves the guest
//   for the hypervisor. OpenSSL's start asks again.
// - an empty process: this program spawned with --exit, which returns from main at once, timed
//   from posix_spawn to waitpid: the exec, the dynamic loader and glibc's start, with no work of
//   its own. A launcher script, a pipeline stage or a helper program costs at least this.
// - a wake: a thread asleep on a condition variable, on another CPU than its waker's, woken
//   after the CPU has had time to go idle; timed from the notify to its first instruction. Each
//   hand-off between threads, and each request a process makes of a server on an idle CPU, waits
//   this long before the other side runs.
// Prints one line:
//   "cpuid US us; an empty process MS ms from spawn to exit; a thread woken on an idle CPU US us"
// each the median of its rounds ("cpuid n/a" off x86, "no other CPU" with one).
// Usage: miniweb-host-costs

#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double median_us(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

double us_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

// One cpuid of the leaf glibc's cache probe repeats (4, deterministic cache parameters), timed
// in rounds of 100; negative where there is no cpuid.
double cpuid_us() {
#if defined(__x86_64__) || defined(__i386__)
  std::vector<double> rounds;
  for (int round = 0; round < 21; ++round) {
    const auto began = Clock::now();
    for (unsigned i = 0; i < 100; ++i) {
      unsigned a = 0, b = 0, c = 0, d = 0;
      __cpuid_count(4, i % 4, a, b, c, d);
      asm volatile("" : : "r"(a), "r"(b), "r"(c), "r"(d));
    }
    rounds.push_back(us_between(began, Clock::now()) / 100);
  }
  return median_us(rounds);
#else
  return -1;
#endif
}

// This program again with --exit, from posix_spawn to its end; negative when it cannot start.
double empty_process_ms(const char* self) {
  std::vector<double> rounds;
  char exit_flag[] = "--exit";
  char* const arguments[] = {const_cast<char*>(self), exit_flag, nullptr};
  for (int round = 0; round < 41; ++round) {
    const auto began = Clock::now();
    pid_t child = 0;
    if (posix_spawn(&child, self, nullptr, nullptr, arguments, environ) != 0) return -1;
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
    rounds.push_back(us_between(began, Clock::now()) / 1000);
  }
  return median_us(rounds);
}

// A thread on another CPU, asleep until notified, woken 2 ms after its last round (time for its
// CPU to idle); negative with one CPU.
double wake_us() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2) return -1;
  int first = -1, second = -1;
  for (int cpu = 0; cpu < CPU_SETSIZE && second < 0; ++cpu)
    if (CPU_ISSET(cpu, &allowed)) (first < 0 ? first : second) = cpu;
  const auto pin = [](int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    sched_setaffinity(0, sizeof one, &one);
  };
  pin(first);

  std::mutex mutex;
  std::condition_variable woken;
  int round_asked = 0;  // guarded by mutex
  bool ending = false;
  std::atomic<long long> woke_at{0};  // the sleeper's clock as it resumed, in ns
  std::atomic<int> round_done{0};
  std::thread sleeper([&] {
    pin(second);
    std::unique_lock lock(mutex);
    for (int seen = 0;;) {
      woken.wait(lock, [&] { return round_asked != seen || ending; });
      woke_at = Clock::now().time_since_epoch().count();
      if (ending) return;
      seen = round_asked;
      round_done = seen;
    }
  });
  std::vector<double> rounds;
  for (int round = 1; round <= 101; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    Clock::time_point notified;
    {
      const std::lock_guard lock(mutex);
      round_asked = round;
      notified = Clock::now();
    }
    woken.notify_one();
    while (round_done.load() != round) std::this_thread::yield();
    rounds.push_back((woke_at.load() - notified.time_since_epoch().count()) / 1000.0);
  }
  {
    const std::lock_guard lock(mutex);
    ending = true;
  }
  woken.notify_one();
  sleeper.join();
  return median_us(rounds);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--exit") == 0) return 0;
  if (argc > 1) {
    std::fprintf(stderr, "usage: miniweb-host-costs\n");
    return 2;
  }
  std::string line;
  const double cpuid = cpuid_us();
  char part[128];
  if (cpuid < 0) {
    line = "cpuid n/a";
  } else {
    std::snprintf(part, sizeof part, "cpuid %.2f us", cpuid);
    line = part;
  }
  const double process = empty_process_ms("/proc/self/exe");
  if (process < 0) {
    std::fprintf(stderr, "miniweb-host-costs: cannot start itself again\n");
    return 1;
  }
  std::snprintf(part, sizeof part, "; an empty process %.2f ms from spawn to exit", process);
  line += part;
  const double wake = wake_us();
  if (wake < 0) {
    line += "; no other CPU to wake a thread on";
  } else {
    std::snprintf(part, sizeof part, "; a thread woken on an idle CPU %.0f us", wake);
    line += part;
  }
  std::printf("%s\n", line.c_str());
  return 0;
}
