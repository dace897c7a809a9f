// SPDX-License-Identifier: Apache-2.0
// TLS contexts (net_tls.hpp): the protocol floor, the TLS 1.2 cipher list and certificate
// loading for servers, verification for clients.
#include "net/net_tls.hpp"

#include <array>
#include <cstdint>
#include <ctime>
#include <span>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/core_hex.hpp"

#include "core/core_openssl.hpp"

namespace sealpost {

namespace {
namespace net = boost::asio;

constexpr const char* kServerTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
}  // namespace

std::shared_ptr<net::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                           const std::string& key_file) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    // No renegotiation (CVE-2011-1473 class); server chooses the cipher order.
    SSL_CTX_set_options(ctx->native_handle(),
                        SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // TLS 1.2: AEAD suites with forward secrecy only (Mozilla's "intermediate" list). OpenSSL's
    // default also takes the CBC suites, MAC-then-encrypt, the family of Lucky13 and other
    // padding oracles; every client that speaks TLS 1.2 has AES-GCM. (The DHE suites serve RSA
    // certificates to old Windows clients; dh_auto picks the group.) TLS 1.3 suites are all
    // AEAD: OpenSSL's defaults stay.
    if (SSL_CTX_set_cipher_list(ctx->native_handle(), kServerTls12Ciphers) != 1) {
        throw std::runtime_error("cannot set the TLS 1.2 cipher list");
    }
    SSL_CTX_set_dh_auto(ctx->native_handle(), 1);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_file, ec);
    if (ec) {
        throw std::runtime_error("cannot load TLS certificate " + cert_file + ": " + ec.message());
    }
    ctx->use_private_key_file(key_file, net::ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("cannot load TLS key " + key_file + ": " + ec.message());
    }
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
        throw std::runtime_error("TLS key " + key_file + " does not match " + cert_file);
    }
    return ctx;
}

std::string certificate_fingerprint(net::ssl::context& ctx) {
    X509* cert = SSL_CTX_get0_certificate(ctx.native_handle());  // owned by the context
    if (cert == nullptr) {
        return {};
    }
    std::array<std::uint8_t, EVP_MAX_MD_SIZE> md{};
    unsigned len = 0;
    if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1) {
        return {};
    }
    return hex::encode(std::span<const std::uint8_t>(md.data(), len));
}

std::shared_ptr<net::ssl::context> make_client_tls_context(bool verify,
                                                           const std::string& ca_file) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    if (verify) {
        boost::system::error_code ec;
        if (ca_file.empty()) {
            ctx->set_default_verify_paths(ec);
        } else {
            ctx->load_verify_file(ca_file, ec);
        }
        if (ec) {
            throw std::runtime_error("cannot load CA certificates " + ca_file + ": " +
                                     ec.message());
        }
    }
    return ctx;
}

Result<std::int64_t> certificate_not_after(const std::string& cert_file) {
    const ossl::Bio bio(BIO_new_file(cert_file.c_str(), "r"));
    if (!bio) {
        return make_error(Errc::io, "cannot open " + cert_file + ": " + ossl::take_error());
    }
    const ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        return make_error(Errc::invalid_argument,
                          "no PEM certificate in " + cert_file + ": " + ossl::take_error());
    }
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
        return make_error(Errc::invalid_argument,
                          "unreadable notAfter in " + cert_file + ": " + ossl::take_error());
    }
    return static_cast<std::int64_t>(::timegm(&tm));
}

}  // namespace sealpost
