// Forms through the real miniweb-browser against an origin on loopback that records every
// request it gets: --fill and --submit, both encodings on the wire, the redirects' method
// rules, cookies and SameSite along the chain, Origin and Sec-Fetch-Site, passwords masked in
// the trace.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/browser/test_origin.hpp"
#include "tests/support/command_output.hpp"
#include "tests/support/temp_dir.hpp"

namespace miniweb::browser {
namespace {

using test::http_response;
using test::OriginReply;
using test::OriginRequest;
using test::TestOrigin;

std::string header(const OriginRequest& seen, std::string_view name) {
  return std::string(seen.request.headers.get(name).value_or("(none)"));
}

OriginReply html(const std::string& body, std::vector<std::string> headers = {}) {
  headers.push_back("Content-Type: text/html; charset=utf-8");
  return {http_response(200, "OK", headers, body)};
}

OriginReply redirect(int status, const std::string& location,
                     std::vector<std::string> headers = {}) {
  headers.push_back("Location: " + location);
  return {http_response(status, "Redirect", headers, "")};
}

// The page that answers: what the request that reached it was.
OriginReply echo(const OriginRequest& seen) {
  return html("<title>Echo</title><p>method " + seen.request.method + " target " +
              seen.request.target + " cookie " + header(seen, "Cookie") + " body-bytes " +
              std::to_string(seen.request.body.size()) + "</p>");
}

// The hosts file every browser here is given (localhost only), in a directory removed when the
// tests end.
std::string hosts_file() {
  static const test_support::TempDir directory("miniweb-forms");
  static const std::string path = [] {
    const std::string file = directory / "hosts";
    std::ofstream(file) << "127.0.0.1 localhost\n";
    return file;
  }();
  return path;
}

test_support::RunResult browse(const std::string& arguments) {
  const auto err_file = std::filesystem::temp_directory_path() /
                        ("miniweb-forms-live-" + std::to_string(::getpid()) + ".err");
  return test_support::run_command(std::string(MINIWEB_BROWSER_BINARY) + " --hosts " +
                                       hosts_file() + " --width 100 " + arguments,
                                   err_file);
}

std::string base(const TestOrigin& origin, const std::string& host = "127.0.0.1") {
  return "http://" + host + ":" + std::to_string(origin.port());
}

TEST(FormsLive, LoginPostIsAnsweredWithSeeOtherAndTheCookiesFollow) {
  TestOrigin origin([](const OriginRequest& seen) {
    const std::string& target = seen.request.target;
    if (target == "/login-form")
      return html(
          "<title>Sign in</title><form method=post action=/login>"
          "<input name=user> <input type=password name=password> <input type=checkbox "
          "name=remember> <select name=lang><option value=en>English<option value=fr>"
          "Français</select> <input type=submit value='Sign in'></form>",
          {"Set-Cookie: visit=v1; Path=/; SameSite=Lax"});
    if (target == "/login")
      return redirect(303, "/welcome", {"Set-Cookie: session=0123456789abcdef0123; Path=/"});
    return echo(seen);
  });
  const auto run = browse(
      "--trace --fill user=bob@example.test --fill 'password=hunter 2' "
      "--fill remember=on --fill lang=Français --submit " +
      base(origin) + "/login-form");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("method GET target /welcome cookie visit=v1; "
                         "session=0123456789abcdef0123 body-bytes 0"),
            std::string::npos)
      << run.out;
  const auto requests = origin.requests();
  ASSERT_EQ(requests.size(), 3u);
  const http::Request& post = requests[1].request;
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.target, "/login");
  EXPECT_EQ(post.body, "user=bob%40example.test&password=hunter+2&remember=on&lang=fr");
  EXPECT_EQ(header(requests[1], "Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(header(requests[1], "Content-Length"), std::to_string(post.body.size()));
  EXPECT_EQ(header(requests[1], "Origin"), base(origin));
  EXPECT_EQ(header(requests[1], "Sec-Fetch-Site"), "same-origin");
  EXPECT_EQ(header(requests[1], "Cookie"), "visit=v1");
  // The 303 turns the POST into a GET without a body; the cookie it set goes with it.
  EXPECT_EQ(requests[2].request.method, "GET");
  EXPECT_EQ(header(requests[2], "Content-Type"), "(none)");
  EXPECT_EQ(header(requests[2], "Origin"), "(none)");
  // The trace shows the form, masks the password, and says how the method changed.
  EXPECT_EQ(run.err.find("hunter"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("password = ******** (password, masked)"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("user=bob%40example.test&password=********&remember=on&lang=fr"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("redirect 303: POST -> GET"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("4 fields, body 61 bytes of application/x-www-form-urlencoded"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("1 cookie: visit=v1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("2 cookies: visit=v1; session=01234567…(20 chars)"), std::string::npos)
      << run.err;
}

TEST(FormsLive, Status307KeepsThePostAndItsBodyAnd303EndsIt) {
  TestOrigin origin([](const OriginRequest& seen) {
    const std::string& target = seen.request.target;
    if (target == "/form")
      return html(
          "<form method=post action=/first><input name=q value='x y'>"
          "<button name=go value=yes>Go</button></form>");
    if (target == "/first") return redirect(307, "/second");
    if (target == "/second") return redirect(308, "/third");
    if (target == "/third") return redirect(302, "/last");
    return echo(seen);
  });
  const auto run = browse("--trace --submit " + base(origin) + "/form");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto requests = origin.requests();
  ASSERT_EQ(requests.size(), 5u);
  for (std::size_t i = 1; i <= 3; ++i) {
    EXPECT_EQ(requests[i].request.method, "POST") << i;
    EXPECT_EQ(requests[i].request.body, "q=x+y&go=yes") << i;
    EXPECT_EQ(header(requests[i], "Content-Type"), "application/x-www-form-urlencoded") << i;
  }
  EXPECT_EQ(requests[4].request.method, "GET");
  EXPECT_EQ(requests[4].request.target, "/last");
  EXPECT_TRUE(requests[4].request.body.empty());
  EXPECT_NE(run.err.find("redirect 307: POST -> POST"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("redirect 308: POST -> POST"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("redirect 302: POST -> GET"), std::string::npos) << run.err;
}

TEST(FormsLive, GetFormReplacesTheActionsQuery) {
  TestOrigin origin([](const OriginRequest& seen) {
    if (seen.request.target == "/")
      return html(
          "<form action='/search?old=1'><input name=q><input type=hidden name=page "
          "value=2><input type=submit name=s value=Search></form>");
    return echo(seen);
  });
  const auto run = browse("--fill 'q=a&b c' --submit=1 " + base(origin) + "/");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("method GET target /search?q=a%26b+c&page=2&s=Search"), std::string::npos)
      << run.out;
}

TEST(FormsLive, MultipartCarriesTheFileWhole) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("miniweb-forms-upload-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(file, std::ios::binary) << "line one\r\nline two\n\x01 end";
  TestOrigin origin([](const OriginRequest& seen) {
    if (seen.request.target == "/")
      return html(
          "<form method=post enctype=multipart/form-data action=/upload>"
          "<input name=title><input type=file name=doc><input type=submit></form>");
    return echo(seen);
  });
  const auto run = browse("--trace --fill title=Notes --fill doc=@" + file.string() + " --submit " +
                          base(origin) + "/");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto requests = origin.requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string type = header(requests[1], "Content-Type");
  const std::string prefix = "multipart/form-data; boundary=";
  ASSERT_TRUE(type.starts_with(prefix)) << type;
  const std::string boundary = type.substr(prefix.size());
  EXPECT_EQ(requests[1].request.body,
            "--" + boundary +
                "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nNotes\r\n--" + boundary +
                "\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"" +
                file.filename().string() +
                "\"\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\n\x01 end\r\n--" +
                boundary + "--\r\n");
  EXPECT_NE(run.err.find("part \"doc\": file \"" + file.filename().string() +
                         "\" (text/plain, 24 bytes)"),
            std::string::npos)
      << run.err;
  std::filesystem::remove(file);
}

// A page on 127.0.0.1 posts to localhost: another site. SameSite=Lax and Strict cookies stay
// home on the POST; the top-level GET after the 303 carries Lax, never Strict.
TEST(FormsLive, CrossSitePostLeavesSameSiteCookiesBehind) {
  std::uint16_t port = 0;
  TestOrigin origin([&port](const OriginRequest& seen) {
    const std::string& target = seen.request.target;
    const std::string self = ":" + std::to_string(port);
    if (target == "/start")  // on localhost: its cookies, then off to the other site's form
      return redirect(
          302, "http://127.0.0.1" + self + "/form",
          {"Set-Cookie: lax=1; Path=/; SameSite=Lax",
           "Set-Cookie: strict=2; Path=/; SameSite=Strict", "Set-Cookie: free=3; Path=/"});
    if (target == "/form")
      return html("<form method=post action='http://localhost" + self +
                  "/order'><input name=item value=7></form>");
    if (target == "/order") return redirect(303, "/done");
    return echo(seen);
  });
  port = origin.port();
  const auto run = browse("--trace --submit " + base(origin, "localhost") + "/start");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto requests = origin.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[2].request.method, "POST");
  EXPECT_EQ(header(requests[2], "Cookie"), "free=3");
  EXPECT_EQ(header(requests[2], "Origin"), base(origin));
  EXPECT_EQ(header(requests[2], "Sec-Fetch-Site"), "cross-site");
  EXPECT_EQ(requests[3].request.method, "GET");
  EXPECT_EQ(header(requests[3], "Cookie"), "lax=1; free=3");
  EXPECT_NE(run.err.find("withheld: lax (SameSite=Lax, cross-site POST)"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("withheld: strict (SameSite=Strict, cross-site request)"),
            std::string::npos)
      << run.err;
}

// The packet view of a plain-HTTP POST: the body under the request's segment, as the browser
// records it, with the password's value masked for display.
TEST(FormsLive, ThePacketViewShowsTheBodyWithThePasswordMasked) {
  if (::geteuid() != 0) GTEST_SKIP() << "capturing on lo needs CAP_NET_RAW";
  TestOrigin origin([](const OriginRequest& seen) {
    if (seen.request.target == "/")
      return html(
          "<form method=post action=/in><input name=user><input type=password "
          "name=pw></form>");
    return echo(seen);
  });
  // The capture keeps the resolver's /24: 127.0.0.0/24 here, where the origin listens.
  const auto run = browse(
      "--packets --resolver 127.0.0.1:9 --fill user=ann --fill pw=hunter2 "
      "--submit " +
      base(origin) + "/");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.find("hunter2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("HTTP request POST /in HTTP/1.1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("request body: 19 bytes, application/x-www-form-urlencoded (password "
                         "values masked for display; sent as typed)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("user=ann&pw=********"), std::string::npos) << run.err;
}

// A form on an https page that sends to http:// is sent when a script asks, with a warning in
// the trace and on standard error.
TEST(FormsLive, AnHttpsPagePostingToHttpIsWarnedAbout) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("miniweb-forms-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string made = test_support::command_output(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
      (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() +
      " >/dev/null 2>&1 && echo made");
  ASSERT_EQ(made, "made\n");
  TestOrigin plain(echo);
  asio::ssl::context tls = test::tls_server_context(dir / "cert.pem", dir / "key.pem");
  const std::string action = base(plain, "localhost") + "/comment";
  TestOrigin secure(
      [&action](const OriginRequest&) {
        return html("<form method=post action='" + action + "'><input name=text></form>");
      },
      &tls);
  const auto run =
      browse("--trace --ca-file " + (dir / "cert.pem").string() +
             " --fill text=hi --submit https://localhost:" + std::to_string(secure.port()) + "/");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("miniweb-browser: warning: this form on a secure page "
                         "(https://localhost:" +
                         std::to_string(secure.port()) + ") is sent to " +
                         base(plain, "localhost") + " over plain http://"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("warning: sent in the clear"), std::string::npos) << run.err;
  ASSERT_EQ(plain.requests().size(), 1u);
  EXPECT_EQ(plain.requests()[0].request.body, "text=hi");
  EXPECT_EQ(header(plain.requests()[0], "Sec-Fetch-Site"), "cross-site");
  std::filesystem::remove_all(dir);
}

TEST(FormsLive, AnUnknownFieldIsAUsageErrorAndNothingIsSent) {
  TestOrigin origin([](const OriginRequest&) {
    return html(
        "<form method=post action=/x><input name=user><input type=password name=pw>"
        "</form>");
  });
  const auto run = browse("--fill usr=bob --submit " + base(origin) + "/");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--fill usr=bob: form 1 has no control named 'usr' (it has: user "
                         "(text field), pw (password field))"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(origin.requests().size(), 1u);
  const auto no_form = browse("--submit=2 " + base(origin) + "/");
  EXPECT_EQ(no_form.exit_code, 2);
  EXPECT_NE(no_form.err.find("the page has no form 2 (it has 1)"), std::string::npos)
      << no_form.err;
  const auto without_submit = browse("--dump --fill user=bob " + base(origin) + "/");
  EXPECT_EQ(without_submit.exit_code, 2);
}

}  // namespace
}  // namespace miniweb::browser
