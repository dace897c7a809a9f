// SPDX-License-Identifier: Apache-2.0
// The plan of one message (facts from the parsed message, one policy decision per recipient,
// the phone inputs) and sealing one planned recipient.
#include "mime/mime_plan.hpp"

#include <algorithm>

#include "policy/policy.hpp"
#include "policy/policy_facts.hpp"
#include "policy/policy_invoice.hpp"

namespace sealpost::seal {

namespace {

/// Invoice detection reads an attachment whole, up to policy::kInvoiceReadMax: held, or
/// decoded again for the check and dropped. A larger one that could be an invoice is one.
bool is_invoice(const mime::MimeMessage& m, const mime::MimeAttachment& a) {
    if (a.bytes) {
        return policy::looks_like_invoice(a.file_name, a.content_type, *a.bytes);
    }
    if (a.size() <= policy::kInvoiceReadMax) {
        auto bytes = m.attachment_bytes(a.index);
        return !bytes || policy::looks_like_invoice(a.file_name, a.content_type, *bytes);
    }
    return policy::could_be_invoice(a.file_name, a.content_type);
}

policy::MessageFacts message_facts(std::string_view sender, const mime::MimeMessage& m,
                                   std::uint64_t inline_image_max) {
    policy::MessageFacts f;
    f.sender = std::string(sender);
    f.tags = policy::subject_tags(m.subject());
    const std::string sens = m.header("Sensitivity");
    if (!sens.empty()) {
        f.sensitivity = policy::parse_sensitivity(sens);
    }
    std::string_view first_text;
    for (const auto& b : m.bodies()) {
        if (b.content_type == "text/plain") {
            first_text = b.text;
            break;
        }
    }
    f.protection =
        policy::detect_protection(m.root_content_type(), m.root_smime_type(), first_text);
    // A signature or encryption anywhere below the root would break as well.
    if (f.protection == policy::Protection::none && m.is_encrypted()) {
        f.protection = policy::Protection::encrypted;
    } else if (f.protection == policy::Protection::none && m.is_signed()) {
        f.protection = policy::Protection::signed_;
    }
    for (const auto& a : m.attachments()) {
        policy::AttachmentFacts af;
        af.content_type = a.content_type;
        af.file_name = a.has_file_name ? a.file_name : std::string();
        af.size = a.size();
        for (const auto& t : a.type_readings) {
            if (t != af.content_type) {
                af.other_types.push_back(t);
            }
        }
        af.other_names = a.other_names;
        // A PDF read any other way (a name, a container, a forwarded message) counts as an
        // invoice: a false positive only seals more.
        const bool pdf_elsewhere = a.content_type != "application/pdf" &&
                                   std::find(af.other_types.begin(), af.other_types.end(),
                                             "application/pdf") != af.other_types.end();
        af.is_invoice = pdf_elsewhere || is_invoice(m, a);
        af.inline_image = a.inline_image && a.size() <= inline_image_max;
        f.attachments.push_back(std::move(af));
    }
    return f;
}

}  // namespace

MessagePlan plan_message(const policy::Policy& pol, const PracticeConfig& practice,
                         const smtp::MailArgs& mail, const std::vector<smtp::RcptArgs>& rcpts,
                         const std::string& msg) {
    MessagePlan plan;
    std::vector<policy::RecipientFacts> rfacts;
    for (const auto& r : rcpts) {
        rfacts.push_back(policy::recipient_facts(practice, r.forward_path));
        if (!rfacts.back().internal) {
            ++plan.external;
        }
    }
    // Parsed in place: `msg` outlives the plan (the caller keeps it for the passing group).
    auto parsed = mime::MimeMessage::parse_borrowed(msg);
    if (!parsed) {
        // Only a decision that does not depend on what the message carries may pass a message
        // nobody can read for sure, and only to an internal recipient. An external recipient
        // is always refused.
        for (const auto& rf : rfacts) {
            auto d = policy::policy_decide_without_content(pol, mail.reverse_path, rf);
            if (!rf.internal || !d || d->action != policy::Action::pass) {
                policy::Decision refused;
                refused.action = policy::Action::reject;
                refused.source = d ? d->source : policy::DecisionSource::rule;
                plan.decisions.push_back(std::move(refused));
                continue;
            }
            plan.decisions.push_back(std::move(*d));
        }
        plan.parse_error = std::move(parsed).error();
        return plan;
    }
    plan.message.emplace(std::move(*parsed));
    const mime::MimeMessage& m = *plan.message;
    const auto facts = message_facts(mail.reverse_path, m, pol.inline_image_max);
    for (const auto& rf : rfacts) {
        plan.decisions.push_back(policy::policy_decide(pol, facts, rf));
    }
    auto tag = parse_sms_tag(m.subject());
    if (tag) {
        plan.tag = std::move(*tag);
    } else {
        plan.tag_error = std::move(tag).error();
    }
    plan.header_phone = m.header("X-Sealpost-Phone");
    // A reply or forward keeps the other side's subject (and may quote it): its tag may have
    // been written there. In-Reply-To and References mark a reply whatever the subject says.
    plan.reply = !m.header("In-Reply-To").empty() || !m.header("References").empty() ||
                 is_reply_subject(plan.tag ? plan.tag->subject : m.subject()) ||
                 (plan.tag && plan.tag->quoted);
    // A tag's number belongs to one patient: with several external recipients it would reach
    // the others even in a mail that passes (no attachments), so it is refused either way.
    if (plan.tag && plan.tag->raw && plan.external > 1) {
        const Error e = make_error(Errc::invalid_argument, std::string(kErrTagRecipients));
        plan.refusal = phone_reply_text(e, "", practice.refusal_lang()).value_or("");
    }
    return plan;
}

Result<ResolvedPhone> plan_phone(const MessagePlan& plan, std::string_view rcpt,
                                 const ContactLookup& lookup, bool allow_override,
                                 bool accept_landline) {
    if (plan.tag_error) {
        return *plan.tag_error;
    }
    PhoneInputs in;
    in.recipient = std::string(rcpt);
    if (plan.tag) {
        in.tag_number = plan.tag->raw;
    }
    in.external_recipients = plan.external;
    if (!plan.header_phone.empty()) {
        in.header_number = plan.header_phone;
    }
    in.reply = plan.reply;
    in.allow_override = allow_override;
    in.accept_landline = accept_landline;
    return resolve_phone(in, lookup);
}

Language notice_language(const ResolvedPhone& phone, const PracticeConfig& practice) {
    if (phone.source == PhoneSource::contacts) {
        if (auto lang = parse_language(phone.language)) {
            return *lang;
        }
    }
    return practice.default_language;
}

Result<SealResult> seal_planned(const MessagePlan& plan, const policy::Decision& decision,
                                std::string_view rcpt, std::string_view sender,
                                const ResolvedPhone& phone, const PracticeConfig& practice,
                                const NoticeTemplates& templates, vault::Vault& v) {
    if (!plan.message || decision.action != policy::Action::seal) {
        return make_error(Errc::invalid_argument, "seal_planned: nothing to seal");
    }
    SealRequest req;
    req.message = &*plan.message;
    req.selection = decision.selection;
    req.recipient = std::string(rcpt);
    req.sender = std::string(sender);
    req.phone_e164 = phone.e164;
    req.language = notice_language(phone, practice);
    req.cleaned_subject =
        policy::strip_control_tags(plan.tag ? plan.tag->subject : plan.message->subject());
    return seal_for_recipient(req, practice, templates, v);
}

}  // namespace sealpost::seal
