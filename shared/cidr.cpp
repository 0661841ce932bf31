#include "shared/cidr.hpp"

#include <charconv>

namespace miniweb {
namespace {

// An IPv4 client seen on a dual-stack socket arrives as ::ffff:a.b.c.d; it is that IPv4 address.
asio::ip::address unmapped(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address;
}

// Whether the first `bits` bits of `a` and `b` (network order, same size) agree.
template <class Bytes>
bool same_prefix(const Bytes& a, const Bytes& b, unsigned bits) {
  for (std::size_t i = 0; i < a.size() && bits > 0; ++i) {
    const unsigned take = bits < 8 ? bits : 8;
    const auto mask = static_cast<unsigned char>(0xffu << (8 - take));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// The bytes with every bit from `prefix_length` on set to zero.
template <class Bytes>
Bytes without_host_bits(Bytes bytes, unsigned prefix_length) {
  for (unsigned bit = prefix_length; bit < bytes.size() * 8; ++bit)
    bytes[bit / 8] = static_cast<unsigned char>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  return bytes;
}

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec)
    return make_error("'" + std::string(text) + "' is not an address range such as 127.0.0.0/8");
  address = unmapped(address);
  const unsigned width = address.is_v4() ? 32 : 128;
  unsigned prefix_length = width;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), prefix_length);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        prefix_length > width)
      return make_error("'" + std::string(text) + "': the prefix length must be 0 to " +
                        std::to_string(width));
  }
  if (address.is_v4())
    address = asio::ip::address_v4(without_host_bits(address.to_v4().to_bytes(), prefix_length));
  else
    address = asio::ip::address_v6(without_host_bits(address.to_v6().to_bytes(), prefix_length));
  return Cidr{address, prefix_length};
}

bool Cidr::contains(const asio::ip::address& address) const {
  const asio::ip::address candidate = unmapped(address);
  if (candidate.is_v4() != network.is_v4()) return false;
  if (candidate.is_v4())
    return same_prefix(candidate.to_v4().to_bytes(), network.to_v4().to_bytes(), prefix_length);
  return same_prefix(candidate.to_v6().to_bytes(), network.to_v6().to_bytes(), prefix_length);
}

std::string Cidr::to_string() const {
  return network.to_string() + "/" + std::to_string(prefix_length);
}

}  // namespace miniweb
