#include "browser/net/hsts_store.hpp"

#include "shared/atomic_file.hpp"
#include "shared/text.hpp"

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>

namespace miniweb::browser {
namespace {

std::string lower_trimmed(std::string_view text) {
  return to_lower(trim(text));
}

}  // namespace

HstsStore::HstsStore(std::filesystem::path profile_dir, ProfileWriter* writer) : writer_(writer) {
  if (!profile_dir.empty()) {
    file_ = profile_dir / "hsts.json";
    load();
  }
}

HstsNoted HstsStore::note(const std::string& host, std::string_view header, std::time_t now) {
  // Directives are separated by ';'; max-age is required (RFC 6797 section 6.1.1).
  std::optional<std::int64_t> max_age;
  bool include_subdomains = false;
  while (!header.empty()) {
    auto semicolon = header.find(';');
    std::string directive = lower_trimmed(header.substr(0, semicolon));
    if (directive.starts_with("max-age=")) {
      std::string value = directive.substr(8);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      std::int64_t seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec != std::errc{} || end != value.data() + value.size() || seconds < 0)
        return HstsNoted::Ignored;
      max_age = seconds;
    } else if (directive == "includesubdomains") {
      include_subdomains = true;
    }
    if (semicolon == std::string_view::npos) break;
    header.remove_prefix(semicolon + 1);
  }
  if (!max_age) return HstsNoted::Ignored;
  if (*max_age == 0) {
    hosts_.erase(host);  // section 6.1.1: max-age=0 forgets the host
  } else {
    hosts_[host] = Entry{now + static_cast<std::time_t>(*max_age), include_subdomains};
  }
  if (file_.empty()) return HstsNoted::NotKept;
  if (saved_within(host, static_cast<std::time_t>(*max_age / 64))) return HstsNoted::AlreadyKept;
  save();
  return HstsNoted::Written;
}

bool HstsStore::saved_within(const std::string& host, std::time_t slack) const {
  const auto now_held = hosts_.find(host);
  const auto on_disk = saved_.find(host);
  if ((now_held == hosts_.end()) != (on_disk == saved_.end())) return false;
  if (now_held == hosts_.end()) return true;
  const Entry& held = now_held->second;
  const Entry& saved = on_disk->second;
  // A shorter max-age than the file's is written at once; a longer expiry waits for slack.
  return held.include_subdomains == saved.include_subdomains && held.expires >= saved.expires &&
         held.expires - saved.expires <= slack;
}

std::optional<std::string> HstsStore::https_required_by(const std::string& host,
                                                        std::time_t now) const {
  if (auto it = hosts_.find(host); it != hosts_.end() && it->second.expires > now) return host;
  // A parent domain that set includeSubDomains covers this host (section 8.2).
  for (auto dot = host.find('.'); dot != std::string::npos; dot = host.find('.', dot + 1)) {
    auto it = hosts_.find(host.substr(dot + 1));
    if (it != hosts_.end() && it->second.include_subdomains && it->second.expires > now)
      return it->first;
  }
  return std::nullopt;
}

void HstsStore::load() {
  std::ifstream in(file_);
  if (!in) return;
  nlohmann::json stored = nlohmann::json::parse(in, nullptr, false);
  if (!stored.is_object()) return;  // a damaged profile file is ignored, never fatal
  for (const auto& [host, entry] : stored.items()) {
    if (!entry.is_object() || !entry.contains("expires") || !entry["expires"].is_number_integer())
      continue;
    hosts_[host] =
        Entry{entry["expires"].get<std::time_t>(), entry.value("include_subdomains", false)};
  }
  saved_ = hosts_;
}

void HstsStore::save() {
  if (file_.empty()) return;
  saved_ = hosts_;
  nlohmann::json stored = nlohmann::json::object();
  for (const auto& [host, entry] : hosts_)
    stored[host] = {{"expires", entry.expires}, {"include_subdomains", entry.include_subdomains}};
  write_profile_file(writer_, file_, stored.dump(2) + "\n", kPublicFileMode, "hsts",
                     "the HSTS policies written to the profile");
}

}  // namespace miniweb::browser
