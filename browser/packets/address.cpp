#include "browser/packets/address.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace miniweb::packets {

IpAddress IpAddress::v4(std::span<const std::uint8_t, 4> address) {
  IpAddress result{IpVersion::V4, {}};
  std::copy(address.begin(), address.end(), result.bytes.begin());
  return result;
}

IpAddress IpAddress::v6(std::span<const std::uint8_t, 16> address) {
  IpAddress result{IpVersion::V6, {}};
  std::copy(address.begin(), address.end(), result.bytes.begin());
  return result;
}

std::string IpAddress::to_string() const {
  // inet_ntop only formats; glibc's output for IPv6 is RFC 5952's (longest zero run as "::").
  char text[INET6_ADDRSTRLEN] = {};
  switch (version) {
    case IpVersion::V4:
      return inet_ntop(AF_INET, bytes.data(), text, sizeof text) ? text : "";
    case IpVersion::V6:
      return inet_ntop(AF_INET6, bytes.data(), text, sizeof text) ? text : "";
    case IpVersion::None:
      break;
  }
  return "";
}

std::string Endpoint::to_string() const {
  std::string text = address.to_string();
  if (port == 0) return text;
  if (address.version == IpVersion::V6) text = "[" + text + "]";
  return text + ":" + std::to_string(port);
}

}  // namespace miniweb::packets
