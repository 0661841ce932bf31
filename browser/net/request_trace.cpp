#include "browser/net/request_trace.hpp"

#include "browser/forms/encodings.hpp"

namespace miniweb::browser {
namespace {

std::string shown_value(const SubmittedField& field) {
  if (field.secret) return std::string(kMaskedValue) + " (password, masked)";
  if (field.file) {
    if (field.value.empty()) return "no file chosen";
    return "file \"" + field.value + "\"" +
           (field.file_type.empty()
                ? ""
                : " (" + field.file_type + ", " + std::to_string(field.file_bytes) + " bytes)");
  }
  return "\"" + field.value + "\"";
}

std::string media_type(const std::string& content_type) {
  return content_type.substr(0, content_type.find(';'));
}

}  // namespace

std::string abbreviated_value(const std::string& value) {
  if (value.size() <= 16) return value;
  return value.substr(0, 8) + "…(" + std::to_string(value.size()) + " chars)";
}

void trace_form(const NavigationRequest& request, Trace& trace) {
  const std::size_t step =
      trace.begin("form", "submit " + request.method + " " + request.url.to_string());
  for (const SubmittedField& field : request.fields)
    trace.detail(step, field.name + " = " + shown_value(field));
  std::string summary =
      std::to_string(request.fields.size()) + (request.fields.size() == 1 ? " field" : " fields");
  if (request.is_post())
    summary += ", body " + std::to_string(request.body.size()) + " bytes of " +
               media_type(request.content_type);
  else if (request.method == "GET")
    summary += " in the query string (application/x-www-form-urlencoded)";
  if (request.initiator) summary += ", from " + origin_of(*request.initiator);
  trace.finish(step, summary);
}

void trace_cookies(const Url& url, const CookieSelection& cookies, Trace& trace) {
  const std::size_t step = trace.begin("cookie", "send to " + url.host);
  std::string sent;
  for (const auto& [name, value] : cookies.sent) {
    if (!sent.empty()) sent += "; ";
    sent += name + "=" + abbreviated_value(value);
  }
  for (const std::string& withheld : cookies.withheld) trace.detail(step, "withheld: " + withheld);
  const auto count = cookies.sent.size();
  std::string summary =
      count == 0 ? "no cookie sent"
                 : std::to_string(count) + (count == 1 ? " cookie: " : " cookies: ") + sent;
  if (!cookies.withheld.empty())
    summary += "; " + std::to_string(cookies.withheld.size()) + " withheld by SameSite";
  trace.finish(step, summary);
}

std::vector<std::string> shown_body(const NavigationRequest& request) {
  std::vector<std::string> lines;
  if (request.body.empty() && !request.is_post()) return lines;
  const std::string type = media_type(request.content_type);
  bool masked = false;
  for (const SubmittedField& field : request.fields) masked = masked || field.secret;
  lines.push_back("body: " + std::to_string(request.body.size()) + " bytes, " +
                  (type.empty() ? std::string("no type") : type) +
                  (masked ? " (password values masked for display; sent as typed)" : ""));
  if (type == "application/x-www-form-urlencoded" && request.fields.size() > 0) {
    // The entries in order are the body's pairs: the body again, secrets replaced.
    forms::NameValuePairs pairs = forms::urlencoded_parse(request.body);
    if (pairs.size() == request.fields.size())
      for (std::size_t i = 0; i < pairs.size(); ++i)
        if (request.fields[i].secret) pairs[i].second = kMaskedValue;
    lines.push_back(forms::urlencoded_serialize(pairs));
  } else if (type == "multipart/form-data") {
    for (const SubmittedField& field : request.fields)
      lines.push_back("part \"" + field.name + "\": " + shown_value(field));
  } else if (!request.fields.empty()) {
    for (const SubmittedField& field : request.fields)
      lines.push_back(field.name + "=" + (field.secret ? kMaskedValue : field.value));
  } else if (request.body.size() <= 200) {
    lines.push_back(request.body);
  }
  return lines;
}

std::string redirect_note(const NavigationRequest& before, const NavigationRequest& after,
                          int status) {
  if (before.method == after.method) {
    if (before.method == "GET") return {};
    return " (" + std::to_string(status) + " keeps the method and the body: " + after.method +
           " sent again, " + std::to_string(after.body.size()) + " bytes)";
  }
  return " (" + std::to_string(status) + " after a " + before.method +
         ": the browser follows with a GET, without the body)";
}

}  // namespace miniweb::browser
