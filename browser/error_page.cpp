#include "browser/error_page.hpp"

#include "browser/exit_codes.hpp"
#include "shared/html_escape.hpp"

namespace miniweb::browser {

std::string error_page_html(const Error& error, const std::string& url) {
  std::string heading;
  std::string explanation;
  switch (error.code) {
    case exit_code::kCertificate:
      heading = "Your connection is not private";
      explanation =
          "The site's certificate was refused, so the browser did not send the request. Someone "
          "may be trying to impersonate the site, or it is misconfigured.";
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
    case exit_code::kFileUnreadable:
      heading = "This file can't be opened";
      explanation = "The local file does not exist or cannot be read.";
      break;
    case exit_code::kUrlMalformed:
      heading = "This is not an address";
      explanation = "What was typed is not a URL the browser can open.";
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

}  // namespace miniweb::browser
