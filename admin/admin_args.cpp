// SPDX-License-Identifier: Apache-2.0
// Command line of the `sealpost` admin CLI: a two-pass parser (collect options and operands,
// then resolve the verb and check what it accepts) and the help texts.
#include "admin/admin_args.hpp"

#include <array>

#include "admin/admin_format.hpp"

#ifndef SEALPOST_VERSION
#define SEALPOST_VERSION "unknown"
#endif

namespace sealpost::admin {
namespace {

struct VerbInfo {
    Verb verb;
    std::string_view name;      ///< as typed: "contacts set"
    std::string_view synopsis;  ///< operands and options after the name
    std::string_view summary;   ///< one line for the top-level help
    std::string_view details;   ///< more text for the verb's own help ("" = none)
    std::size_t operands;       ///< exact number of operands
    std::string_view missing;   ///< what is missing when there are too few
};

constexpr std::array<VerbInfo, 16> kVerbs{{
    {Verb::keys_init, "keys init", "", "create the key files in vault.key_dir",
     "Creates pepper, escrow.pub, escrow.key and contacts.key (mode 0600) in vault.key_dir.\n"
     "Existing keys are never overwritten.\n",
     0, ""},
    {Verb::list, "list", "[--active|--expired]", "list envelopes",
     "Columns: id, state, created, expires (link), docs, size.\n"
     "  --active    only envelopes whose link still works\n"
     "  --expired   only envelopes whose link has expired\n",
     0, ""},
    {Verb::show, "show", "ID", "show an envelope's details and audit trail",
     "Prints the envelope's metadata (recipient, sender, subject, documents) and its audit\n"
     "trail as a timeline. ID may be a unique prefix of 8 or more hex digits. Reads\n"
     "escrow.key.\n",
     1, "missing envelope ID"},
    {Verb::resend, "resend", "ID [--print]",
     "give the patient a new link (the old one stops working)",
     "Makes a new link for the envelope, valid vault.link_ttl from now, and mails the patient\n"
     "a fresh notice with it: from the sender of the original mail, in the envelope's\n"
     "language, through the [notify] upstream (or [upstream] when [notify] has no url). The\n"
     "old link stops working. Works also after the link expired, while the documents are\n"
     "retained (vault.retention). Reads escrow.key.\n"
     "\n"
     "  --print   print the new link instead of mailing it (to give it to the patient\n"
     "            another way)\n"
     "\n"
     "The connection to the upstream is opened and the sender and recipient accepted before\n"
     "the link is renewed, so an unreachable upstream or a refused address changes nothing.\n"
     "If the mail is refused after that, the old link is already dead and the new one is not\n"
     "shown: run 'sealpost resend ID --print' (or 'sealpost resend ID' again).\n"
     "ID may be a unique prefix of 8 or more hex digits.\n",
     1, "missing envelope ID"},
    {Verb::revoke, "revoke", "ID", "revoke an envelope: its link stops working at once",
     "Deletes the envelope's documents and personal data at once; the link then tells the\n"
     "patient that the documents were withdrawn. ID may be a unique prefix of 8 or more hex\n"
     "digits.\n",
     1, "missing envelope ID"},
    {Verb::purge, "purge", "", "delete data past retention and orphaned envelopes",
     "Deletes the documents and personal data of envelopes past vault.retention, envelopes\n"
     "never marked sent (pending) whose link has expired and that are older than\n"
     "vault.orphan_grace, and the records of revoked or purged envelopes older than\n"
     "vault.tombstone_ttl; prints how many of each.\n"
     "Safe to run from cron while the proxy and the portal are running.\n",
     0, ""},
    {Verb::stats, "stats", "", "show key figures of the vault", "", 0, ""},
    {Verb::contacts_import, "contacts import", "FILE.csv|FILE.vcf",
     "import contacts from CSV or vCard",
     "CSV: a header row naming the columns email, phone and optionally lang (any order,\n"
     "separated by ',' or ';'). vCard 3.0/4.0: EMAIL, TEL;TYPE=cell and LANG of each card.\n"
     "Numbers must be mobile numbers; languages de, fr, it or en. Good rows are imported,\n"
     "replacing a stored contact with the same address. Each bad row is reported on stderr\n"
     "as FILE:LINE: reason, and the exit status is then 1.\n",
     1, "missing file name"},
    {Verb::contacts_set, "contacts set", "EMAIL PHONE [--lang de|fr|it|en]",
     "add or replace a contact",
     "PHONE is a mobile number, e.g. \"079 123 45 67\" or +41791234567 (read as Swiss when\n"
     "it has no country code); it is stored in E.164 form.\n",
     2, "missing EMAIL and PHONE"},
    {Verb::contacts_list, "contacts list", "", "list contacts (email, mobile, language)", "", 0,
     ""},
    {Verb::contacts_rm, "contacts rm", "EMAIL", "remove a contact", "", 1, "missing EMAIL"},
    {Verb::policy_check, "policy check",
     "FILE.eml --from A --to B [--to C ...] [--out DIR] [--policy FILE]",
     "dry-run the sealing policy on a saved message",
     "Reads the message (at most proxy.max_message_size), the policy (proxy.policy_file, or\n"
     "--policy FILE) and the notice templates (proxy.templates_dir), and prints for each\n"
     "recipient the rule that matched and the decision: seal (with the documents), pass,\n"
     "reject, or the 550 text the sender would get (e.g. no mobile number). Then it writes\n"
     "the message each recipient would receive: to stdout, or one file per recipient into\n"
     "--out DIR. Nothing is stored or sent: sealing uses a throwaway vault with throwaway keys\n"
     "in a private temporary directory, removed afterwards. Contacts are looked up in the\n"
     "real vault when its keys are readable; otherwise they are skipped (said on stderr).\n"
     "Exit status 0 whatever the decisions; 1 when the file, policy or templates are bad.\n",
     1, "missing message file"},
    {Verb::vault_init, "vault init", "", "make the vault's store ready (PostgreSQL: the schema)",
     "PostgreSQL (vault.backend = \"postgresql\"): creates sealpost's tables in the database\n"
     "that vault.dsn_file names, or finds them there at this version. Safe to run twice and\n"
     "from several nodes at once. LMDB: creates the vault directory if it is missing.\n"
     "No key is needed.\n",
     0, ""},
    {Verb::vault_upgrade, "vault upgrade", "", "bring the PostgreSQL schema to this version",
     "Run after installing a new sealpost version whose daemons refuse to start with\n"
     "'run sealpost vault upgrade'. Upgrades the schema in place, one step per version.\n"
     "Back up the database first (pg_dump).\n",
     0, ""},
    {Verb::vault_copy, "vault copy", "--to postgresql",
     "copy the LMDB vault into PostgreSQL (as ciphertext)",
     "Copies every record of the LMDB vault in vault.dir into the PostgreSQL database that\n"
     "vault.dsn_file names, byte for byte: nothing is decrypted and no key is needed. The\n"
     "database must be initialised ('sealpost vault init' with vault.backend =\n"
     "\"postgresql\") and empty. Stop the proxy and the portal first, then set\n"
     "vault.backend = \"postgresql\" and start them: links sent before the copy keep working.\n",
     0, ""},
    {Verb::config_check, "config check", "[--connect]",
     "check the config, policy, templates, keys, certificates and secrets",
     "Loads the config file as the daemons do and checks what they would read at start: the\n"
     "policy file, the portal pages and notice templates, the vault's key files (modes and\n"
     "owners), each TLS certificate against its key and its expiry (a warning under 21\n"
     "days, an error once expired), every secret file (a regular file only its owner can\n"
     "read, mode 0600 or 0400) and the SMS provider's settings. Nothing is written.\n"
     "\n"
     "  --connect   also connect to the [upstream] and [notify] SMTP servers (EHLO,\n"
     "              STARTTLS as configured, AUTH when a login is configured, QUIT: no\n"
     "              mail is sent) and to the SMS gateway (TLS and an HTTP HEAD of its\n"
     "              address: no SMS is sent)\n"
     "\n"
     "Each problem is one line on stderr, `error: WHERE: what` or `warning: WHERE: what`,\n"
     "where WHERE is the key or file concerned; then one summary line on stdout.\n"
     "Exit status 1 when there is an error, else 0 (warnings alone give 0).\n",
     0, ""},
}};

const VerbInfo* find_verb(Verb v) {
    for (const auto& info : kVerbs) {
        if (info.verb == v) {
            return &info;
        }
    }
    return nullptr;
}

Error usage(std::string message) {
    return make_error(Errc::invalid_argument, std::move(message));
}

/// An argument echoed in an error, made safe for the terminal.
std::string quoted(std::string_view s) {
    return "'" + printable(s) + "'";
}

}  // namespace

std::string_view verb_name(Verb verb) {
    const VerbInfo* info = find_verb(verb);
    return info != nullptr ? info->name : std::string_view();
}

std::string version_text() {
    return std::string("sealpost ") + SEALPOST_VERSION + "\n";
}

std::string help_text(Verb verb) {
    if (const VerbInfo* info = find_verb(verb)) {
        std::string out = "usage: sealpost [--config PATH] " + std::string(info->name);
        if (!info->synopsis.empty()) {
            out += " " + std::string(info->synopsis);
        }
        out += "\n\n" + std::string(1, static_cast<char>(info->summary[0] - 'a' + 'A')) +
               std::string(info->summary.substr(1)) + ".\n";
        if (!info->details.empty()) {
            out += "\n" + std::string(info->details);
        }
        return out;
    }
    std::string out =
        "usage: sealpost [--config PATH] COMMAND [ARGS]\n"
        "\n"
        "Administers the sealpost vault (sealed documents and their links) and the contacts\n"
        "store (patients' mobile numbers).\n"
        "\n"
        "commands:\n";
    for (const auto& info : kVerbs) {
        std::string left = "  " + std::string(info.name);
        if (!info.synopsis.empty()) {
            left += " " + std::string(info.synopsis);
        }
        if (left.size() < 40) {
            left.resize(40, ' ');
        } else {
            left += "\n" + std::string(40, ' ');
        }
        out += left + std::string(info.summary) + "\n";
    }
    out +=
        "\n"
        "options:\n"
        "  -c, --config PATH\n"
        "                  config file; default $SEALPOST_CONFIG, else\n"
        "                  /etc/sealpost/sealpost.toml if it exists, else built-in defaults\n"
        "  -h, --help      show this help, or a command's help: sealpost list --help\n"
        "  --version       show the version\n"
        "\n"
        "exit status: 0 ok, 1 error (one line on stderr), 2 usage error\n";
    return out;
}

Result<Args> parse_args(const std::vector<std::string_view>& args) {
    Args out;
    bool help = false;
    bool version = false;
    bool active = false;
    bool expired = false;
    bool print = false;
    bool connect = false;
    std::optional<std::string> lang;
    std::optional<std::string> bad_option;
    std::vector<std::string_view> words;
    std::vector<std::string> check_options;  // policy check's options, as given

    // Pass 1: options (anywhere) and words. Options taking a value accept `--opt VALUE` and
    // `--opt=VALUE`.
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            words.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        const std::size_t eq = a.find('=');
        const std::string_view name = a.substr(0, eq);
        auto take_value = [&]() -> std::optional<std::string> {
            if (eq != std::string_view::npos) {
                return std::string(a.substr(eq + 1));
            }
            if (i + 1 < args.size()) {
                return std::string(args[++i]);
            }
            return std::nullopt;
        };
        if (name == "--config" || name == "-c" || name == "--lang" || name == "--from" ||
            name == "--to" || name == "--out" || name == "--policy") {
            auto value = take_value();
            if (!value) {
                return usage("option " + std::string(name) + " needs a value");
            }
            if (name == "--config" || name == "-c") {
                out.config = std::move(*value);
            } else if (name == "--lang") {
                lang = std::move(*value);
            } else {
                check_options.emplace_back(name);
                if (name == "--from") {
                    out.from = std::move(*value);
                } else if (name == "--to") {
                    out.to.push_back(std::move(*value));
                } else if (name == "--out") {
                    out.out_dir = std::move(*value);
                } else {
                    out.policy = std::move(*value);
                }
            }
        } else if (eq != std::string_view::npos) {
            bad_option = bad_option.value_or(quoted(a));
        } else if (a == "--help" || a == "-h") {
            help = true;
        } else if (a == "--version") {
            version = true;
        } else if (a == "--active") {
            active = true;
        } else if (a == "--expired") {
            expired = true;
        } else if (a == "--print") {
            print = true;
        } else if (a == "--connect") {
            connect = true;
        } else if (!bad_option) {
            bad_option = quoted(a);
        }
    }

    // Pass 2: the verb.
    if (words.empty()) {
        if (help) {
            out.action = Args::Action::help;
            return out;
        }
        if (version) {
            out.action = Args::Action::version;
            return out;
        }
        if (bad_option) {
            return usage("unknown option " + *bad_option);
        }
        return usage("missing command");
    }
    std::size_t used = 1;
    std::string name(words[0]);
    if (name == "keys" || name == "contacts" || name == "policy" || name == "vault" ||
        name == "config") {
        if (words.size() < 2) {
            if (help) {
                out.action = Args::Action::help;
                return out;
            }
            return usage(name +
                         (name == "keys"                         ? ": missing subcommand (init)"
                          : name == "policy" || name == "config" ? ": missing subcommand (check)"
                          : name == "vault" ? ": missing subcommand (init, upgrade, copy)"
                                            : ": missing subcommand (import, set, list, rm)"));
        }
        name += " " + std::string(words[1]);
        used = 2;
    }
    const VerbInfo* info = nullptr;
    for (const auto& v : kVerbs) {
        if (v.name == name) {
            info = &v;
        }
    }
    if (info == nullptr) {
        return usage("unknown command " + quoted(name));
    }
    out.verb = info->verb;
    if (help) {
        out.action = Args::Action::help;
        return out;
    }
    const std::string prefix = std::string(info->name) + ": ";
    if (bad_option) {
        return usage(prefix + "unknown option " + *bad_option);
    }
    if (version) {
        return usage(prefix + "unknown option '--version'");
    }
    if ((active || expired) && out.verb != Verb::list) {
        return usage(prefix + "unknown option " + quoted(active ? "--active" : "--expired"));
    }
    if (active && expired) {
        return usage(prefix + "--active and --expired exclude each other");
    }
    if (print && out.verb != Verb::resend) {
        return usage(prefix + "unknown option '--print'");
    }
    out.print = print;
    if (connect && out.verb != Verb::config_check) {
        return usage(prefix + "unknown option '--connect'");
    }
    out.connect = connect;
    out.filter = active ? ListFilter::active : expired ? ListFilter::expired : ListFilter::all;
    if (lang) {
        if (out.verb != Verb::contacts_set) {
            return usage(prefix + "unknown option '--lang'");
        }
        if (*lang != "de" && *lang != "fr" && *lang != "it" && *lang != "en") {
            return usage(prefix + "--lang must be de, fr, it or en");
        }
        out.lang = *lang;
    }
    if (out.verb == Verb::vault_copy) {
        // The one option of vault copy: where to. PostgreSQL is the only destination.
        if (out.to.size() != 1 || out.to[0] != "postgresql" ||
            check_options.size() != out.to.size()) {
            return usage(prefix + "give --to postgresql");
        }
        check_options.clear();
    }
    if (out.verb != Verb::policy_check && !check_options.empty()) {
        return usage(prefix + "unknown option " + quoted(check_options.front()));
    }
    for (std::size_t i = used; i < words.size(); ++i) {
        out.operands.emplace_back(words[i]);
    }
    if (out.verb == Verb::policy_check && out.operands.size() == 1) {
        if (out.from.empty()) {
            return usage(prefix + "missing --from ADDRESS");
        }
        if (out.to.empty()) {
            return usage(prefix + "missing --to ADDRESS");
        }
    }
    if (out.operands.size() < info->operands) {
        if (out.verb == Verb::contacts_set && out.operands.size() == 1) {
            return usage(prefix + "missing PHONE");
        }
        return usage(prefix + std::string(info->missing));
    }
    if (out.operands.size() > info->operands) {
        return usage(prefix + "unexpected argument " + quoted(out.operands[info->operands]));
    }
    return out;
}

}  // namespace sealpost::admin
