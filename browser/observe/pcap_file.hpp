#pragma once
// --pcap FILE: the load's packets as a pcapng file Wireshark and tshark open, with the TLS key
// log inside it (a Decryption Secrets Block), so that they decrypt it without a key log file.

#include <string>

#include "browser/observe/journey.hpp"
#include "shared/result.hpp"

namespace miniweb::browser::observe {

Status save_pcap(const std::string& path, const ObservedLoad& observed, const Journey& journey);

}  // namespace miniweb::browser::observe
