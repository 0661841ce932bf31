#pragma once
// Keeps the certificates of the sites set to ACME, as Caddy's certificate maintenance does: at
// start-up each such site uses its stored certificate while more than the renewal window of its
// lifetime remains, else obtains one (in the background: the listeners already serve, the
// plain-HTTP one answering the CA's http-01 requests); a timer checks again every
// renewal_check_interval and renews inside the window. A new certificate is written to
// state_dir and put in service by swapping the TLS contexts (Server::replace): connections
// already open keep theirs, new handshakes get the new one. Failures are logged with the CA's
// problem document and retried with exponential backoff; the server keeps running.

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "server/acme/client.hpp"
#include "server/server.hpp"
#include "shared/result.hpp"

namespace miniweb::server {

class AcmeManager {
 public:
  AcmeManager(asio::io_context& io, Server& server);
  ~AcmeManager();

  // Creates a client (account key) for every site with `acme` in the server's configuration and
  // starts looking after its certificate. Call after Server::listen() and start().
  Status start();
  // After a reload: a site new to the configuration (or whose names, files or [acme] settings
  // changed) is looked after from now on, one no longer there is left alone, and the others
  // carry on undisturbed. An error names the site whose client could not be made; the other
  // sites are taken care of all the same.
  Status sync();
  // Cancels the timers; an exchange with the CA in flight ends within its deadline.
  void stop();

 private:
  struct Managed {
    std::vector<std::string> names;
    AcmeConfig config;
    std::filesystem::path chain;
    std::filesystem::path key;
    std::unique_ptr<AcmeClient> client;
    std::unique_ptr<asio::steady_timer> timer;
    bool retired = false;  // no longer in the configuration: its coroutine ends
  };
  // The site's coroutine shares it, so a site retired by sync() lives until that ends.
  asio::awaitable<void> maintain(std::shared_ptr<Managed> site);
  // Obtains, stores and serves a certificate for `site`; the error says why not.
  asio::awaitable<Status> renew(Managed& site);
  Status install();

  asio::io_context& io_;
  Server& server_;
  std::vector<std::shared_ptr<Managed>> sites_;
  bool stopping_ = false;
};

}  // namespace miniweb::server
