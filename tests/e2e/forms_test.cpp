// Forms through the whole stack: `./miniweb up`, then the browser fills and submits the shop's
// forms with --fill and --submit, over DNS, TLS and the reverse proxy to miniweb-shop.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "tests/e2e/stack_fixture.hpp"
#include "tests/support/tmux_terminal.hpp"

namespace {

using miniweb::e2e::StackTest;
using miniweb::test_support::RunResult;
using miniweb::test_support::TmuxTerminal;

// Tab until the status line describes the field `hint` names ("(text field \"username\")"),
// as a person moves to a field; false when it is not reached.
bool tab_to(TmuxTerminal& terminal, const std::string& hint) {
  for (int i = 0; i < 40; ++i) {
    if (terminal.wait_for(hint, std::chrono::milliseconds(300))) return true;
    terminal.keys("Tab");
  }
  return false;
}

class FormsTest : public StackTest {};

TEST_F(FormsTest, TheShopsSearchFormByGet) {
  ASSERT_EQ(up_.exit_code, 0) << up_.out << up_.err;
  const RunResult shown = browse("https://shop.example.test/");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("Search [____________________] [Search]"), std::string::npos)
      << shown.out;
  const RunResult found = browse("https://shop.example.test/", "--trace --fill q=mug --submit");
  ASSERT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("1 product matching \"mug\""), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("Search [mug_________________] [Search]"), std::string::npos)
      << found.out;
  EXPECT_NE(found.err.find("request GET https://shop.example.test/?q=mug&search=1"),
            std::string::npos)
      << found.err;
  EXPECT_NE(found.err.find("2 fields in the query string"), std::string::npos) << found.err;
}

TEST_F(FormsTest, AnUnknownFieldOfTheShopsFormIsRefused) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const RunResult refused = browse("https://shop.example.test/", "--fill query=mug --submit");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("form 1 has no control named 'query' (it has: q (text field), "
                             "search (submit button))"),
            std::string::npos)
      << refused.err;
}

// A visitor signs up, puts a product in the cart and orders it, each step one run of the
// browser: the session cookie (persistent, SameSite=Lax) is kept in the profile between runs,
// and every form carries the shop's csrf token, Origin and Sec-Fetch-Site as a browser's do.
TEST_F(FormsTest, SignUpAddToTheCartAndOrder) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::string user = "forms" + std::to_string(::getpid());
  const std::string password = "correct-horse-" + std::to_string(::getpid());
  const RunResult signed_up =
      browse("https://shop.example.test/signup",
             "--trace --fill username=" + user + " --fill password=" + password + " --submit");
  ASSERT_EQ(signed_up.exit_code, 0) << signed_up.err;
  EXPECT_NE(signed_up.out.find("Signed in as " + user), std::string::npos) << signed_up.out;
  EXPECT_NE(signed_up.out.find("Username: " + user), std::string::npos) << signed_up.out;
  // The trace: the POST, its 303, the session cookie stored; the password never.
  EXPECT_EQ(signed_up.err.find(password), std::string::npos) << signed_up.err;
  EXPECT_NE(signed_up.err.find("password = ******** (password, masked)"), std::string::npos)
      << signed_up.err;
  EXPECT_NE(signed_up.err.find("request POST https://shop.example.test/signup"), std::string::npos)
      << signed_up.err;
  EXPECT_NE(signed_up.err.find("> origin: https://shop.example.test"), std::string::npos)
      << signed_up.err;
  EXPECT_NE(signed_up.err.find("redirect 303: POST -> GET"), std::string::npos) << signed_up.err;
  EXPECT_NE(signed_up.err.find("stored session for shop.example.test"), std::string::npos)
      << signed_up.err;

  // Signed in now, the header has the sign-out form first: the product's form is the second.
  const RunResult added =
      browse("https://shop.example.test/products/2", "--fill quantity=2 --submit=2");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_NE(added.out.find("Your cart"), std::string::npos) << added.out;
  EXPECT_NE(added.out.find("Packet sniffer mug"), std::string::npos) << added.out;
  EXPECT_NE(added.out.find("Total: 25.00 EUR"), std::string::npos) << added.out;

  // The cart: sign out, remove the line, order: the third form.
  const RunResult ordered =
      browse("https://shop.example.test/cart", "--trace --fill action=order --submit=3");
  ASSERT_EQ(ordered.exit_code, 0) << ordered.err;
  EXPECT_NE(ordered.out.find("Order "), std::string::npos) << ordered.out;
  EXPECT_NE(ordered.out.find("Packet sniffer mug"), std::string::npos) << ordered.out;
  EXPECT_NE(ordered.out.find("Total: 25.00 EUR"), std::string::npos) << ordered.out;
  EXPECT_NE(ordered.err.find("request POST https://shop.example.test/orders"), std::string::npos)
      << ordered.err;
  EXPECT_NE(ordered.err.find("to https://shop.example.test/orders/"), std::string::npos)
      << ordered.err;

  // An avatar, by multipart/form-data: a 1x1 PNG made by Python's zlib, the second form of the
  // account page (after sign-out).
  const std::string png = (state_ / "avatar.png").string();
  std::ofstream(state_ / "png.py") << R"(import struct, sys, zlib
def chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
header = struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0)
sys.stdout.buffer.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) +
                        chunk(b'IDAT', zlib.compress(b'\x00\xff\x00\x00')) + chunk(b'IEND', b''))
)";
  run("python3 " + (state_ / "png.py").string() + " > " + png);
  const RunResult uploaded =
      browse("https://shop.example.test/account", "--trace --fill avatar=@" + png + " --submit=2");
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.err;
  EXPECT_NE(uploaded.out.find("[your avatar]"), std::string::npos) << uploaded.out;
  EXPECT_NE(uploaded.err.find("part \"avatar\": file \"avatar.png\" (image/png,"),
            std::string::npos)
      << uploaded.err;

  // The page that came from the POST is never sent again by a dump: a new run loads the
  // order by GET, and the orders list has exactly one order.
  const RunResult orders = browse("https://shop.example.test/orders");
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  EXPECT_EQ(miniweb::test_support::occurrences(orders.out, "Order "), 1u) << orders.out;
}

// The same visit by hand, in the full-screen terminal on a real pty (tmux): the fields are
// reached with Tab, typed into after Enter, and the buttons send the forms; sign up, a product
// into the cart, the order.
TEST_F(FormsTest, TheFullScreenTerminalSignsUpAndOrders) {
  ASSERT_EQ(up_.exit_code, 0) << up_.err;
  const std::string user = "pty" + std::to_string(::getpid());
  TmuxTerminal terminal("env TERM=screen LANG=C " + environment_ + MINIWEB_SOURCE_DIR +
                            "/miniweb browse --terminal https://shop.example.test/signup",
                        100, 30);
  ASSERT_TRUE(terminal.wait_for("Username [")) << terminal.screen();
  ASSERT_TRUE(tab_to(terminal, "(text field \"username\") Enter types into it"))
      << terminal.screen();
  terminal.keys("Enter");
  terminal.type(user);
  terminal.keys("Enter");
  ASSERT_TRUE(tab_to(terminal, "(password field \"password\")")) << terminal.screen();
  terminal.keys("Enter");
  terminal.type("typed-by-hand");
  terminal.keys("Enter");
  EXPECT_EQ(terminal.screen().find("typed-by-hand"), std::string::npos) << terminal.screen();
  ASSERT_TRUE(tab_to(terminal, "(submit button \"action\") Enter sends the form"))
      << terminal.screen();
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("Signed in as " + user)) << terminal.screen();

  terminal.keys("g");
  terminal.type("https://shop.example.test/products/1");
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("Quantity [")) << terminal.screen();
  ASSERT_TRUE(tab_to(terminal, "(text field \"quantity\")")) << terminal.screen();
  terminal.keys("Enter");
  terminal.keys("C-u");
  terminal.type("3");
  terminal.keys("Enter");
  ASSERT_TRUE(tab_to(terminal, "(submit button \"action\")")) << terminal.screen();
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("Your cart")) << terminal.screen();
  ASSERT_TRUE(terminal.wait_for("Place the order")) << terminal.screen();

  // The cart's buttons, Remove then Place the order, are both named "action", as is the
  // header's Sign out, which a link follows: the second of two such buttons in a row is the
  // order's.
  bool on_order_button = false;
  bool previous_was_button = false;
  for (int i = 0; i < 40 && !on_order_button; ++i) {
    terminal.keys("Tab");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const bool button = terminal.screen().find("(submit button \"action\")") != std::string::npos;
    on_order_button = button && previous_was_button;
    previous_was_button = button;
  }
  ASSERT_TRUE(on_order_button) << terminal.screen();
  terminal.keys("Enter");
  ASSERT_TRUE(terminal.wait_for("Placed ")) << terminal.screen();
  EXPECT_NE(terminal.screen().find("  3  "), std::string::npos) << terminal.screen();

  // The shop has the order, seen by another client with the same account's cookie.
  const RunResult orders = browse("https://shop.example.test/orders");
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  EXPECT_NE(orders.out.find("Signed in as " + user), std::string::npos) << orders.out;
  EXPECT_NE(orders.out.find("Order "), std::string::npos) << orders.out;
}

}  // namespace
