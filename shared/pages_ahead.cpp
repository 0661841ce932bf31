#include "shared/pages_ahead.hpp"

#include <sched.h>

#include "shared/beside_thread.hpp"
#include "shared/prefault.hpp"

namespace miniweb {

namespace {

bool has_another_cpu() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  return ::sched_getaffinity(0, sizeof allowed, &allowed) == 0 && CPU_COUNT(&allowed) > 1;
}

}  // namespace

PagesAhead::PagesAhead(bool may_map) : maps_ahead_(may_map && has_another_cpu()) {}

PagesAhead::~PagesAhead() {
  {
    std::lock_guard lock(mutex_);
    ending_ = true;
  }
  changed_.notify_all();
  thread_.reset();  // joins, once the blocks given are mapped
}

void PagesAhead::map(void* data, std::size_t bytes) {
  if (!maps_ahead_ || bytes == 0) return;
  {
    std::lock_guard lock(mutex_);
    blocks_.push_back({data, bytes});
  }
  changed_.notify_all();
  if (!thread_) {
    thread_ = std::make_unique<BesideThread>([this] { map_in_turn(); });
    // No thread could be made: its work would run at join, after the memory is written. The
    // writer's own faults map it, as where nothing is mapped ahead.
    if (!thread_->started()) {
      std::lock_guard lock(mutex_);
      blocks_.clear();
      maps_ahead_ = false;
    }
  }
}

void PagesAhead::wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return blocks_.empty() && !mapping_; });
}

void PagesAhead::map_in_turn() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return ending_ || !blocks_.empty(); });
    if (blocks_.empty()) return;  // ending, with nothing left to map
    const Block block = blocks_.front();
    blocks_.pop_front();
    mapping_ = true;
    lock.unlock();
    populate_pages_within(block.data, block.bytes);
    lock.lock();
    mapping_ = false;
    changed_.notify_all();
  }
}

}  // namespace miniweb
