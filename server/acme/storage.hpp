#pragma once
// The ACME client's files in state_dir, as Caddy keeps its storage: the account key
// (account.key, ECDSA P-256) and record (account.json, the kid per directory), and per site
// certificates/NAME.chain.pem and certificates/NAME.key. Private keys are 0600; every file is
// written to a temporary name and renamed, so a reader sees the old file or the new one.

#include <filesystem>
#include <string>
#include <string_view>

#include "shared/atomic_file.hpp"
#include "shared/result.hpp"
#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {

// A fresh ECDSA P-256 key.
Result<tls::EvpPkeyPtr> generate_p256_key();
std::string private_key_pem(EVP_PKEY* key);

// Reads the PEM key at `path`, or creates a P-256 key there (0600) when there is none.
Result<tls::EvpPkeyPtr> load_or_create_key(const std::filesystem::path& path);

}  // namespace miniweb::server
