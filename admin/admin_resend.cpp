// SPDX-License-Identifier: Apache-2.0
// `sealpost resend`: reissue with the escrow key, then mail the new link with the notice
// templates (notice/notice_templates.hpp) and the sender of sealpost's own mails
// (notice/notice_sender.hpp).
#include "admin/admin_resend.hpp"

#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "admin/admin_commands.hpp"
#include "admin/admin_format.hpp"
#include "core/core_log.hpp"
#include "core/core_text.hpp"
#include "crypto/crypto_secret.hpp"
#include "notice/notice_compose.hpp"
#include "notice/notice_sender.hpp"
#include "notice/notice_templates.hpp"

namespace sealpost::admin {
namespace {

namespace net = boost::asio;

/// What the mail says and where it goes, from the envelope's metadata and the config.
struct MailPlan {
    vault::EnvelopeId id{};
    std::string from;  ///< the practice's sender of the original mail
    std::string to;    ///< the patient
    std::string subject;
    Language language = Language::de;
    std::vector<std::string> documents;
    std::string phone_e164;
};

struct Outcome {
    Status status;          ///< the first error, if any
    bool reissued = false;  ///< the old link is dead from here on
    std::int64_t expires_at = 0;
};

/// The notice mail with `token`'s link. The link is wiped from every intermediate text, so it
/// does not linger in freed heap memory of a process that also held escrow.key.
Result<std::string> compose_mail(const MailPlan& plan, const PracticeConfig& practice,
                                 const seal::NoticeTemplates& templates, std::string_view token,
                                 std::int64_t expires_at, std::int64_t now) {
    seal::NoticeValues values;
    values.practice = practice.name;
    values.documents = seal::notice_document_names(practice, plan.language, plan.documents);
    values.link = seal::link_url(practice, token);
    values.expires_at = expires_at;
    values.phone_e164 = plan.phone_e164;
    mime::NoticeMail mail;
    mail.from_name = practice.name;
    mail.from = plan.from;
    mail.to = plan.to;
    mail.subject = plan.subject;
    mail.date = now;
    mail.notice = templates.render(plan.language, values);
    crypto::wipe(values.link);
    auto message = mime::compose_notice_mail(mail);
    crypto::wipe(mail.notice.text);
    crypto::wipe(mail.notice.html);
    return message;
}

/// begin (up to RCPT) -> reissue -> render and compose -> DATA. The order is the point: see
/// run_resend in the header.
net::awaitable<Outcome> mail_new_link(notice::NotifySender& sender, const MailPlan& plan,
                                      const PracticeConfig& practice,
                                      const seal::NoticeTemplates& templates, vault::Vault& v,
                                      const crypto::X25519KeyPair& escrow) {
    Outcome o;
    o.status = co_await sender.begin(plan.from, plan.to);
    if (!o.status) {
        co_await sender.quit();
        co_return o;
    }
    auto link = v.envelope_reissue(plan.id, escrow);
    if (!link) {
        o.status = std::move(link).error();
        co_await sender.quit();
        co_return o;
    }
    o.reissued = true;
    o.expires_at = link->expires_at;
    auto message = compose_mail(plan, practice, templates,
                                std::string_view(link->token.data(), link->token.size()),
                                link->expires_at, v.now());
    if (!message) {
        o.status = std::move(message).error();
        co_await sender.quit();
        co_return o;
    }
    o.status = co_await sender.finish(*message);
    crypto::wipe(*message);
    co_await sender.quit();
    co_return o;
}

/// A refusal for lack of authentication: the usual cause is `auth = "passthrough"` without
/// credentials of sealpost's own (the relayed mails use the client's).
std::string hint(const Error& e) {
    if (e.detail.find(": 530") != std::string::npos ||
        e.detail.find(" 5.7.0") != std::string::npos) {
        return "; set username and password_file in [notify] (or [upstream])";
    }
    return {};
}

int gone(std::ostream& err, const std::string& hex) {
    print_error(err, "resend",
                "envelope " + hex + " is revoked or purged; its documents are deleted");
    return kExitError;
}

int print_link(const vault::EnvelopeId& id, const Config& cfg, vault::Vault& v,
               const crypto::X25519KeyPair& escrow, std::ostream& out, std::ostream& err) {
    const std::string hex = vault::envelope_id_hex(id);
    auto link = v.envelope_reissue(id, escrow);
    if (!link) {
        if (link.error().code == Errc::revoked) {
            return gone(err, hex);
        }
        print_error(err, "resend", hex + ": " + describe(link.error()));
        return kExitError;
    }
    std::string url =
        seal::link_url(cfg.practice, std::string_view(link->token.data(), link->token.size()));
    out << "new link for " << hex << ", valid until " << format_time(link->expires_at)
        << "; the old link no longer works\n"
        << url << "\n";
    crypto::wipe(url);
    return kExitOk;
}

}  // namespace

int run_resend(const Args& args, const Config& cfg, vault::Vault& v, const keys::KeyRing& keys,
               std::ostream& out, std::ostream& err) {
    auto id = resolve_envelope(v, args.operands[0], "resend", err);
    if (!id) {
        return kExitError;
    }
    const std::string hex = vault::envelope_id_hex(*id);
    if (!keys.escrow_pair) {
        print_error(err, "resend", "escrow.key not loaded");
        return kExitError;
    }
    auto details = v.envelope_show(*id, *keys.escrow_pair);
    if (!details) {
        print_error(err, "resend", hex + ": " + describe(details.error()));
        return kExitError;
    }
    if (details->summary.is_tombstone() || !details->meta) {
        return gone(err, hex);
    }
    if (args.print) {
        return print_link(*id, cfg, v, *keys.escrow_pair, out, err);
    }

    // Everything that can fail without the upstream is checked before anything changes.
    const vault::EnvelopeMeta& meta = *details->meta;
    MailPlan plan;
    plan.id = *id;
    plan.from = !meta.sender.empty() ? meta.sender : cfg.practice.from_address;
    plan.to = meta.recipient;
    // The stored subject is the decoded original: an encoded word may hold a line break.
    plan.subject = text::clean(!meta.subject.empty() ? meta.subject : cfg.practice.name);
    plan.language = parse_language(meta.language).value_or(cfg.practice.default_language);
    plan.phone_e164 = meta.phone_e164;
    for (const auto& d : meta.documents) {
        plan.documents.push_back(d.file_name);
    }
    if (plan.from.empty()) {
        print_error(err, "resend", hex + ": no sender address; set practice.from_address");
        return kExitError;
    }
    auto templates = seal::NoticeTemplates::load(cfg.proxy.templates_dir);
    if (!templates) {
        print_error(err, "resend", "notice templates: " + describe(templates.error()));
        return kExitError;
    }
    // The same mail with a stand-in link must compose (addresses, header line breaks), so that
    // a mail that cannot be made never costs the patient the old link.
    if (auto dry = compose_mail(plan, cfg.practice, *templates, std::string(43, 'x'), 0, v.now());
        !dry) {
        print_error(err, "resend", hex + ": the mail cannot be made: " + describe(dry.error()));
        return kExitError;
    }
    net::io_context io;
    auto sender = notice::NotifySender::make(io.get_executor(), notice::notify_options(cfg));
    if (!sender) {
        print_error(err, "resend", "[notify]: " + describe(sender.error()));
        return kExitError;
    }

    Outcome outcome;
    net::co_spawn(io, mail_new_link(*sender, plan, cfg.practice, *templates, v, *keys.escrow_pair),
                  [&outcome](const std::exception_ptr& e, Outcome o) {
                      if (e) {
                          std::rethrow_exception(e);  // out of io.run(), to main's handler
                      }
                      outcome = std::move(o);
                  });
    io.run();

    if (!outcome.status && !outcome.reissued) {
        if (outcome.status.error().code == Errc::revoked) {
            return gone(err, hex);
        }
        print_error(err, "resend",
                    hex + ": mail not sent and nothing changed, the old link still works: " +
                        describe(outcome.status.error()) + hint(outcome.status.error()));
        return kExitError;
    }
    if (!outcome.status) {
        print_error(err, "resend",
                    hex +
                        ": the old link no longer works, and the mail with the new one was not "
                        "sent (" +
                        describe(outcome.status.error()) + "); run 'sealpost resend " + hex +
                        " --print' to get a new link for the patient");
        return kExitError;
    }
    out << "resent " << hex << " to " << printable(log::mask_address(plan.to), 256) << " ("
        << to_string(plan.language) << "): new link valid until " << format_time(outcome.expires_at)
        << "; the old link no longer works\n";
    return kExitOk;
}

}  // namespace sealpost::admin
