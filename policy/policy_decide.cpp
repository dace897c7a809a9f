// SPDX-License-Identifier: Apache-2.0
// Rule matching and the per-recipient decision (DESIGN.md section 5).
#include <array>
#include <cstddef>
#include <string>
#include <utility>

#include "policy/policy.hpp"
#include "policy/policy_facts.hpp"
#include "policy/policy_match.hpp"

namespace sealpost::policy {
namespace {

constexpr std::string_view kSignedReject =
    "Signed messages to external recipients cannot be sealed: send it without a signature";
constexpr std::string_view kEncryptedReject =
    "Encrypted messages to external recipients cannot be sealed: send it unencrypted, "
    "sealpost protects it";
constexpr std::string_view kNoMatchReject = "No sealing rule applies to this message";

bool any_address(const std::vector<std::string>& patterns, std::string_view address) {
    for (const auto& p : patterns) {
        if (address_match(p, address)) {
            return true;
        }
    }
    return false;
}

bool any_glob(const std::vector<std::string>& globs, std::string_view text) {
    for (const auto& g : globs) {
        if (glob_match(g, text)) {
            return true;
        }
    }
    return false;
}

/// Matches `globs` against the readings: any one (`strict_any`) or every one.
bool readings_match(const std::vector<std::string>& globs, std::string_view primary,
                    const std::vector<std::string>& others, bool strict_any) {
    const bool first = any_glob(globs, primary);
    if (strict_any && first) {
        return true;
    }
    if (!strict_any && !first) {
        return false;
    }
    for (const auto& o : others) {
        const bool hit = any_glob(globs, o);
        if (strict_any && hit) {
            return true;
        }
        if (!strict_any && !hit) {
            return false;
        }
    }
    return !strict_any;
}

/// `any_reading`: a seal or reject rule matches when any reading of the attachment's type and
/// name matches; a pass rule (false) only when every reading does (the strictest wins).
bool attachment_matches(const AttachmentMatch& m, const AttachmentFacts& a, bool any_reading) {
    if (!m.types.empty() && !readings_match(m.types, a.content_type, a.other_types, any_reading)) {
        return false;
    }
    if (!m.names.empty() && !readings_match(m.names, a.file_name, a.other_names, any_reading)) {
        return false;
    }
    if (m.min_size && a.size < *m.min_size) {
        return false;
    }
    if (m.max_size && a.size > *m.max_size) {
        return false;
    }
    return !m.invoice || a.is_invoice;
}

}  // namespace

std::string_view to_string(Action a) noexcept {
    switch (a) {
        case Action::seal:
            return "seal";
        case Action::pass:
            return "pass";
        case Action::reject:
            return "reject";
    }
    return "unknown";
}

std::string_view to_string(DecisionSource s) noexcept {
    switch (s) {
        case DecisionSource::rule:
            return "rule";
        case DecisionSource::no_match:
            return "no_match";
        case DecisionSource::signed_:
            return "signed";
        case DecisionSource::encrypted:
            return "encrypted";
        case DecisionSource::nothing_to_seal:
            return "nothing_to_seal";
    }
    return "unknown";
}

std::string_view to_string(AttachmentSelector s) noexcept {
    return s == AttachmentSelector::all ? "all" : "invoices";
}

bool rule_matches(const Rule& rule, const MessageFacts& msg, const RecipientFacts& rcpt) {
    if (!rule.from.empty() && !any_address(rule.from, msg.sender)) {
        return false;
    }
    if (!rule.to.empty() && !any_address(rule.to, rcpt.address)) {
        return false;
    }
    if (rule.recipient && (*rule.recipient == RecipientKind::internal) != rcpt.internal) {
        return false;
    }
    if (rule.subject_tags != 0 && (rule.subject_tags & msg.tags) == 0) {
        return false;
    }
    if (!rule.sensitivity.empty()) {
        bool hit = false;
        for (const auto s : rule.sensitivity) {
            hit = hit || (msg.sensitivity && *msg.sensitivity == s);
        }
        if (!hit) {
            return false;
        }
    }
    if (rule.attachment.any()) {
        bool hit = false;
        for (const auto& a : msg.attachments) {
            if (attachment_matches(rule.attachment, a, rule.action != Action::pass)) {
                hit = true;
                break;
            }
        }
        if (!hit) {
            return false;
        }
    }
    return true;
}

Decision policy_decide(const Policy& p, const MessageFacts& msg, const RecipientFacts& rcpt) {
    Decision d;
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
        const Rule& r = p.rules[i];
        if (!rule_matches(r, msg, rcpt)) {
            continue;
        }
        d.source = DecisionSource::rule;
        d.rule_index = i;
        d.rule_name = r.name;
        d.action = r.action;
        d.attachments = r.attachments;
        d.keep_inline_images = r.keep_inline_images;
        if (r.action == Action::reject) {
            d.message = r.message;
        }
        if (r.action == Action::seal) {
            d.selection = select_attachments(r.attachments, r.keep_inline_images, msg);
            if (d.selection.empty()) {
                // Nothing would change: pass (also keeps a signature intact).
                d.action = Action::pass;
                d.source = DecisionSource::nothing_to_seal;
                return d;
            }
        }
        if (r.action == Action::seal && msg.protection != Protection::none) {
            // Sealing would break a signature or cannot read encrypted parts (DESIGN 3).
            const bool is_signed = msg.protection == Protection::signed_;
            d.source = is_signed ? DecisionSource::signed_ : DecisionSource::encrypted;
            const ProtectedAction pa = is_signed ? p.signed_ : p.encrypted;
            d.selection.clear();
            if (pa == ProtectedAction::pass) {
                d.action = Action::pass;
            } else {
                d.action = Action::reject;
                d.message = std::string(is_signed ? kSignedReject : kEncryptedReject);
            }
        }
        return d;
    }
    d.source = DecisionSource::no_match;
    d.action = p.no_match;
    if (d.action == Action::reject) {
        d.message = std::string(kNoMatchReject);
    }
    return d;
}

std::optional<Decision> policy_decide_without_content(const Policy& p, std::string_view sender,
                                                      const RecipientFacts& rcpt) {
    for (std::size_t i = 0; i < p.rules.size(); ++i) {
        const Rule& r = p.rules[i];
        if (!r.from.empty() && !any_address(r.from, sender)) {
            continue;
        }
        if (!r.to.empty() && !any_address(r.to, rcpt.address)) {
            continue;
        }
        if (r.recipient && (*r.recipient == RecipientKind::internal) != rcpt.internal) {
            continue;
        }
        if (r.attachment.any() || r.subject_tags != 0 || !r.sensitivity.empty() ||
            r.action == Action::seal) {
            return std::nullopt;  // this rule's outcome depends on the content
        }
        Decision d;
        d.source = DecisionSource::rule;
        d.rule_index = i;
        d.rule_name = r.name;
        d.action = r.action;
        d.message = r.action == Action::reject ? r.message : std::string();
        return d;
    }
    Decision d;
    d.source = DecisionSource::no_match;
    d.action = p.no_match;
    if (d.action == Action::reject) {
        d.message = std::string(kNoMatchReject);
    }
    return d;
}

std::vector<std::size_t> select_attachments(AttachmentSelector sel, bool keep_inline_images,
                                            const MessageFacts& msg) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < msg.attachments.size(); ++i) {
        const AttachmentFacts& a = msg.attachments[i];
        if (a.inline_image && keep_inline_images) {
            continue;
        }
        if (sel == AttachmentSelector::invoices && !a.is_invoice) {
            continue;
        }
        out.push_back(i);
    }
    return out;
}

std::string sanitize_reply_text(std::string_view text) {
    // UTF-8 sequences of Latin-1 letters used in de/fr/it, transliterated.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 26> kTranslit{{
        {"\xC3\xA4", "ae"}, {"\xC3\xB6", "oe"},    {"\xC3\xBC", "ue"}, {"\xC3\x84", "Ae"},
        {"\xC3\x96", "Oe"}, {"\xC3\x9C", "Ue"},    {"\xC3\x9F", "ss"}, {"\xC3\xA9", "e"},
        {"\xC3\xA8", "e"},  {"\xC3\xAA", "e"},     {"\xC3\xAB", "e"},  {"\xC3\x89", "E"},
        {"\xC3\x88", "E"},  {"\xC3\xA0", "a"},     {"\xC3\xA2", "a"},  {"\xC3\x80", "A"},
        {"\xC3\xA7", "c"},  {"\xC3\x87", "C"},     {"\xC3\xB4", "o"},  {"\xC3\xB2", "o"},
        {"\xC3\xAE", "i"},  {"\xC3\xAF", "i"},     {"\xC3\xAC", "i"},  {"\xC3\xB9", "u"},
        {"\xC3\xBB", "u"},  {"\xE2\x80\x99", "'"},
    }};
    std::string out;
    std::size_t i = 0;
    while (i < text.size() && out.size() < kMaxRejectMessage) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (!out.empty() && out.back() != ' ') {
                out += ' ';
            }
            ++i;
            continue;
        }
        if (c > 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        bool done = false;
        for (const auto& [from, to] : kTranslit) {
            if (text.substr(i, from.size()) == from) {
                out += to;
                i += from.size();
                done = true;
                break;
            }
        }
        if (done) {
            continue;
        }
        out += '?';
        ++i;
        // Skip UTF-8 continuation bytes so one character gives one '?'.
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0U) == 0x80U) {
            ++i;
        }
    }
    if (out.size() > kMaxRejectMessage) {
        out.resize(kMaxRejectMessage);
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

}  // namespace sealpost::policy
