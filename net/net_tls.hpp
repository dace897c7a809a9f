// The TLS context policy of every listener and client in sealpost: TLS 1.2 or later only (RFC
// 8996, BCP 195), forward-secret AEAD suites for TLS 1.2, no renegotiation; clients verify the
// peer against a CA file or the system store. The SMTP listeners, the portal's HTTPS listener and
// the SMTP client all take their contexts from here.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace sealpost {

/// Server context: certificate chain and key from PEM files. Throws std::runtime_error
/// (startup / SIGHUP reload) when they cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                                   const std::string& key_file);
/// Client context: TLS 1.2+, peer verification with `ca_file` or the system store.
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(bool verify,
                                                                   const std::string& ca_file);

}  // namespace sealpost
