// miniweb-ca: the command line of the stack's certificate authority.
//
//   miniweb-ca init   --dir DIR [--key-type ec|rsa] [--rsa-bits N] [--name CN]
//                     [--intermediate-name CN] [--base-url URL]
//   miniweb-ca issue  --dir DIR --name HOST [--name HOST...] [--days N] [--csr FILE]
//                     [--expired] --out PREFIX
//   miniweb-ca revoke --dir DIR SERIAL [--reason R]
//   miniweb-ca crl    --dir DIR --out FILE [--days N] [--der]
//   miniweb-ca list   --dir DIR [--json]
//   miniweb-ca show   --dir DIR SERIAL
//   miniweb-ca serve  --dir DIR --name HOST --listen ADDR:PORT [--http-listen ADDR:PORT]
//                     --resolver ADDR:PORT [--http-port N] [--caa-identity NAME] [--days N]

#include <CLI/CLI.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ca/acme/server.hpp"
#include "ca/authority.hpp"
#include "ca/files.hpp"
#include "ca/hostname.hpp"
#include "shared/dns/client.hpp"

namespace {

using namespace miniweb;
using namespace miniweb::ca;

int fail(const std::string& message) {
  std::cerr << "miniweb-ca: error: " << message << "\n";
  return 1;
}

std::string status_text(const CertificateRecord& record) {
  return record.status == CertificateStatus::revoked ? "revoked" : "valid";
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

nlohmann::json record_json(const CertificateRecord& record) {
  nlohmann::json j = {{"serial", record.serial},
                      {"subject", record.subject},
                      {"names", record.names},
                      {"not_before", utc_timestamp(record.not_before)},
                      {"not_after", utc_timestamp(record.not_after)},
                      {"status", status_text(record)}};
  if (record.revoked_at) j["revoked_at"] = utc_timestamp(*record.revoked_at);
  if (record.reason) j["reason"] = std::string(reason_name(*record.reason));
  return j;
}

int run_init(const std::string& dir, const std::string& key_type, const InitOptions& base) {
  InitOptions options = base;
  options.key_type = key_type == "rsa" ? KeyType::rsa : KeyType::ec_p256;
  auto authority = Authority::init(dir, options);
  if (!authority) return fail(authority.error().message);
  std::cout << "created CA in " << dir << "\n"
            << "  root:         " << (authority->dir() / "root.pem").string() << "  "
            << name_text(X509_get_subject_name(authority->root())) << "\n"
            << "  intermediate: " << (authority->dir() / "intermediate.pem").string() << "  "
            << name_text(X509_get_subject_name(authority->intermediate())) << "\n";
  return 0;
}

int run_issue(const std::string& dir, const std::vector<std::string>& names, int days,
              const std::string& csr_path, bool expired, const std::string& out) {
  auto authority = Authority::open(dir);
  if (!authority) return fail(authority.error().message);
  IssueRequest request;
  request.names = names;
  request.days = days;
  request.window = expired ? ValidityWindow::expired : ValidityWindow::current;
  if (!csr_path.empty()) {
    auto text = read_file(csr_path);
    if (!text) return fail(text.error().message);
    auto csr = parse_csr_pem(*text);
    if (!csr) return fail(csr_path + ": " + csr.error().message);
    request.csr = std::move(csr).value();
  }
  auto issued = authority->issue(std::move(request));
  if (!issued) return fail(issued.error().message);

  const std::filesystem::path prefix(out);
  if (prefix.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(prefix.parent_path(), ec);
    if (ec) return fail("cannot create " + prefix.parent_path().string() + ": " + ec.message());
  }
  const std::string key_path = out + ".key";
  const std::string crt_path = out + ".crt";
  const std::string chain_path = out + ".chain.pem";
  if (issued->private_key) {
    if (auto s = write_private_key(key_path, issued->private_key.get()); !s) {
      return fail(s.error().message);
    }
  }
  if (auto s = write_file_atomically(crt_path, issued->certificate_pem, kPublicFileMode); !s) {
    return fail(s.error().message);
  }
  if (auto s = write_file_atomically(chain_path, issued->chain_pem, kPublicFileMode); !s) {
    return fail(s.error().message);
  }
  std::cout << "issued " << issued->serial << " for " << join(issued->names, ", ") << "\n"
            << "  certificate: " << crt_path << "\n"
            << "  chain:       " << chain_path << "\n";
  if (issued->private_key) std::cout << "  key:         " << key_path << "\n";
  return 0;
}

int run_revoke(const std::string& dir, const std::string& serial, const std::string& reason_text) {
  auto reason = parse_reason(reason_text);
  if (!reason) return fail(reason.error().message);
  auto authority = Authority::open(dir);
  if (!authority) return fail(authority.error().message);
  if (auto s = authority->revoke(serial, *reason); !s) return fail(s.error().message);
  auto record = authority->find(serial);
  std::cout << "revoked " << (record ? record->serial : serial) << " (" << reason_text
            << "); publish a new CRL with: miniweb-ca crl --dir " << dir << " --out FILE\n";
  return 0;
}

int run_crl(const std::string& dir, const std::string& out, int days, bool der) {
  auto authority = Authority::open(dir);
  if (!authority) return fail(authority.error().message);
  auto crl = authority->make_crl(days);
  if (!crl) return fail(crl.error().message);
  const std::string bytes = der ? crl_der(crl->get()) : crl_pem(crl->get());
  if (auto s = write_file_atomically(out, bytes, kPublicFileMode); !s)
    return fail(s.error().message);
  std::cout << "wrote CRL to " << out << " (" << X509_CRL_get_REVOKED(crl->get()) << " revoked)\n";
  return 0;
}

int run_list(const std::string& dir, bool as_json) {
  auto authority = Authority::open(dir);
  if (!authority) return fail(authority.error().message);
  auto records = authority->list();
  if (!records) return fail(records.error().message);
  if (as_json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& record : *records) all.push_back(record_json(record));
    std::cout << all.dump(2) << "\n";
    return 0;
  }
  for (const auto& record : *records) {
    std::cout << record.serial << "  " << status_text(record) << "  "
              << utc_timestamp(record.not_after) << "  " << join(record.names, ",") << "\n";
  }
  return 0;
}

int run_show(const std::string& dir, const std::string& serial) {
  auto authority = Authority::open(dir);
  if (!authority) return fail(authority.error().message);
  auto record = authority->find(serial);
  if (!record) return fail(record.error().message);
  std::cout << "serial:     " << record->serial << "\n"
            << "subject:    " << record->subject << "\n"
            << "names:      " << join(record->names, ", ") << "\n"
            << "not before: " << utc_timestamp(record->not_before) << "\n"
            << "not after:  " << utc_timestamp(record->not_after) << "\n"
            << "status:     " << status_text(*record) << "\n";
  if (record->revoked_at) std::cout << "revoked at: " << utc_timestamp(*record->revoked_at) << "\n";
  if (record->reason) std::cout << "reason:     " << reason_name(*record->reason) << "\n";
  return 0;
}

struct ServeOptions {
  std::string name = "ca.test";
  std::string listen = "127.0.0.1:14000";
  std::string http_listen;
  std::string resolver = "127.0.0.1:53";
  int http_port = 80;
  std::string caa_identity = "ca.test";
  int days = kDefaultLeafDays;
};

Result<asio::ip::tcp::endpoint> parse_tcp_endpoint(const std::string& text) {
  auto endpoint = dns::parse_endpoint(text, 0);
  if (!endpoint) return endpoint.error();
  return asio::ip::tcp::endpoint(endpoint->address(), endpoint->port());
}

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  return dns::endpoint_to_string(asio::ip::udp::endpoint(endpoint.address(), endpoint.port()));
}

// Runs the ACME service until SIGINT or SIGTERM. Prints "ready ..." on stderr once both
// listeners are bound (with the real ports when 0 was asked), for launchers and tests.
int run_serve(const std::string& dir, const ServeOptions& options) {
  auto authority = Authority::open(dir);
  if (!authority) return fail(authority.error().message);
  auto name = normalize_hostname(options.name);
  if (!name) return fail("--name: " + name.error().message);
  auto https_endpoint = parse_tcp_endpoint(options.listen);
  if (!https_endpoint) return fail("--listen: " + https_endpoint.error().message);
  auto resolver = dns::parse_endpoint(options.resolver, 53);
  if (!resolver) return fail("--resolver: " + resolver.error().message);

  asio::io_context io;
  acme::ServiceConfig config;
  config.validation.resolver = *resolver;
  config.validation.http_port = static_cast<std::uint16_t>(options.http_port);
  config.validation.caa_identity = options.caa_identity;
  config.certificate_days = options.days;
  acme::Service service(*authority, config, io.get_executor());
  auto tls = acme::make_tls_context(*authority, *name);
  if (!tls) return fail(tls.error().message);
  acme::AcmeServer server(io, service, **tls);
  if (auto s = server.listen_https(*https_endpoint); !s) return fail(s.error().message);
  if (!options.http_listen.empty()) {
    auto http_endpoint = parse_tcp_endpoint(options.http_listen);
    if (!http_endpoint) return fail("--http-listen: " + http_endpoint.error().message);
    if (auto s = server.listen_http(*http_endpoint); !s) return fail(s.error().message);
  }
  server.start();
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code&, int) {
    server.stop();
    io.stop();
  });
  const auto https = server.https_endpoint();
  // One line, one write (standard error is unbuffered): whoever waits for it sees it whole.
  std::string ready = "ready acme https://" + *name + ":" + std::to_string(https.port()) +
                      "/directory on " + endpoint_text(https);
  if (auto http = server.http_endpoint()) ready += " http " + endpoint_text(*http);
  std::cerr << ready + "\n" << std::flush;
  io.run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"miniweb-ca: the certificate authority of the miniweb stack"};
  app.require_subcommand(1);
  std::string dir;
  int result = 0;

  InitOptions init_options;
  std::string key_type = "ec";
  auto* init = app.add_subcommand("init", "create a root and an intermediate CA in DIR");
  init->add_option("--dir", dir, "CA directory")->required();
  init->add_option("--key-type", key_type, "key type of the CA keys")
      ->check(CLI::IsMember({"ec", "rsa"}));
  init->add_option("--rsa-bits", init_options.rsa_bits, "RSA modulus size")
      ->check(CLI::Range(kMinRsaBits, kMaxRsaBits));
  init->add_option("--name", init_options.root_name, "common name of the root");
  init->add_option("--intermediate-name", init_options.intermediate_name,
                   "common name of the intermediate");
  init->add_option("--base-url", init_options.base_url,
                   "where the CA serves its CRL and certificates");
  init->callback([&] { result = run_init(dir, key_type, init_options); });

  std::vector<std::string> names;
  int days = kDefaultLeafDays;
  std::string csr_path;
  std::string out;
  bool expired = false;
  auto* issue = app.add_subcommand("issue", "issue a server certificate");
  issue->add_option("--dir", dir, "CA directory")->required();
  issue->add_option("--name", names, "DNS name to certify (repeatable; the first is the CN)")
      ->take_all();
  issue->add_option("--days", days, "validity in days (at most 397)");
  issue->add_option("--csr", csr_path, "PEM certificate request to sign (else a key is made)");
  issue->add_flag("--expired", expired,
                  "make the validity lie entirely in the past (for the expired. demo host)");
  issue->add_option("--out", out, "writes PREFIX.crt, PREFIX.chain.pem (and PREFIX.key)")
      ->required();
  issue->callback([&] { result = run_issue(dir, names, days, csr_path, expired, out); });

  std::string serial;
  std::string reason = "unspecified";
  auto* revoke = app.add_subcommand("revoke", "revoke a certificate by serial number");
  revoke->add_option("--dir", dir, "CA directory")->required();
  revoke->add_option("serial", serial, "serial number in hex")->required();
  revoke->add_option("--reason", reason,
                     "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
                     "cessationOfOperation, privilegeWithdrawn");
  revoke->callback([&] { result = run_revoke(dir, serial, reason); });

  int crl_days = 7;
  bool der = false;
  auto* crl = app.add_subcommand("crl", "write a signed CRL");
  crl->add_option("--dir", dir, "CA directory")->required();
  crl->add_option("--out", out, "output file")->required();
  crl->add_option("--days", crl_days, "days until nextUpdate");
  crl->add_flag("--der", der, "write DER instead of PEM");
  crl->callback([&] { result = run_crl(dir, out, crl_days, der); });

  bool as_json = false;
  auto* list = app.add_subcommand("list", "list issued certificates");
  list->add_option("--dir", dir, "CA directory")->required();
  list->add_flag("--json", as_json, "print JSON");
  list->callback([&] { result = run_list(dir, as_json); });

  auto* show = app.add_subcommand("show", "show one issued certificate");
  show->add_option("--dir", dir, "CA directory")->required();
  show->add_option("serial", serial, "serial number in hex")->required();
  show->callback([&] { result = run_show(dir, serial); });

  ServeOptions serve_options;
  auto* serve = app.add_subcommand(
      "serve", "serve ACME (RFC 8555) over HTTPS, and the CRL and OCSP over HTTP");
  serve->add_option("--dir", dir, "CA directory")->required();
  serve->add_option("--name", serve_options.name,
                    "host name of the ACME endpoint; its certificate is issued at start-up");
  serve->add_option("--listen", serve_options.listen, "ADDR:PORT for ACME over HTTPS");
  serve->add_option("--http-listen", serve_options.http_listen,
                    "ADDR:PORT for the CRL, OCSP and CA certificates over plain HTTP");
  serve->add_option("--resolver", serve_options.resolver,
                    "ADDR:PORT of the recursive resolver used for validation and CAA");
  serve
      ->add_option("--http-port", serve_options.http_port,
                   "port http-01 challenges are fetched from")
      ->check(CLI::Range(1, 65535));
  serve->add_option("--caa-identity", serve_options.caa_identity,
                    "issuer domain name this CA recognises in CAA issue records");
  serve->add_option("--days", serve_options.days, "validity of issued certificates (at most 397)")
      ->check(CLI::Range(1, kMaxLeafDays));
  serve->callback([&] { result = run_serve(dir, serve_options); });

  CLI11_PARSE(app, argc, argv);
  return result;
}
