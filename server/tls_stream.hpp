#pragma once
// A server-side TLS stream over a TCP socket, with OpenSSL reading and writing memory that the
// stream owns (a BIO of its own) and Asio moving that memory to and from the socket.
//
// Why not asio::ssl::stream: it encrypts one buffer per call through a 17 KiB BIO pair, so a
// 100 KiB response costs a socket write per record and three copies of every byte. Here all the
// records of one write are encrypted into one buffer and leave in one system call; received
// bytes are read straight into the buffer OpenSSL reads from.
//
// It is an Asio AsyncReadStream and AsyncWriteStream (async_read_some, async_write_some), so
// asio::async_write and code written for asio::ssl::stream work with it. One operation of each
// direction at a time, on one thread, like asio::ssl::stream.

#include <openssl/ssl.h>

#include <algorithm>
#include <asio.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include "shared/tls/openssl_ptr.hpp"

namespace miniweb::server {

class TlsStream {
 public:
  using executor_type = asio::ip::tcp::socket::executor_type;

  // A server's end; `context` may be replaced during the handshake (SNI) with SSL_set_SSL_CTX.
  TlsStream(asio::ip::tcp::socket socket, SSL_CTX* context);
  TlsStream(const TlsStream&) = delete;  // OpenSSL's BIO points at this object
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  asio::ip::tcp::socket& next_layer() { return socket_; }
  asio::ip::tcp::socket& lowest_layer() { return socket_; }
  SSL* native_handle() { return ssl_.get(); }

  // Completion: void(std::error_code).
  template <class Token>
  auto async_handshake(Token&& token) {
    return asio::async_compose<Token, void(std::error_code)>(
        Operation<asio::mutable_buffer, Kind::Handshake, true>(*this, asio::mutable_buffer()),
        token, socket_);
  }
  // Sends close_notify and does not wait for the peer's (the server closes next).
  template <class Token>
  auto async_shutdown(Token&& token) {
    return asio::async_compose<Token, void(std::error_code)>(
        Operation<asio::mutable_buffer, Kind::Shutdown, true>(*this, asio::mutable_buffer()), token,
        socket_);
  }
  // Completion: void(std::error_code, std::size_t).
  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(std::error_code, std::size_t)>(
        Operation<MutableBuffers, Kind::Read, false>(*this, buffers), token, socket_);
  }
  // Encrypts up to kMaxWriteBytes of `buffers` into records and sends them in one write.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(std::error_code, std::size_t)>(
        Operation<ConstBuffers, Kind::Write, false>(*this, buffers), token, socket_);
  }

  static constexpr std::size_t kMaxWriteBytes = 256 * 1024;
  // Early data is read a record's plaintext at a time.
  static constexpr std::size_t kMaxEarlyChunk = 16384;

  // The writes from here on wait for the close_notify of the shutdown that follows them, and
  // leave with it in one system call and one packet, while they come to no more than
  // kMaxHeldBytes (more goes at once, with what was held): the last response before the server
  // closes a connection (HTTP/1.0, "Connection: close") then wakes the client once, not twice.
  void send_with_close_notify() { holding_for_shutdown_ = true; }
  static constexpr std::size_t kMaxHeldBytes = 16 * 1024;

  // Whether bytes are already here (received ciphertext, plaintext OpenSSL decrypted, or early
  // data read with the handshake), so that a read needs nothing from the socket.
  bool has_buffered_input() const;
  // Receives what has arrived into the stream's input, without waiting: would_block when
  // nothing has, eof at the peer's end. After a readiness wait this tells a stale report (the
  // bytes it saw were read meanwhile) from bytes that are really there, and keeps them for the
  // next read.
  std::error_code receive_now();
  // Waits until the peer sends and receives what came into the stream's input (the socket's
  // error, eof included, when that is what came). A read, not a readiness wait: Asio tries the
  // socket first only while its last readiness report has not been answered by an empty read,
  // and then queues the read without an epoll_ctl, where a readiness wait re-arms the
  // descriptor each time (one epoll_ctl per keep-alive request, 4.5% of a busy server's time).
  // Holds the input buffer (a page) while it waits.
  template <class Token>
  auto async_receive(Token&& token) {
    return asio::async_compose<Token, void(std::error_code)>(
        [this, started = false](auto& self, std::error_code ec = {}, std::size_t n = 0) mutable {
          if (!std::exchange(started, true))
            return socket_.async_receive(input_space(), std::move(self));
          input_end_ += n;
          self.complete(ec);
        },
        token, socket_);
  }
  // Gives an idle connection's buffers back to the heap, as nginx does between keep-alive
  // requests; the next read or write allocates them again. Only between operations.
  void release_buffers();
  // Gives back what a large response grew the output to (more than a record's worth), keeping a
  // small one's for the next request. Only between operations.
  void trim_buffers();

 private:
  enum class Kind { Handshake, Shutdown, Read, Write };
  // What an operation does after one OpenSSL call.
  enum class Next { Done, NeedInput, Failed };

  Next handshake(std::error_code& ec);
  Next read_early(asio::mutable_buffer buffer, std::size_t& got, std::error_code& ec);
  Next shutdown(std::error_code& ec);
  Next read(asio::mutable_buffer buffer, std::size_t& got, std::error_code& ec);
  Next write(asio::const_buffer buffer, std::error_code& ec);
  void reserve_output(std::size_t plaintext_bytes);
  asio::mutable_buffer input_space();

  template <class Buffers, Kind K, bool NoSize>
  struct Operation {
    Operation(TlsStream& s, const Buffers& b) : stream(s), buffers(b) {}

    TlsStream& stream;
    Buffers buffers;
    enum class Phase { Start, Receiving, Sending } phase = Phase::Start;
    std::size_t transferred = 0;
    std::error_code final_ec;
    bool finished = false;
    bool yielded = false;  // a handshake's first input waited its turn (see the loop)

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0) {
      const NestingGuard nesting;
      if (phase == Phase::Receiving) {
        if (ec) return complete(self, ec);
        stream.input_end_ += n;
      } else if (phase == Phase::Sending) {
        stream.output_.clear();
        if (ec) return complete(self, ec);
        if (finished) return complete(self, final_ec);
      }
      for (;;) {
        phase = Phase::Start;
        if constexpr (K == Kind::Handshake) {
          // The answer to a ClientHello is the handshake's costly step (the key exchange and a
          // signature, 0.1 to 0.4 ms): it goes behind the work already queued, the requests of
          // the connections being served (a few microseconds each), rather than they behind it.
          if (!yielded && stream.input_begin_ != stream.input_end_) {
            yielded = true;
            return asio::post(stream.socket_.get_executor(), std::move(self));
          }
        }
        const Next next = step(ec);
        if constexpr (K == Kind::Write) {
          if (!ec && stream.holding_for_shutdown_ && stream.output_.size() <= kMaxHeldBytes)
            return complete(self, ec);
        }
        // Whatever OpenSSL wrote (a handshake flight, records, an alert) leaves first. That
        // includes TLS 1.3's session tickets, written as the handshake ends: held back for the
        // first response, they left the client's Finished unacknowledged, and a client without
        // TCP_NODELAY then held its request under Nagle's algorithm until our delayed ACK, 40 ms.
        const bool sending = !stream.output_.empty();
        if (sending) {
          finished = next != Next::NeedInput;
          final_ec = ec;
          std::error_code send_ec;
          const std::size_t sent = stream.send_now(send_ec);
          if (send_ec == asio::error::would_block) {
            phase = Phase::Sending;
            return asio::async_write(stream.socket_, asio::buffer(stream.output_) + sent,
                                     std::move(self));
          }
          stream.output_.clear();
          if (send_ec) return complete(self, send_ec);
          if (finished) return complete(self, final_ec);
        }
        if (next != Next::NeedInput) return complete(self, ec);
        // The peer's answer to a flight just sent cannot be here yet: wait for it, without a
        // read that would only find the socket empty.
        const std::error_code receive_ec =
            sending ? asio::error::would_block : stream.receive_now();
        if (receive_ec == asio::error::would_block) {
          phase = Phase::Receiving;
          return stream.socket_.async_read_some(stream.input_space(), std::move(self));
        }
        if (receive_ec) return complete(self, receive_ec);
      }
    }

   private:
    // One round of OpenSSL's work for this operation.
    Next step(std::error_code& ec) {
      if constexpr (K == Kind::Handshake) {
        return stream.handshake(ec);
      } else if constexpr (K == Kind::Shutdown) {
        return stream.shutdown(ec);
      } else if constexpr (K == Kind::Read) {
        // The first non-empty buffer, as asio::ssl::stream does.
        asio::mutable_buffer target;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it) {
          if (asio::mutable_buffer(*it).size() > 0) {
            target = *it;
            break;
          }
        }
        if (target.size() == 0) return Next::Done;
        // Nothing received and nothing buffered: wait for the socket before asking OpenSSL,
        // which would otherwise hold a record buffer (17 KiB) for as long as the peer is idle.
        if (stream.input_begin_ == stream.input_end_ && !SSL_has_pending(stream.ssl_.get()) &&
            !stream.early_input_ && SSL_is_init_finished(stream.ssl_.get()))
          return Next::NeedInput;
        return stream.read(target, transferred, ec);
      } else {
        std::size_t total = 0;
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers); ++it)
          total += asio::const_buffer(*it).size();
        stream.reserve_output(std::min(total, kMaxWriteBytes));
        for (auto it = asio::buffer_sequence_begin(buffers);
             it != asio::buffer_sequence_end(buffers) && transferred < kMaxWriteBytes && !ec;
             ++it) {
          asio::const_buffer part(*it);
          part = asio::buffer(part, kMaxWriteBytes - transferred);
          if (part.size() == 0) continue;
          if (stream.write(part, ec) == Next::Done) transferred += part.size();
        }
        return ec ? Next::Failed : Next::Done;
      }
    }

    template <class Self>
    void complete(Self& self, std::error_code ec) {
      if constexpr (NoSize) {
        self.complete(ec);
      } else {
        self.complete(ec, ec ? 0 : transferred);
      }
    }
  };

  // The socket is tried at once, without waiting (MSG_DONTWAIT), before an operation waits
  // through Asio: a request whose bytes are already here, or a response the socket buffer
  // takes whole, then costs no trip through the scheduler's queue, where it would wait behind
  // every other connection's work (a burst of handshakes, say), as nginx serves a readable
  // connection in one go. An operation that ends this way completes inside the call that
  // started it, so its caller resumes nested on the stack, and may start the next operation
  // there (pipelined requests): past kMaxNesting operations deep, the socket waits through
  // Asio, which unwinds the stack.
  static constexpr unsigned kMaxNesting = 8;
  struct NestingGuard {
    NestingGuard() { ++depth; }
    ~NestingGuard() { --depth; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;
    static inline thread_local unsigned depth = 0;
  };
  // Sends what it can of output_ now; would_block when the rest must wait. Returns bytes sent.
  std::size_t send_now(std::error_code& ec);

  friend struct TlsStreamBio;

  asio::ip::tcp::socket socket_;
  tls::SslPtr ssl_;
  // Received ciphertext not yet read by OpenSSL: input_[input_begin_, input_end_).
  std::unique_ptr<char[]> input_;
  std::size_t input_capacity_ = 0;
  std::size_t input_begin_ = 0;
  std::size_t input_end_ = 0;
  std::string output_;  // ciphertext OpenSSL wrote, to send
  bool holding_for_shutdown_ = false;
  // TLS 1.3 early data (server/early_data.hpp): while the client may still be sending it, reads
  // and writes go through OpenSSL's early data calls; what the handshake read of it waits in
  // early_input_ for the first reads (none but while there is some: an idle connection keeps a
  // pointer, not a string).
  bool reading_early_ = false;
  std::unique_ptr<std::string> early_input_;
};

}  // namespace miniweb::server
