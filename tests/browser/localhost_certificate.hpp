#pragma once
// A certificate for "localhost" made by openssl, for a test origin the browser trusts as its
// only root; removed with its folder when the test is done.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace miniweb::browser::test {

struct LocalhostCertificate {
  explicit LocalhostCertificate(const std::string& purpose)
      : dir(std::filesystem::temp_directory_path() /
            ("miniweb-" + purpose + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir);
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
        key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
  }
  ~LocalhostCertificate() { std::filesystem::remove_all(dir); }
  LocalhostCertificate(const LocalhostCertificate&) = delete;
  LocalhostCertificate& operator=(const LocalhostCertificate&) = delete;

  std::filesystem::path dir;
  std::filesystem::path cert = dir / "cert.pem";
  std::filesystem::path key = dir / "key.pem";
};

}  // namespace miniweb::browser::test
