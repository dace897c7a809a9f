// SPDX-License-Identifier: Apache-2.0
// The TLS context policy of every listener and client in sealpost: TLS 1.2 or later only (RFC
// 8996, BCP 195), forward-secret AEAD suites for TLS 1.2, no renegotiation; clients verify the
// peer against a CA file or the system store. The SMTP listeners, the portal's HTTPS listener and
// the SMTP client all take their contexts from here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "core/core_result.hpp"

namespace sealpost {

/// Server context: certificate chain and key from PEM files. Throws std::runtime_error
/// (startup / SIGHUP reload) when they cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file);
/// SHA-256 fingerprint (lower-case hex) of the certificate a server context presents; "" when it
/// has none. Not a secret: the reload log line names it, so an admin can tell which
/// certificate is in force (`openssl x509 -noout -fingerprint -sha256` prints the same).
std::string certificate_fingerprint(boost::asio::ssl::context& ctx);
/// Client context: TLS 1.2+, peer verification with `ca_file` or the system store.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(bool verify,
                                                                   const std::string& ca_file);

/// The end of the validity (notAfter, RFC 5280 4.1.2.5) of the first certificate in the PEM
/// file `cert_file`, as Unix seconds: what `sealpost config check` warns about before a
/// listener serves an expired certificate. Errors: Errc::io (cannot open), Errc::invalid_argument
/// (no PEM certificate, or a time OpenSSL cannot read).
Result<std::int64_t> certificate_not_after(const std::string& cert_file);

}  // namespace sealpost
