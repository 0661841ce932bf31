#include "server/tls_stream.hpp"

#include <openssl/err.h>
#include <sys/socket.h>

#include <asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>

namespace miniweb::server {
namespace {

// Received bytes wait here until OpenSSL reads them (into its own record buffer). Requests are
// small: the buffer starts at a page and doubles while reads fill it, up to two records of
// 2^14 bytes plus 256 of expansion and a 5-byte header (RFC 8446 section 5.2).
constexpr std::size_t kInputStart = 4096;
constexpr std::size_t kInputMax = 2 * (16384 + 256 + 5);
// The output kept between requests: one full record with its header, tag and type byte.
constexpr std::size_t kKeptOutputBytes = 16384 + 64;

std::error_code ssl_error(int result_code, SSL* ssl) {
  const int error = SSL_get_error(ssl, result_code);
  if (error == SSL_ERROR_ZERO_RETURN) return asio::error::eof;  // the peer's close_notify
  if (error == SSL_ERROR_SSL) {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
      return asio::ssl::error::stream_truncated;
    return {static_cast<int>(code), asio::error::get_ssl_category()};
  }
  ERR_clear_error();
  return {error, asio::error::get_ssl_category()};
}

}  // namespace

// The BIO under the SSL object: reads from the stream's input buffer, writes to its output.
struct TlsStreamBio {
  static TlsStream& stream(BIO* bio) { return *static_cast<TlsStream*>(BIO_get_data(bio)); }

  static int write(BIO* bio, const char* data, std::size_t size, std::size_t* written) {
    BIO_clear_retry_flags(bio);
    stream(bio).output_.append(data, size);
    *written = size;
    return 1;
  }
  static int read(BIO* bio, char* data, std::size_t size, std::size_t* read) {
    BIO_clear_retry_flags(bio);
    TlsStream& s = stream(bio);
    const std::size_t available = s.input_end_ - s.input_begin_;
    if (available == 0) {
      BIO_set_retry_read(bio);  // OpenSSL reports SSL_ERROR_WANT_READ
      *read = 0;
      return 0;
    }
    const std::size_t n = std::min(size, available);
    std::memcpy(data, s.input_.get() + s.input_begin_, n);
    s.input_begin_ += n;
    if (s.input_begin_ == s.input_end_) s.input_begin_ = s.input_end_ = 0;
    *read = n;
    return 1;
  }
  static long control(BIO* bio, int command, long, void*) {
    switch (command) {
      case BIO_CTRL_FLUSH:
        return 1;
      case BIO_CTRL_PENDING:
        return static_cast<long>(stream(bio).input_end_ - stream(bio).input_begin_);
      case BIO_CTRL_WPENDING:
        return static_cast<long>(stream(bio).output_.size());
      default:
        return 0;
    }
  }
  static int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static const BIO_METHOD* method() {
    static const std::unique_ptr<BIO_METHOD, tls::OpenSslDeleter<BIO_meth_free>> method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "miniweb-tls");
      BIO_meth_set_write_ex(m, &TlsStreamBio::write);
      BIO_meth_set_read_ex(m, &TlsStreamBio::read);
      BIO_meth_set_ctrl(m, &TlsStreamBio::control);
      BIO_meth_set_create(m, &TlsStreamBio::create);
      return std::unique_ptr<BIO_METHOD, tls::OpenSslDeleter<BIO_meth_free>>(m);
    }();
    return method.get();
  }
};

TlsStream::TlsStream(asio::ip::tcp::socket socket, SSL_CTX* context)
    : socket_(std::move(socket)), ssl_(SSL_new(context)) {
  if (!ssl_) throw std::runtime_error("SSL_new: " + tls::openssl_error_text());
  BIO* bio = BIO_new(TlsStreamBio::method());
  if (!bio) throw std::runtime_error("BIO_new: " + tls::openssl_error_text());
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_.get(), bio, bio);  // one reference, owned by the SSL object
  // Idle connections give their record buffers back (nginx does the same).
  SSL_set_mode(ssl_.get(), SSL_MODE_RELEASE_BUFFERS);
  SSL_set_accept_state(ssl_.get());
  // A context that accepts early data needs SSL_read_early_data first, whether or not the
  // client sends any (it then answers "finished" at once).
  reading_early_ = SSL_get_max_early_data(ssl_.get()) > 0;
}

bool TlsStream::has_buffered_input() const {
  return input_begin_ != input_end_ || SSL_has_pending(ssl_.get()) || early_input_ != nullptr;
}

void TlsStream::release_buffers() {
  if (input_begin_ == input_end_) {
    input_.reset();
    input_capacity_ = input_begin_ = input_end_ = 0;
  }
  if (output_.empty()) std::string().swap(output_);
}

void TlsStream::trim_buffers() {
  if (output_.empty() && output_.capacity() > kKeptOutputBytes) std::string().swap(output_);
}

asio::mutable_buffer TlsStream::input_space() {
  if (input_begin_ == input_end_) {
    input_begin_ = input_end_ = 0;
    if (input_capacity_ > kInputStart) {  // a large transfer is over: back to a page
      input_.reset();
      input_capacity_ = 0;
    }
  } else if (input_begin_ > 0) {  // what OpenSSL has not read yet moves to the front
    std::memmove(input_.get(), input_.get() + input_begin_, input_end_ - input_begin_);
    input_end_ -= input_begin_;
    input_begin_ = 0;
  }
  if (!input_ || (input_end_ == input_capacity_ && input_capacity_ < kInputMax)) {
    const std::size_t capacity = input_ ? std::min(2 * input_capacity_, kInputMax) : kInputStart;
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (input_end_ > 0) std::memcpy(grown.get(), input_.get(), input_end_);
    input_ = std::move(grown);
    input_capacity_ = capacity;
  }
  return asio::buffer(input_.get() + input_end_, input_capacity_ - input_end_);
}

void TlsStream::reserve_output(std::size_t plaintext_bytes) {
  // Each record adds a header, a tag and a content type byte (RFC 8446 section 5.2).
  output_.reserve(output_.size() + plaintext_bytes + (plaintext_bytes / 16384 + 1) * 64);
}

std::size_t TlsStream::send_now(std::error_code& ec) {
  if (NestingGuard::depth > kMaxNesting) {
    ec = asio::error::would_block;
    return 0;
  }
  std::size_t sent = 0;
  while (sent < output_.size()) {
    const ssize_t n = ::send(socket_.native_handle(), output_.data() + sent, output_.size() - sent,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno != EINTR) {
      ec = errno == EAGAIN || errno == EWOULDBLOCK
               ? asio::error::would_block
               : std::error_code(errno, asio::error::get_system_category());
      return sent;
    }
  }
  return sent;
}

std::error_code TlsStream::receive_now() {
  if (NestingGuard::depth > kMaxNesting) return asio::error::would_block;
  const asio::mutable_buffer space = input_space();
  for (;;) {
    const ssize_t n = ::recv(socket_.native_handle(), space.data(), space.size(), MSG_DONTWAIT);
    if (n > 0) {
      input_end_ += static_cast<std::size_t>(n);
      return {};
    }
    if (n == 0) return asio::error::eof;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return std::error_code(errno, asio::error::get_system_category());
    return asio::error::would_block;
  }
}

TlsStream::Next TlsStream::handshake(std::error_code& ec) {
  if (reading_early_) {
    // The ClientHello read and the server's flight written; then the client's early data, when
    // it sent some and it was accepted: the handshake is over as far as the connection's user
    // is concerned, whose first reads get that data while the client's Finished is on its way.
    char chunk[kMaxEarlyChunk];  // here, not in a buffer every connection would keep
    std::size_t got = 0;
    const Next next = read_early(asio::buffer(chunk), got, ec);
    if (got > 0) {
      if (!early_input_) early_input_ = std::make_unique<std::string>();
      early_input_->append(chunk, got);
    }
    if (next != Next::Done || got > 0) return next;
    if (SSL_is_init_finished(ssl_.get())) return Next::Done;  // TLS 1.2: done by now
  }
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) return Next::Done;
  if (SSL_get_error(ssl_.get(), result) == SSL_ERROR_WANT_READ) return Next::NeedInput;
  ec = ssl_error(result, ssl_.get());
  return Next::Failed;
}

// One SSL_read_early_data: Done with `got` bytes, or with none once the early data is over
// (reading_early_ then false: the handshake's end and the rest are SSL_read's).
TlsStream::Next TlsStream::read_early(asio::mutable_buffer buffer, std::size_t& got,
                                      std::error_code& ec) {
  ERR_clear_error();
  got = 0;
  const int result = SSL_read_early_data(ssl_.get(), buffer.data(), buffer.size(), &got);
  if (result == SSL_READ_EARLY_DATA_SUCCESS) return Next::Done;
  if (result == SSL_READ_EARLY_DATA_FINISH) {
    reading_early_ = false;
    got = 0;
    return Next::Done;
  }
  if (SSL_get_error(ssl_.get(), result) == SSL_ERROR_WANT_READ) return Next::NeedInput;
  ec = ssl_error(result, ssl_.get());
  return Next::Failed;
}

TlsStream::Next TlsStream::shutdown(std::error_code& ec) {
  ERR_clear_error();
  const int result = SSL_shutdown(ssl_.get());
  if (result >= 0) return Next::Done;  // close_notify is written (0: the peer's not awaited)
  ec = ssl_error(result, ssl_.get());
  return Next::Failed;
}

TlsStream::Next TlsStream::read(asio::mutable_buffer buffer, std::size_t& got,
                                std::error_code& ec) {
  if (early_input_) {  // early data the handshake read
    got = std::min(buffer.size(), early_input_->size());
    std::memcpy(buffer.data(), early_input_->data(), got);
    early_input_->erase(0, got);
    if (early_input_->empty()) early_input_.reset();
    return Next::Done;
  }
  if (reading_early_) {
    const Next next = read_early(buffer, got, ec);
    if (next != Next::Done || got > 0) return next;
  }
  ERR_clear_error();
  const int result = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &got);
  if (result == 1) return Next::Done;
  if (SSL_get_error(ssl_.get(), result) == SSL_ERROR_WANT_READ) return Next::NeedInput;
  ec = ssl_error(result, ssl_.get());
  return Next::Failed;
}

TlsStream::Next TlsStream::write(asio::const_buffer buffer, std::error_code& ec) {
  ERR_clear_error();
  std::size_t written = 0;
  // The BIO takes everything, so OpenSSL writes all of it or fails. While the client may still
  // send early data, what the server writes goes before the client's Finished (0.5-RTT data).
  const int result = reading_early_
                         ? SSL_write_early_data(ssl_.get(), buffer.data(), buffer.size(), &written)
                         : SSL_write_ex(ssl_.get(), buffer.data(), buffer.size(), &written);
  if (result == 1) return Next::Done;
  ec = ssl_error(result, ssl_.get());
  return Next::Failed;
}

}  // namespace miniweb::server
