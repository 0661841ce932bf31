// HTTP/2's names as the trace and the packet view write them (shared/http2/frame_text.*), and
// the packet view's placing of reported frames in TLS records (browser/observe/http2_frames.*).

#include <gtest/gtest.h>

#include "browser/observe/http2_frames.hpp"
#include "shared/http2/frame_text.hpp"

namespace miniweb {
namespace {

TEST(BrowserHttp2FrameText, NamesTypesFlagsErrorsAndSettings) {
  EXPECT_EQ(http2::frame_type_name(NGHTTP2_HEADERS), "HEADERS");
  EXPECT_EQ(http2::frame_type_name(NGHTTP2_WINDOW_UPDATE), "WINDOW_UPDATE");
  EXPECT_EQ(http2::frame_type_name(0x42), "type 0x42");
  // The same bit is END_STREAM on DATA and ACK on SETTINGS (RFC 9113 section 6).
  EXPECT_EQ(http2::frame_flags_text(NGHTTP2_DATA, 0x01), "END_STREAM");
  EXPECT_EQ(http2::frame_flags_text(NGHTTP2_SETTINGS, 0x01), "ACK");
  EXPECT_EQ(http2::frame_flags_text(NGHTTP2_HEADERS, 0x25), "END_STREAM END_HEADERS PRIORITY");
  EXPECT_EQ(http2::frame_flags_text(NGHTTP2_DATA, 0x41), "END_STREAM 0x40");
  EXPECT_EQ(http2::frame_flags_text(NGHTTP2_GOAWAY, 0), "");
  EXPECT_EQ(http2::error_code_name(NGHTTP2_NO_ERROR), "NO_ERROR");
  EXPECT_EQ(http2::error_code_name(NGHTTP2_ENHANCE_YOUR_CALM), "ENHANCE_YOUR_CALM");
  EXPECT_EQ(http2::error_code_name(0x1f), "error 0x1f");
  EXPECT_EQ(http2::setting_name(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE), "INITIAL_WINDOW_SIZE");
  EXPECT_EQ(http2::setting_name(0x99), "setting 0x99");
  EXPECT_EQ(http2::with_thousands(41223), "41,223");
  EXPECT_EQ(http2::with_thousands(999), "999");
  EXPECT_EQ(http2::with_thousands(1000000), "1,000,000");
}

TEST(BrowserHttp2FrameText, DescribesFramesAsNghttp2HoldsThem) {
  nghttp2_frame frame{};
  nghttp2_settings_entry entries[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
                                      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535}};
  frame.hd = {12, 0, NGHTTP2_SETTINGS, 0, 0};
  frame.settings.niv = 2;
  frame.settings.iv = entries;
  EXPECT_EQ(http2::describe_frame(frame),
            "SETTINGS MAX_CONCURRENT_STREAMS=100 INITIAL_WINDOW_SIZE=65535");
  frame.hd = {0, 0, NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0};
  frame.settings.niv = 0;
  EXPECT_EQ(http2::describe_frame(frame), "SETTINGS (ACK)");

  frame = {};
  frame.hd = {4, 3, NGHTTP2_RST_STREAM, 0, 0};
  frame.rst_stream.error_code = NGHTTP2_CANCEL;
  EXPECT_EQ(http2::describe_frame(frame), "RST_STREAM stream 3 CANCEL");

  frame = {};
  std::uint8_t debug[] = {'b', 'y', 'e', 0x01};
  frame.hd = {12, 0, NGHTTP2_GOAWAY, 0, 0};
  frame.goaway.last_stream_id = 5;
  frame.goaway.error_code = NGHTTP2_PROTOCOL_ERROR;
  frame.goaway.opaque_data = debug;
  frame.goaway.opaque_data_len = sizeof debug;
  EXPECT_EQ(http2::describe_frame(frame), "GOAWAY last stream 5, PROTOCOL_ERROR, \"bye.\"");

  frame = {};
  frame.hd = {4, 1, NGHTTP2_WINDOW_UPDATE, 0, 0};
  frame.window_update.window_size_increment = 65536;
  EXPECT_EQ(http2::describe_frame(frame), "WINDOW_UPDATE stream 1 +65536");

  frame = {};
  frame.hd = {8, 0, NGHTTP2_PING, NGHTTP2_FLAG_ACK, 0};
  for (int i = 0; i < 8; ++i) frame.ping.opaque_data[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(http2::describe_frame(frame), "PING (ACK) opaque 0001020304050607");

  frame = {};
  frame.hd = {16384, 1, NGHTTP2_DATA, NGHTTP2_FLAG_END_STREAM, 0};
  EXPECT_EQ(http2::describe_frame(frame), "DATA stream 1 (END_STREAM), 16,384 bytes");
}

using browser::observe::Http2FramePlacement;
using browser::observe::Http2FrameSeen;

TEST(BrowserHttp2FramePlacement, PlacesEachFrameInTheRecordsThatCarryIt) {
  Http2FramePlacement placement({
      {1, true, 0, 24, "connection preface"},
      {1, true, 24, 27, "SETTINGS"},
      {1, true, 51, 40, "HEADERS stream 1"},
      {1, false, 0, 15, "SETTINGS"},
      {1, false, 15, 9000, "DATA stream 1"},
      {1, false, 9015, 100, "DATA stream 1 (END_STREAM)"},
  });
  EXPECT_EQ(placement.record(true, 91),
            (std::vector<std::string>{"  h2 connection preface", "  h2 SETTINGS",
                                      "  h2 HEADERS stream 1"}));
  EXPECT_EQ(placement.record(false, 4096),
            (std::vector<std::string>{"  h2 SETTINGS",
                                      "  h2 DATA stream 1 (goes on in the next record)"}));
  EXPECT_EQ(
      placement.record(false, 4096),
      (std::vector<std::string>{"  h2 DATA stream 1, continued (goes on in the next record)"}));
  EXPECT_EQ(placement.record(false, 923),
            (std::vector<std::string>{"  h2 DATA stream 1, continued",
                                      "  h2 DATA stream 1 (END_STREAM)"}));
  // A record past every reported frame says so rather than guessing.
  EXPECT_EQ(placement.record(true, 10),
            (std::vector<std::string>{"  no HTTP/2 frame the browser was told of"}));
}

TEST(BrowserHttp2FramePlacement, AKeptAliveConnectionCountsFromItsFirstReportedFrame) {
  Http2FramePlacement placement({{2, true, 500, 20, "HEADERS stream 5"}});
  placement.starts_mid_connection();
  EXPECT_EQ(placement.record(true, 20), (std::vector<std::string>{"  h2 HEADERS stream 5"}));
}

}  // namespace
}  // namespace miniweb
