#include "stack/stream_report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <vector>

namespace miniweb::stack {
namespace {

constexpr int kLabelWidth = 27;
constexpr int kColumnWidth = 34;
constexpr std::size_t kLineWidth = 100;
constexpr std::size_t kTimelineMarks = 40;  // per flow and row, at most
constexpr std::size_t kTimelineRows = 15;

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// "20", "20.5": whole milliseconds without a fraction.
std::string ms(std::int64_t us) {
  return us % 1000 == 0 ? std::to_string(us / 1000) : format("%.1f", static_cast<double>(us) / 1e3);
}
std::string ms1(std::int64_t us) {
  return format("%.1f", static_cast<double>(us) / 1e3);
}
// Between a number and its unit in the story: a space that wrap() does not break.
constexpr char kJoin = '\x01';

std::string at_s(std::int64_t us) {
  return format("%.3f", static_cast<double>(us) / 1e6) + kJoin + "s";
}

std::string frames_text(std::uint32_t first, std::uint32_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

// "11, 13-15": consecutive numbers as ranges.
std::string numbers_text(const std::vector<std::uint32_t>& numbers) {
  std::string text;
  for (std::size_t i = 0; i < numbers.size();) {
    std::size_t j = i;
    while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
    text += (text.empty() ? "" : ", ") + frames_text(numbers[i], numbers[j]);
    i = j + 1;
  }
  return text;
}

std::string pad(std::string text, int width) {
  if (text.size() < static_cast<std::size_t>(width))
    text.append(static_cast<std::size_t>(width) - text.size(), ' ');
  return text;
}

// The report's two-column table. The UDP column is as wide as its widest cell and two spaces,
// so a reader (and a test) can always tell where the TCP cell starts.
class Table {
 public:
  void row(std::string label, std::string udp, std::string tcp) {
    lines_.push_back({std::move(label), std::move(udp), std::move(tcp), {}});
  }
  // A line of its own between rows, already wrapped.
  void text(std::string line) { lines_.push_back({{}, {}, {}, std::move(line)}); }

  std::string render() const {
    std::size_t width = kColumnWidth;
    for (const Line& line : lines_) width = std::max(width, line.udp.size() + 2);
    std::string out;
    for (const Line& line : lines_) {
      if (!line.whole.empty()) {
        out += line.whole;
        continue;
      }
      std::string text =
          pad(line.label, kLabelWidth) + pad(line.udp, static_cast<int>(width)) + line.tcp;
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += text + "\n";
    }
    return out;
  }

 private:
  struct Line {
    std::string label, udp, tcp;
    std::string whole;  // a line of its own instead of a row, when not empty
  };
  std::vector<Line> lines_;
};

// "9: 12 40 41 77 ...", as many numbers as fit a column.
std::string missing_text(const std::vector<std::uint32_t>& missing) {
  if (missing.empty()) return "none";
  std::string text = std::to_string(missing.size()) + ":";
  for (std::size_t i = 0; i < missing.size(); ++i) {
    const std::string next = " " + std::to_string(missing[i]);
    if (text.size() + next.size() + 4 > static_cast<std::size_t>(kColumnWidth) - 2) {
      text += " ...";
      break;
    }
    text += next;
  }
  return text;
}

std::string lateness_text(const FlowAnalysis& flow) {
  if (flow.arrived == 0) return "-";
  return ms1(flow.p50_us) + " / " + ms1(flow.p99_us) + " / " + ms1(flow.max_us) + " ms";
}

std::string stalls_text(const FlowAnalysis& flow) {
  const Stall* longest = longest_stall(flow);
  if (!longest) return "none";
  return std::to_string(flow.stalls.size()) + ", longest " + ms1(longest->length_us) + " ms (" +
         (longest->first == longest->last ? "frame " : "frames ") +
         frames_text(longest->first, longest->last) + ")";
}

std::string wait_text(const FlowAnalysis& flow) {
  if (!flow.longest_wait) return "-";
  const Wait& wait = *flow.longest_wait;
  std::string text = ms1(wait.gap_us) + " ms after frame " + std::to_string(wait.before);
  if (wait.burst > 1) text += ", then " + std::to_string(wait.burst) + " at once";
  return text;
}

// Words into lines of at most kLineWidth.
std::string wrap(const std::string& text) {
  std::istringstream words(text);
  std::string out;
  std::string line;
  for (std::string word; words >> word;) {
    if (!line.empty() && line.size() + 1 + word.size() > kLineWidth) {
      out += line + "\n";
      line = "  ";
    }
    line += (line.empty() || line == "  " ? "" : " ") + word;
  }
  out += line + "\n";
  std::replace(out.begin(), out.end(), kJoin, ' ');
  return out;
}

bool dropped_by_link(const DropCounts& drops, std::uint32_t isn, std::uint32_t frame,
                     std::size_t frame_bytes) {
  for (auto [seq, length] : drops.tcp_data_dropped) {
    auto [first, last] = frames_of_segment(isn, seq, length, frame_bytes);
    if (first <= frame && frame <= last) return true;
  }
  return false;
}

// A frame left the sender this long after its turn or more: TCP held it there.
constexpr std::int64_t kHeldInSenderUs = 10000;

// The frames delivered in one burst with a stall's first frame, by where they had waited.
struct HeldBack {
  std::vector<std::uint32_t> in_receiver;  // left early enough to have crossed the link before
  std::int64_t left_by_us = 0;             // the last of those left then
  std::vector<std::uint32_t> in_sender;    // left after their turn, with it
};

HeldBack held_back(const Stall& stall, const StreamMeasurements& measured, std::int64_t jitter_us) {
  HeldBack held;
  const WireSummary& wire = *measured.wire;
  const StreamPlan& plan = measured.plan;
  for (std::uint32_t n = stall.first + 1;
       n < stall.first + stall.burst && n < wire.tcp_frames.size(); ++n) {
    const TcpFrameWire& frame = wire.tcp_frames[n];
    const auto& arrival = measured.tcp.arrival_us[n];
    if (!frame.first_sent_us || frame.resent || !arrival) continue;
    // Sent once, and the link (one way, plus its jitter) had brought it well before it came.
    if (*frame.first_sent_us + plan.one_way_us + jitter_us + kBurstUs < *arrival) {
      held.in_receiver.push_back(n);
      held.left_by_us = std::max(held.left_by_us, *frame.first_sent_us);
    } else if (*frame.first_sent_us - plan.send_us(n) >= kHeldInSenderUs) {
      held.in_sender.push_back(n);
    }
  }
  return held;
}

// The TCP stall that held back the most frames in the receiver (else the longest), told from
// the capture, the drop log and the deliveries: when its first frame left (and whether TCP
// kept it in the sender past its turn), whether the link dropped it and when it went again,
// when it came, and the frames that came with it though they had crossed the link before.
std::string stall_story(const StreamConditions& conditions, const StreamMeasurements& measured) {
  if (!measured.wire) return {};
  const WireSummary& wire = *measured.wire;
  const StreamPlan& plan = measured.plan;
  const std::int64_t jitter_us = std::int64_t{conditions.jitter_ms} * 1000;
  const Stall* stall = nullptr;
  HeldBack held;
  for (const Stall& candidate : measured.tcp.stalls) {
    if (candidate.first >= wire.tcp_frames.size()) continue;
    HeldBack behind = held_back(candidate, measured, jitter_us);
    if (!stall || behind.in_receiver.size() > held.in_receiver.size() ||
        (behind.in_receiver.size() == held.in_receiver.size() &&
         candidate.length_us > stall->length_us)) {
      stall = &candidate;
      held = std::move(behind);
    }
  }
  if (!stall) return {};
  const std::uint32_t first = stall->first;
  const TcpFrameWire& frame = wire.tcp_frames[first];
  if (!frame.first_sent_us) return {};
  std::string text = "TCP's stall at frame " + std::to_string(first) + " (" +
                     ms1(stall->length_us) + kJoin + "ms): frame " + std::to_string(first);
  const std::int64_t kept = *frame.first_sent_us - plan.send_us(first);
  if (kept >= kHeldInSenderUs)
    text += "'s turn was at " + at_s(plan.send_us(first)) + ", TCP sent it only at " +
            at_s(*frame.first_sent_us);
  else
    text += " left at " + at_s(*frame.first_sent_us);
  if (measured.drops && wire.tcp_isn &&
      dropped_by_link(*measured.drops, *wire.tcp_isn, first, plan.frame_bytes))
    text += ", the link dropped it";
  if (frame.resent && frame.last_sent_us) text += ", it went again at " + at_s(*frame.last_sent_us);
  text += " and it came at " + at_s(stall->first_arrival_us) + ", " +
          ms1(stall->first_arrival_us - plan.due_us(first)) + kJoin + "ms after due.";
  auto frames_word = [](const std::vector<std::uint32_t>& frames) {
    return std::string(frames.size() == 1 ? " Frame " : " Frames ") + numbers_text(frames);
  };
  if (!held.in_receiver.empty())
    text += frames_word(held.in_receiver) + (held.in_receiver.size() == 1 ? " had" : " had each") +
            " left once by " + at_s(held.left_by_us) + ", over " + ms(plan.one_way_us) +
            "\x01ms (one way) before it came, yet came with it: they waited in the receiver behind "
            "it (head-of-line blocking).";
  if (!held.in_sender.empty())
    text += frames_word(held.in_sender) + " left with it, after " +
            (held.in_sender.size() == 1 ? "its turn: TCP kept it" : "their turns: TCP kept them") +
            " in the sender.";
  return wrap(text);
}

char mark_of(const FlowAnalysis& flow, std::uint32_t frame, const WireSummary* wire) {
  const Mark mark = flow.marks[frame];
  if (mark == Mark::Late && wire && frame < wire->tcp_frames.size() &&
      wire->tcp_frames[frame].resent)
    return 'R';
  return static_cast<char>(mark);
}

int rank(char mark) {
  switch (mark) {
    case 'x':
      return 3;
    case 'R':
      return 2;
    case 'L':
      return 1;
    default:
      return 0;
  }
}

// The marks of frames [from, to): the worst of each group of `per_mark`.
std::string marks(const FlowAnalysis& flow, std::uint32_t from, std::uint32_t to,
                  std::uint32_t per_mark, const WireSummary* wire) {
  std::string text;
  for (std::uint32_t group = from; group < to; group += per_mark) {
    char worst = '.';
    for (std::uint32_t n = group; n < std::min(to, group + per_mark); ++n) {
      const char mark = mark_of(flow, n, wire);
      if (rank(mark) > rank(worst)) worst = mark;
    }
    text += worst;
  }
  return text;
}

}  // namespace

std::string stream_timeline(const StreamPlan& plan, const FlowAnalysis& udp,
                            const FlowAnalysis& tcp, const WireSummary* wire) {
  const std::uint32_t frames = std::min<std::uint32_t>(udp.sent, tcp.sent);
  if (frames == 0 || plan.fps <= 0) return {};
  const auto fps = static_cast<std::uint32_t>(plan.fps);
  // A row is a second, or as many whole seconds as keep the rows to kTimelineRows.
  const std::uint32_t seconds = (frames + fps - 1) / fps;
  const std::uint32_t row_seconds = (seconds + kTimelineRows - 1) / kTimelineRows;
  const std::uint32_t per_row = fps * row_seconds;
  const auto per_mark = static_cast<std::uint32_t>((per_row + kTimelineMarks - 1) / kTimelineMarks);
  const int width = static_cast<int>((per_row + per_mark - 1) / per_mark) + 3;
  std::string out = "one mark per " +
                    (per_mark == 1 ? std::string("frame") : std::to_string(per_mark) + " frames") +
                    ": . on time, L late, x missing, R late and resent (TCP)\n";
  out += pad("  sent at", 10) + pad("UDP", width) + "TCP\n";
  for (std::uint32_t from = 0; from < frames; from += per_row) {
    const std::uint32_t to = std::min(frames, from + per_row);
    out += pad("  " + format("%.1f s", static_cast<double>(plan.send_us(from)) / 1e6), 10) +
           pad(marks(udp, from, to, per_mark, nullptr), width) +
           marks(tcp, from, to, per_mark, wire) + "\n";
  }
  return out;
}

std::string stream_report(const StreamConditions& conditions, const StreamMeasurements& measured) {
  const StreamPlan& plan = measured.plan;
  const FlowAnalysis& udp = measured.udp;
  const FlowAnalysis& tcp = measured.tcp;
  std::string out;
  out += "stream: " + std::to_string(plan.frames) + " frames of " +
         std::to_string(plan.frame_bytes) + " bytes, " + std::to_string(plan.fps) +
         " a second for " + format("%g", conditions.seconds) +
         " s, over UDP and over TCP at once\n";
  std::string link = "link " + address_text(conditions.ends.sender) + " <-> " +
                     address_text(conditions.ends.receiver) + ": " + ms(plan.one_way_us) +
                     " ms each way";
  if (conditions.jitter_ms > 0) link += " +-" + std::to_string(conditions.jitter_ms) + " ms";
  link += ", " + format("%g", conditions.loss_percent) +
          "% loss each way (miniweb-stack link, NFQUEUE " + std::to_string(conditions.queue) +
          ", network namespace net:[" + std::to_string(conditions.namespace_inode) + "])";
  out += wrap(link);
  out += "a frame is due " + ms(plan.one_way_us) +
         " ms after its turn to be sent, late if it comes over " + ms(plan.deadline_us) +
         " ms after that\n\n";

  Table table;
  table.row("", "UDP", "TCP");
  table.row("frames sent", std::to_string(udp.sent), std::to_string(tcp.sent));
  table.row("frames delivered", std::to_string(udp.arrived), std::to_string(tcp.arrived));
  table.row("missing", missing_text(udp.missing), missing_text(tcp.missing));
  table.row("out of order", std::to_string(udp.out_of_order), std::to_string(tcp.out_of_order));
  if (udp.duplicates + tcp.duplicates > 0)
    table.row("delivered twice", std::to_string(udp.duplicates), std::to_string(tcp.duplicates));
  if (measured.udp_rejected > 0)
    table.row("datagrams not a frame", std::to_string(measured.udp_rejected), "");
  table.row("lateness p50 / p99 / max", lateness_text(udp), lateness_text(tcp));
  table.row("late (over " + ms(plan.deadline_us) + " ms)", std::to_string(udp.late),
            std::to_string(tcp.late));
  table.row("stalls", stalls_text(udp), stalls_text(tcp));
  table.row("longest wait for a frame", wait_text(udp), wait_text(tcp));
  if (measured.wire) {
    const WireSummary& wire = *measured.wire;
    table.row("captured on lo (libpcap)", std::to_string(wire.udp_datagrams) + " datagrams",
              std::to_string(wire.tcp_data_segments) + " data segments, " +
                  std::to_string(wire.tcp_resent_segments) + " resent");
  }
  if (!measured.capture_problem.empty()) table.text(wrap("capture: " + measured.capture_problem));
  if (measured.drops) {
    const DropCounts& drops = *measured.drops;
    std::string tcp_drops = std::to_string(drops.tcp_data) + " data segments, " +
                            std::to_string(drops.tcp_acks) + " ACKs";
    if (drops.other > 0) tcp_drops += ", " + std::to_string(drops.other) + " other";
    table.row("dropped by the link", std::to_string(drops.udp_frames) + " datagrams", tcp_drops);
  }
  if (measured.tcp_info)
    table.row("the sender's tcp_info", "-",
              std::to_string(measured.tcp_info->total_retransmissions) + " resent, rtt " +
                  ms1(measured.tcp_info->smoothed_rtt_us) + " ms");
  out += table.render();
  out += "\n";
  if (std::string story = stall_story(conditions, measured); !story.empty()) out += story + "\n";
  out += stream_timeline(plan, udp, tcp, measured.wire ? &*measured.wire : nullptr);
  if (!measured.tcpdump.empty()) out += "tcpdump -i lo, its own count: " + measured.tcpdump + "\n";
  return out;
}

}  // namespace miniweb::stack
