// The form model (browser/forms/): what extract_forms reads from markup, the edits a face or
// --fill makes, the entry list HTML constructs from a form, and the urlencoded encoding.

#include <gtest/gtest.h>

#include <string>

#include "browser/forms/encodings.hpp"
#include "browser/forms/entry_list.hpp"
#include "browser/forms/fill.hpp"
#include "browser/forms/form_model.hpp"
#include "browser/html/dom.hpp"

namespace miniweb::browser::forms {
namespace {

struct Parsed {
  html::Document document;
  FormSet set;
};

Parsed parse(std::string_view markup) {
  Parsed parsed{html::parse_html(markup), {}};
  parsed.set = extract_forms(parsed.document);
  return parsed;
}

NameValuePairs entries_of(const Form& form, std::optional<int> submitter = std::nullopt) {
  return name_value_pairs(construct_entry_list(form, submitter));
}

TEST(FormsExtract, FormsAndControlsInTreeOrderWithTheirAttributes) {
  const Parsed page = parse(
      "<form action=' /login ' method=POST enctype=MULTIPART/FORM-DATA id=a>"
      "<input name=user size=12 maxlength=4><input type=EMAIL name=mail value=' a@b.test '>"
      "<input type=password name=pw><input type=hidden name=token value=t1>"
      "<textarea name=note rows=4 cols=30>\nfirst\r\nsecond</textarea>"
      "<select name=s multiple><optgroup disabled><option>x</optgroup><option value=y "
      "selected>Why</select><button name=go value=1>Go <b>on</b></button></form>"
      "<form method=bogus><input type=submit></form><input name=outside form=a>");
  ASSERT_EQ(page.set.forms.size(), 2u);
  const Form& login = page.set.forms[0];
  EXPECT_EQ(login.action, "/login");
  EXPECT_EQ(login.method, "post");
  EXPECT_EQ(login.enctype, "multipart/form-data");
  ASSERT_EQ(login.controls.size(), 8u);  // the input with form=a joins it, at the end
  EXPECT_EQ(login.controls[0].size, 12);
  EXPECT_EQ(login.controls[0].maxlength, 4u);
  EXPECT_EQ(login.controls[1].type, "email");
  EXPECT_EQ(login.controls[1].value, "a@b.test");
  EXPECT_EQ(login.controls[2].kind, ControlKind::Password);
  EXPECT_EQ(login.controls[3].kind, ControlKind::Hidden);
  EXPECT_EQ(login.controls[4].value, "first\nsecond");  // parser drops the first newline
  EXPECT_EQ(login.controls[4].rows, 4);
  const FormControl& select = login.controls[5];
  ASSERT_EQ(select.options.size(), 2u);
  EXPECT_TRUE(select.options[0].disabled);
  EXPECT_EQ(select.options[1].value, "y");
  EXPECT_EQ(select.options[1].label, "Why");
  EXPECT_EQ(login.controls[6].kind, ControlKind::Submit);
  EXPECT_EQ(login.controls[6].label, "Go on");
  EXPECT_EQ(login.controls[7].name, "outside");
  EXPECT_EQ(page.set.forms[1].method, "get");
  EXPECT_EQ(page.set.forms[1].controls[0].label, "Submit");
  EXPECT_EQ(page.set.control_of(login.controls[2].node), (ControlId{0, 2}));
  EXPECT_EQ(field_index(page.set, {1, 0}), 8u);
}

TEST(FormsExtract, SelectAndRadioStartWithOneChoice) {
  const Parsed page = parse(
      "<form><select name=a><option disabled>no<option>first<option>second</select>"
      "<select name=b><option selected>x<option selected>y</select>"
      "<input type=radio name=r value=1 checked><input type=radio name=r value=2 checked>"
      "</form>");
  const Form& form = page.set.forms[0];
  EXPECT_TRUE(form.controls[0].options[1].selected);   // the first enabled one
  EXPECT_FALSE(form.controls[1].options[0].selected);  // of several, the last
  EXPECT_TRUE(form.controls[1].options[1].selected);
  EXPECT_FALSE(form.controls[2].checked);
  EXPECT_TRUE(form.controls[3].checked);
}

TEST(FormsEdit, TextCheckboxRadioSelectAndFile) {
  Parsed page = parse(
      "<form><input name=t maxlength=3><input type=checkbox name=c><input type=radio name=r "
      "value=1 checked><input type=radio name=r value=2><select name=s><option>a<option>b"
      "<option disabled>c</select><input type=file name=f><textarea name=x readonly>"
      "</textarea><input name=d disabled><input type=hidden name=h></form>");
  FormSet& set = page.set;
  ASSERT_TRUE(set.set_text({0, 0}, "ab\ncdef"));
  EXPECT_EQ(set.control({0, 0})->value, "abc");  // no newline in a line; maxlength cuts
  ASSERT_TRUE(set.toggle({0, 1}));
  EXPECT_TRUE(set.control({0, 1})->checked);
  ASSERT_TRUE(set.toggle({0, 3}));
  EXPECT_FALSE(set.control({0, 2})->checked);
  EXPECT_TRUE(set.control({0, 3})->checked);
  EXPECT_FALSE(set.set_checked({0, 3}, false));
  ASSERT_TRUE(set.select_option({0, 4}, 1));
  EXPECT_FALSE(set.control({0, 4})->options[0].selected);
  EXPECT_TRUE(set.control({0, 4})->options[1].selected);
  EXPECT_FALSE(set.select_option({0, 4}, 2));  // disabled
  EXPECT_FALSE(set.select_option({0, 4}, 7));
  ASSERT_TRUE(set.choose_file({0, 5}, "/tmp/report.pdf"));
  EXPECT_EQ(set.control({0, 5})->shown_value(), "report.pdf");
  EXPECT_FALSE(set.set_text({0, 6}, "x"));  // read-only
  const Status disabled = set.set_text({0, 7}, "x");
  ASSERT_FALSE(disabled);
  EXPECT_EQ(disabled.error().message, "the text field 'd' is disabled");
  EXPECT_FALSE(set.set_text({0, 8}, "x"));  // hidden
  EXPECT_FALSE(set.set_text({0, 1}, "x"));  // a checkbox takes no text
  EXPECT_FALSE(set.set_text({3, 0}, "x"));  // no such form
  set.reset(0);
  EXPECT_EQ(set.control({0, 0})->value, "");
  EXPECT_TRUE(set.control({0, 2})->checked);
}

TEST(FormsExtract, AFormAttributeNamesTheOwnerWhereverItIsInTheTree) {
  // HTML §4.10.17.3: form="ID" makes the form with that ID the owner, even one later in the
  // tree; an ID no form has leaves the control with none, even inside a form.
  const Parsed page = parse(
      "<input name=early form=late>"
      "<form id=first><input name=a><input name=b form=nosuch><input name=c form=late></form>"
      "<form id=late><input name=d></form>");
  ASSERT_EQ(page.set.forms.size(), 2u);
  const auto names = [&](std::size_t form) {
    std::vector<std::string> found;
    for (const FormControl& control : page.set.forms[form].controls) found.push_back(control.name);
    return found;
  };
  EXPECT_EQ(names(0), (std::vector<std::string>{"a"}));
  EXPECT_EQ(names(1), (std::vector<std::string>{"early", "c", "d"}));  // in tree order
}

TEST(FormsEntryList, FollowsConstructingTheEntryList) {
  const Parsed page = parse(
      "<form><input name=a value='x y'><input name=dis value=1 disabled>"
      "<fieldset disabled><input name=infs value=1></fieldset>"
      "<input type=checkbox name=c1 checked><input type=checkbox name=c2 value=v checked>"
      "<input type=checkbox name=c3><input type=radio name=r value=1>"
      "<input type=radio name=r value=2 checked><input value=noname>"
      "<select name=m multiple><option selected>p<option>q<option selected value=R>r</select>"
      "<textarea name=t>l1\nl2</textarea><input type=hidden name=_charset_>"
      "<input type=file name=f><input type=submit name=s1 value=one>"
      "<button name=s2 value=two>Two</button><input type=reset name=rs>"
      "<input type=image name=map alt=Map><datalist><input name=inlist></datalist></form>");
  const Form& form = page.set.forms[0];
  EXPECT_EQ(form.default_button(), 13);
  EXPECT_EQ(entries_of(form).size(), 9u);  // no submitter: no button's value
  const NameValuePairs implicit = entries_of(form, form.default_button());
  const NameValuePairs expected = {
      {"a", "x y"},      {"c1", "on"},           {"c2", "v"}, {"r", "2"},   {"m", "p"}, {"m", "R"},
      {"t", "l1\r\nl2"}, {"_charset_", "UTF-8"}, {"f", ""},   {"s1", "one"}};
  EXPECT_EQ(implicit, expected);  // implicit submission: the default button, s1
  const NameValuePairs with_two = entries_of(form, 14);
  EXPECT_EQ(with_two.back(), (NameValuePairs::value_type{"s2", "two"}));
  EXPECT_EQ(std::count_if(with_two.begin(), with_two.end(),
                          [](const auto& pair) { return pair.first == "s1"; }),
            0);
  const NameValuePairs with_image = entries_of(form, 16);
  EXPECT_EQ(with_image[with_image.size() - 2], (NameValuePairs::value_type{"map.x", "0"}));
  EXPECT_EQ(with_image.back(), (NameValuePairs::value_type{"map.y", "0"}));
  const auto entries = construct_entry_list(form, std::nullopt);
  EXPECT_TRUE(entries[8].is_file());
}

TEST(FormsUrlencoded, SerializesAsTheUrlStandardSays) {
  EXPECT_EQ(urlencoded_serialize({{"a b", "c&d=e"}, {"ü", "*-._~!'()+%"}, {"", ""}}),
            "a+b=c%26d%3De&%C3%BC=*-._%7E%21%27%28%29%2B%25&=");
  EXPECT_EQ(urlencoded_serialize({{"t", "l1\r\nl2"}}), "t=l1%0D%0Al2");
  const NameValuePairs back = urlencoded_parse("a+b=c%26d%3De&%C3%BC=x&&flag&bad=%zz");
  const NameValuePairs expected = {{"a b", "c&d=e"}, {"ü", "x"}, {"flag", ""}, {"bad", "%zz"}};
  EXPECT_EQ(back, expected);
  EXPECT_EQ(crlf_newlines("a\rb\nc\r\nd"), "a\r\nb\r\nc\r\nd");
}

TEST(FormsTextPlain, NameValueLines) {
  const Parsed page = parse("<form><input name=a value='1 2'><textarea name=b>x\ny</textarea>");
  EXPECT_EQ(text_plain_body(construct_entry_list(page.set.forms[0], std::nullopt)),
            "a=1 2\r\nb=x\r\ny\r\n");
}

TEST(FormsFill, ParsesNameValueAndFiles) {
  auto plain = parse_fill("user=bob=1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->name, "user");
  EXPECT_EQ(plain->value, "bob=1");
  EXPECT_FALSE(plain->file);
  auto file = parse_fill("doc=@/tmp/a b.txt");
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->file);
  EXPECT_EQ(file->value, "/tmp/a b.txt");
  for (const char* bad : {"novalue", "=x", ""}) {
    auto refused = parse_fill(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, 2) << bad;
  }
}

TEST(FormsFill, AppliesToEachKindOfControl) {
  Parsed page = parse(
      "<form><input name=q><input name=q><input type=password name=pw>"
      "<input type=checkbox name=agree><input type=checkbox name=tag value=a>"
      "<input type=checkbox name=tag value=b><input type=radio name=size value=s checked>"
      "<input type=radio name=size value=l><select name=fruit><option value=1>Apple"
      "<option value=2>Banana</select><input type=file name=doc><textarea name=note>"
      "</textarea><input type=submit name=act value=save><input type=submit name=act "
      "value=delete></form>");
  std::vector<FillArgument> fills;
  for (const char* text : {"q=first", "q=second", "pw=secret", "agree=on", "tag=b", "size=l",
                           "fruit=Banana", "doc=@/etc/hostname", "note=a\nb", "act=delete"})
    fills.push_back(*parse_fill(text));
  auto submitter = apply_fills(page.set, 0, fills);
  ASSERT_TRUE(submitter) << submitter.error().message;
  EXPECT_EQ(*submitter, 12);
  const Form& form = page.set.forms[0];
  const NameValuePairs expected = {
      {"q", "first"}, {"q", "second"}, {"pw", "secret"},    {"agree", "on"},    {"tag", "b"},
      {"size", "l"},  {"fruit", "2"},  {"doc", "hostname"}, {"note", "a\r\nb"}, {"act", "delete"}};
  EXPECT_EQ(entries_of(form, *submitter), expected);
}

TEST(FormsFill, ErrorsNameTheFillAndWhatTheFormHas) {
  Parsed page = parse(
      "<form><input name=q><input type=radio name=r value=1><select name=s><option>x</select>"
      "<input type=file name=f><input type=checkbox name=c></form>");
  const auto refused = [&](const char* text) {
    auto result = apply_fills(page.set, 0, {*parse_fill(text)});
    EXPECT_FALSE(result) << text;
    return result ? std::string() : result.error().message;
  };
  const std::string unknown = refused("nope=1");
  EXPECT_NE(unknown.find("form 1 has no control named 'nope' (it has: q (text field), r (radio "
                         "button), s (select), f (file input), c (checkbox))"),
            std::string::npos)
      << unknown;
  EXPECT_NE(refused("r=9").find("no radio button named 'r' has that value ('1')"),
            std::string::npos);
  EXPECT_NE(refused("s=y").find("no such option"), std::string::npos);
  EXPECT_NE(refused("f=plain").find("NAME=@PATH"), std::string::npos);
  EXPECT_NE(refused("c=maybe").find("on or off"), std::string::npos);
  auto no_form = apply_fills(page.set, 3, {});
  ASSERT_FALSE(no_form);
  EXPECT_EQ(no_form.error().message, "the page has no form 4 (it has 1)");
  EXPECT_EQ(no_form.error().code, 2);
}

}  // namespace
}  // namespace miniweb::browser::forms
