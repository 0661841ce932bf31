// A form to its request (form_submission), a redirect's method rules, the request's site
// (Origin, Sec-Fetch-Site, SameSite cookies), and the history's memory of POSTs. The multipart
// body is read back by Python's cgi.FieldStorage, a reader that shares nothing with ours.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "browser/form_submission.hpp"
#include "browser/history.hpp"
#include "browser/net/cookie_jar.hpp"
#include "browser/net/navigation_request.hpp"
#include "browser/net/request_trace.hpp"
#include "tests/support/command_output.hpp"

namespace miniweb::browser {
namespace {

struct Parsed {
  html::Document document;
  forms::FormSet set;
};

Parsed parse(std::string_view markup) {
  Parsed parsed{html::parse_html(markup), {}};
  parsed.set = forms::extract_forms(parsed.document);
  return parsed;
}

Url url(std::string_view text) {
  return *Url::parse(text);
}

Result<NavigationRequest> submit(const Parsed& page, const std::string& document,
                                 std::optional<int> submitter = std::nullopt) {
  return build_submission(page.set.forms[0], submitter, url(document), url(document));
}

TEST(FormSubmission, GetReplacesTheActionsQueryAndKeepsItsPath) {
  const Parsed page = parse(
      "<form action='search?old=1#top'><input name=q value='a b&c'><input type=submit name=go "
      "value=Find></form>");
  auto request = submit(page, "https://www.example.test/dir/page?x=1");
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->url.to_string(), "https://www.example.test/dir/search?q=a+b%26c&go=Find#top");
  EXPECT_TRUE(request->body.empty());
  EXPECT_EQ(request->initiator->to_string(), "https://www.example.test/dir/page?x=1");
}

TEST(FormSubmission, NoActionIsTheDocumentsOwnUrl) {
  const Parsed page = parse("<form method=post><input name=a value=1></form>");
  auto request = submit(page, "http://shop.example.test/cart?step=2");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->url.to_string(), "http://shop.example.test/cart?step=2");
  EXPECT_EQ(request->method, "POST");
  EXPECT_EQ(request->content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(request->body, "a=1");
}

TEST(FormSubmission, PostUrlencodedMasksPasswordsOnlyInWhatIsShown) {
  Parsed page = parse(
      "<form method=post action=https://shop.example.test/login><input name=user>"
      "<input type=password name=password><textarea name=t></textarea></form>");
  ASSERT_TRUE(page.set.set_text({0, 0}, "bob@example.test"));
  ASSERT_TRUE(page.set.set_text({0, 1}, "p@ss word"));
  ASSERT_TRUE(page.set.set_text({0, 2}, "line 1\nline 2"));
  auto request = submit(page, "https://www.example.test/");
  ASSERT_TRUE(request);
  EXPECT_EQ(request->body, "user=bob%40example.test&password=p%40ss+word&t=line+1%0D%0Aline+2");
  ASSERT_EQ(request->fields.size(), 3u);
  EXPECT_TRUE(request->fields[1].secret);
  const std::vector<std::string> shown = shown_body(*request);
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[1], "user=bob%40example.test&password=********&t=line+1%0D%0Aline+2");
  EXPECT_NE(shown[0].find("password values masked for display; sent as typed"), std::string::npos);
  Trace trace;
  trace_form(*request, trace);
  const std::string text = trace.render("t");
  EXPECT_EQ(text.find("p@ss"), std::string::npos) << text;
  EXPECT_NE(text.find("password = ******** (password, masked)"), std::string::npos) << text;
}

TEST(FormSubmission, MultipartReadsBackWithPythonsEmailParser) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("miniweb-forms-multipart-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string bytes("PNG\0\r\n--\x01\xff end", 14);
  std::ofstream(dir / "pic \"1\".png", std::ios::binary) << bytes;
  Parsed page = parse(
      "<form method=post enctype=multipart/form-data action=/upload><input name=title>"
      "<textarea name=body></textarea><input type=file name=picture><input type=file "
      "name=none><input type=submit name=send value=Send></form>");
  ASSERT_TRUE(page.set.set_text({0, 0}, "Grüße \"quoted\""));
  ASSERT_TRUE(page.set.set_text({0, 1}, "a\nb"));
  ASSERT_TRUE(page.set.choose_file({0, 2}, dir / "pic \"1\".png"));
  auto request = submit(page, "https://shop.example.test/new");
  ASSERT_TRUE(request) << request.error().message;
  const std::string prefix = "multipart/form-data; boundary=----miniwebFormBoundary";
  ASSERT_TRUE(request->content_type.starts_with(prefix)) << request->content_type;
  EXPECT_EQ(request->content_type.size(), prefix.size() + 16);
  EXPECT_EQ(request->fields[2].file_type, "image/png");
  EXPECT_EQ(request->fields[2].file_bytes, bytes.size());
  // Python's cgi.FieldStorage reads the body as a server would.
  std::ofstream(dir / "body", std::ios::binary) << request->body;
  std::ofstream(dir / "read.py") << R"(import sys, cgi, io
body = open(sys.argv[1], 'rb').read()
fs = cgi.FieldStorage(fp=io.BytesIO(body), environ={'REQUEST_METHOD': 'POST'},
                      headers={'content-type': sys.argv[2], 'content-length': str(len(body))},
                      keep_blank_values=True)
for item in fs.list:
    data = item.file.read() if item.filename is not None else item.value.encode()
    print(repr(item.name), repr(item.filename), item.type, repr(data))
)";
  const std::string out = test_support::command_output(
      "python3 -W ignore " + (dir / "read.py").string() + " " + (dir / "body").string() + " '" +
      request->content_type + "' 2>&1");
  EXPECT_EQ(out,
            "'title' None text/plain b'Gr\\xc3\\xbc\\xc3\\x9fe \"quoted\"'\n"
            "'body' None text/plain b'a\\r\\nb'\n"
            "'picture' 'pic %221%22.png' image/png b'PNG\\x00\\r\\n--\\x01\\xff end'\n"
            "'none' '' application/octet-stream b''\n"
            "'send' None text/plain b'Send'\n");
  // Each submission draws its own boundary.
  auto again = submit(page, "https://shop.example.test/new");
  ASSERT_TRUE(again);
  EXPECT_NE(again->content_type, request->content_type);
  std::filesystem::remove_all(dir);
}

TEST(FormSubmission, AMissingFileIsAnErrorWithItsExitCode) {
  Parsed page = parse("<form method=post enctype=multipart/form-data><input type=file name=f>");
  ASSERT_TRUE(page.set.choose_file({0, 0}, "/nonexistent/file.txt"));
  auto request = submit(page, "https://shop.example.test/");
  ASSERT_FALSE(request);
  EXPECT_EQ(request.error().code, 37);
  EXPECT_NE(request.error().message.find("/nonexistent/file.txt"), std::string::npos);
}

TEST(FormSubmission, RefusesWhatCannotBeSubmitted) {
  const Parsed page =
      parse("<form action='mailto:a@b'><input name=a><input type=submit disabled></form>");
  EXPECT_FALSE(submit(page, "https://www.example.test/", 0));  // not a submit button
  EXPECT_FALSE(submit(page, "https://www.example.test/", 1));  // disabled
  const Parsed mail = parse("<form action='mailto:a@b'><input name=a></form>");
  auto refused = submit(mail, "https://www.example.test/");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("mailto"), std::string::npos) << refused.error().message;
}

TEST(FormSubmission, HttpsPageToHttpActionIsWarnedAbout) {
  const Parsed page = parse("<form method=post action=http://shop.example.test/x></form>");
  auto request = submit(page, "https://www.example.test/");
  ASSERT_TRUE(request);
  const auto warning = insecure_submission_warning(url("https://www.example.test/"), *request);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("over plain http://"), std::string::npos);
  EXPECT_FALSE(insecure_submission_warning(url("http://www.example.test/"), *request));
}

TEST(RedirectMethod, FollowsFetchsRules) {
  NavigationRequest post;
  post.url = url("https://shop.example.test/order");
  post.method = "POST";
  post.body = "item=1";
  post.content_type = "application/x-www-form-urlencoded";
  const Url next = url("https://shop.example.test/done");
  for (int status : {301, 302, 303}) {
    const NavigationRequest after = redirected(post, status, next);
    EXPECT_EQ(after.method, "GET") << status;
    EXPECT_TRUE(after.body.empty()) << status;
    EXPECT_TRUE(after.content_type.empty()) << status;
    EXPECT_EQ(after.url.to_string(), next.to_string());
  }
  for (int status : {307, 308}) {
    const NavigationRequest after = redirected(post, status, next);
    EXPECT_EQ(after.method, "POST") << status;
    EXPECT_EQ(after.body, "item=1") << status;
    EXPECT_EQ(after.content_type, post.content_type);
  }
  NavigationRequest put = post;
  put.method = "PUT";
  EXPECT_EQ(redirected(put, 302, next).method, "PUT");  // only a POST becomes GET on 301/302
  EXPECT_EQ(redirected(put, 303, next).method, "GET");
}

TEST(RequestSiteRules, RegistrableDomainsAndSites) {
  EXPECT_EQ(registrable_domain("shop.example.test"), "example.test");
  EXPECT_EQ(registrable_domain("www.example.test"), "example.test");
  EXPECT_EQ(registrable_domain("www.example"), "www.example");
  EXPECT_EQ(registrable_domain("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(registrable_domain("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(registrable_domain("test"), "test");
  EXPECT_TRUE(same_site(url("https://www.example.test/"), url("https://shop.example.test/")));
  EXPECT_FALSE(same_site(url("https://www.example/"), url("https://shop.example.test/")));
  EXPECT_FALSE(same_site(url("http://shop.example.test/"), url("https://shop.example.test/")));
}

TEST(RequestSiteRules, FetchSiteAndOriginAlongARedirectChain) {
  RequestSite typed(std::nullopt);
  typed.visit(url("https://shop.example.test/"));
  EXPECT_EQ(typed.fetch_site(), "none");
  EXPECT_FALSE(typed.cross_site());
  EXPECT_FALSE(typed.origin_header());

  RequestSite own(url("https://shop.example.test/form"));
  own.visit(url("https://shop.example.test/login"));
  EXPECT_EQ(own.fetch_site(), "same-origin");
  EXPECT_EQ(own.origin_header(), "https://shop.example.test");
  own.visit(url("https://www.example.test/"));  // a redirect from the initiator's origin
  EXPECT_EQ(own.fetch_site(), "same-site");
  EXPECT_EQ(own.origin_header(), "https://shop.example.test");

  RequestSite other(url("https://www.example/"));
  other.visit(url("https://shop.example.test/order"));
  EXPECT_EQ(other.fetch_site(), "cross-site");
  EXPECT_TRUE(other.cross_site());
  EXPECT_EQ(other.origin_header(), "https://www.example");
  other.visit(url("https://www.example.test/"));  // a redirect between two other origins
  EXPECT_EQ(other.origin_header(), "null");
}

TEST(CookieSameSite, LaxIsWithheldFromCrossSitePostsAndSentOnTopLevelGets) {
  CookieJar jar;
  const Url shop = url("https://shop.example.test/");
  ASSERT_TRUE(jar.set(shop, "lax=1; SameSite=Lax", 1000));
  ASSERT_TRUE(jar.set(shop, "strict=2; SameSite=Strict", 1000));
  ASSERT_TRUE(jar.set(shop, "none=3; SameSite=None; Secure", 1000));
  ASSERT_TRUE(jar.set(shop, "plain=4", 1000));
  const CookieSelection same = jar.select(shop, 1001, {.cross_site = false, .safe_method = false});
  EXPECT_EQ(same.header, "lax=1; strict=2; none=3; plain=4");
  const CookieSelection post = jar.select(shop, 1001, {.cross_site = true, .safe_method = false});
  EXPECT_EQ(post.header, "none=3; plain=4");
  ASSERT_EQ(post.withheld.size(), 2u);
  EXPECT_EQ(post.withheld[0], "lax (SameSite=Lax, cross-site POST)");
  EXPECT_EQ(post.withheld[1], "strict (SameSite=Strict, cross-site request)");
  const CookieSelection get = jar.select(shop, 1001, {.cross_site = true, .safe_method = true});
  EXPECT_EQ(get.header, "lax=1; none=3; plain=4");
  // A POST from www.example.test to shop.example.test is same-site: Lax goes with it.
  RequestSite site(url("https://www.example.test/"));
  site.visit(shop);
  EXPECT_FALSE(site.cross_site());
}

TEST(HistoryOfPosts, AnEntryFromAPostIsKnownAsOne) {
  History history;
  history.visit(url("https://shop.example.test/form"));
  NavigationRequest post;
  post.url = url("https://shop.example.test/order");
  post.method = "POST";
  post.body = "item=1";
  history.visit(post);
  EXPECT_TRUE(history.current_is_post());
  const auto question = resubmission_question(*history.current_request());
  ASSERT_TRUE(question);
  EXPECT_NE(question->find("Send the form again?"), std::string::npos);
  history.back();
  EXPECT_FALSE(history.current_is_post());
  EXPECT_FALSE(resubmission_question(*history.current_request()));
  history.forward();
  // The POST was answered 303: what the entry holds now is the GET it led to.
  history.replace_current(redirected(post, 303, url("https://shop.example.test/orders/7")));
  EXPECT_FALSE(history.current_is_post());
  EXPECT_EQ(history.current()->to_string(), "https://shop.example.test/orders/7");
}

}  // namespace
}  // namespace miniweb::browser
