#pragma once
// A thread for work that runs beside its creator's, started on another CPU than the creator's.
//
// Why: a Linux scheduler may pack tasks onto as few CPUs as it can. A KVM guest whose kernel
// packs its vCPUs (this team's machine: sched_vcpu_pack) starts a new thread on its creator's
// CPU, where it waits until the creator blocks, even with the other CPU idle: 2 ms for a
// creator that computes for 2 ms, 0.65 ms for the browser's TLS context at its start. Started
// affine to the other CPUs, the thread begins in about 0.1 ms (waking an idle vCPU). Once it
// runs, it takes back the CPUs the process had, so this is where it starts, never a pin.

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <functional>

namespace miniweb {

class BesideThread {
 public:
  // Starts `work`: on a CPU other than the caller's when the process may use another, else
  // wherever the scheduler puts it. A thread that cannot be made runs `work` at join().
  explicit BesideThread(std::function<void()> work);
  ~BesideThread();  // joins
  BesideThread(const BesideThread&) = delete;
  BesideThread& operator=(const BesideThread&) = delete;

  // Waits for `work` to return (at once when it has); runs it here when no thread was made.
  void join();
  // Whether a thread was made: when not, `work` waits for join().
  bool started() const { return started_; }
  // Whether it was made to begin on another CPU than its creator's: the creator may then wait
  // for it awake (wait_awake) without keeping it from running.
  bool beside() const { return beside_; }

  // Where the thread began, before it took back the process's CPUs: its CPU, and how many
  // CPUs it was allowed there (-1 and 0 when it was not made). Read after join().
  int began_on_cpu() const { return began_on_cpu_; }
  int began_with_cpus() const { return began_with_cpus_; }

 private:
  static void* run(void* self);

  std::function<void()> work_;
  pthread_t thread_{};
  bool started_ = false;
  bool joined_ = false;
  bool beside_ = false;
  int began_on_cpu_ = -1;
  int began_with_cpus_ = 0;
};

// Waits for `done` without sleeping, for at most `at_most`: true once it is set, false when the
// time ran out first (the caller then waits asleep). For a short wait on a thread that runs on
// another CPU (BesideThread::beside): a thread that sleeps is woken by an interrupt to its idle
// CPU, which on a virtual machine costs a trip through the host, 45 to 70 us on this team's.
bool wait_awake(const std::atomic<bool>& done, std::chrono::nanoseconds at_most);
// The same for any condition: `done()` looked at until it is true, a pause between looks.
bool wait_awake(const std::function<bool()>& done, std::chrono::nanoseconds at_most);

// The calling thread at the idle scheduling policy (SCHED_IDLE) while this lives: it then runs
// only where no task of another policy wants the CPU (one woken there preempts it at once), for
// work nobody waits for yet (a wait awake, a practice run). Its own policy is back once this goes.
// Only where the thread may come back: the kernel lets a thread leave SCHED_IDLE only as it lets
// it lower its nice value (RLIMIT_NICE, or CAP_SYS_NICE), which an ordinary user's cannot (it
// would stay idle, starved by everything else), so this asks the kernel first, by lowering the
// thread's nice value by one and raising it again. Nothing changes where it may not, or where the
// policy cannot be read or set.
class IdlePolicyScope {
 public:
  IdlePolicyScope();
  ~IdlePolicyScope();
  IdlePolicyScope(const IdlePolicyScope&) = delete;
  IdlePolicyScope& operator=(const IdlePolicyScope&) = delete;

  // Whether the thread runs at the idle policy now.
  bool idle() const { return idle_; }

 private:
  int own_policy_ = -1;
  sched_param own_param_{};
  bool idle_ = false;
};

}  // namespace miniweb
