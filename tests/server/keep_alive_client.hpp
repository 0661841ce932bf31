#pragma once
// A TLS client that keeps one connection alive across requests, verifying the server's
// certificate for www.example.test, for tests that watch what a server does between requests.

#include <array>
#include <asio.hpp>
#include <asio/ssl.hpp>
#include <filesystem>
#include <string>

namespace miniweb::test_support {

// One TLS connection kept alive across requests.
class KeepAliveClient {
 public:
  KeepAliveClient(const std::filesystem::path& root_certificate, unsigned short port)
      : context_(asio::ssl::context::tls_client), stream_(io_, context_) {
    context_.load_verify_file(root_certificate.string());
    stream_.set_verify_mode(asio::ssl::verify_peer);
    SSL_set_tlsext_host_name(stream_.native_handle(), "www.example.test");
    SSL_set1_host(stream_.native_handle(), "www.example.test");
    stream_.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    stream_.handshake(asio::ssl::stream_base::client);
  }

  // The whole response (head and body) to GET `path`.
  std::string get(const std::string& path) {
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: www.example.test\r\n\r\n";
    asio::write(stream_, asio::buffer(request));
    std::string response;
    std::array<char, 4096> chunk;
    std::size_t head_end = std::string::npos;
    std::size_t length = 0;
    while (head_end == std::string::npos || response.size() < head_end + length) {
      std::error_code ec;
      const std::size_t n = stream_.read_some(asio::buffer(chunk), ec);
      if (ec) return response + "[read failed: " + ec.message() + "]";
      response.append(chunk.data(), n);
      if (head_end == std::string::npos &&
          (head_end = response.find("\r\n\r\n")) != std::string::npos) {
        head_end += 4;
        const auto field = response.find("Content-Length: ");
        if (field != std::string::npos && field < head_end)
          length = std::stoul(response.substr(field + 16));
      }
    }
    return response;
  }

 private:
  asio::io_context io_;
  asio::ssl::context context_;
  asio::ssl::stream<asio::ip::tcp::socket> stream_;
};

}  // namespace miniweb::test_support
