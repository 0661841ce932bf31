#pragma once
// The memory gumbo-parser builds its tree in. gumbo makes millions of small allocations for
// a large page (one per node, per attribute, per string buffer and per vector) and frees
// many of them again at once; through malloc that was a third of the parse. Here small
// blocks are cut from large chunks and recycled by size, and the whole tree goes in one
// step: no walk over it, which also means no recursion (gumbo's own destructor recurses
// once per level, which a document nested 100 000 deep would overflow).

#include <gumbo.h>

#include <atomic>
#include <csetjmp>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

namespace miniweb {
class PagesAhead;
}

namespace miniweb::browser::html {

// Chunks handed on from arena to arena: the pieces of a page (html/split_parse.hpp) are parsed
// one after another in the memory the pieces before them had, mapped already, where fresh
// chunks would fault every page in again (550 MiB of them for a 50 MB page). Shared by threads.
class ChunkPool {
 public:
  ChunkPool() = default;
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;
  ~ChunkPool();  // frees what it holds

  // A chunk of exactly `size` bytes given back before, or nullptr.
  std::byte* take(std::size_t size);
  void give(std::byte* memory, std::size_t size);
  // The chunks it holds now: once every arena that took from it has gone, all it ever handed out.
  std::size_t held() const;

 private:
  struct Held {
    std::byte* memory;
    std::size_t size;
  };
  mutable std::mutex mutex_;
  std::vector<Held> held_;
};

class GumboArena {
 public:
  GumboArena() = default;
  // Its chunks taken from `pool` where it has them, and given back to it when the arena goes.
  explicit GumboArena(ChunkPool* pool) : pool_(pool) {}
  GumboArena(const GumboArena&) = delete;
  GumboArena& operator=(const GumboArena&) = delete;
  ~GumboArena();

  // What the arena will likely hold, told before the first allocation: from 512 KiB on, its
  // first chunk is a huge page (see gumbo_arena.cpp), else chunks double from just under
  // 128 KiB.
  void expect(std::size_t bytes);

  // From now on each chunk is opened one ahead of its need, and `pages` maps it (on the CPU
  // beside, shared/pages_ahead.hpp) while the chunk before it fills; the first at once. Only
  // while the chunks opened hold less than expect() said, and only for an arena that expects
  // huge pages: a small one's few pages are not worth a thread. `pages` must outlive the
  // arena, or stop_mapping_ahead() be called first.
  void map_ahead(PagesAhead& pages);
  // Waits for the chunks handed to map_ahead's `pages`, and hands it no more.
  void stop_mapping_ahead();

  // From now on, the first allocation gumbo asks for after `abandon` turns true ends gumbo's
  // parse where it stands: parse_with_gumbo returns nullptr, and what the parse had made stays
  // here, freed with the arena (nothing of it outside: gumbo keeps no state of its own). Set
  // from another thread (html/dom.cpp's nesting scan); nullptr for never.
  void abandon_when(const std::atomic<bool>* abandon) { abandon_ = abandon; }

  // The chunks opened so far.
  std::size_t chunk_count() const { return chunks_.size(); }

  // The signatures of GumboOptions' allocator and deallocator; userdata is the arena.
  static void* allocate(void* userdata, std::size_t size);
  static void deallocate(void* userdata, void* pointer);

  // A block that is never deallocated (it goes with the arena): the DOM's arrays and strings,
  // in an arena of their own (html/dom.cpp). It has no header and is cut from the current
  // chunk while it fits, whatever its size. Through allocate, an array over kMaxSmall went to
  // malloc, into a heap full of gumbo's freed buffers; cut from the chunk, python's
  // stdtypes.html dumps 3 ms sooner (of 43) and Node's 8 MB manual 80 ms (of 620).
  void* allocate_lasting(std::size_t size);

 private:
  // Small blocks have no header. Each page (kPage bytes) of a chunk holds blocks of one size,
  // and the chunk's table says which; deallocate finds the chunk by the block's address. A
  // free small block keeps the next free block of its size in its first word. 8-byte
  // granules: gumbo keeps nothing that needs more than a pointer's alignment. (A word of
  // header on each block, gumbo's blocks averaging 54 bytes, had been an eighth of the
  // arena: 1.1 of 8.5 MB on python's stdtypes.html.)
  // A large block comes from malloc, behind a header that links it into a list so the arena
  // can free it.
  struct LargeBlock {
    LargeBlock* previous;
    LargeBlock* next;
  };

 public:
  static constexpr std::size_t kGranule = alignof(void*);

 private:
  static constexpr std::size_t kMaxSmall = 1024;  // larger blocks go to malloc
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer each block is followed by a poisoned granule, so that a block
  // overrun into its neighbour is reported as malloc's redzones would have it.
  static constexpr std::size_t kRedZone = kGranule;
#else
  static constexpr std::size_t kRedZone = 0;
#endif
  static constexpr std::size_t kClasses = (kMaxSmall + kRedZone) / kGranule + 1;
  static constexpr std::size_t kPage = 4096;
  // Chunks double from just under 128 KiB, or from 2 MiB when a large tree is expected, to
  // 4 MiB. A small page's tree takes most of the first: each size gumbo asks for has pages of
  // its own (27 pages, 108 KiB, for the demo's 4 KiB home page). It stays under malloc's mmap
  // threshold, 128 KiB, so it comes from the heap, where an https load has its pages mapped
  // ahead (browser/main.cpp), not from a fresh mapping whose pages fault one at a time: from
  // 64 KiB, whose successor was such a mapping, the home page's parse made 14 page faults and
  // took 0.13 ms longer.
  static constexpr std::size_t kFirstChunkSize = (std::size_t{128} << 10) - kPage;
  static constexpr std::size_t kMaxChunkSize = std::size_t{4} << 20;

  struct Chunk {
    std::byte* memory;  // from malloc
    std::size_t size;
    // For each page, the size of the blocks it holds over kGranule; 0 for a page that holds
    // none, or lasting blocks.
    std::vector<unsigned char> page_class;
  };

  void* allocate_small(std::size_t size);
  void* allocate_large(std::size_t size);
  // A fresh page for blocks of class `size_class`, from the current chunk or a new one.
  std::byte* take_page(std::size_t size_class);
  // The next chunk made current: the one opened ahead, or a new one.
  void open_chunk();
  // The chunk after the current one (or the first) allocated and handed to pages_ahead_, when
  // the arena maps ahead and has not yet opened what it expects.
  void open_next_ahead();
  // A new chunk, of the size the one after the last opened takes.
  Chunk make_chunk();
  // The chunk that holds pointer, or nullptr (a large block's).
  const Chunk* chunk_holding(const void* pointer) const;

  std::vector<Chunk> chunks_;            // in the order they were opened
  std::vector<std::size_t> by_address_;  // indexes into chunks_, by their memory's address
  std::size_t first_chunk_size_ = kFirstChunkSize;
  std::byte* chunk_position_ = nullptr;  // what the current chunk has not handed out
  std::byte* chunk_end_ = nullptr;
  void* free_[kClasses] = {};                // the first free block of each size
  std::byte* page_position_[kClasses] = {};  // what each size's current page has left
  std::byte* page_end_[kClasses] = {};
  LargeBlock* large_ = nullptr;
  std::size_t expected_bytes_ = 0;
  std::size_t opened_bytes_ = 0;  // of the chunks opened, including next_ahead_
  PagesAhead* pages_ahead_ = nullptr;
  const std::atomic<bool>* abandon_ = nullptr;
  // Where an abandoned parse goes back to: set by parse_with_gumbo while gumbo runs.
  std::jmp_buf* abandoned_parse_ = nullptr;
  friend GumboOutput* parse_with_gumbo(std::string_view html, GumboArena& arena, PagesAhead& pages);
  std::optional<Chunk> next_ahead_;  // the chunk opened ahead, not yet current
  ChunkPool* pool_ = nullptr;
};

// gumbo's parse of html as the browser runs it: its tree in `arena` (told what to expect, so
// that a large page starts in a huge page, and mapping its chunks ahead with `pages`), no parse
// errors kept; nullptr where the arena's abandon_when flag ended it. The arena frees everything
// gumbo allocated, so gumbo_destroy_output is never needed.
GumboOutput* parse_with_gumbo(std::string_view html, GumboArena& arena, PagesAhead& pages);

}  // namespace miniweb::browser::html
