// SPDX-License-Identifier: Apache-2.0
// bench/portal helper: seals one file into a vault as a one-document envelope and prints
// "ID TOKEN" (the benchmark then downloads it through the portal).
//   portal_seed VAULT_DIR KEY_DIR FILE
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "core/core_log.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"

int main(int argc, char** argv) {
    using namespace sealpost;  // NOLINT(google-build-using-namespace): a small bench tool
    if (argc != 4) {
        std::cerr << "usage: portal_seed VAULT_DIR KEY_DIR FILE\n";
        return 2;
    }
    log::init("portal_seed", "warn");
    std::ifstream in(argv[3], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto ring = keys::keys_load(argv[2], keys::pepper | keys::escrow_public);
    if (!ring) {
        std::cerr << "portal_seed: keys: " << ring.error().detail << "\n";
        return 1;
    }
    vault::VaultOptions opts;
    opts.dir = argv[1];
    auto v = vault::Vault::open(opts, *ring);
    if (!v) {
        std::cerr << "portal_seed: vault: " << v.error().detail << "\n";
        return 1;
    }
    vault::EnvelopeInput env;
    env.recipient = "patient@example.ch";
    env.phone_e164 = "+41791234567";
    env.sender = "praxis@example.ch";
    env.subject = "Rechnung";
    env.language = "de";
    env.documents.push_back({"Rechnung.pdf", "application/pdf", crypto::as_bytes(bytes)});
    auto link = v->envelope_create(env);
    if (!link || !v->envelope_mark_sent(link->id)) {
        std::cerr << "portal_seed: create failed\n";
        return 1;
    }
    std::cout << vault::envelope_id_hex(link->id) << " "
              << std::string_view(link->token.data(), link->token.size()) << "\n";
    return 0;
}
