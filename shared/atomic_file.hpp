#pragma once
// Writing a file so that a crash, or a reader at the same moment, sees the old file or the new
// one, whole: what the CA's database and keys, the server's ACME keys and certificates, the
// browser's profile and the demo's plan all rely on.

#include <filesystem>
#include <string_view>

#include "shared/result.hpp"

namespace miniweb {

// For files that hold a private key or a user's secrets (cookies): owner read/write only, from
// creation on. Everything else is 0644.
inline constexpr unsigned kPrivateFileMode = 0600;
inline constexpr unsigned kPublicFileMode = 0644;

// Whether the new contents must survive a power cut once the call returns. A cache (the
// browser's DNS cache, CRLs and TLS sessions) written on every page load need not pay two
// fsyncs for that: readers still never see a half-written file, and after a power cut the cache
// is, at worst, lost (some file systems then leave it empty), and made again. The HSTS list is
// not a cache (losing it loses protection) and stays Synced: it is written only when it changes.
enum class Durability { Synced, CacheOnly };

// Replaces `path` with `contents`, creating the directory when missing. Synced: a fresh
// temporary file in the same directory (created with O_CREAT|O_EXCL and `mode`, so a key is
// never readable by others, not even briefly, and two processes never share one) is written,
// fsync'ed, renamed over `path`, and the directory is fsync'ed. CacheOnly: a spare file kept
// beside `path` (".NAME.spare", `mode` too) is written over and swapped with `path` in one
// rename (RENAME_EXCHANGE), the old file becoming the next spare, so that a cache written on
// every page load frees and allocates no inode each time (atomic_file.cpp says what that cost);
// writers take the spare in turns. Its readers read it with read_file's ReadLock::Shared: the
// file a reader opened may have become the spare since, and the next writer writes over it.
Status write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                             unsigned mode, Durability durability = Durability::Synced);

}  // namespace miniweb
