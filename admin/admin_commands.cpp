// SPDX-License-Identifier: Apache-2.0
// The verbs of the `sealpost` CLI. Errors from the vault are turned into one line for the
// sysadmin; the vault's error details never hold secrets or personal data.
#include "admin/admin_commands.hpp"
#include "vault/vault_options.hpp"

#include <filesystem>

#include "admin/admin_format.hpp"
#include "admin/admin_import.hpp"
#include "admin/admin_view.hpp"
#include "core/core_phone.hpp"

namespace sealpost::admin {
namespace {

int fail(std::ostream& err, std::string_view verb, const Error& e) {
    print_error(err, verb, describe(e));
    return kExitError;
}

vault::ListFilter to_vault(ListFilter f) {
    switch (f) {
        case ListFilter::active:
            return vault::ListFilter::active;
        case ListFilter::expired:
            return vault::ListFilter::expired;
        case ListFilter::all:
            break;
    }
    return vault::ListFilter::all;
}

int cmd_list(const Args& args, vault::Vault& v, std::ostream& out, std::ostream& err) {
    auto list = v.envelope_list(to_vault(args.filter));
    if (!list) {
        return fail(err, "list", list.error());
    }
    const char* empty = args.filter == ListFilter::active    ? "no active envelopes"
                        : args.filter == ListFilter::expired ? "no expired envelopes"
                                                             : "no envelopes";
    out << view_envelope_list(*list, v.now(), empty);
    return kExitOk;
}

int cmd_show(const Args& args, vault::Vault& v, const keys::KeyRing& keys, std::ostream& out,
             std::ostream& err) {
    auto id = resolve_envelope(v, args.operands[0], "show", err);
    if (!id) {
        return kExitError;
    }
    if (!keys.escrow_pair) {
        print_error(err, "show", "escrow.key not loaded");
        return kExitError;
    }
    auto details = v.envelope_show(*id, *keys.escrow_pair);
    if (!details) {
        return fail(err, "show", details.error());
    }
    out << view_envelope_details(*details, v.now());
    return kExitOk;
}

int cmd_revoke(const Args& args, vault::Vault& v, std::ostream& out, std::ostream& err) {
    auto id = resolve_envelope(v, args.operands[0], "revoke", err);
    if (!id) {
        return kExitError;
    }
    const std::string hex = vault::envelope_id_hex(*id);
    Status st = v.envelope_revoke(*id);
    if (!st) {
        if (st.error().code == Errc::revoked) {
            print_error(err, "revoke", "envelope " + hex + " is already revoked or purged");
            return kExitError;
        }
        return fail(err, "revoke", st.error());
    }
    out << "revoked " << hex << ": its link no longer opens anything\n";
    return kExitOk;
}

int cmd_purge(vault::Vault& v, std::ostream& out, std::ostream& err) {
    auto counts = v.vault_purge();
    if (!counts) {
        return fail(err, "purge", counts.error());
    }
    out << view_purge(*counts);
    return kExitOk;
}

int cmd_stats(vault::Vault& v, std::ostream& out, std::ostream& err) {
    auto stats = v.vault_stats();
    if (!stats) {
        return fail(err, "stats", stats.error());
    }
    auto active = v.envelope_list(vault::ListFilter::active);
    if (!active) {
        return fail(err, "stats", active.error());
    }
    auto expired = v.envelope_list(vault::ListFilter::expired);
    if (!expired) {
        return fail(err, "stats", expired.error());
    }
    out << view_stats(*stats, active->size(), expired->size());
    return kExitOk;
}

int cmd_contacts_import(const Args& args, vault::Vault& v, std::ostream& out, std::ostream& err) {
    const std::string& file = args.operands[0];
    auto imported = import_contacts_file(file, args.accept_landline);
    if (!imported) {
        print_error(err, "contacts import", printable(imported.error().detail, 512));
        return kExitError;
    }
    std::size_t done = 0;
    for (const auto& c : imported->contacts) {
        Status st = v.contact_set(c.email, c.e164, c.lang);
        if (!st) {
            print_error(err, "contacts import",
                        describe(st.error()) + " (after importing " + std::to_string(done) +
                            " of " + std::to_string(imported->contacts.size()) + ")");
            return kExitError;
        }
        ++done;
    }
    for (const auto& issue : imported->issues) {
        print_error(err, "contacts import",
                    printable(file, 256) + ":" + std::to_string(issue.line) + ": " + issue.reason);
    }
    out << "imported " << done << ", skipped " << imported->issues.size() << "\n";
    return imported->issues.empty() ? kExitOk : kExitError;
}

int cmd_contacts_set(const Args& args, vault::Vault& v, std::ostream& out, std::ostream& err) {
    auto email = check_email(args.operands[0]);
    if (!email) {
        return fail(err, "contacts set", email.error());
    }
    const std::string& phone_text = args.operands[1];
    auto phone = normalize_phone(plain_spaces(phone_text), "CH", args.accept_landline);
    if (!phone) {
        print_error(err, "contacts set",
                    phone_refusal(phone.error()) + ": " + printable(phone_text));
        return kExitError;
    }
    Status st = v.contact_set(*email, phone->e164, args.lang);
    if (!st) {
        return fail(err, "contacts set", st.error());
    }
    out << "saved " << *email << "  " << phone->e164 << "  "
        << (args.lang.empty() ? "-" : args.lang) << "\n";
    return kExitOk;
}

int cmd_contacts_list(vault::Vault& v, std::ostream& out, std::ostream& err) {
    auto list = v.contact_list();
    if (!list) {
        return fail(err, "contacts list", list.error());
    }
    out << view_contacts(std::move(*list));
    return kExitOk;
}

int cmd_contacts_rm(const Args& args, vault::Vault& v, std::ostream& out, std::ostream& err) {
    const std::string& email = args.operands[0];
    Status st = v.contact_remove(email);
    if (!st) {
        if (st.error().code == Errc::not_found) {
            print_error(err, "contacts rm", "no contact " + printable(email, 256));
            return kExitError;
        }
        return fail(err, "contacts rm", st.error());
    }
    out << "removed " << printable(email, 256) << "\n";
    return kExitOk;
}

}  // namespace

std::optional<vault::EnvelopeId> resolve_envelope(vault::Vault& v, const std::string& text,
                                                  std::string_view verb, std::ostream& err) {
    auto id = v.envelope_resolve(text);
    if (!id) {
        if (id.error().code == Errc::not_found) {
            print_error(err, verb, "no envelope " + printable(text));
        } else {
            print_error(err, verb, describe(id.error()) + ": " + printable(text));
        }
        return std::nullopt;
    }
    return *id;
}

unsigned key_needs(Verb verb) {
    switch (verb) {
        case Verb::none:
        case Verb::keys_init:
        case Verb::policy_check:
        case Verb::vault_init:
        case Verb::vault_upgrade:
        case Verb::vault_copy:
        case Verb::config_check:
            return 0;
        case Verb::show:
        case Verb::resend:
            return keys::pepper | keys::escrow_private;
        case Verb::contacts_import:
        case Verb::contacts_set:
        case Verb::contacts_list:
        case Verb::contacts_rm:
            return keys::pepper | keys::contacts;
        case Verb::list:
        case Verb::revoke:
        case Verb::purge:
        case Verb::stats:
            return keys::pepper;
    }
    return keys::pepper;
}

vault::VaultOptions vault_options(const Config& cfg) {
    return vault::vault_options_from(cfg.vault);
}

std::string describe(const Error& e) {
    return e.detail.empty() ? std::string(errc_name(e.code)) : printable(e.detail, 300);
}

void print_error(std::ostream& err, std::string_view prefix, std::string_view message) {
    err << "sealpost: ";
    if (!prefix.empty()) {
        err << prefix << ": ";
    }
    err << message << "\n";
}

int run_keys_init(const Config& cfg, std::ostream& out, std::ostream& err) {
    const std::filesystem::path& dir = cfg.vault.key_dir;
    // keys_init makes the key directory itself (0700) but not its parents: make those, so a
    // fresh host's /etc/sealpost/keys works in one step.
    std::error_code ec;
    if (dir.has_parent_path() && !std::filesystem::exists(dir.parent_path(), ec)) {
        std::filesystem::create_directories(dir.parent_path(), ec);
        if (ec) {
            print_error(err, "keys init",
                        "cannot create " + dir.parent_path().string() + ": " + ec.message());
            return kExitError;
        }
    }
    Status st = keys::keys_init(dir);
    if (!st) {
        if (st.error().code == Errc::exists) {
            print_error(err, "keys init",
                        "keys already exist in " + dir.string() + "; refusing to overwrite");
            return kExitError;
        }
        return fail(err, "keys init", st.error());
    }
    out << "created pepper, escrow.pub, escrow.key and contacts.key in " << dir.string() << "\n"
        << "keep a copy of escrow.key in a safe place: without it, sealed documents cannot be "
           "shown or resent\n";
    return kExitOk;
}

std::optional<keys::KeyRing> load_keys_for(Verb verb, const Config& cfg, std::ostream& err) {
    const std::filesystem::path& dir = cfg.vault.key_dir;
    auto ring = keys::keys_load(dir, key_needs(verb));
    if (!ring) {
        // None of the four files there: most likely a new host that has not run keys init.
        if (keys::keys_absent(dir)) {
            print_error(err, verb_name(verb),
                        "no keys in " + dir.string() + "; run 'sealpost keys init' first");
        } else {
            print_error(err, verb_name(verb), describe(ring.error()));
        }
        return std::nullopt;
    }
    return std::move(*ring);
}

int run_vault_command(const Args& args, vault::Vault& v, const keys::KeyRing& keys,
                      std::ostream& out, std::ostream& err) {
    switch (args.verb) {
        case Verb::list:
            return cmd_list(args, v, out, err);
        case Verb::show:
            return cmd_show(args, v, keys, out, err);
        case Verb::revoke:
            return cmd_revoke(args, v, out, err);
        case Verb::purge:
            return cmd_purge(v, out, err);
        case Verb::stats:
            return cmd_stats(v, out, err);
        case Verb::contacts_import:
            return cmd_contacts_import(args, v, out, err);
        case Verb::contacts_set:
            return cmd_contacts_set(args, v, out, err);
        case Verb::contacts_list:
            return cmd_contacts_list(v, out, err);
        case Verb::contacts_rm:
            return cmd_contacts_rm(args, v, out, err);
        case Verb::none:
        case Verb::keys_init:
        case Verb::policy_check:
        case Verb::vault_init:  // below the records: admin_store
        case Verb::vault_upgrade:
        case Verb::vault_copy:
        case Verb::config_check:
        case Verb::resend:  // needs the config: run_resend
            break;
    }
    print_error(err, verb_name(args.verb), "not a vault command");
    return kExitError;
}

}  // namespace sealpost::admin
