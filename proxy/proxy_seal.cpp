// SPDX-License-Identifier: Apache-2.0
// The sealing delivery plan at the end of DATA: the message's plan (mime/mime_plan.hpp), phone
// resolution, one envelope per sealed recipient, recipient groups.
#include "proxy/proxy_seal.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/core_log.hpp"
#include "mime/mime_message.hpp"
#include "mime/mime_phone_strip.hpp"
#include "mime/mime_plan.hpp"
#include "mime/mime_seal.hpp"
#include "policy/policy.hpp"
#include "policy/policy_phone.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_options.hpp"

namespace sealpost::proxy {

namespace {

void log_decision(const Submission& sub, std::string_view rcpt, const policy::Decision& d) {
    log::info("seal.decision")
        .kv("sid", sub.session_id)
        .kv("rcpt", log::mask_address(rcpt))
        .kv("action", policy::to_string(d.action))
        .kv("source", policy::to_string(d.source))
        .kv("rule", d.rule_name.empty() ? std::string_view("-") : std::string_view(d.rule_name))
        .kv("docs", static_cast<std::uint64_t>(d.selection.size()));
}

DeliveryPlan refuse(const Submission& sub, std::string_view why, std::string text) {
    log::info("seal.refused").kv("sid", sub.session_id).kv("why", why);
    DeliveryPlan r;
    r.refusal = std::move(text);
    return r;
}

/// Every group's message loses its phone data (the tag, X-Sealpost-Phone): on the passing
/// paths too, where it is the only change. A tag that cannot be taken out refuses the mail.
Result<DeliveryPlan> without_phone_data(const Submission& sub, DeliveryPlan out, Language lang) {
    for (auto& g : out.groups) {
        if (auto st = seal::strip_phone_data(g.message); !st) {
            for (auto& h : out.groups) {
                if (h.settle) {
                    h.settle(SendOutcome::refused);  // discards its envelope: never sent
                }
            }
            auto text = seal::phone_reply_text(st.error(), "", lang);
            if (!text) {
                return std::move(st).error();
            }
            return refuse(sub, st.error().detail, std::move(*text));
        }
    }
    return out;
}

/// What happens to one sealed recipient's envelope once the upstream answered.
std::function<void(SendOutcome)> settler(std::shared_ptr<const SealContext> ctx, std::string sid,
                                         std::string rcpt, vault::EnvelopeId id,
                                         seal::ResolvedPhone phone) {
    return [ctx = std::move(ctx), sid = std::move(sid), rcpt = std::move(rcpt), id,
            phone = std::move(phone)](SendOutcome o) {
        const std::string hex = vault::envelope_id_hex(id);
        if (o == SendOutcome::unknown) {
            // The upstream may have it: keep the link alive; a pending envelope is purged only
            // once its link has expired (and vault.orphan_grace has passed).
            log::warn("seal.outcome_unknown").kv("sid", sid).kv("envelope", hex);
            return;
        }
        if (o == SendOutcome::refused) {
            if (auto st = ctx->vault->envelope_discard(id); !st) {
                log::error("seal.discard_failed")
                    .kv("sid", sid)
                    .kv("envelope", hex)
                    .kv("err", errc_name(st.error().code));
            }
            return;
        }
        // The mail is delivered and the envelope is durable since before DATA: "sent" need
        // not cost an fsync of its own (a crash that loses it leaves a pending envelope that
        // purge keeps until its link expires; see envelope_mark_sent_deferred). Failures are
        // logged by the vault (vault.mark_sent_failed).
        ctx->vault->envelope_mark_sent_deferred(id);
        auto learned = seal::learn_contact(ctx->learn_contacts, rcpt, phone,
                                           seal::vault_contact_save(*ctx->vault));
        if (!learned) {
            log::error("seal.learn_contact_failed")
                .kv("sid", sid)
                .kv("err", errc_name(learned.error().code));
        }
        log::info("seal.sent")
            .kv("sid", sid)
            .kv("rcpt", log::mask_address(rcpt))
            .kv("envelope", hex)
            .kv("phone", log::mask_phone(phone.e164))
            .kv("phone_source", seal::to_string(phone.source));
    };
}

struct Sealed {
    std::size_t rcpt = 0;
    seal::ResolvedPhone phone;
};

Result<DeliveryPlan> seal_delivery(const std::shared_ptr<const SealContext>& ctx,
                                   const Submission& sub, std::string&& msg) {
    const std::shared_ptr<const policy::Policy> pol = ctx->policy->current();
    const seal::MessagePlan plan =
        seal::plan_message(*pol, ctx->practice, sub.mail, sub.rcpts, msg);
    if (plan.parse_error) {
        // Fail closed: pass only when every recipient's decision holds whatever the message
        // carries (plan_message); else refuse, permanently for a MIME shape, temporarily for
        // an internal error.
        const std::string_view reason = mime::refusal_reason(*plan.parse_error);
        for (std::size_t i = 0; i < sub.rcpts.size(); ++i) {
            if (plan.decisions[i].action != policy::Action::pass) {
                log::info("seal.unparsable")
                    .kv("sid", sub.session_id)
                    .kv("rcpt", log::mask_address(sub.rcpts[i].forward_path))
                    .kv("reason", reason.empty() ? std::string_view("internal") : reason)
                    .kv("detail", plan.parse_error->detail);
                if (reason.empty()) {
                    return *plan.parse_error;
                }
                DeliveryPlan r;
                r.shape_refusal = *plan.parse_error;
                return r;
            }
        }
        log::info("seal.unparsable_passed")
            .kv("sid", sub.session_id)
            .kv("reason", reason.empty() ? std::string_view("internal") : reason)
            .kv("rcpts", static_cast<std::uint64_t>(sub.rcpts.size()));
        return without_phone_data(sub, pass_all(sub, std::move(msg)), ctx->practice.refusal_lang());
    }
    if (plan.refusal) {
        return refuse(sub, seal::kErrTagRecipients, *plan.refusal);
    }

    std::vector<std::size_t> passing;
    std::vector<Sealed> sealed;
    for (std::size_t i = 0; i < sub.rcpts.size(); ++i) {
        const auto& d = plan.decisions[i];
        log_decision(sub, sub.rcpts[i].forward_path, d);
        if (d.action == policy::Action::reject) {
            return refuse(sub, "policy", d.message);
        }
        if (d.action == policy::Action::pass) {
            passing.push_back(i);
        } else {
            sealed.push_back({i, {}});
        }
    }
    if (sealed.empty()) {
        return without_phone_data(sub, pass_all(sub, std::move(msg)), ctx->practice.refusal_lang());
    }

    // The patient's phone, for every sealed recipient, before anything is written.
    const auto lookup = seal::vault_contact_lookup(*ctx->vault);
    for (auto& s : sealed) {
        const std::string& rcpt = sub.rcpts[s.rcpt].forward_path;
        auto phone =
            seal::plan_phone(plan, rcpt, lookup, ctx->allow_phone_override, ctx->accept_landline);
        if (!phone) {
            auto text = seal::phone_reply_text(phone.error(), rcpt, ctx->practice.refusal_lang());
            if (!text) {
                return std::move(phone).error();
            }
            return refuse(sub, phone.error().detail, std::move(*text));
        }
        s.phone = std::move(*phone);
    }

    // One envelope per sealed recipient; on any failure the ones made so far are discarded.
    DeliveryPlan out;
    std::vector<vault::EnvelopeId> made;
    for (const auto& s : sealed) {
        const std::string& rcpt = sub.rcpts[s.rcpt].forward_path;
        auto res = seal::seal_planned(plan, plan.decisions[s.rcpt], rcpt, sub.mail.reverse_path,
                                      s.phone, ctx->practice, *ctx->templates, *ctx->vault);
        if (!res) {
            for (const auto& id : made) {
                (void)ctx->vault->envelope_discard(id);
            }
            return std::move(res).error();
        }
        made.push_back(res->envelope);
        OutgoingMessage g;
        g.rcpts.push_back(s.rcpt);
        g.message = std::move(res->message);
        g.settle = settler(ctx, sub.session_id, rcpt, res->envelope, s.phone);
        out.groups.push_back(std::move(g));
    }
    if (!passing.empty()) {
        OutgoingMessage g;
        g.rcpts = std::move(passing);
        g.message = std::move(msg);
        out.groups.insert(out.groups.begin(), std::move(g));
    }
    return without_phone_data(sub, std::move(out), ctx->practice.refusal_lang());
}

}  // namespace

namespace {

std::shared_ptr<const seal::NoticeTemplates> load_templates(const std::filesystem::path& dir) {
    auto templates = seal::NoticeTemplates::load(dir);
    if (!templates) {
        throw std::runtime_error("templates: " + templates.error().detail);
    }
    return std::make_shared<const seal::NoticeTemplates>(std::move(*templates));
}

}  // namespace

std::shared_ptr<SealContext> reload_seal_context(const SealContext& running, const Config& next,
                                                 std::shared_ptr<policy::PolicyStore> policy) {
    auto ctx = std::make_shared<SealContext>(running);
    ctx->practice = next.practice;
    ctx->learn_contacts = next.proxy.learn_contacts;
    ctx->allow_phone_override = next.proxy.allow_phone_override;
    ctx->policy = std::move(policy);
    ctx->templates = load_templates(next.proxy.templates_dir);
    return ctx;
}

std::shared_ptr<SealContext> load_seal_context(const Config& cfg) {
    auto ctx = std::make_shared<SealContext>();
    ctx->practice = cfg.practice;
    ctx->learn_contacts = cfg.proxy.learn_contacts;
    ctx->allow_phone_override = cfg.proxy.allow_phone_override;
    ctx->accept_landline = cfg.voice.enabled;
    try {
        ctx->policy = std::make_shared<policy::PolicyStore>(cfg.proxy.policy_file);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("policy: ") + e.what());
    }
    ctx->templates = load_templates(cfg.proxy.templates_dir);
    auto keys =
        keys::keys_load(cfg.vault.key_dir, keys::pepper | keys::escrow_public | keys::contacts);
    if (!keys) {
        throw std::runtime_error(
            "keys: " + keys.error().detail +
            (keys::keys_absent(cfg.vault.key_dir) ? " (run 'sealpost keys init' first)" : ""));
    }
    vault::VaultOptions opts = vault::vault_options_from(cfg.vault);
    // The follow-ups the notice loop sends (proxy_notices.cpp); a reminder needs a link that
    // lives longer than remind_before, else it would be due at once.
    opts.arm_reminder = cfg.proxy.remind_patient && cfg.vault.link_ttl > cfg.proxy.remind_before;
    opts.arm_expiry_notice = cfg.proxy.notify_sender_on_expiry;
    auto v = vault::Vault::open(std::move(opts), *keys);
    if (!v) {
        throw std::runtime_error("vault: " + v.error().detail);
    }
    ctx->vault = std::make_shared<vault::Vault>(std::move(*v));
    return ctx;
}

DeliveryFn make_seal_delivery(std::shared_ptr<const SealContext> ctx) {
    return
        [ctx = std::move(ctx)](const Submission& sub, std::string&& msg) -> Result<DeliveryPlan> {
            return seal_delivery(ctx, sub, std::move(msg));
        };
}

}  // namespace sealpost::proxy
