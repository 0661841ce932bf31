#include "browser/window/page_content.hpp"

#include "browser/content.hpp"
#include "shared/html_escape.hpp"

namespace miniweb::browser::window {

html::Document document_for(const Page& page, Trace& trace) {
  std::string body = page.response.body;
  // Pages still come in ISO-8859-1; layout wants UTF-8.
  const auto [media_type, charset] =
      split_content_type(page.response.headers.get("Content-Type").value_or(""));
  if (charset == "iso-8859-1" || charset == "latin1" || charset == "windows-1252")
    body = latin1_to_utf8(body);
  std::size_t step =
      trace.begin("parse", "HTML (gumbo-parser), " + std::to_string(body.size()) + " bytes");
  html::Document document;
  if (page.media_type == "text/html" || page.media_type == "application/xhtml+xml") {
    document = html::parse_html(body);
  } else if (page.media_type.starts_with("text/")) {
    document = html::parse_html("<pre>" + html_escape(body) + "</pre>");
    document.title = page.url.to_string();
  } else {
    document = html::parse_html(
        "<h1>Not a page</h1><p>" + html_escape(page.url.to_string()) + " is " +
        html_escape(page.media_type.empty() ? "of no stated type" : page.media_type) + ", " +
        std::to_string(body.size()) +
        " bytes. The window shows only text; save it with <code>miniweb-browser "
        "--dump</code>.</p>");
  }
  trace.finish(step, document.title.empty() ? "no title" : "title \"" + document.title + "\"");
  return document;
}

std::string error_page_html(const Error& error, const std::string& url) {
  std::string heading;
  std::string explanation;
  switch (error.code) {
    case exit_code::kCertificate:
      heading = "Your connection is not private";
      explanation =
          "The site's certificate was refused, so the browser did not send the request. Someone "
          "may be "
          "trying to impersonate the site, or it is misconfigured.";
      break;
    case exit_code::kTlsHandshake:
      heading = "This site can't provide a secure connection";
      explanation = "The TLS handshake failed.";
      break;
    case exit_code::kResolve:
      heading = "This site can't be reached";
      explanation = "The server's address could not be found in DNS.";
      break;
    case exit_code::kConnect:
      heading = "This site can't be reached";
      explanation = "The server refused the connection or could not be reached.";
      break;
    case exit_code::kTimeout:
      heading = "This site can't be reached";
      explanation = "The server took too long to respond.";
      break;
    case exit_code::kTooManyRedirects:
      heading = "This page isn't working";
      explanation = "The site redirected too many times.";
      break;
    default:
      heading = "This page isn't working";
      explanation = "The load failed.";
  }
  return "<html><head><title>" + html_escape(heading) + "</title></head><body><h1>" +
         html_escape(heading) + "</h1><p>" + html_escape(explanation) + "</p><p><b>" +
         html_escape(url) + "</b></p><p>" + html_escape(error.message) + "</p><p><i>Error code " +
         std::to_string(error.code) + "</i></p></body></html>";
}

void strip_link_numbers(layout::DisplayList& list, const layout::TextMeasurer& measurer) {
  for (std::size_t i = 0; i < list.runs.size(); ++i) {
    layout::TextRun& run = list.runs[i];
    if (run.link <= 0) continue;
    const std::string label = "[" + std::to_string(run.link) + "]";
    if (!run.text.starts_with(label)) continue;
    const int shift = measurer.text_width(label, run.style);
    run.text.erase(0, label.size());
    for (layout::TextRun& other : list.runs) {
      if (other.y == run.y && other.x > run.x) other.x -= shift;
    }
  }
}

}  // namespace miniweb::browser::window
