#pragma once
// The http-01 answers the ACME client has provisioned (RFC 8555 §8.3): token -> key
// authorization. The plain-HTTP listener answers GET /.well-known/acme-challenge/TOKEN from
// here for any Host, before the redirect to HTTPS, as Caddy does. One io_context thread
// touches it, so it needs no lock.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace miniweb::server {

class Http01Challenges {
 public:
  static constexpr std::string_view kPrefix = "/.well-known/acme-challenge/";

  void put(const std::string& token, const std::string& key_authorization) {
    answers_[token] = key_authorization;
  }
  void remove(const std::string& token) { answers_.erase(token); }

  // The key authorization for a request target, if it names a provisioned token.
  std::optional<std::string> answer(std::string_view target) const {
    if (!target.starts_with(kPrefix)) return std::nullopt;
    auto it = answers_.find(std::string(target.substr(kPrefix.size())));
    if (it == answers_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, std::string, std::less<>> answers_;
};

}  // namespace miniweb::server
