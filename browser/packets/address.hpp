#pragma once
// Addresses and endpoints as the decoders find them in IP and transport headers: plain values
// that compare, order (so they can key a map of TCP streams) and print.

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>

namespace miniweb::packets {

enum class IpVersion : std::uint8_t { None = 0, V4 = 4, V6 = 6 };

struct IpAddress {
  IpVersion version = IpVersion::None;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first four

  static IpAddress v4(std::span<const std::uint8_t, 4> address);
  static IpAddress v6(std::span<const std::uint8_t, 16> address);

  // "127.0.0.1"; "::1" in RFC 5952's canonical form; "" when there is no address.
  std::string to_string() const;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

struct Endpoint {
  IpAddress address;
  std::uint16_t port = 0;

  // "127.0.0.1:443", "[::1]:443" (RFC 3986's brackets), the address alone when the port is 0.
  std::string to_string() const;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

}  // namespace miniweb::packets
