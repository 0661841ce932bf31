#pragma once
// A small real HTTP/1.1 origin on loopback for the browser's network tests: a socket server on
// its own thread whose answers the test writes byte for byte, so it can also misbehave (stall,
// send a bad chunk, close without answering). Plain TCP, or TLS with a given context.

#include <asio/ssl.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "shared/awaitable.hpp"
#include "shared/http/message.hpp"
#include "shared/http/parser.hpp"

namespace miniweb::browser::test {

struct OriginRequest {
  http::Request request;
  int connection = 0;  // 1 for the first connection accepted, and so on
  int index = 0;       // 1 for the first request on its connection
};

struct OriginReply {
  std::string bytes;         // written as they are
  bool close_after = false;  // close once written
  bool stall = false;        // after the bytes, send nothing more and keep the connection open
  bool drop = false;         // close without writing anything
  bool reset = false;        // after the bytes, abort the connection (an RST, not a FIN)
};

// A TLS server's context that serves the certificate chain in `chain` (PEM) with `key`.
inline asio::ssl::context tls_server_context(const std::filesystem::path& chain,
                                             const std::filesystem::path& key) {
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.use_certificate_chain_file(chain.string());
  tls.use_private_key_file(key.string(), asio::ssl::context::pem);
  return tls;
}

// A complete response with Content-Length.
inline std::string http_response(int status, const std::string& reason,
                                 const std::vector<std::string>& headers, const std::string& body) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
  for (const std::string& header : headers) out += header + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

class TestOrigin {
 public:
  using Handler = std::function<OriginReply(const OriginRequest&)>;

  explicit TestOrigin(Handler handler, asio::ssl::context* tls = nullptr)
      : handler_(std::move(handler)), tls_(tls) {
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestOrigin() {
    io_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  int connections() const { return accepted_.load(); }
  std::vector<OriginRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) co_return;
      const int number = ++accepted_;
      auto shared = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
      asio::co_spawn(io_, serve(shared, number), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> socket, int number) {
    if (tls_) {
      asio::ssl::stream<asio::ip::tcp::socket&> stream(*socket, *tls_);
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
      if (!ec) co_await exchanges(stream, number);
    } else {
      co_await exchanges(*socket, number);
    }
  }

  template <class Stream>
  asio::awaitable<void> exchanges(Stream& stream, int number) {
    std::string buffer;
    std::array<char, 8192> chunk;
    for (int index = 1;; ++index) {
      std::size_t end;
      while ((end = http::find_head_end(buffer)) == std::string::npos) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
        if (ec) co_return;
        buffer.append(chunk.data(), n);
      }
      auto request = http::parse_request_head(std::string_view(buffer).substr(0, end), {});
      buffer.erase(0, end);
      if (!request) co_return;
      // A body announced by Content-Length (the browser's form posts) is read whole.
      std::size_t length = 0;
      if (auto announced = request->headers.get("Content-Length"))
        length = static_cast<std::size_t>(std::stoul(std::string(*announced)));
      while (buffer.size() < length) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk), use_tuple);
        if (ec) co_return;
        buffer.append(chunk.data(), n);
      }
      request->body = buffer.substr(0, length);
      buffer.erase(0, length);
      OriginRequest seen{std::move(*request), number, index};
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(seen);
      }
      OriginReply reply = handler_(seen);
      if (reply.drop) co_return;
      auto [ec, n] = co_await asio::async_write(stream, asio::buffer(reply.bytes), use_tuple);
      if (ec) co_return;
      if (reply.stall) {
        asio::steady_timer forever(io_, std::chrono::hours(1));
        co_await forever.async_wait(use_tuple);
        co_return;
      }
      if (reply.reset) {
        std::error_code ignored;
        stream.lowest_layer().set_option(asio::socket_base::linger(true, 0), ignored);
        stream.lowest_layer().close(ignored);
        co_return;
      }
      if (reply.close_after) co_return;
    }
  }

  Handler handler_;
  asio::ssl::context* tls_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::vector<OriginRequest> requests_;
  std::thread thread_;
};

}  // namespace miniweb::browser::test
