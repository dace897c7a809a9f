// SPDX-License-Identifier: Apache-2.0
// Test-only helper for the admin CLI's integration tests: seals one envelope with a small
// Rechnung.pdf into a vault and prints "ID TOKEN", so that list/show/revoke/purge have data;
// or opens a link token as the portal would, to check what resend did to the links.
//   sealpost_test_envelope VAULT_DIR KEY_DIR [--at UNIX_SECONDS] [--sent] [--events]
//                          [--lang de|fr|it|en] [--size BYTES]
//   sealpost_test_envelope VAULT_DIR KEY_DIR --open TOKEN
//   sealpost_test_envelope VAULT_DIR KEY_DIR --lookup TOKEN...
// --at creates it at that time (to make expired or past-retention envelopes); --sent marks
// it sent; --events adds code_sent and downloaded(0) audit events; --lang sets the language;
// --size pads the document to BYTES with byte j of the padding = (j * 7) % 251 (large downloads).
// --open prints "ID EXPIRES_AT FILE_NAME" when the token opens the envelope and its first
// document decrypts to what was sealed (exit 0), else the error's code name, e.g.
// "bad_token" (exit 1). --lookup prints, for each token, the id of the envelope it opens or the
// error's code name, one line each (exit 0 when all open): which envelope a mailed link names.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"

namespace {

using namespace sealpost;

int fail(const std::string& what, const Error& e) {
    std::cerr << "sealpost_test_envelope: " << what << ": " << e.detail << "\n";
    return 1;
}

/// --open: the portal's view of a token. Prints "ID EXPIRES_AT FILE_NAME" or the error code.
int open_envelope(vault::Vault& v, const std::string& token, const std::string& sealed) {
    auto opened = v.envelope_open(token);
    if (!opened) {
        std::cout << errc_name(opened.error().code) << "\n";
        return 1;
    }
    if (opened->link_expired) {
        std::cout << "expired\n";
        return 1;
    }
    auto reader = v.document_reader(*opened, 0);
    if (!reader) {
        std::cout << errc_name(reader.error().code) << "\n";
        return 1;
    }
    std::string plain;
    for (;;) {
        auto chunk = reader->next();
        if (!chunk) {
            std::cout << errc_name(chunk.error().code) << "\n";
            return 1;
        }
        if (!*chunk) {
            break;
        }
        plain.append((*chunk)->begin(), (*chunk)->end());
    }
    if (plain != sealed) {
        std::cout << "content_differs\n";
        return 1;
    }
    std::cout << vault::envelope_id_hex(opened->summary.id) << " " << opened->summary.expires_at
              << " " << opened->meta.documents.at(0).file_name << "\n";
    return 0;
}

/// --lookup: one line per token, the envelope id or the error's code name.
int lookup_tokens(vault::Vault& v, const std::vector<std::string>& tokens) {
    int rc = 0;
    for (const auto& token : tokens) {
        auto opened = v.envelope_open(token);
        if (!opened) {
            std::cout << errc_name(opened.error().code) << "\n";
            rc = 1;
            continue;
        }
        std::cout << vault::envelope_id_hex(opened->summary.id) << "\n";
    }
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: sealpost_test_envelope VAULT_DIR KEY_DIR [--at T] [--sent] "
                     "[--events] [--lang L] [--size BYTES] | --open TOKEN | --lookup TOKEN...\n";
        return 2;
    }
    sealpost::log::init("sealpost_test_envelope", "warn");  // stdout carries only ID TOKEN
    std::optional<std::int64_t> at;
    bool sent = false;
    bool events = false;
    std::string lang = "de";
    std::size_t size = 0;
    std::optional<std::string> open_token;
    std::optional<std::vector<std::string>> lookup;
    for (int i = 3; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--at" && i + 1 < argc) {
            at = std::stoll(argv[++i]);
        } else if (a == "--sent") {
            sent = true;
        } else if (a == "--events") {
            events = true;
        } else if (a == "--lang" && i + 1 < argc) {
            lang = argv[++i];
        } else if (a == "--size" && i + 1 < argc) {
            size = std::stoull(argv[++i]);
        } else if (a == "--open" && i + 1 < argc) {
            open_token = argv[++i];
        } else if (a == "--lookup") {
            lookup.emplace(argv + i + 1, argv + argc);
            break;
        } else {
            std::cerr << "sealpost_test_envelope: unknown argument " << a << "\n";
            return 2;
        }
    }
    auto ring = keys::keys_load(argv[2], keys::pepper | keys::escrow_public);
    if (!ring) {
        return fail("keys", ring.error());
    }
    vault::VaultOptions opts;
    opts.dir = argv[1];
    // The suites' seal directories keep a PostgreSQL vault's DSN beside vault/ (conftest.py
    // seal_setup): then the envelope goes there.
    const std::filesystem::path dsn = opts.dir.parent_path() / "vault.dsn";
    if (std::filesystem::exists(dsn)) {
        opts.backend = VaultBackend::postgresql;
        opts.dsn_file = dsn;
    }
    if (at) {
        const std::int64_t t = *at;
        opts.now = [t] { return t; };
    }
    auto v = vault::Vault::open(opts, *ring);
    if (!v) {
        return fail("open", v.error());
    }
    const std::string pdf = "%PDF-1.4\n% sealpost test document\n%%EOF\n";
    if (open_token) {
        return open_envelope(*v, *open_token, pdf);
    }
    if (lookup) {
        return lookup_tokens(*v, *lookup);
    }
    vault::EnvelopeInput in;
    in.recipient = "patient@example.ch";
    in.phone_e164 = "+41791234567";
    in.sender = "praxis@example.ch";
    in.subject = "Rechnung November";
    in.language = lang;
    std::string doc = pdf;
    for (std::size_t j = 0; doc.size() < size; ++j) {
        doc.push_back(static_cast<char>((j * 7) % 251));
    }
    in.documents.push_back({"Rechnung.pdf", "application/pdf", crypto::as_bytes(doc)});
    auto link = v->envelope_create(in);
    if (!link) {
        return fail("create", link.error());
    }
    if (sent) {
        if (Status st = v->envelope_mark_sent(link->id); !st) {
            return fail("mark_sent", st.error());
        }
    }
    if (events) {
        if (Status st = v->audit_append(link->id, vault::AuditKind::code_sent); !st) {
            return fail("audit", st.error());
        }
        if (Status st = v->audit_append(link->id, vault::AuditKind::downloaded, 0U); !st) {
            return fail("audit", st.error());
        }
    }
    std::cout << vault::envelope_id_hex(link->id) << " "
              << std::string_view(link->token.data(), link->token.size()) << "\n";
    return 0;
}
