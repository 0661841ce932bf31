// The sign-in, sign-up and account pages (see shop/pages.hpp).

#include "shared/html_escape.hpp"
#include "shop/page_parts.hpp"
#include "shop/pages.hpp"

namespace miniweb::shop {

using nlohmann::json;

std::string account_form_html(const Chrome& chrome, AccountForm which, std::string_view username,
                              const std::vector<FieldProblem>& problems) {
  const bool sign_in = which == AccountForm::SignIn;
  const std::string title = sign_in ? "Sign in" : "Sign up";
  const std::string action = sign_in ? "/signin" : "/signup";
  std::string body = "<h1>" + title + "</h1>\n" + problems_html(problems) + "<form action=\"" +
                     action + "\" method=\"post\">" + csrf_field(chrome.csrf) +
                     "\n<p><label for=\"username\">Username</label> <input id=\"username\" "
                     "name=\"username\" autocomplete=\"username\" required value=\"" +
                     html_escape(username) +
                     "\"></p>\n<p><label for=\"password\">Password</label> <input "
                     "id=\"password\" type=\"password\" name=\"password\" required "
                     "autocomplete=\"" +
                     (sign_in ? "current-password" : "new-password") + "\"></p>\n" +
                     "<p><button type=\"submit\" name=\"action\" value=\"" +
                     (sign_in ? "signin" : "signup") + "\">" + title + "</button></p>\n</form>\n";
  body += sign_in ? "<p>No account yet? <a href=\"/signup\">Sign up</a>.</p>\n"
                  : "<p>A username is 3 to 32 letters, digits, '.', '-' or '_'; a password 8 to "
                    "128 bytes. Already have an account? <a href=\"/signin\">Sign in</a>.</p>\n";
  return page(title + " - miniweb shop", chrome, body);
}

std::string account_html(const Chrome& chrome, const User& user) {
  const std::string id = std::to_string(user.id);
  std::string body =
      "<h1>Your account</h1>\n<p>Username: <b>" + html_escape(user.username) + "</b></p>\n";
  body += user.has_avatar ? "<p><img src=\"/avatars/" + id +
                                "\" alt=\"your avatar\" width=\"96\" "
                                "height=\"96\"></p>\n"
                          : "<p>No avatar yet.</p>\n";
  body +=
      "<h2>Avatar</h2>\n<form action=\"/account/avatar\" method=\"post\" "
      "enctype=\"multipart/form-data\">" +
      csrf_field(chrome.csrf) +
      "\n<p><label for=\"avatar\">Image</label> <input type=\"file\" id=\"avatar\" "
      "name=\"avatar\" accept=\"image/png,image/jpeg,image/gif\"></p>\n"
      "<p>PNG, JPEG or GIF, up to 64 KiB.</p>\n"
      "<p><button type=\"submit\" name=\"action\" value=\"upload\">Upload</button></p>\n"
      "</form>\n<p><a href=\"/orders\">Your orders</a>.</p>\n";
  return page("Account - miniweb shop", chrome, body);
}

std::string account_json(std::string_view instance, const User& user) {
  json value{{"instance", std::string(instance)},
             {"user", json{{"id", user.id}, {"username", user.username}}}};
  if (user.has_avatar) value["user"]["avatar"] = "/avatars/" + std::to_string(user.id);
  return dump(value);
}

}  // namespace miniweb::shop
