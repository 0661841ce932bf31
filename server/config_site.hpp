#pragma once
// Reading a [[site]] table of the server's configuration, and the ACME settings a site takes
// from its own `acme = { ... }` over the file's [acme] table. Internal to config.cpp.

#include <toml++/toml.h>

#include <filesystem>
#include <optional>

#include "server/config.hpp"

namespace miniweb::server::config_detail {

// An [acme] table (or a site's `acme = { ... }`) over `acme`; paths relative to `base`.
AcmeConfig read_acme(const toml::table& table, const std::filesystem::path& base, AcmeConfig acme);

// A [[site]] table; `acme_defaults` is the file's [acme] table, when it has one.
SiteConfig read_site(const toml::table& table, const std::filesystem::path& base,
                     const std::optional<AcmeConfig>& acme_defaults);

}  // namespace miniweb::server::config_detail
