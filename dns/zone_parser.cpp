#include "dns/zone_parser.hpp"

#include <cctype>
#include <cstdio>
#include <optional>
#include <span>

namespace miniweb::dns {
namespace {

// One logical entry of a master file: the tokens of one line, or of several lines joined by
// parentheses (RFC 1035 5.1).
struct Entry {
  std::vector<ZoneToken> tokens;
  size_t line = 0;
  bool owner_omitted = false;  // the line began with a blank: same owner as before
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view text) : text_(text) {}

  // Returns false at the end of input; on a syntax error sets `error`.
  bool next(Entry& entry, std::string& error) {
    // Reused from entry to entry: one token vector for the whole file.
    entry.tokens.clear();
    entry.line = 0;
    entry.owner_omitted = false;
    while (pos_ < text_.size()) {
      // Start of a physical line (not within parentheses).
      size_t start_line = line_;
      bool leading_blank = pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t');
      int depth = 0;
      bool done = false;
      while (!done && pos_ < text_.size()) {
        char c = text_[pos_];
        if (c == '\n') {
          ++line_;
          ++pos_;
          if (depth == 0) done = true;
        } else if (c == ' ' || c == '\t' || c == '\r') {
          ++pos_;
        } else if (c == ';') {
          while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        } else if (c == '(') {
          ++depth;
          ++pos_;
        } else if (c == ')') {
          if (depth == 0) {
            error = "')' without '('";
            entry.line = line_;
            return false;
          }
          --depth;
          ++pos_;
        } else {
          ZoneToken& token = entry.tokens.emplace_back();
          if (!read_token(token, error)) {
            entry.line = line_;
            return false;
          }
        }
      }
      if (depth != 0) {
        error = "'(' without ')' before the end of the file";
        entry.line = start_line;
        return false;
      }
      if (!entry.tokens.empty()) {
        entry.line = start_line;
        entry.owner_omitted = leading_blank;
        return true;
      }
    }
    return false;
  }

  size_t line() const { return line_; }

 private:
  // Reads a word or a quoted string. Quotes inside a word (alpn="h2") are removed and their
  // contents joined to the word; backslash escapes are kept as written.
  bool read_token(ZoneToken& token, std::string& error) {
    bool in_quotes = false;
    if (text_[pos_] == '"') token.quoted = true;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) {
          error = "backslash at the end of the file";
          return false;
        }
        token.text += c;
        token.text += text_[pos_ + 1];
        if (text_[pos_ + 1] == '\n') ++line_;
        pos_ += 2;
        continue;
      }
      if (c == '"') {
        in_quotes = !in_quotes;
        ++pos_;
        if (!in_quotes && token.quoted) return true;
        continue;
      }
      if (in_quotes) {
        if (c == '\n') ++line_;
        token.text += c;
        ++pos_;
        continue;
      }
      // A run of plain characters goes in at once.
      size_t end = pos_;
      while (end < text_.size() && !ends_word(text_[end])) ++end;
      if (end == pos_) return true;
      token.text.append(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    if (in_quotes) {
      error = "unterminated quoted string";
      return false;
    }
    return true;
  }

  static bool ends_word(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '(' || c == ')' ||
           c == '"' || c == '\\';
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

struct ParserState {
  ZoneParseOptions options;
  Name origin;
  std::optional<uint32_t> dollar_ttl;
  std::optional<uint32_t> last_ttl;
  std::optional<Name> last_owner;
  const RecordSink* sink = nullptr;
};

Status parse_text(std::string_view text, const std::string& source,
                  const std::filesystem::path& base, ParserState& state, int depth);

Status parse_file(const std::filesystem::path& path, ParserState& state, int depth,
                  const std::string& included_from) {
  // The whole file in one buffer, read at once: a zone of a million records is tens of MB.
  std::string text;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(path, size_error);
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr || size_error) {
    if (file != nullptr) std::fclose(file);
    return make_error(included_from + "cannot open zone file " + path.string());
  }
  text.resize(size);
  const size_t got = std::fread(text.data(), 1, text.size(), file);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return make_error(included_from + "cannot read zone file " + path.string());
  text.resize(got);
  return parse_text(text, path.string(), path.parent_path(), state, depth);
}

Status parse_entry(const Entry& entry, const std::string& source, const std::filesystem::path& base,
                   ParserState& state, int depth) {
  const auto& t = entry.tokens;
  const std::string& first = t[0].text;
  if (!entry.owner_omitted && !t[0].quoted && !first.empty() && first[0] == '$') {
    if (first == "$ORIGIN") {
      if (t.size() != 2) return make_error("$ORIGIN needs one domain name");
      auto origin = parse_domain_name(t[1], state.origin);
      if (!origin) return origin.error();
      state.origin = std::move(*origin);
      return Ok{};
    }
    if (first == "$TTL") {
      if (t.size() != 2) return make_error("$TTL needs one TTL");
      auto ttl = parse_ttl(t[1].text);
      if (!ttl) return ttl.error();
      state.dollar_ttl = *ttl;
      return Ok{};
    }
    if (first == "$INCLUDE") {
      // Errors of an included file carry that file's location; these carry this line's.
      std::string here = source + ":" + std::to_string(entry.line) + ": ";
      if (t.size() < 2 || t.size() > 3)
        return make_error(here + "$INCLUDE needs a file and an optional origin");
      if (depth >= state.options.max_include_depth)
        return make_error(here + "$INCLUDE nested too deeply");
      std::filesystem::path path = t[1].text;
      if (path.is_relative()) path = base / path;
      // RFC 1035 5.1: the included file's origin does not leak back.
      Name saved_origin = state.origin;
      if (t.size() == 3) {
        auto origin = parse_domain_name(t[2], state.origin);
        if (!origin) return make_error(here + origin.error().message);
        state.origin = std::move(*origin);
      }
      auto status = parse_file(path, state, depth + 1, here);
      state.origin = std::move(saved_origin);
      return status;
    }
    return make_error("unknown directive " + first);
  }

  ResourceRecord record;
  size_t i = 0;
  if (entry.owner_omitted) {
    if (!state.last_owner)
      return make_error("no owner name, and no previous record to take it from");
    record.name = *state.last_owner;
  } else {
    auto owner = parse_domain_name(t[0], state.origin);
    if (!owner) return owner.error();
    record.name = std::move(*owner);
    i = 1;
  }
  // [TTL] [class] type, with TTL and class in either order (RFC 1035 5.1).
  std::optional<uint32_t> ttl;
  std::optional<uint16_t> rclass;
  std::optional<uint16_t> rtype;
  for (; i < t.size() && !rtype; ++i) {
    const std::string& word = t[i].text;
    if (!ttl && !word.empty() && std::isdigit(static_cast<unsigned char>(word[0]))) {
      auto value = parse_ttl(word);
      if (!value) return value.error();
      ttl = *value;
    } else if (auto c = class_from_string(word); !rclass && c) {
      rclass = *c;
    } else if (auto type_value = type_from_string(word)) {
      rtype = *type_value;
    } else {
      return make_error("unknown type or bad field '" + word + "'");
    }
  }
  if (!rtype) return make_error("record has no type");
  if (rclass && *rclass != rclass::IN) return make_error("only class IN is served");
  record.type = *rtype;
  record.rclass = rclass::IN;
  if (*rtype == type::OPT || *rtype == type::ANY || *rtype == type::AXFR)
    return make_error(type_to_string(*rtype) + " cannot appear in a zone file");
  auto rdata = parse_rdata(*rtype, std::span(t).subspan(i), state.origin);
  if (!rdata) return rdata.error();
  record.rdata = std::move(*rdata);
  if (ttl) {
    record.ttl = *ttl;
    state.last_ttl = *ttl;
  } else if (state.dollar_ttl) {
    record.ttl = *state.dollar_ttl;
  } else if (state.last_ttl) {
    record.ttl = *state.last_ttl;
  } else {
    record.ttl = state.options.default_ttl;
  }
  state.last_owner = record.name;  // assigned in place: no allocation once it has room
  return (*state.sink)(std::move(record));
}

Status parse_text(std::string_view text, const std::string& source,
                  const std::filesystem::path& base, ParserState& state, int depth) {
  Tokenizer tokenizer(text);
  Entry entry;
  std::string error;
  while (tokenizer.next(entry, error)) {
    auto status = parse_entry(entry, source, base, state, depth);
    if (!status) {
      // Errors from nested $INCLUDE files already carry their own location.
      const std::string& message = status.error().message;
      if (!entry.owner_omitted && entry.tokens[0].text == "$INCLUDE") return status;
      return make_error(source + ":" + std::to_string(entry.line) + ": " + message);
    }
  }
  if (!error.empty()) return make_error(source + ":" + std::to_string(entry.line) + ": " + error);
  return Ok{};
}

}  // namespace

Status parse_zone_file(const std::filesystem::path& path, const ZoneParseOptions& options,
                       const RecordSink& sink) {
  ParserState state;
  state.options = options;
  state.origin = options.origin;
  state.sink = &sink;
  return parse_file(path, state, 0, "");
}

Result<std::vector<ResourceRecord>> parse_zone_file(const std::filesystem::path& path,
                                                    const ZoneParseOptions& options) {
  std::vector<ResourceRecord> records;
  const RecordSink sink = [&records](ResourceRecord&& record) -> Status {
    records.push_back(std::move(record));
    return Ok{};
  };
  if (auto status = parse_zone_file(path, options, sink); !status) return status.error();
  return records;
}

Result<std::vector<ResourceRecord>> parse_zone_text(std::string_view text, std::string source,
                                                    const ZoneParseOptions& options,
                                                    const std::filesystem::path& base_directory) {
  std::vector<ResourceRecord> records;
  const RecordSink sink = [&records](ResourceRecord&& record) -> Status {
    records.push_back(std::move(record));
    return Ok{};
  };
  ParserState state;
  state.options = options;
  state.origin = options.origin;
  state.sink = &sink;
  if (auto status = parse_text(text, source, base_directory, state, 0); !status)
    return status.error();
  return records;
}

}  // namespace miniweb::dns
