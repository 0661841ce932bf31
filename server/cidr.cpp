#include "server/cidr.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace miniweb::server {
namespace {

// The address's bytes, network order: 4 for IPv4 (also when mapped into IPv6), else 16.
std::vector<unsigned char> bytes_of(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_bytes();
    return {v4.begin(), v4.end()};
  }
  if (address.is_v4()) {
    auto v4 = address.to_v4().to_bytes();
    return {v4.begin(), v4.end()};
  }
  auto v6 = address.to_v6().to_bytes();
  return {v6.begin(), v6.end()};
}

// Whether the first `bits` bits of `a` and `b` agree.
bool same_prefix(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b,
                 unsigned bits) {
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  std::error_code ec;
  const std::string address_text(text.substr(0, slash));
  auto address = asio::ip::make_address(address_text, ec);
  if (ec)
    return make_error("'" + std::string(text) + "' is not an address range such as 127.0.0.0/8");
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  const unsigned width = address.is_v4() ? 32 : 128;
  unsigned prefix = width;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        prefix > width)
      return make_error("'" + std::string(text) + "': the prefix length must be 0 to " +
                        std::to_string(width));
  }
  // Clear the host bits, so that 127.0.0.1/8 means 127.0.0.0/8.
  std::vector<unsigned char> bytes = bytes_of(address);
  for (unsigned bit = prefix; bit < width; ++bit)
    bytes[bit / 8] = static_cast<unsigned char>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  if (address.is_v4()) {
    asio::ip::address_v4::bytes_type v4{};
    std::copy(bytes.begin(), bytes.end(), v4.begin());
    address = asio::ip::address_v4(v4);
  } else {
    asio::ip::address_v6::bytes_type v6{};
    std::copy(bytes.begin(), bytes.end(), v6.begin());
    address = asio::ip::address_v6(v6);
  }
  return Cidr{address, prefix};
}

bool Cidr::contains(const asio::ip::address& address) const {
  const std::vector<unsigned char> candidate = bytes_of(address);
  const std::vector<unsigned char> own = bytes_of(network);
  if (candidate.size() != own.size()) return false;
  return same_prefix(candidate, own, prefix_length);
}

std::string Cidr::to_string() const {
  return network.to_string() + "/" + std::to_string(prefix_length);
}

}  // namespace miniweb::server
