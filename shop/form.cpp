#include "shop/form.hpp"

#include "shared/http/multipart.hpp"
#include "shared/text.hpp"

namespace miniweb::shop {

namespace {

FormRejection rejection(int status, std::string why, std::string field = {}) {
  FormRejection rejected{status, why, {}};
  if (!field.empty()) rejected.fields.push_back({std::move(field), std::move(why)});
  return rejected;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// '+' is a space, %XX a byte; a '%' not followed by two hex digits is an error (the WHATWG
// parser would keep it as text; a form a browser made never has one, so it is refused).
std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_digit(text[i + 1]);
      const int low = hex_digit(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A text field's value: UTF-8, no control characters but tab and line breaks, within the limit.
std::optional<FormRejection> check_text(const std::string& name, const std::string& value,
                                        const FormLimits& limits) {
  if (!is_utf8(value)) return rejection(422, "field '" + name + "' is not valid UTF-8", name);
  for (char c : value)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
      return rejection(422, "field '" + name + "' holds a control character", name);
  if (value.size() > limits.max_text_bytes)
    return rejection(
        422,
        "field '" + name + "' is longer than " + std::to_string(limits.max_text_bytes) + " bytes",
        name);
  return std::nullopt;
}

// A field's name is shown back in errors: it must be printable UTF-8 of a sane length.
bool fit_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || !is_utf8(name)) return false;
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

Form::Read Form::read(const http::Request& request, const FormLimits& limits) {
  const std::string_view content_type = request.headers.get("Content-Type").value_or("");
  const std::string type = parse_media_type(content_type).type;
  if (type == "application/x-www-form-urlencoded") return from_urlencoded(request.body, limits);
  if (type == "multipart/form-data") return from_multipart(request.body, content_type, limits);
  if (type.empty() && request.body.empty()) return from_urlencoded("", limits);
  return rejection(415, "the form's body is " + (type.empty() ? "of no type" : type) +
                            ": application/x-www-form-urlencoded or multipart/form-data, please");
}

Form::Read Form::from_urlencoded(std::string_view body, const FormLimits& limits) {
  if (body.size() > limits.max_body_bytes)
    return rejection(413,
                     "the form is larger than " + std::to_string(limits.max_body_bytes) + " bytes");
  if (body.ends_with('&')) return rejection(400, "the form has an empty field (it ends in '&')");
  Form form;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) return rejection(400, "the form has an empty field (two '&' in a row)");
    const auto equals = pair.find('=');
    auto name = form_decode(pair.substr(0, equals));
    if (!name || !fit_name(*name))
      return rejection(400, "a field's name is badly encoded: '" +
                                std::string(pair.substr(0, std::min<std::size_t>(equals, 40))) +
                                "'");
    auto value = form_decode(equals == std::string_view::npos ? std::string_view{}
                                                              : pair.substr(equals + 1));
    if (!value) return rejection(400, "field '" + *name + "' is badly percent-encoded", *name);
    if (form.fields_.contains(*name))
      return rejection(400, "field '" + *name + "' is sent twice", *name);
    if (form.fields_.size() >= limits.max_fields)
      return rejection(400,
                       "the form has more than " + std::to_string(limits.max_fields) + " fields");
    if (auto bad = check_text(*name, *value, limits)) return *bad;
    form.fields_.emplace(std::move(*name), FormField{std::move(*value), std::nullopt, {}});
  }
  return form;
}

Form::Read Form::from_multipart(std::string_view body, std::string_view content_type,
                                const FormLimits& limits) {
  if (body.size() > limits.max_multipart_bytes)
    return rejection(
        413, "the upload is larger than " + std::to_string(limits.max_multipart_bytes) + " bytes");
  auto boundary = http::multipart_boundary(content_type);
  if (!boundary) return rejection(400, boundary.error().message);
  http::MultipartLimits multipart;
  multipart.max_parts = limits.max_fields;
  auto parts = http::parse_multipart(body, *boundary, multipart);
  if (!parts) return rejection(400, parts.error().message);
  Form form;
  for (http::MultipartPart& part : *parts) {
    if (!fit_name(part.name)) return rejection(400, "a part's name is not printable UTF-8");
    if (part.filename) {
      if (part.data.size() > limits.max_file_bytes)
        return rejection(413,
                         "file '" + part.name + "' is larger than " +
                             std::to_string(limits.max_file_bytes) + " bytes",
                         part.name);
    } else if (auto bad = check_text(part.name, part.data, limits)) {
      return *bad;
    }
    std::string name = part.name;
    form.fields_.emplace(std::move(name), FormField{std::move(part.data), std::move(part.filename),
                                                    std::move(part.content_type)});
  }
  return form;
}

const std::string* Form::text(std::string_view name) const {
  auto found = fields_.find(name);
  return found == fields_.end() || found->second.filename ? nullptr : &found->second.value;
}

const FormField* Form::field(std::string_view name) const {
  auto found = fields_.find(name);
  return found == fields_.end() ? nullptr : &found->second;
}

}  // namespace miniweb::shop
