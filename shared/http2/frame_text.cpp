#include "shared/http2/frame_text.hpp"

#include <cstdio>
#include <span>

namespace miniweb::http2 {
namespace {

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", value);
  return text;
}

// GOAWAY's debug data is opaque bytes (section 6.8): shown as text, anything unprintable as '.'.
std::string printable(const std::uint8_t* data, std::size_t length) {
  std::string out;
  for (std::size_t i = 0; i < length && i < 200; ++i)
    out += data[i] >= 0x20 && data[i] < 0x7f ? static_cast<char>(data[i]) : '.';
  return out;
}

std::string with_length(std::string text, std::size_t length) {
  return text + ", " + with_thousands(length) + (length == 1 ? " byte" : " bytes");
}

}  // namespace

std::string with_thousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
  return digits;
}

std::string frame_type_name(std::uint8_t type) {
  switch (type) {
    case NGHTTP2_DATA:
      return "DATA";
    case NGHTTP2_HEADERS:
      return "HEADERS";
    case NGHTTP2_PRIORITY:
      return "PRIORITY";
    case NGHTTP2_RST_STREAM:
      return "RST_STREAM";
    case NGHTTP2_SETTINGS:
      return "SETTINGS";
    case NGHTTP2_PUSH_PROMISE:
      return "PUSH_PROMISE";
    case NGHTTP2_PING:
      return "PING";
    case NGHTTP2_GOAWAY:
      return "GOAWAY";
    case NGHTTP2_WINDOW_UPDATE:
      return "WINDOW_UPDATE";
    case NGHTTP2_CONTINUATION:
      return "CONTINUATION";
    case NGHTTP2_ALTSVC:
      return "ALTSVC";
    case NGHTTP2_ORIGIN:
      return "ORIGIN";
    case NGHTTP2_PRIORITY_UPDATE:
      return "PRIORITY_UPDATE";
    default:
      return "type " + hex(type);
  }
}

std::string frame_flags_text(std::uint8_t type, std::uint8_t flags) {
  // Section 6: each type defines its own flags; the same bit means different things.
  struct Flag {
    std::uint8_t bit;
    const char* name;
  };
  static constexpr Flag kData[] = {{NGHTTP2_FLAG_END_STREAM, "END_STREAM"},
                                   {NGHTTP2_FLAG_PADDED, "PADDED"}};
  static constexpr Flag kHeaders[] = {{NGHTTP2_FLAG_END_STREAM, "END_STREAM"},
                                      {NGHTTP2_FLAG_END_HEADERS, "END_HEADERS"},
                                      {NGHTTP2_FLAG_PADDED, "PADDED"},
                                      {NGHTTP2_FLAG_PRIORITY, "PRIORITY"}};
  static constexpr Flag kPushPromise[] = {{NGHTTP2_FLAG_END_HEADERS, "END_HEADERS"},
                                          {NGHTTP2_FLAG_PADDED, "PADDED"}};
  static constexpr Flag kContinuation[] = {{NGHTTP2_FLAG_END_HEADERS, "END_HEADERS"}};
  static constexpr Flag kAck[] = {{NGHTTP2_FLAG_ACK, "ACK"}};
  std::span<const Flag> defined;
  switch (type) {
    case NGHTTP2_DATA:
      defined = kData;
      break;
    case NGHTTP2_HEADERS:
      defined = kHeaders;
      break;
    case NGHTTP2_PUSH_PROMISE:
      defined = kPushPromise;
      break;
    case NGHTTP2_CONTINUATION:
      defined = kContinuation;
      break;
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
      defined = kAck;
      break;
    default:
      break;
  }
  std::string out;
  std::uint8_t named = 0;
  for (const Flag& flag : defined) {
    if ((flags & flag.bit) == 0) continue;
    named |= flag.bit;
    out += (out.empty() ? "" : " ") + std::string(flag.name);
  }
  for (unsigned bit = 1; bit < 0x100; bit <<= 1)
    if ((flags & bit) != 0 && (named & bit) == 0) out += (out.empty() ? "" : " ") + hex(bit);
  return out;
}

std::string error_code_name(std::uint32_t code) {
  switch (code) {
    case NGHTTP2_NO_ERROR:
      return "NO_ERROR";
    case NGHTTP2_PROTOCOL_ERROR:
      return "PROTOCOL_ERROR";
    case NGHTTP2_INTERNAL_ERROR:
      return "INTERNAL_ERROR";
    case NGHTTP2_FLOW_CONTROL_ERROR:
      return "FLOW_CONTROL_ERROR";
    case NGHTTP2_SETTINGS_TIMEOUT:
      return "SETTINGS_TIMEOUT";
    case NGHTTP2_STREAM_CLOSED:
      return "STREAM_CLOSED";
    case NGHTTP2_FRAME_SIZE_ERROR:
      return "FRAME_SIZE_ERROR";
    case NGHTTP2_REFUSED_STREAM:
      return "REFUSED_STREAM";
    case NGHTTP2_CANCEL:
      return "CANCEL";
    case NGHTTP2_COMPRESSION_ERROR:
      return "COMPRESSION_ERROR";
    case NGHTTP2_CONNECT_ERROR:
      return "CONNECT_ERROR";
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return "ENHANCE_YOUR_CALM";
    case NGHTTP2_INADEQUATE_SECURITY:
      return "INADEQUATE_SECURITY";
    case NGHTTP2_HTTP_1_1_REQUIRED:
      return "HTTP_1_1_REQUIRED";
    default:
      return "error " + hex(code);
  }
}

std::string setting_name(std::int32_t id) {
  switch (id) {
    case NGHTTP2_SETTINGS_HEADER_TABLE_SIZE:
      return "HEADER_TABLE_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_PUSH:
      return "ENABLE_PUSH";
    case NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS:
      return "MAX_CONCURRENT_STREAMS";
    case NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
      return "INITIAL_WINDOW_SIZE";
    case NGHTTP2_SETTINGS_MAX_FRAME_SIZE:
      return "MAX_FRAME_SIZE";
    case NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE:
      return "MAX_HEADER_LIST_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL:
      return "ENABLE_CONNECT_PROTOCOL";
    case NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES:
      return "NO_RFC7540_PRIORITIES";
    default:
      return "setting " + hex(static_cast<std::uint32_t>(id));
  }
}

std::string stream_and_flags(const nghttp2_frame_hd& header) {
  std::string out;
  if (header.stream_id != 0) out = "stream " + std::to_string(header.stream_id);
  if (const std::string flags = frame_flags_text(header.type, header.flags); !flags.empty())
    out += (out.empty() ? "(" : " (") + flags + ")";
  return out;
}

std::string describe_frame(const nghttp2_frame& frame) {
  const nghttp2_frame_hd& header = frame.hd;
  std::string out = frame_type_name(header.type);
  if (const std::string where = stream_and_flags(header); !where.empty()) out += " " + where;
  switch (header.type) {
    case NGHTTP2_DATA:
      return with_length(out, header.length);
    case NGHTTP2_SETTINGS:
      for (std::size_t i = 0; i < frame.settings.niv; ++i)
        out += " " + setting_name(frame.settings.iv[i].settings_id) + "=" +
               std::to_string(frame.settings.iv[i].value);
      if (frame.settings.niv == 0 && (header.flags & NGHTTP2_FLAG_ACK) == 0) out += " (none)";
      return out;
    case NGHTTP2_WINDOW_UPDATE:
      return out + " +" + std::to_string(frame.window_update.window_size_increment);
    case NGHTTP2_PING: {
      std::string opaque;
      char byte[3];
      for (std::uint8_t value : frame.ping.opaque_data) {
        std::snprintf(byte, sizeof byte, "%02x", value);
        opaque += byte;
      }
      return out + " opaque " + opaque;
    }
    case NGHTTP2_GOAWAY:
      return out + " last stream " + std::to_string(frame.goaway.last_stream_id) + ", " +
             error_code_name(frame.goaway.error_code) +
             (frame.goaway.opaque_data_len > 0
                  ? ", \"" + printable(frame.goaway.opaque_data, frame.goaway.opaque_data_len) +
                        "\""
                  : "");
    case NGHTTP2_RST_STREAM:
      return out + " " + error_code_name(frame.rst_stream.error_code);
    default:
      return with_length(out, header.length);
  }
}

}  // namespace miniweb::http2
