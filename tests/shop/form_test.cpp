// Forms as the shop reads them: urlencoded and multipart bodies, strictly and within limits;
// each refusal with its status and the field it names.

#include <gtest/gtest.h>

#include "shared/http/multipart.hpp"
#include "shop/form.hpp"

namespace miniweb::shop {
namespace {

const Form* good(const Form::Read& read) {
  const Form* form = std::get_if<Form>(&read);
  EXPECT_NE(form, nullptr) << (form ? "" : std::get<FormRejection>(read).why);
  return form;
}

// The rejection's status, and the field it names ("" for none).
std::pair<int, std::string> refused(const Form::Read& read) {
  const FormRejection* rejected = std::get_if<FormRejection>(&read);
  if (!rejected) return {0, "accepted"};
  return {rejected->status, rejected->fields.empty() ? "" : rejected->fields.front().field};
}

TEST(ShopForm, UrlencodedFieldsAreDecoded) {
  auto read = Form::from_urlencoded("username=a+b%2Bc&password=%C3%A9t%C3%A9&empty=&bare");
  const Form* form = good(read);
  ASSERT_TRUE(form);
  EXPECT_EQ(*form->text("username"), "a b+c");
  EXPECT_EQ(*form->text("password"), "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(*form->text("empty"), "");
  EXPECT_EQ(*form->text("bare"), "");
  EXPECT_EQ(form->text("missing"), nullptr);
  // SQL is only text here.
  auto sql = Form::from_urlencoded("username=%27%3B+DROP+TABLE+users%3B--");
  ASSERT_TRUE(good(sql));
  EXPECT_EQ(*std::get<Form>(sql).text("username"), "'; DROP TABLE users;--");
  ASSERT_TRUE(good(Form::from_urlencoded("")));
}

TEST(ShopForm, MalformedUrlencodedBodiesAre400NamingTheField) {
  EXPECT_EQ(refused(Form::from_urlencoded("username=%zz")),
            std::pair(400, std::string("username")));
  EXPECT_EQ(refused(Form::from_urlencoded("username=ab%4")),
            std::pair(400, std::string("username")));
  EXPECT_EQ(refused(Form::from_urlencoded("username=ab%")),
            std::pair(400, std::string("username")));
  EXPECT_EQ(refused(Form::from_urlencoded("a=1&a=2")), std::pair(400, std::string("a")));
  EXPECT_EQ(refused(Form::from_urlencoded("a=1&&b=2")).first, 400);
  EXPECT_EQ(refused(Form::from_urlencoded("a=1&")).first, 400);
  EXPECT_EQ(refused(Form::from_urlencoded("%zz=1")).first, 400);
  EXPECT_EQ(refused(Form::from_urlencoded("=1")).first, 400);
  std::string many;
  for (int i = 0; i < 17; ++i) many += "f" + std::to_string(i) + "=1&";
  many.pop_back();
  EXPECT_EQ(refused(Form::from_urlencoded(many)).first, 400);
}

TEST(ShopForm, BadTextIs422NamingTheFieldAndHugeBodiesAre413) {
  EXPECT_EQ(refused(Form::from_urlencoded("csrf=x&username=%FF%FE")),
            std::pair(422, std::string("username")));
  EXPECT_EQ(refused(Form::from_urlencoded("username=%C0%AF")),  // an overlong '/'
            std::pair(422, std::string("username")));
  EXPECT_EQ(refused(Form::from_urlencoded("username=%ED%A0%80")),  // a surrogate
            std::pair(422, std::string("username")));
  EXPECT_EQ(refused(Form::from_urlencoded("username=a%00b")),
            std::pair(422, std::string("username")));
  const std::string long_value(1025, 'x');
  EXPECT_EQ(refused(Form::from_urlencoded("password=" + long_value)),
            std::pair(422, std::string("password")));
  EXPECT_TRUE(good(Form::from_urlencoded("password=" + long_value.substr(1))));
  EXPECT_EQ(refused(Form::from_urlencoded("a=" + std::string(17 * 1024, 'x'))).first, 413);
}

TEST(ShopForm, Utf8IsCheckedAsRfc3629SaysIt) {
  EXPECT_TRUE(is_utf8(""));
  EXPECT_TRUE(is_utf8("plain"));
  EXPECT_TRUE(is_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_TRUE(is_utf8("\xF4\x8F\xBF\xBF"));                      // U+10FFFF
  for (const char* bad : {"\x80", "\xC3", "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80",
                          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xE2\x82"})
    EXPECT_FALSE(is_utf8(bad)) << bad;
}

const std::string kType = "multipart/form-data; boundary=----form42";

std::string part(const std::string& disposition, const std::string& data,
                 const std::string& type = "") {
  return "------form42\r\nContent-Disposition: form-data; " + disposition + "\r\n" +
         (type.empty() ? "" : "Content-Type: " + type + "\r\n") + "\r\n" + data + "\r\n";
}

TEST(ShopForm, MultipartFieldsAndFiles) {
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\r\n--x", 6);
  const std::string body = part("name=\"csrf\"", "token") +
                           part("name=\"avatar\"; filename=\"me.png\"", png, "image/png") +
                           "------form42--\r\n";
  auto read = Form::from_multipart(body, kType);
  const Form* form = good(read);
  ASSERT_TRUE(form);
  EXPECT_EQ(*form->text("csrf"), "token");
  const FormField* file = form->field("avatar");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->value, png);
  EXPECT_EQ(file->filename.value_or(""), "me.png");
  EXPECT_EQ(file->content_type, "image/png");
  EXPECT_EQ(form->text("avatar"), nullptr);  // a file is not text
  // A quoted boundary, and no CRLF after the last one.
  auto quoted = Form::from_multipart(part("name=\"a\"", "1") + "------form42--",
                                     "multipart/form-data; boundary=\"----form42\"");
  EXPECT_TRUE(good(quoted));
}

TEST(ShopForm, MalformedMultipartIs400AndLargeFilesAre413) {
  const std::string end = "------form42--\r\n";
  const std::string one = part("name=\"a\"", "1");
  auto status = [&](const std::string& body, const std::string& type = kType) {
    return refused(Form::from_multipart(body, type)).first;
  };
  EXPECT_EQ(status(one + end, "multipart/form-data"), 400);             // no boundary
  EXPECT_EQ(status(one + end, "multipart/form-data; boundary="), 400);  // empty
  EXPECT_EQ(status(one + end, "multipart/form-data; boundary=" + std::string(71, 'b')), 400);
  EXPECT_EQ(status(one + end, "multipart/form-data; boundary=a; boundary=b"), 400);
  EXPECT_EQ(status("preamble\r\n" + one + end), 400);
  EXPECT_EQ(status(one), 400);                                // no last boundary
  EXPECT_EQ(status(one + end + "epilogue"), 400);             // text after it
  EXPECT_EQ(status(end), 400);                                // no parts
  EXPECT_EQ(status(one + one + end), 400);                    // a name twice
  EXPECT_EQ(status(part("filename=\"x\"", "1") + end), 400);  // no name
  EXPECT_EQ(status(part("name=\"a", "1") + end), 400);        // unterminated quote
  EXPECT_EQ(status("------form42\r\nContent-Type: text/plain\r\n\r\n1\r\n" + end), 400);
  EXPECT_EQ(
      status("------form42\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n" + end),
      400);
  EXPECT_EQ(status("------form42\r\nContent-Disposition: form-data; name=\"a\"\r\n" +
                   std::string(2000, 'x') + "\r\n\r\n1\r\n" + end),
            400);                                                      // header fields too long
  EXPECT_EQ(status("------form42 \r\n" + one.substr(14) + end), 400);  // padding after it
  EXPECT_EQ(refused(Form::from_multipart(part("name=\"t\"", "\xFF") + end, kType)),
            std::pair(422, std::string("t")));
  EXPECT_EQ(
      refused(Form::from_multipart(
          part("name=\"avatar\"; filename=\"a.png\"", std::string(65 * 1024, 'x')) + end, kType)),
      std::pair(413, std::string("avatar")));
  EXPECT_EQ(status(part("name=\"a\"", std::string(100 * 1024, 'x')) + end), 413);
}

TEST(ShopForm, TheRequestsContentTypePicksTheParser) {
  http::Request request;
  request.method = "POST";
  request.body = "a=1";
  request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
  EXPECT_TRUE(good(Form::read(request)));
  request.headers.set("Content-Type", "application/json");
  EXPECT_EQ(refused(Form::read(request)).first, 415);
  request.headers.remove("Content-Type");
  EXPECT_EQ(refused(Form::read(request)).first, 415);
}

TEST(ShopForm, ParametersAreReadStrictly) {
  auto parameters = http::parse_parameters("; name=\"a\\\"b\"; filename=x.png");
  ASSERT_TRUE(parameters) << parameters.error().message;
  ASSERT_EQ(parameters->size(), 2u);
  EXPECT_EQ((*parameters)[0].second, "a\"b");
  EXPECT_EQ((*parameters)[1].second, "x.png");
  EXPECT_FALSE(http::parse_parameters("; name"));
  EXPECT_FALSE(http::parse_parameters("; name="));
  EXPECT_FALSE(http::parse_parameters("name=a"));
}

}  // namespace
}  // namespace miniweb::shop
