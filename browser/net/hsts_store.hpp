#pragma once
// HTTP Strict Transport Security (RFC 6797): hosts that said "HTTPS only" are remembered,
// in memory and, with a profile folder, between runs; plain-HTTP URLs for them are upgraded
// before any request leaves the browser.

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "browser/net/profile_writer.hpp"

namespace miniweb::browser {

// What a Strict-Transport-Security header did.
enum class HstsNoted {
  Ignored,      // no valid max-age (RFC 6797 section 6.1.1): nothing changed
  NotKept,      // applied, for this run only: there is no profile to keep it in
  AlreadyKept,  // applied; the profile's file holds it already, or near enough (note())
  Written,      // applied; the profile's file written again (handed to the writer, or here)
};

class HstsStore {
 public:
  // `writer`, when given, writes the profile's file beside the load (it outlives the store);
  // else it is written here.
  explicit HstsStore(std::filesystem::path profile_dir = {}, ProfileWriter* writer = nullptr);

  // RFC 6797 section 6.1: a Strict-Transport-Security value from a secure response, in force
  // at once. A site that says the same max-age on every response moves its expiry by seconds
  // each time, and the profile's file (fsync'ed twice) is written again only once the expiry
  // moved by more than a 64th of max-age (a year's moves by under 6 days), or anything else
  // changed.
  HstsNoted note(const std::string& host, std::string_view header, std::time_t now);
  // True when `host` (or a parent that set includeSubDomains) is a known HSTS host.
  bool requires_https(const std::string& host, std::time_t now) const {
    return https_required_by(host, now).has_value();
  }
  // The known HSTS host whose policy covers `host`: itself, or the parent that set
  // includeSubDomains; nullopt when none does.
  std::optional<std::string> https_required_by(const std::string& host, std::time_t now) const;

 private:
  struct Entry {
    std::time_t expires = 0;
    bool include_subdomains = false;
  };
  void load();
  void save();
  // Whether the file, as last read or written, holds what is in memory but for expiries moved
  // by less than `slack` seconds.
  bool saved_within(const std::string& host, std::time_t slack) const;

  std::filesystem::path file_;
  ProfileWriter* writer_;
  std::map<std::string, Entry> hosts_;
  std::map<std::string, Entry> saved_;  // what the file holds
};

}  // namespace miniweb::browser
