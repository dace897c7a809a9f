// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the policy loader (policy_parse on TOML text) and, for every policy it
// accepts, the decision on a fixed set of messages and recipients.
// Invariants: a refusal is Errc::invalid_argument with one printable line starting with the
// file name; an accepted policy holds only what the loader promises (at most kMaxRules rules
// with unique, printable names; lists within kMaxListEntries; lower-case patterns; sizes in
// order; reject texts printable ASCII within kMaxRejectMessage) and parses the same a second
// time; every decision is consistent (a seal selects existing, unique attachments and never a
// signed or encrypted message; a reject carries a text; the rule named is the rule that decided).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.hpp"
#include "policy/policy_match.hpp"

using namespace sealpost;
using namespace sealpost::policy;

namespace {

constexpr std::string_view kLabel = "fuzz.toml";

[[noreturn]] void fail(std::string_view what) {
    std::cerr << "fuzz_policy_load: " << what << "\n";
    std::abort();
}

/// No C0 control or DEL (UTF-8 from the file may be quoted in an error).
bool one_line(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

bool printable_ascii(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7f) {
            return false;
        }
    }
    return true;
}

bool lower_case(const std::vector<std::string>& patterns) {
    for (const auto& p : patterns) {
        if (p != ascii_lower(p)) {
            return false;
        }
    }
    return true;
}

void check_rules(const Policy& p) {
    if (p.rules.size() > kMaxRules || p.source != kLabel) {
        fail("too many rules, or the policy names another source");
    }
    std::set<std::string> names;
    for (const Rule& r : p.rules) {
        if (r.name.empty() || r.name.size() > 64 || !printable_ascii(r.name) ||
            r.name.find(' ') != std::string::npos || !names.insert(r.name).second) {
            fail("rule name empty, too long, not printable or used twice: " + r.name);
        }
        for (const auto* list : {&r.from, &r.to, &r.attachment.types, &r.attachment.names}) {
            if (list->size() > kMaxListEntries || !lower_case(*list)) {
                fail("pattern list too long or not lower-cased in rule " + r.name);
            }
            for (const auto& pat : *list) {
                if (pat.empty() || pat.size() > kMaxPattern) {
                    fail("empty or over-long pattern in rule " + r.name);
                }
            }
        }
        if (r.attachment.min_size && r.attachment.max_size &&
            *r.attachment.min_size > *r.attachment.max_size) {
            fail("attachment_min_size above attachment_max_size in rule " + r.name);
        }
        if (r.action == Action::reject) {
            if (r.message.empty() || r.message.size() > kMaxRejectMessage ||
                !printable_ascii(r.message)) {
                fail("reject message empty, too long or not printable ASCII in rule " + r.name);
            }
        } else if (!r.message.empty()) {
            fail("a message on a rule that does not reject: " + r.name);
        }
    }
}

/// The same policy, field by field (Policy has no operator==).
bool same(const Policy& a, const Policy& b) {
    if (a.signed_ != b.signed_ || a.encrypted != b.encrypted || a.no_match != b.no_match ||
        a.rules.size() != b.rules.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.rules.size(); ++i) {
        const Rule& x = a.rules[i];
        const Rule& y = b.rules[i];
        if (x.name != y.name || x.line != y.line || x.from != y.from || x.to != y.to ||
            x.recipient != y.recipient || x.subject_tags != y.subject_tags ||
            x.sensitivity != y.sensitivity || x.attachment.types != y.attachment.types ||
            x.attachment.names != y.attachment.names ||
            x.attachment.min_size != y.attachment.min_size ||
            x.attachment.max_size != y.attachment.max_size ||
            x.attachment.invoice != y.attachment.invoice || x.action != y.action ||
            x.attachments != y.attachments || x.keep_inline_images != y.keep_inline_images ||
            x.message != y.message) {
            return false;
        }
    }
    return true;
}

/// Messages the decisions are tried on: nothing attached, an invoice, an inline logo beside a
/// report, a signed and an encrypted one, and a long file name (glob matching stays bounded).
std::vector<MessageFacts> sample_messages() {
    std::vector<MessageFacts> out;
    MessageFacts none;
    none.sender = "mpa@praxis.example.ch";
    out.push_back(none);

    MessageFacts invoice = none;
    invoice.tags = static_cast<SubjectTags>(SubjectTag::secure);
    invoice.sensitivity = Sensitivity::private_;
    invoice.attachments.push_back(
        {"application/pdf", "rechnung-2026-1127.pdf", 48000, true, false, {}, {}});
    out.push_back(invoice);

    MessageFacts mixed = none;
    mixed.sender = "Dr.Muster@Praxis.Example.CH";
    mixed.tags = static_cast<SubjectTags>(SubjectTag::plain);
    mixed.attachments.push_back({"image/png", "logo.png", 2100, false, true, {}, {}});
    mixed.attachments.push_back(
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "Bericht \xc3\xbc"
         "ber Therapie.docx",
         std::uint64_t{5} << 20U,
         false,
         false,
         {},
         {}});
    mixed.attachments.push_back({"application/xml", "", 900, true, false, {}, {}});
    out.push_back(mixed);

    MessageFacts signed_msg = invoice;
    signed_msg.protection = Protection::signed_;
    out.push_back(signed_msg);
    MessageFacts encrypted = invoice;
    encrypted.protection = Protection::encrypted;
    out.push_back(encrypted);

    MessageFacts long_name = none;
    long_name.attachments.push_back(
        {"application/octet-stream", std::string(240, 'a') + ".pdf", 1, false, false, {}, {}});
    out.push_back(long_name);
    return out;
}

void check_decision(const Policy& p, const MessageFacts& m, const Decision& d) {
    switch (d.source) {
        case DecisionSource::no_match:
            if (d.action != p.no_match || !d.rule_name.empty()) {
                fail("no_match decision differs from the policy's no_match");
            }
            break;
        case DecisionSource::rule:
        case DecisionSource::signed_:
        case DecisionSource::encrypted:
        case DecisionSource::nothing_to_seal:
            if (d.rule_index >= p.rules.size() || d.rule_name != p.rules[d.rule_index].name) {
                fail("decision names a rule that does not exist or is another one");
            }
            break;
    }
    if (d.action == Action::seal) {
        if (m.protection != Protection::none) {
            fail("seal of a signed or encrypted message");
        }
        if (d.selection.empty()) {
            fail("seal that selects nothing");
        }
        std::set<std::size_t> seen;
        for (const std::size_t i : d.selection) {
            if (i >= m.attachments.size() || !seen.insert(i).second) {
                fail("seal selects a missing attachment or one twice");
            }
            if (d.keep_inline_images && m.attachments[i].inline_image) {
                fail("seal selects an inline image it was told to keep");
            }
            if (d.attachments == AttachmentSelector::invoices && !m.attachments[i].is_invoice) {
                fail("seal of invoices selects something that is not one");
            }
        }
    } else if (!d.selection.empty()) {
        fail("a pass or reject with a selection");
    }
    if (d.action == Action::reject && (d.message.empty() || d.message.size() > kMaxRejectMessage ||
                                       !printable_ascii(d.message))) {
        fail("reject without a printable text");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (size <= 512) {
        const std::string reply = sanitize_reply_text(text);
        if (reply.size() > kMaxRejectMessage || !printable_ascii(reply)) {
            fail("sanitize_reply_text gives more than printable ASCII within the limit");
        }
    }
    auto parsed = policy_parse(text, kLabel);
    if (!parsed) {
        const std::string& what = parsed.error().detail;
        if (parsed.error().code != Errc::invalid_argument) {
            fail("error other than invalid_argument: " + what);
        }
        if (!one_line(what) || what.rfind(kLabel, 0) != 0) {
            fail("error is not one printable line starting with the file name: " + what);
        }
        return 0;
    }
    const Policy& p = *parsed;
    check_rules(p);
    auto again = policy_parse(text, kLabel);
    if (!again || !same(p, *again)) {
        fail("the same text parsed twice gives a different policy");
    }
    static const std::vector<MessageFacts> messages = sample_messages();
    static const std::vector<RecipientFacts> recipients = {
        {"patient@example.org", false}, {"MPA@praxis.example.ch", true}, {"", false}};
    for (const auto& m : messages) {
        for (const auto& r : recipients) {
            check_decision(p, m, policy_decide(p, m, r));
        }
    }
    return 0;
}
