#pragma once
// What a navigation asks for: a URL, and for a form's submission its method and body. A link
// or a typed URL is a GET with no initiator; a form is submitted by its document (the
// initiator), which decides the request's Origin, its Sec-Fetch-Site and which SameSite
// cookies go with it. The navigator loads one (Navigator::load), the history keeps one per
// entry, so that a page that came from a POST is never sent again without asking.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/url.hpp"

namespace miniweb::browser {

// One entry of a submitted form, as the trace shows it: a password's value is masked there.
struct SubmittedField {
  std::string name;
  std::string value;    // a file entry: the file's name
  bool secret = false;  // from a password field
  bool file = false;
  std::string file_type;       // a file entry's Content-Type
  std::size_t file_bytes = 0;  // a file entry's size
};

struct NavigationRequest {
  Url url;
  std::string method = "GET";
  std::string body;          // POST only
  std::string content_type;  // of the body: the form's enctype (with its boundary)
  // The document that made the request (a form's page); none for what the user typed, a
  // bookmark, the history.
  std::optional<Url> initiator;
  std::vector<SubmittedField> fields;  // a form's entry list, for the trace

  bool is_post() const { return method == "POST"; }
  bool from_form() const { return !fields.empty() || method != "GET"; }

  static NavigationRequest get(Url url) {
    NavigationRequest request;
    request.url = std::move(url);
    return request;
  }
};

// Fetch §4.4 (HTTP-redirect fetch, step 12), as browsers follow a redirect of a navigation:
// a 301 or 302 to a POST, and a 303 to anything but GET or HEAD, become a GET without a body;
// 307 and 308 keep the method and the body. Returns the request to send to `next`.
NavigationRequest redirected(const NavigationRequest& request, int status, const Url& next);

// The origin as the Origin header serializes it (RFC 6454 section 6.1): scheme://host[:port].
std::string origin_of(const Url& url);
bool same_origin(const Url& a, const Url& b);

// The registrable domain (RFC 6265bis "site"): the public suffix and one label before it
// ("example.test" for "shop.example.test"); an IP address or a suffix itself is its own.
std::string registrable_domain(std::string_view host);
// Schemeful same-site (HTML §7.1.1 "same site"): the same scheme and registrable domain.
bool same_site(const Url& a, const Url& b);

// How a request relates to its initiator along its redirect chain (Fetch's redirect taint):
// what Sec-Fetch-Site says, what the Origin header says, and which SameSite cookies go.
class RequestSite {
 public:
  explicit RequestSite(std::optional<Url> initiator) : initiator_(std::move(initiator)) {}
  // Each URL the request is sent to, in order (the first, then each redirect's).
  void visit(const Url& url);
  // "none" (the user's own navigation), "same-origin", "same-site" or "cross-site".
  std::string fetch_site() const;
  // The cookie context: a cross-site request withholds SameSite=Strict cookies, and
  // SameSite=Lax ones unless it is a top-level GET (RFC 6265bis section 5.8.3).
  bool cross_site() const { return cross_site_; }
  // The Origin header's value: the initiator's origin, or "null" once the request's
  // redirect-taint is not same-origin (Fetch §3.1, "serializing a request origin": a redirect
  // from another origin than the initiator's to yet another); none without an initiator.
  std::optional<std::string> origin_header() const;

 private:
  std::optional<Url> initiator_;
  std::optional<Url> last_;
  bool cross_origin_ = false;
  bool cross_site_ = false;
  bool tainted_ = false;
};

}  // namespace miniweb::browser
