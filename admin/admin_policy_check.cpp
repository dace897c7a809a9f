// SPDX-License-Identifier: Apache-2.0
// `sealpost policy check`: decides and seals one message with the proxy's own functions
// (proxy_seal.hpp) into a throwaway vault in a private temporary directory.
#include "admin/admin_policy_check.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "admin/admin_commands.hpp"
#include "admin/admin_format.hpp"
#include "mime/mime_message.hpp"
#include "mime/mime_phone_strip.hpp"
#include "mime/mime_plan.hpp"
#include "policy/policy.hpp"
#include "proxy/proxy_reply.hpp"
#include "vault/vault_keys.hpp"

namespace sealpost::admin {
namespace {

constexpr std::string_view kVerb = "policy check";
namespace fs = std::filesystem;

/// Reads at most `limit` bytes of `path`; larger files are an error.
Result<std::string> read_bounded(const fs::path& path, std::uint64_t limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return make_error(Errc::io, "cannot read " + printable(path.string(), 256) + ": " +
                                        std::strerror(errno));  // NOLINT(concurrency-mt-unsafe)
    }
    std::string data;
    std::array<char, 65536> buf{};
    while (in) {
        in.read(buf.data(), buf.size());
        data.append(buf.data(), static_cast<std::size_t>(in.gcount()));
        if (data.size() > limit) {
            return make_error(Errc::invalid_argument,
                              printable(path.string(), 256) +
                                  " is larger than proxy.max_message_size (" +
                                  std::to_string(limit) + " bytes)");
        }
    }
    if (in.bad()) {
        return make_error(Errc::io, "cannot read " + printable(path.string(), 256));
    }
    return data;
}

/// The message as the proxy sees it after DATA: CRLF line ends (a file saved with LF is
/// converted; bare CR stays as it is).
std::string to_crlf(std::string_view data) {
    std::string out;
    out.reserve(data.size() + data.size() / 32);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) {
            out += '\r';
        }
        out += data[i];
    }
    return out;
}

/// A private temporary directory (mkdtemp: mode 0700), removed with everything in it.
class TempDir {
  public:
    static Result<TempDir> make() {
        std::error_code ec;
        fs::path base = fs::temp_directory_path(ec);
        if (ec) {
            base = "/tmp";
        }
        std::string templ = (base / "sealpost-check-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) {
            return make_error(Errc::io, "cannot create a temporary directory in " + base.string() +
                                            ": " +
                                            std::strerror(errno));  // NOLINT(concurrency-mt-unsafe)
        }
        return TempDir(fs::path(templ));
    }
    TempDir(TempDir&& o) noexcept : path_(std::exchange(o.path_, {})) {}
    TempDir& operator=(TempDir&&) = delete;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        if (!path_.empty()) {
            std::error_code ec;
            fs::remove_all(path_, ec);
        }
    }
    [[nodiscard]] const fs::path& path() const noexcept { return path_; }

  private:
    explicit TempDir(fs::path p) : path_(std::move(p)) {}
    fs::path path_;
};

/// The throwaway vault: fresh keys and an empty environment in a TempDir. Declared in this
/// order so that the vault closes before the directory goes.
struct Scratch {
    TempDir dir;
    std::unique_ptr<vault::Vault> vault;
};

Result<Scratch> make_scratch(const Config& cfg) {
    SP_TRY(dir, TempDir::make());
    const fs::path keydir = dir.path() / "keys";
    SP_CHECK(keys::keys_init(keydir));
    SP_TRY(ring, keys::keys_load(keydir, keys::pepper | keys::escrow_public));
    vault::VaultOptions o = vault_options(cfg);
    o.dir = dir.path() / "vault";
    o.map_size = 64ULL << 20;
    o.max_size = std::max<std::uint64_t>(o.map_size, cfg.proxy.max_message_size * 4);
    SP_TRY(v, vault::Vault::open(std::move(o), ring));
    return Scratch{std::move(dir), std::make_unique<vault::Vault>(std::move(v))};
}

/// The real vault for contacts, when its keys are readable; nullptr (and a note) otherwise.
std::unique_ptr<vault::Vault> open_contacts(const Config& cfg, std::ostream& err) {
    std::error_code ec;
    if (!fs::exists(cfg.vault.dir / "data.mdb", ec)) {
        print_error(err, kVerb,
                    "note: no vault at " + cfg.vault.dir.string() + "; contacts not looked up");
        return nullptr;
    }
    auto ring = keys::keys_load(cfg.vault.key_dir, keys::pepper | keys::contacts);
    if (!ring) {
        print_error(err, kVerb,
                    "note: contacts not looked up (keys in " + cfg.vault.key_dir.string() +
                        " not readable: " + ring.error().detail + ")");
        return nullptr;
    }
    auto v = vault::Vault::open(vault_options(cfg), *ring);
    if (!v) {
        print_error(
            err, kVerb,
            "note: contacts not looked up (cannot open the vault: " + v.error().detail + ")");
        return nullptr;
    }
    return std::make_unique<vault::Vault>(std::move(*v));
}

std::string rule_text(const policy::Decision& d) {
    std::string s = "rule=" + (d.rule_name.empty() ? std::string("-") : printable(d.rule_name));
    switch (d.source) {
        case policy::DecisionSource::no_match:
            s += " (no rule matched)";
            break;
        case policy::DecisionSource::signed_:
            s += " (signed message)";
            break;
        case policy::DecisionSource::encrypted:
            s += " (encrypted message)";
            break;
        case policy::DecisionSource::nothing_to_seal:
            s += " (nothing to seal)";
            break;
        case policy::DecisionSource::rule:
            break;
    }
    return s;
}

/// A file name for a recipient's message in --out DIR: `N-ADDRESS.eml`, safe characters only.
std::string out_name(std::size_t n, std::string_view rcpt) {
    std::string s = std::to_string(n) + "-";
    for (const char c : rcpt.substr(0, 200)) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '@' || c == '.' || c == '-' || c == '_' ||
                        c == '+';
        s += ok ? c : '_';
    }
    return s + ".eml";
}

struct Output {
    std::string rcpt;
    std::string label;  ///< "seal" or "pass"
    std::string message;
};

Status write_outputs(const std::vector<Output>& outputs, const Args& args, std::ostream& out) {
    if (!args.out_dir) {
        for (const auto& o : outputs) {
            out << "\n===== message for " << printable(o.rcpt) << " (" << o.label << ", "
                << o.message.size() << " bytes) =====\n"
                << o.message;
            if (!o.message.empty() && o.message.back() != '\n') {
                out << "\n";
            }
            out << "===== end of message for " << printable(o.rcpt) << " =====\n";
        }
        return {};
    }
    const fs::path dir(*args.out_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        return make_error(Errc::io,
                          "cannot create " + printable(dir.string(), 256) + ": " + ec.message());
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const fs::path file = dir / out_name(i + 1, outputs[i].rcpt);
        std::ofstream f(file, std::ios::binary | std::ios::trunc);
        f.write(outputs[i].message.data(), static_cast<std::streamsize>(outputs[i].message.size()));
        f.close();
        if (!f) {
            return make_error(Errc::io, "cannot write " + printable(file.string(), 256));
        }
        out << "wrote " << printable(file.string()) << "\n";
    }
    return {};
}

}  // namespace

int run_policy_check(const Args& args, const Config& cfg, std::ostream& out, std::ostream& err) {
    const fs::path file(args.operands.at(0));
    auto raw = read_bounded(file, cfg.proxy.max_message_size);
    if (!raw) {
        print_error(err, kVerb, raw.error().detail);
        return kExitError;
    }
    const fs::path policy_file = args.policy ? fs::path(*args.policy) : cfg.proxy.policy_file;
    auto pol = policy::policy_load(policy_file);
    if (!pol) {
        print_error(err, kVerb, "policy: " + printable(pol.error().detail, 512));
        return kExitError;
    }
    auto templates = seal::NoticeTemplates::load(cfg.proxy.templates_dir);
    if (!templates) {
        print_error(err, kVerb, "templates: " + printable(templates.error().detail, 512));
        return kExitError;
    }

    smtp::MailArgs mail;
    mail.reverse_path = args.from;
    std::vector<smtp::RcptArgs> rcpts;
    for (const auto& to : args.to) {
        smtp::RcptArgs r;
        r.forward_path = to;
        rcpts.push_back(std::move(r));
    }
    const std::string msg = to_crlf(*raw);
    const seal::MessagePlan plan = seal::plan_message(*pol, cfg.practice, mail, rcpts, msg);
    if (plan.parse_error) {
        print_error(err, kVerb,
                    "note: the message cannot be parsed (" + plan.parse_error->detail +
                        "); only an internal recipient whose decision does not depend on "
                        "attachments may get it");
    }

    bool any_seal = false;
    for (const auto& d : plan.decisions) {
        any_seal = any_seal || d.action == policy::Action::seal;
    }
    std::unique_ptr<vault::Vault> contacts;
    std::optional<Scratch> scratch;
    if (any_seal && plan.message) {
        contacts = open_contacts(cfg, err);
        auto s = make_scratch(cfg);
        if (!s) {
            print_error(err, kVerb, "throwaway vault: " + s.error().detail);
            return kExitError;
        }
        scratch.emplace(std::move(*s));
    }
    const seal::ContactLookup lookup =
        contacts ? seal::vault_contact_lookup(*contacts) : seal::ContactLookup{};

    std::vector<Output> outputs;
    std::optional<std::string> refusal = plan.refusal;
    // What a passing recipient gets: the message without its phone data (tag, header); the
    // input as it is when it holds none.
    std::string passed = msg;
    if (auto st = seal::strip_phone_data(passed); !st) {
        refusal = refusal.value_or(
            seal::phone_reply_text(st.error(), "", cfg.practice.refusal_lang()).value_or(""));
    }
    if (passed == msg) {
        passed = *raw;
    }
    std::optional<std::string> shape;  // the reply for a message that cannot be read safely
    for (std::size_t i = 0; i < rcpts.size(); ++i) {
        const std::string& rcpt = rcpts[i].forward_path;
        const policy::Decision& d = plan.decisions[i];
        out << printable(rcpt) << "  ";
        if (d.action == policy::Action::pass) {
            out << "pass  " << rule_text(d) << "\n";
            outputs.push_back({rcpt, "pass", passed});
            continue;
        }
        if (d.action == policy::Action::reject && plan.parse_error) {
            const smtp::Reply r =
                mime::refusal_reason(*plan.parse_error).empty()
                    ? proxy::reply_for(*plan.parse_error)
                    : proxy::reply_shape_refused(*plan.parse_error, cfg.practice.refusal_lang());
            shape = std::to_string(r.code) + " " + std::string(r.first_line());
            out << "reject: " << *shape << "  (the message cannot be read safely)\n";
            continue;
        }
        if (d.action == policy::Action::reject) {
            out << "reject: 550 5.7.1 " << d.message << "  " << rule_text(d) << "\n";
            refusal = refusal.value_or(d.message);
            continue;
        }
        if (plan.parse_error) {
            out << "seal  " << rule_text(d) << ": the proxy answers 451 4.3.0 (cannot parse)\n";
            continue;
        }
        std::string docs;
        for (const std::size_t k : d.selection) {
            docs +=
                (docs.empty() ? "" : ", ") + printable(plan.message->attachments()[k].file_name);
        }
        auto phone =
            seal::plan_phone(plan, rcpt, lookup, cfg.proxy.allow_phone_override, cfg.voice.enabled);
        if (!phone) {
            auto text = seal::phone_reply_text(phone.error(), rcpt, cfg.practice.refusal_lang());
            if (!text) {
                out << "seal  " << rule_text(d) << ": phone lookup failed ("
                    << printable(phone.error().detail) << "), the proxy answers 4xx\n";
                continue;
            }
            out << "seal  " << rule_text(d) << ": 550 5.7.1 " << *text << "\n";
            refusal = refusal.value_or(*text);
            continue;
        }
        auto sealed = seal::seal_planned(plan, d, rcpt, args.from, *phone, cfg.practice, *templates,
                                         *scratch->vault);
        if (!sealed) {
            out << "seal  " << rule_text(d) << ": sealing failed ("
                << printable(sealed.error().detail) << ")\n";
            continue;
        }
        out << "seal  " << rule_text(d) << "  documents: " << docs << "  phone: ••"
            << phone->e164.substr(phone->e164.size() >= 2 ? phone->e164.size() - 2 : 0) << " ("
            << seal::to_string(phone->source) << ")\n";
        outputs.push_back({rcpt, "seal", std::move(sealed->message)});
    }
    if (shape) {
        out << "the proxy would refuse the whole message: " << *shape << "\n";
    } else if (refusal) {
        out << "the proxy would refuse the whole message: 550 5.7.1 " << *refusal << "\n";
    }
    if (Status st = write_outputs(outputs, args, out); !st) {
        print_error(err, kVerb, st.error().detail);
        return kExitError;
    }
    return kExitOk;
}

}  // namespace sealpost::admin
