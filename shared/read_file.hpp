#pragma once
// A whole file into memory, read with the system's own calls: the size from fstat, one read
// straight into the string (the browser's local pages, where an ifstream's buffer and
// stream state cost twice the time of the read itself on a 100 KiB page).

#include <filesystem>
#include <string>

#include "shared/result.hpp"

namespace miniweb {

// Whether the file is locked while it is read: Shared for a cache file that
// write_file_atomically writes (Durability::CacheOnly), whose writers recycle the file a reader
// may have just opened as their next spare and write it over under an exclusive lock
// (shared/atomic_file.hpp): read under a shared one, it is whole.
enum class ReadLock { None, Shared };

// The file's bytes, or an Error whose message is the system's reason ("No such file or
// directory", "Is a directory", "Permission denied"), for the caller to put in context. Files whose
// size the kernel does not know in advance (/proc, pipes) are read to their end all the same.
Result<std::string> read_file(const std::filesystem::path& path, ReadLock lock = ReadLock::None);

}  // namespace miniweb
