#pragma once
// The browser's exit codes, one table for every face and every error. They follow curl's,
// which scripts already know (curl(1), "EXIT CODES"); Error::code carries them from where a
// load fails to where the program exits.

namespace miniweb::browser::exit_code {

inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;           // anything else: a window that cannot open...
inline constexpr int kUsage = 2;            // a bad option or argument
inline constexpr int kUrlMalformed = 3;     // what was typed is not a URL
inline constexpr int kResolve = 6;          // the host name could not be resolved
inline constexpr int kConnect = 7;          // no TCP connection to the host or the proxy
inline constexpr int kBadResponse = 8;      // a response (or content) that is not what it says
inline constexpr int kHttpError = 22;       // the server answered 400 or more (--dump)
inline constexpr int kWriteFailed = 23;     // a download could not be saved
inline constexpr int kTimeout = 28;         // a connection, handshake or response too slow
inline constexpr int kTlsHandshake = 35;    // the TLS handshake failed
inline constexpr int kFileUnreadable = 37;  // a local file that cannot be read
inline constexpr int kTooManyRedirects = 47;
inline constexpr int kReceive = 56;      // the connection failed while receiving
inline constexpr int kCertificate = 60;  // the certificate was refused

}  // namespace miniweb::browser::exit_code
