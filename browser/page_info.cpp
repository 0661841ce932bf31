#include "browser/page_info.hpp"

#include "shared/html_escape.hpp"

namespace miniweb::browser {
namespace {

std::string row(const std::string& name, const std::string& value) {
  return "<tr><th align=left>" + html_escape(name) + "</th><td>" + html_escape(value) +
         "</td></tr>\n";
}

const char* kind_name(ContentKind kind) {
  switch (kind) {
    case ContentKind::Page:
      return "a page (laid out)";
    case ContentKind::Text:
      return "text (shown as it is)";
    case ContentKind::Download:
      return "a download (saved)";
  }
  return "";
}

}  // namespace

std::string page_info_html(const Page& page) {
  std::string html = "<title>Information about " + html_escape(page.url.to_string()) +
                     "</title>\n<h1>Information about this page</h1>\n<table>\n";
  html += row("URL", page.url.to_string());
  if (!page.layout.title.empty()) html += row("Title", page.layout.title);
  html += row("Status", page.status ? std::to_string(page.status) + " " + page.reason
                                    : std::string("a local file"));
  html += row("Type", page.content.media_type + ", " + kind_name(page.content.kind));
  html += row("Size", std::to_string(page.content.source().size()) + " bytes");
  if (!page.content.saved_to.empty()) html += row("Saved to", page.content.saved_to.string());
  html += row("Links", std::to_string(page.layout.links.size()));
  if (!page.layout.base_href.empty()) html += row("Base", base_url(page).to_string());
  html += "</table>\n";
  const TlsSecurity& tls = page.security;
  if (tls.version.empty()) {
    html += "<p>The page did not come over TLS: nothing of it was encrypted or authenticated.</p>";
    return html;
  }
  html += "<h2>Connection</h2>\n<table>\n";
  html += row("Protocol", tls.version + (tls.resumed ? ", resumed session" : ""));
  html += row("Cipher", tls.cipher);
  html += row("Key exchange", tls.group);
  html += row("ALPN", tls.alpn.empty() ? "none" : tls.alpn);
  html += row("Verification", tls.verification);
  if (!tls.revocation.empty()) html += row("Revocation", tls.revocation);
  html += "</table>\n";
  if (!tls.insecure_warning.empty())
    html += "<p><b>" + html_escape(tls.insecure_warning) + "</b></p>\n";
  html += "<h2>Certificate chain</h2>\n<ol start=0>\n";
  for (const std::string& certificate : tls.chain) html += "<li>" + html_escape(certificate);
  html += "</ol>\n";
  return html;
}

std::string preformatted_html(const std::string& title, const std::string& text) {
  return "<title>" + html_escape(title) + "</title><pre>" + html_escape(text) + "</pre>";
}

Url own_page_url(const std::string& name) {
  Url url;
  url.scheme = "about";
  url.host.clear();
  url.path = name;
  return url;
}

Page page_from_html(const Url& url, const std::string& html, const Viewport& viewport) {
  Page page;
  page.url = url;
  page.content.kind = ContentKind::Page;
  page.content.media_type = "text/html";
  page.content.text = html;
  page.content.text_is_body = true;
  page.document = html::parse_html(page.content.text);
  page.forms = forms::extract_forms(page.document);
  Navigator::lay_out(page, viewport);
  return page;
}

}  // namespace miniweb::browser
