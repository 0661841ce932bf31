#pragma once
// The shop's pages, as HTML and as JSON: what the routes (shop/routes) answer with. Every page
// says which instance answered. Plain HTML without scripts, usable in a text browser: each
// input has its label beside it, each form a named submit button. For a visitor without a
// session nothing on a page changes from one request to the next unless the database does (no
// time, counter or token on the home page), so the balancer's share shows in the bodies.
//
// pages.cpp: the frame, the catalog, errors; account_pages.cpp: sign-in, sign-up, account;
// order_pages.cpp: the cart and orders.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shop/database.hpp"
#include "shop/form.hpp"

namespace miniweb::shop {

// What every page's header and footer show: who answered, and who is signed in.
struct Chrome {
  std::string_view instance;
  std::optional<std::string> username;  // signed in
  std::string csrf;                     // the token of the page's forms ("" when it has none)
};

// The frame every HTML page shares: the header with its links, `body`, the footer.
std::string page(std::string_view title, const Chrome& chrome, std::string_view body);
// The hidden field every state-changing form carries.
std::string csrf_field(std::string_view token);
// A list of what was wrong with a form, for the top of the page that shows it again.
std::string problems_html(const std::vector<FieldProblem>& problems);

// The product list: every product, or those matching `query` when there is one.
std::string products_html(const Chrome& chrome, const std::vector<Product>& products,
                          const std::optional<std::string>& query);
std::string products_json(std::string_view instance, const std::vector<Product>& products,
                          const std::optional<std::string>& query);

// One product, with the form that adds it to the cart.
std::string product_html(const Chrome& chrome, const Product& product);
std::string product_json(std::string_view instance, const Product& product);

// An error page with a sentence saying why, and the fields it was about.
std::string error_html(const Chrome& chrome, int status, std::string_view why,
                       const std::vector<FieldProblem>& fields = {});
std::string error_json(std::string_view instance, int status, std::string_view why,
                       const std::vector<FieldProblem>& fields = {});

// --- account_pages.cpp
enum class AccountForm { SignIn, SignUp };
// The sign-in or sign-up form, with the name typed before and what was wrong.
std::string account_form_html(const Chrome& chrome, AccountForm which, std::string_view username,
                              const std::vector<FieldProblem>& problems);
std::string account_html(const Chrome& chrome, const User& user);
std::string account_json(std::string_view instance, const User& user);

// --- order_pages.cpp
std::string cart_html(const Chrome& chrome, const std::vector<CartLine>& lines);
std::string cart_json(std::string_view instance, const std::vector<CartLine>& lines);
std::string orders_html(const Chrome& chrome, const std::vector<Order>& orders);
std::string orders_json(std::string_view instance, const std::vector<Order>& orders);
std::string order_html(const Chrome& chrome, const Order& order);
std::string order_json(std::string_view instance, const Order& order);

// "7.99" for 799 cents.
std::string format_price(std::int64_t cents);
// "2026-12-02 07:12 UTC" for a Unix time.
std::string format_time(std::int64_t unix_seconds);

}  // namespace miniweb::shop
