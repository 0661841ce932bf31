#include "shared/dns/endpoint.hpp"

#include <asio/ip/address.hpp>
#include <charconv>

namespace miniweb::dns {

Result<asio::ip::udp::endpoint> parse_endpoint(std::string_view text, uint16_t default_port) {
  std::string_view host = text;
  uint16_t port = default_port;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return make_error("missing ']' in address '" + std::string(text) + "'");
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return make_error("bad address '" + std::string(text) + "'");
      port_text = text.substr(close + 2);
    }
  } else if (auto colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (!port_text.empty() || (text.size() && text.back() == ':')) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || value > 65535)
      return make_error("bad port in '" + std::string(text) + "'");
    port = static_cast<uint16_t>(value);
  }
  asio::error_code ec;
  auto address = asio::ip::make_address(std::string(host), ec);
  if (ec) return make_error("bad IP address '" + std::string(host) + "'");
  return asio::ip::udp::endpoint(address, port);
}

std::string endpoint_to_string(const asio::ip::udp::endpoint& endpoint) {
  if (endpoint.address().is_v6())
    return "[" + endpoint.address().to_string() + "]:" + std::to_string(endpoint.port());
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

}  // namespace miniweb::dns
