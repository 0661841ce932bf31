#include "browser/html/gumbo_arena.hpp"

#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <iterator>

#include "shared/pages_ahead.hpp"
#include "shared/prefault.hpp"

namespace miniweb::browser::html {

namespace {

// gumbo does not check for failure, and an exception must not unwind through its C frames:
// running out of memory ends the program here rather than as a null dereference in gumbo.
template <class T>
T* checked_malloc(std::size_t bytes) {
  void* raw = std::malloc(bytes);
  if (raw == nullptr) std::abort();
  return static_cast<T*>(raw);
}

// A huge page costs one fault that zeroes 2 MiB (about 250 us on this team's machine); 4 KiB
// pages cost a fault each (about 2 us). From about 120 of them, 512 KiB, the huge page is
// the cheaper, at up to 1.5 MiB more memory resident than the tree needs.
constexpr std::size_t kHugePageWorthIt = std::size_t{512} << 10;

// A chunk of 2 MiB or more is aligned to 2 MiB and offered to the kernel as huge pages:
// a large page's tree fills several such chunks, and one fault for each 2 MiB instead of
// one for each 4 KiB took a tenth off its parse. Where huge pages are off, the advice does
// nothing.
std::byte* new_chunk(std::size_t size) {
  if (size < kHugePageBytes) return checked_malloc<std::byte>(size);
  void* raw = std::aligned_alloc(kHugePageBytes, size);
  if (raw == nullptr) std::abort();
  advise_huge_pages(raw, size);
  return static_cast<std::byte*>(raw);
}

// Under AddressSanitizer the parts of a chunk that gumbo does not own at the moment (headers,
// free blocks, the unused rest) are poisoned, so that an overflow or a use after free inside
// gumbo is still reported as it would be with malloc. Without it these do nothing.
void poison(const void* start, std::size_t size) {
  ASAN_POISON_MEMORY_REGION(start, size);
}
void unpoison(const void* start, std::size_t size) {
  ASAN_UNPOISON_MEMORY_REGION(start, size);
}

}  // namespace

ChunkPool::~ChunkPool() {
  for (const Held& chunk : held_) {
    unpoison(chunk.memory, chunk.size);
    std::free(chunk.memory);
  }
}

std::byte* ChunkPool::take(std::size_t size) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = held_.size(); i > 0; --i) {
    if (held_[i - 1].size != size) continue;
    std::byte* memory = held_[i - 1].memory;
    held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(i - 1));
    return memory;
  }
  return nullptr;
}

void ChunkPool::give(std::byte* memory, std::size_t size) {
  poison(memory, size);
  std::lock_guard lock(mutex_);
  held_.push_back({memory, size});
}

std::size_t ChunkPool::held() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

GumboArena::~GumboArena() {
  stop_mapping_ahead();  // before the chunks it may be mapping go
  const auto release = [this](std::byte* memory, std::size_t size) {
    if (pool_ != nullptr) {
      pool_->give(memory, size);
      return;
    }
    unpoison(memory, size);
    std::free(memory);
  };
  if (next_ahead_) release(next_ahead_->memory, next_ahead_->size);
  for (const Chunk& chunk : chunks_) release(chunk.memory, chunk.size);
  while (large_ != nullptr) {
    LargeBlock* next = large_->next;
    std::free(large_);
    large_ = next;
  }
}

void GumboArena::expect(std::size_t bytes) {
  expected_bytes_ = bytes;
  if (chunks_.empty() && bytes >= kHugePageWorthIt) first_chunk_size_ = kHugePageBytes;
}

void* GumboArena::allocate(void* userdata, std::size_t size) {
  auto* arena = static_cast<GumboArena*>(userdata);
  // Back to parse_with_gumbo, over gumbo's frames only: C, with nothing to destroy, and all
  // their memory in this arena.
  if (arena->abandoned_parse_ != nullptr && arena->abandon_ != nullptr &&
      arena->abandon_->load(std::memory_order_relaxed))
    std::longjmp(*arena->abandoned_parse_, 1);
  return size <= kMaxSmall ? arena->allocate_small(size) : arena->allocate_large(size);
}

void GumboArena::deallocate(void* userdata, void* pointer) {
  if (pointer == nullptr) return;
  auto* arena = static_cast<GumboArena*>(userdata);
  if (const Chunk* chunk = arena->chunk_holding(pointer)) {
    const auto page =
        static_cast<std::size_t>(static_cast<std::byte*>(pointer) - chunk->memory) / kPage;
    const std::size_t size_class = chunk->page_class[page];
    void*& list = arena->free_[size_class];
    unpoison(pointer, sizeof(void*));
    *static_cast<void**>(pointer) = list;
    list = pointer;
    poison(pointer, size_class * kGranule);
    return;
  }
  auto* block = static_cast<LargeBlock*>(pointer) - 1;
  if (block->previous != nullptr) block->previous->next = block->next;
  if (block->next != nullptr) block->next->previous = block->previous;
  if (arena->large_ == block) arena->large_ = block->next;
  std::free(block);
}

void* GumboArena::allocate_small(std::size_t size) {
  // A free block holds a pointer, so no block is smaller than one.
  const std::size_t rounded =
      (size == 0 ? kGranule : (size + kGranule - 1) / kGranule * kGranule) + kRedZone;
  const std::size_t size_class = rounded / kGranule;
  void*& list = free_[size_class];
  void* payload = list;
  if (payload != nullptr) {
    unpoison(payload, sizeof(void*));
    list = *static_cast<void**>(payload);
  } else {
    if (static_cast<std::size_t>(page_end_[size_class] - page_position_[size_class]) < rounded) {
      // The rest of the old page (less than one block) is left unused.
      page_position_[size_class] = take_page(size_class);
      page_end_[size_class] = page_position_[size_class] + kPage;
    }
    payload = page_position_[size_class];
    page_position_[size_class] += rounded;
  }
  poison(payload, rounded);
  unpoison(payload, size);
  return payload;
}

std::byte* GumboArena::take_page(std::size_t size_class) {
  // Pages are counted from their chunk's start; lasting blocks may have left the position
  // between two.
  std::size_t offset = 0;
  if (!chunks_.empty()) {
    const Chunk& chunk = chunks_.back();
    offset = (static_cast<std::size_t>(chunk_position_ - chunk.memory) + kPage - 1) / kPage * kPage;
    if (offset + kPage > chunk.size) {
      // The rest of the old chunk (under a page) is left unused.
      open_chunk();
      offset = 0;
    }
  } else {
    open_chunk();
  }
  Chunk& chunk = chunks_.back();
  chunk.page_class[offset / kPage] = static_cast<unsigned char>(size_class);
  std::byte* page = chunk.memory + offset;
  chunk_position_ = page + kPage;
  return page;
}

GumboArena::Chunk GumboArena::make_chunk() {
  const Chunk* last = next_ahead_ ? &*next_ahead_ : !chunks_.empty() ? &chunks_.back() : nullptr;
  const std::size_t size =
      last == nullptr ? first_chunk_size_ : std::min(kMaxChunkSize, std::bit_ceil(2 * last->size));
  std::byte* memory = pool_ != nullptr ? pool_->take(size) : nullptr;
  if (memory == nullptr) memory = new_chunk(size);
  poison(memory, size);
  opened_bytes_ += size;
  return {memory, size, std::vector<unsigned char>(size / kPage, 0)};
}

void GumboArena::open_chunk() {
  if (next_ahead_) {
    chunks_.push_back(std::move(*next_ahead_));
    next_ahead_.reset();
  } else {
    chunks_.push_back(make_chunk());
  }
  std::byte* memory = chunks_.back().memory;
  const auto place = std::upper_bound(by_address_.begin(), by_address_.end(), memory,
                                      [this](const std::byte* address, std::size_t index) {
                                        return address < chunks_[index].memory;
                                      });
  by_address_.insert(place, chunks_.size() - 1);
  chunk_position_ = memory;
  chunk_end_ = memory + chunks_.back().size;
  open_next_ahead();
}

void GumboArena::open_next_ahead() {
  if (pages_ahead_ == nullptr || next_ahead_ || opened_bytes_ >= expected_bytes_) return;
  // Of the last chunk expected, only the huge pages the expectation reaches into: a 4 MiB
  // chunk mapped whole for the last few hundred KiB of a tree held 2 MiB that nothing used.
  const std::size_t still_expected =
      (expected_bytes_ - opened_bytes_ + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  const Chunk& next = next_ahead_.emplace(make_chunk());
  pages_ahead_->map(next.memory, std::min(next.size, still_expected));
}

void GumboArena::map_ahead(PagesAhead& pages) {
  if (first_chunk_size_ < kHugePageBytes || !pages.maps_ahead()) return;
  pages_ahead_ = &pages;
  open_next_ahead();
}

void GumboArena::stop_mapping_ahead() {
  if (pages_ahead_ == nullptr) return;
  pages_ahead_->wait();
  pages_ahead_ = nullptr;
}

const GumboArena::Chunk* GumboArena::chunk_holding(const void* pointer) const {
  const auto* address = static_cast<const std::byte*>(pointer);
  const auto holds = [address](const Chunk& chunk) {
    return address >= chunk.memory && address < chunk.memory + chunk.size;
  };
  // gumbo mostly frees what it allocated last, in the newest chunk.
  if (!chunks_.empty() && holds(chunks_.back())) return &chunks_.back();
  const auto after = std::upper_bound(
      by_address_.begin(), by_address_.end(), address,
      [this](const std::byte* at, std::size_t index) { return at < chunks_[index].memory; });
  if (after == by_address_.begin()) return nullptr;
  const Chunk& chunk = chunks_[*std::prev(after)];
  return holds(chunk) ? &chunk : nullptr;
}

void* GumboArena::allocate_lasting(std::size_t size) {
  const std::size_t rounded = (size + kGranule - 1) / kGranule * kGranule;
  if (rounded == 0 || static_cast<std::size_t>(chunk_end_ - chunk_position_) < rounded)
    return allocate(this, size);
  void* block = chunk_position_;
  chunk_position_ += rounded;
  unpoison(block, size);
  return block;
}

void* GumboArena::allocate_large(std::size_t size) {
  auto* block = checked_malloc<LargeBlock>(sizeof(LargeBlock) + size);
  block->previous = nullptr;
  block->next = large_;
  if (large_ != nullptr) large_->previous = block;
  large_ = block;
  return block + 1;
}

GumboOutput* parse_with_gumbo(std::string_view html, GumboArena& arena, PagesAhead& pages) {
  // gumbo's tree takes 9.4 to 11.5 bytes of memory for each byte of HTML (python's and Node.js's
  // manuals, 105 KiB to 8 MB pages; with the DOM, when the two shared the arena, 12 to 16).
  arena.expect(html.size() * 11);
  arena.map_ahead(pages);
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &GumboArena::allocate;
  options.deallocator = &GumboArena::deallocate;
  options.userdata = &arena;
  options.max_errors = 0;  // the browser shows no parse errors; do not keep them
  std::jmp_buf abandoned;
  if (setjmp(abandoned) != 0) {
    arena.abandoned_parse_ = nullptr;
    return nullptr;
  }
  arena.abandoned_parse_ = &abandoned;
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  arena.abandoned_parse_ = nullptr;
  return output;
}

}  // namespace miniweb::browser::html
