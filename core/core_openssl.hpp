// SPDX-License-Identifier: Apache-2.0
// RAII owners for OpenSSL 3 objects: the one place that pairs each OpenSSL type with its free
// function. Header-only; a target that includes it links OpenSSL::Crypto itself.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/x509.h>

namespace sealpost::ossl {

/// Deleter that calls the OpenSSL free function `Fn` (all of them accept nullptr).
template <auto Fn>
struct FreeFn {
    template <class T>
    void operator()(T* p) const noexcept {
        Fn(p);
    }
};

// Algorithms fetched from a provider (EVP_*_fetch). Fetch once and reuse: fetching is a locked
// lookup in the method store, see crypto(7) "Performance".
using Cipher = std::unique_ptr<EVP_CIPHER, FreeFn<&EVP_CIPHER_free>>;
using Md = std::unique_ptr<EVP_MD, FreeFn<&EVP_MD_free>>;
using Mac = std::unique_ptr<EVP_MAC, FreeFn<&EVP_MAC_free>>;
using Kdf = std::unique_ptr<EVP_KDF, FreeFn<&EVP_KDF_free>>;

// Operation contexts. Their free functions cleanse key material they hold.
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, FreeFn<&EVP_CIPHER_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, FreeFn<&EVP_MD_CTX_free>>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, FreeFn<&EVP_MAC_CTX_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, FreeFn<&EVP_KDF_CTX_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, FreeFn<&EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, FreeFn<&EVP_PKEY_CTX_free>>;

// I/O and other objects.
using Bio = std::unique_ptr<BIO, FreeFn<&BIO_free_all>>;  ///< frees the whole chain
using Bignum = std::unique_ptr<BIGNUM, FreeFn<&BN_clear_free>>;
using X509Ptr = std::unique_ptr<X509, FreeFn<&X509_free>>;

/// Drain this thread's OpenSSL error queue into one short line for an operator's log detail
/// (library and reason, never key material). Returns "no openssl error" if the queue is empty.
/// Draining also keeps a failed call from leaving stale errors for the next caller to misread.
inline std::string take_error() {
    std::string out;
    unsigned long e = 0;  // NOLINT(google-runtime-int): ERR_get_error's type
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) {
            out += "; ";
        }
        out += buf;
    }
    return out.empty() ? std::string("no openssl error") : out;
}

}  // namespace sealpost::ossl
