// miniweb-shop: the shop's application server, one instance of several behind the reverse
// proxy at shop.example.test, all over one SQLite database.

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "shop/app_server.hpp"
#include "shop/database.hpp"
#include "shop/settings.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "miniweb-shop: the shop's application server (products, accounts, carts, orders) over "
      "SQLite"};
  std::string listen;
  app.add_option("--listen", listen, "ADDRESS:PORT to serve plain HTTP on")->required();
  std::string instance;
  app.add_option("--instance", instance, "this instance's name, shown on every page")->required();
  std::string database_file;
  app.add_option("--database", database_file,
                 "the SQLite file every instance shares (created and seeded when new)")
      ->required();
  std::vector<std::string> trusted_proxies;
  app.add_option("--trusted-proxy", trusted_proxies,
                 "an address or CIDR range of a reverse proxy in front, whose X-Forwarded-For "
                 "names the client (repeatable; from anyone else the peer address counts)");
  CLI11_PARSE(app, argc, argv);

  auto fail = [](const std::string& message) {
    std::cerr << "miniweb-shop: " << message << '\n';
    return 1;
  };
  const auto colon = listen.rfind(':');
  std::error_code ec;
  const asio::ip::address address =
      asio::ip::make_address(colon == std::string::npos ? "" : listen.substr(0, colon), ec);
  int port = -1;
  try {
    if (colon != std::string::npos) port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (ec || port < 0 || port > 65535)
    return fail("--listen wants ADDRESS:PORT, e.g. 127.0.0.1:8080, not '" + listen + "'");

  miniweb::shop::ShopSettings settings;
  settings.instance = instance;
  for (const std::string& text : trusted_proxies) {
    auto range = miniweb::Cidr::parse(text);
    if (!range) return fail("--trusted-proxy " + text + ": " + range.error().message);
    settings.trusted_proxies.push_back(*range);
  }
  // The test hook: stop inside an order's transaction, to be killed there.
  const char* pause = std::getenv("MINIWEB_SHOP_PAUSE_IN_ORDER");
  settings.pause_in_order = pause && std::string_view(pause) == "1";

  auto database = miniweb::shop::Database::open(database_file);
  if (!database) return fail(database.error().message);

  asio::io_context io;
  miniweb::shop::AppServer server(io, *database, std::move(settings));
  if (auto status = server.listen({address, static_cast<unsigned short>(port)}); !status)
    return fail(status.error().message);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code& error, int) {
    if (!error) server.stop();
  });
  server.start();
  std::clog << "miniweb-shop: " << instance << " serving on " << listen << " from " << database_file
            << '\n';
  io.run();
  return 0;
}
