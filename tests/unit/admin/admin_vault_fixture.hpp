// SPDX-License-Identifier: Apache-2.0
// Shared by the admin unit tests that run verbs against a real vault: a temporary config,
// key directory and vault with an injected clock and TZ=UTC, and a sample envelope.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>

#include "admin/admin_commands.hpp"
#include "admin_test_util.hpp"

namespace sealpost::admin {

inline constexpr std::int64_t kT0 = 1795773720;  // 2026-11-27 10:02 UTC
inline constexpr std::int64_t kDay = 86400;

struct Output {
    int status = -1;
    std::string out;
    std::string err;
};

struct Fixture {
    test::TempDir dir;
    Config cfg = default_config();
    std::int64_t clock = kT0;

    Fixture() {
        ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe): tests run on one thread
        ::tzset();
        cfg.vault.dir = dir.path() / "vault";
        cfg.vault.key_dir = dir.path() / "keys";
    }

    Output keys_init() {
        std::ostringstream out;
        std::ostringstream err;
        const int status = run_keys_init(cfg, out, err);
        return {status, out.str(), err.str()};
    }

    vault::Vault open(const keys::KeyRing& ring) {
        auto opts = vault_options(cfg);
        opts.now = [this] { return clock; };
        auto v = vault::Vault::open(opts, ring);
        INFO((v ? std::string() : v.error().detail));
        REQUIRE(v.ok());
        return std::move(v).value();
    }

    keys::KeyRing all_keys() {
        auto ring = keys::keys_load(cfg.vault.key_dir, keys::kAllKeys);
        REQUIRE(ring.ok());
        return std::move(ring).value();
    }
};

/// A 1.5 KiB Rechnung.pdf for patient@example.ch from praxis@example.ch, in `lang`.
inline vault::IssuedLink create_envelope(vault::Vault& v, bool sent, const std::string& lang = "de",
                                         const std::string& subject = "Rechnung November",
                                         const std::string& recipient = "patient@example.ch") {
    static const std::string pdf(1536, 'x');
    vault::EnvelopeInput in;
    in.recipient = recipient;
    in.phone_e164 = "+41791234567";
    in.sender = "praxis@example.ch";
    in.subject = subject;
    in.language = lang;
    in.documents.push_back({"Rechnung.pdf", "application/pdf", crypto::as_bytes(pdf)});
    auto link = v.envelope_create(in);
    REQUIRE(link.ok());
    if (sent) {
        REQUIRE(v.envelope_mark_sent(link->id).ok());
    }
    return std::move(link).value();
}

inline vault::EnvelopeId make_envelope(vault::Vault& v, bool sent) {
    return create_envelope(v, sent).id;
}

}  // namespace sealpost::admin
