#include "server/acme/manager.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include "server/error_log.hpp"

#include "server/acme/storage.hpp"
#include "shared/awaitable.hpp"
#include "shared/text.hpp"

namespace miniweb::server {
namespace {

// After a failure: 5 s, doubling, at most an hour between attempts.
constexpr std::chrono::seconds kFirstRetry{5};
constexpr std::chrono::seconds kMaxRetry{3600};

}  // namespace

AcmeManager::AcmeManager(asio::io_context& io, Server& server) : io_(io), server_(server) {}

AcmeManager::~AcmeManager() = default;

Status AcmeManager::start() {
  return sync();
}

Status AcmeManager::sync() {
  std::vector<std::shared_ptr<Managed>> kept;
  std::vector<std::shared_ptr<Managed>> added;
  std::string errors;
  for (const SiteConfig& config : server_.config().sites) {
    if (!config.acme) continue;
    const auto same = [&config](const std::shared_ptr<Managed>& site) {
      return site->names == config.names && site->config == *config.acme &&
             site->chain == config.certificate_chain && site->key == config.private_key;
    };
    if (auto found = std::find_if(sites_.begin(), sites_.end(), same); found != sites_.end()) {
      kept.push_back(*found);
      sites_.erase(found);
      continue;
    }
    auto site = std::make_shared<Managed>();
    site->names = config.names;
    site->config = *config.acme;
    site->chain = config.certificate_chain;
    site->key = config.private_key;
    auto client = AcmeClient::create(site->config, server_.challenges());
    if (!client) {
      errors += (errors.empty() ? "site " : "; site ") + config.names.front() + ": " +
                client.error().message;
      // A site whose new settings are unusable keeps being looked after with its old ones
      // rather than not at all (its certificate would expire unnoticed).
      const auto previous = [&config](const std::shared_ptr<Managed>& old) {
        return old->chain == config.certificate_chain;
      };
      if (auto found = std::find_if(sites_.begin(), sites_.end(), previous);
          found != sites_.end()) {
        errors += " (its previous settings stay in use)";
        kept.push_back(*found);
        sites_.erase(found);
      }
      continue;
    }
    site->client = std::move(*client);
    site->timer = std::make_unique<asio::steady_timer>(io_);
    added.push_back(site);
  }
  // What is left of the old list is no longer configured.
  for (auto& site : sites_) {
    site->retired = true;
    site->client->stop();
    site->timer->cancel();
  }
  sites_ = std::move(kept);
  for (auto& site : added) {
    sites_.push_back(site);
    asio::co_spawn(io_, maintain(site), asio::detached);
  }
  if (!errors.empty()) return make_error(errors);
  return Ok{};
}

void AcmeManager::stop() {
  stopping_ = true;
  for (auto& site : sites_) {
    site->client->stop();
    site->timer->cancel();
  }
}

Status AcmeManager::install() {
  // The whole set of contexts is rebuilt from the files, as a SIGHUP reload does.
  auto tls = SiteTlsContexts::create(server_.config().sites);
  if (!tls) return make_error("cannot load the new certificate: " + tls.error().message);
  ServerConfig config = server_.config();
  server_.replace(std::move(config), std::move(*tls));
  return Ok{};
}

asio::awaitable<Status> AcmeManager::renew(Managed& site) {
  auto obtained = co_await site.client->obtain(site.names);
  if (!obtained) co_return obtained.error();
  // Reconfigured while the order was in flight: its successor owns the files now, and a
  // certificate for the old names must not land in them.
  if (site.retired) co_return make_error("the site was reconfigured during the order");
  // The key first: a chain is only ever next to its key or to the previous one's.
  if (auto status = write_file_atomically(site.key, obtained->key_pem, kPrivateFileMode); !status)
    co_return status.error();
  if (auto status = write_file_atomically(site.chain, obtained->chain_pem, kPublicFileMode);
      !status)
    co_return status.error();
  if (auto stored = check_stored_certificate(site.chain, site.key, site.names); !stored)
    co_return make_error("the CA's certificate is not usable: " + stored.error().message);
  if (auto status = install(); !status) co_return status.error();
  log_event(LogLevel::Notice, "acme: certificate for " + site.names.front() + " obtained, serial " +
                                  obtained->info.serial + ", valid until " +
                                  utc_timestamp(obtained->info.not_after));
  co_return Ok{};
}

asio::awaitable<void> AcmeManager::maintain(std::shared_ptr<Managed> shared_site) {
  Managed& site = *shared_site;
  std::chrono::seconds retry = kFirstRetry;
  bool first = true;
  while (!stopping_ && !site.retired) {
    std::chrono::steady_clock::duration wait = site.config.renewal_check_interval;
    auto stored = check_stored_certificate(site.chain, site.key, site.names);
    const bool due =
        !stored || due_for_renewal(*stored, site.config.renewal_window_ratio, std::time(nullptr));
    if (first && stored) {
      log_event(LogLevel::Notice,
                "acme: certificate for " + site.names.front() + " from " + site.chain.string() +
                    ", serial " + stored->serial + ", valid until " +
                    utc_timestamp(stored->not_after) + ", renewal from " +
                    utc_timestamp(renewal_time(*stored, site.config.renewal_window_ratio)));
    } else if (first) {
      log_event(LogLevel::Notice, "acme: " + site.names.front() + ": " + stored.error().message +
                                      "; obtaining one from " + site.config.directory);
    }
    first = false;
    if (due) {
      auto status = co_await renew(site);
      if (!status && (stopping_ || site.retired)) break;
      if (!status) {
        // The certificate in use (if any) stays; the next attempt waits longer.
        log_event(LogLevel::Error, "acme: " + site.names.front() + ": " + status.error().message +
                                       "; retrying in " + std::to_string(retry.count()) + " s");
        wait = retry;
        retry = std::min(retry * 2, kMaxRetry);
      } else {
        retry = kFirstRetry;
      }
    }
    if (stopping_ || site.retired) break;
    site.timer->expires_after(wait);
    co_await site.timer->async_wait(use_tuple);
  }
}

}  // namespace miniweb::server
