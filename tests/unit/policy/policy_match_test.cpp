// SPDX-License-Identifier: Apache-2.0
// Policy rule matching: globs, address patterns, every match key, first-match order, the
// signed/encrypted settings, no_match, and reply text sanitising.
#include <catch2/catch.hpp>

#include "policy/policy.hpp"
#include "policy/policy_facts.hpp"
#include "policy/policy_match.hpp"
#include "tests/unit/policy/policy_test_util.hpp"

using namespace sealpost::policy;
using namespace sealpost::policy::test;

namespace {

/// Name of the rule that decides, or "<no_match>".
std::string winner(const Policy& p, const MessageFacts& m, const RecipientFacts& r) {
    const Decision d = policy_decide(p, m, r);
    return d.source == DecisionSource::no_match ? std::string("<no_match>") : d.rule_name;
}

}  // namespace

TEST_CASE("glob_match: * and ? only, case-insensitive", "[policy][match]") {
    CHECK(glob_match("*.pdf", "Rechnung.PDF"));
    CHECK(glob_match("rechnung-????.pdf", "Rechnung-2026.pdf"));
    CHECK_FALSE(glob_match("rechnung-????.pdf", "Rechnung-26.pdf"));
    CHECK(glob_match("*", ""));
    CHECK_FALSE(glob_match("?", ""));
    CHECK(glob_match("a*b*c", "axxbyyc"));
    CHECK_FALSE(glob_match("a*b*c", "axxbyy"));
    CHECK(glob_match("image/*", "image/png"));
    CHECK_FALSE(glob_match("image/*", "application/pdf"));
    CHECK_FALSE(glob_match("abc", "abcd"));
    // Many stars against a long text must stay fast (no exponential backtracking).
    CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", std::string(10000, 'a')));
}

TEST_CASE("address patterns: exact, @domain, glob", "[policy][match]") {
    CHECK(address_match("dr.muster@praxis.ch", "Dr.Muster@Praxis.CH"));
    CHECK_FALSE(address_match("dr.muster@praxis.ch", "muster@praxis.ch"));
    CHECK(address_match("@praxis.ch", "anyone@PRAXIS.ch"));
    CHECK_FALSE(address_match("@praxis.ch", "anyone@sub.praxis.ch"));
    CHECK_FALSE(address_match("@praxis.ch", "praxis.ch"));
    CHECK(address_match("*@praxis-*.ch", "a@praxis-bern.ch"));
    CHECK_FALSE(address_match("*@praxis-*.ch", "a@praxis.ch"));
    CHECK(address_match("*", "x@y.ch"));

    CHECK_FALSE(address_pattern_problem("a@b.ch"));
    CHECK_FALSE(address_pattern_problem("@b.ch"));
    CHECK_FALSE(address_pattern_problem("*"));
    CHECK(address_pattern_problem("praxis.ch"));
    CHECK(address_pattern_problem("a@"));
    CHECK(address_pattern_problem("a@@b"));
    CHECK(address_pattern_problem(""));
    CHECK(address_pattern_problem("a b@c.ch"));
    CHECK(address_pattern_problem("[a]@b.ch"));
    CHECK(address_pattern_problem(std::string(300, 'a') + "@b.ch"));
    CHECK(content_type_pattern_problem("pdf"));
    CHECK_FALSE(content_type_pattern_problem("application/pdf"));
    CHECK_FALSE(content_type_pattern_problem("*"));
}

TEST_CASE("recipient facts use the practice's internal domains", "[policy][facts]") {
    sealpost::PracticeConfig practice;
    practice.internal_domains = {"praxis-muster.ch"};
    CHECK(recipient_facts(practice, "Kollegin@Praxis-Muster.CH").internal);
    CHECK_FALSE(recipient_facts(practice, "patient@example.ch").internal);
    CHECK_FALSE(recipient_facts(practice, "x@sub.praxis-muster.ch").internal);
    CHECK(recipient_facts(practice, "a@praxis-muster.ch").address == "a@praxis-muster.ch");
}

TEST_CASE("control tags are stripped from the subject", "[policy][facts]") {
    CHECK(strip_control_tags("[secure] Befund Meier") == "Befund Meier");
    CHECK(strip_control_tags("Befund  [SECURE]  Meier") == "Befund Meier");
    CHECK(strip_control_tags("Merkblatt [Plain]") == "Merkblatt");
    CHECK(strip_control_tags("[plain][secure]") == "");
    CHECK(strip_control_tags("Bericht (vertraulich)") == "Bericht (vertraulich)");
    CHECK(strip_control_tags("  Re: Termin  ") == "  Re: Termin  ");  // untouched without tags
    CHECK(strip_control_tags("[secur] x") == "[secur] x");
}

TEST_CASE("subject tags, Sensitivity and protection facts", "[policy][facts]") {
    const SubjectTags t = subject_tags("Befund [SECURE] (Vertraulich) [plain]");
    CHECK(has_tag(t, SubjectTag::secure));
    CHECK(has_tag(t, SubjectTag::vertraulich));
    CHECK(has_tag(t, SubjectTag::plain));
    CHECK_FALSE(has_tag(t, SubjectTag::confidential));
    CHECK(subject_tags("Rechnung secure plain") == 0);
    CHECK(subject_tags("(Confidentiel) facture") ==
          static_cast<SubjectTags>(SubjectTag::confidentiel));
    CHECK(subject_tags("(confidential)") == static_cast<SubjectTags>(SubjectTag::confidential));

    CHECK(parse_sensitivity(" Private ") == Sensitivity::private_);
    CHECK(parse_sensitivity("company-confidential (RFC 2156)") ==
          Sensitivity::company_confidential);
    CHECK(parse_sensitivity("Personal") == Sensitivity::personal);
    CHECK_FALSE(parse_sensitivity("secret"));

    CHECK(detect_protection("multipart/signed; protocol=\"application/pkcs7-signature\"", "", "") ==
          Protection::signed_);
    CHECK(detect_protection("Multipart/Encrypted", "", "") == Protection::encrypted);
    CHECK(detect_protection("application/pkcs7-mime", "enveloped-data", "") ==
          Protection::encrypted);
    CHECK(detect_protection("application/pkcs7-mime", "signed-data", "") == Protection::signed_);
    CHECK(detect_protection("application/pkcs7-mime", "", "") == Protection::encrypted);
    CHECK(detect_protection("text/plain", "", "Hallo\r\n-----BEGIN PGP MESSAGE-----\r\n") ==
          Protection::encrypted);
    CHECK(detect_protection("text/plain", "", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: x") ==
          Protection::signed_);
    CHECK(detect_protection("text/plain", "", "quoted: x -----BEGIN PGP MESSAGE-----") ==
          Protection::none);
    CHECK(detect_protection("multipart/mixed", "", "") == Protection::none);
}

TEST_CASE("every match key", "[policy][match]") {
    const Policy p = parse_ok(R"(
no_match = "pass"
[[rule]]
name = "from"
from = ["billing@praxis.ch", "@therapie.ch"]
action = "reject"
[[rule]]
name = "to"
to = "*@insurer-*.ch"
action = "reject"
[[rule]]
name = "internal"
recipient = "internal"
action = "reject"
[[rule]]
name = "tag"
subject_tag = ["[secure]", "vertraulich"]
action = "reject"
[[rule]]
name = "sens"
sensitivity = "private"
action = "reject"
[[rule]]
name = "type"
attachment_type = "image/*"
action = "reject"
[[rule]]
name = "name"
attachment_name = ["*.DOCX", "bericht-*"]
action = "reject"
[[rule]]
name = "big"
attachment_min_size = "5MiB"
action = "reject"
[[rule]]
name = "small"
attachment_max_size = 100
action = "reject"
[[rule]]
name = "invoice"
invoice = true
action = "reject"
)");
    const auto m = msg_from("someone@else.ch");
    CHECK(winner(p, m, external()) == "<no_match>");
    CHECK(policy_decide(p, m, external()).action == Action::pass);

    CHECK(winner(p, msg_from("Billing@Praxis.ch"), external()) == "from");
    CHECK(winner(p, msg_from("x@therapie.ch"), external()) == "from");
    CHECK(winner(p, msg_from("x@sub.therapie.ch"), external()) == "<no_match>");
    CHECK(winner(p, m, external("claims@insurer-abc.ch")) == "to");
    CHECK(winner(p, m, internal()) == "internal");

    auto tagged = m;
    tagged.tags = subject_tags("Bericht (VERTRAULICH)");
    CHECK(winner(p, tagged, external()) == "tag");
    tagged.tags = subject_tags("[plain]");
    CHECK(winner(p, tagged, external()) == "<no_match>");

    auto sens = m;
    sens.sensitivity = Sensitivity::private_;
    CHECK(winner(p, sens, external()) == "sens");
    sens.sensitivity = Sensitivity::personal;
    CHECK(winner(p, sens, external()) == "<no_match>");

    auto att = m;
    att.attachments = {{"image/png", "logo.png", 2000, false, false, {}, {}}};
    CHECK(winner(p, att, external()) == "type");
    att.attachments = {
        {"application/vnd.openxmlformats", "Brief.docx", 2000, false, false, {}, {}}};
    CHECK(winner(p, att, external()) == "name");
    att.attachments = {pdf("Bericht-Meier.pdf")};
    CHECK(winner(p, att, external()) == "name");
    att.attachments = {pdf("scan.pdf", 5ULL << 20)};
    CHECK(winner(p, att, external()) == "big");
    att.attachments = {pdf("scan.pdf", (5ULL << 20) - 1)};
    CHECK(winner(p, att, external()) == "<no_match>");
    att.attachments = {pdf("scan.pdf", 100)};
    CHECK(winner(p, att, external()) == "small");
    att.attachments = {pdf("scan.pdf", 101)};
    CHECK(winner(p, att, external()) == "<no_match>");
    att.attachments = {pdf("scan.pdf", 5000, true)};
    CHECK(winner(p, att, external()) == "invoice");
}

TEST_CASE("all keys of a rule must match, and on the same attachment", "[policy][match]") {
    const Policy p = parse_ok(R"(
[[rule]]
name = "big-pdf-from-billing"
from = "@praxis.ch"
recipient = "external"
attachment_type = "application/pdf"
attachment_min_size = "1MiB"
action = "seal"
)");
    auto m = msg_from("billing@praxis.ch");
    m.attachments = {pdf("a.pdf", 10), {"image/jpeg", "x.jpg", 2ULL << 20, false, false, {}, {}}};
    // A small PDF and a big JPEG: no single attachment satisfies both keys.
    CHECK(winner(p, m, external()) == "<no_match>");
    m.attachments.push_back(pdf("b.pdf", 2ULL << 20));
    CHECK(winner(p, m, external()) == "big-pdf-from-billing");
    CHECK(winner(p, m, internal()) == "<no_match>");
    CHECK(winner(p, msg_from("billing@other.ch"), external()) == "<no_match>");
    const Decision d = policy_decide(p, msg_from("x@y.ch"), external());
    CHECK(d.action == Action::reject);  // built-in no_match default
    CHECK(d.message == "No sealing rule applies to this message");
}

TEST_CASE("the first matching rule decides", "[policy][match]") {
    const Policy p = parse_ok(R"(
[[rule]]
name = "first"
recipient = "external"
attachment_type = "application/pdf"
action = "seal"
attachments = "invoices"
keep_inline_images = false
[[rule]]
name = "second"
recipient = "external"
action = "reject"
message = "second"
)");
    auto m = msg_from("a@praxis.ch");
    m.attachments = {pdf("brief.pdf"), pdf("x.pdf", 1000, true)};
    const Decision d = policy_decide(p, m, external());
    CHECK(d.action == Action::seal);
    CHECK(d.selection == std::vector<std::size_t>{1});
    CHECK(d.source == DecisionSource::rule);
    CHECK(d.rule_index == 0);
    CHECK(d.rule_name == "first");
    CHECK(d.attachments == AttachmentSelector::invoices);
    CHECK_FALSE(d.keep_inline_images);
    CHECK(d.message.empty());

    const Decision d2 = policy_decide(p, msg_from("a@praxis.ch"), external());
    CHECK(d2.action == Action::reject);
    CHECK(d2.rule_index == 1);
    CHECK(d2.message == "second");
}

TEST_CASE("signed and encrypted messages are passed or rejected, never sealed", "[policy][match]") {
    const std::string rules = R"(
[[rule]]
name = "internal"
recipient = "internal"
action = "pass"
[[rule]]
name = "seal"
action = "seal"
)";
    auto m = msg_from("a@praxis.ch");
    m.attachments = {pdf("x.pdf")};
    m.protection = Protection::signed_;

    const Policy strict = parse_ok(rules);  // defaults: reject both
    Decision d = policy_decide(strict, m, external());
    CHECK(d.action == Action::reject);
    CHECK(d.source == DecisionSource::signed_);
    CHECK(d.rule_name == "seal");
    CHECK(d.message.find("Signed messages") == 0);
    CHECK(policy_decide(strict, m, internal()).action == Action::pass);
    m.protection = Protection::encrypted;
    d = policy_decide(strict, m, external());
    CHECK(d.action == Action::reject);
    CHECK(d.source == DecisionSource::encrypted);

    const Policy lenient = parse_ok("signed = \"pass\"\nencrypted = \"pass\"\n" + rules);
    d = policy_decide(lenient, m, external());
    CHECK(d.action == Action::pass);
    CHECK(d.source == DecisionSource::encrypted);
    m.protection = Protection::signed_;
    CHECK(policy_decide(lenient, m, external()).action == Action::pass);
    const Policy mixed = parse_ok("signed = \"pass\"\n" + rules);
    CHECK(policy_decide(mixed, m, external()).action == Action::pass);
    m.protection = Protection::encrypted;
    CHECK(policy_decide(mixed, m, external()).action == Action::reject);
}

TEST_CASE("reply texts are printable ASCII and bounded", "[policy][match]") {
    CHECK(sanitize_reply_text("Bitte ohne Anh\xC3\xA4nge senden") == "Bitte ohne Anhaenge senden");
    CHECK(sanitize_reply_text("a\r\n250 OK\tb") == "a 250 OK b");
    CHECK(sanitize_reply_text("x\x01y\xF0\x9F\x98\x80z") == "x?y?z");
    CHECK(sanitize_reply_text(std::string(500, 'a')).size() == kMaxRejectMessage);
    const Policy p = parse_ok(
        "[[rule]]\naction = \"reject\"\nmessage = \"Pas d'envoi \\u00e0 l'ext\\u00e9rieur\\r\\n"
        "550 x\"\n");
    CHECK(p.rules[0].message == "Pas d'envoi a l'exterieur 550 x");
    CHECK(p.rules[0].name == "rule[1]");
}

TEST_CASE("seal selects attachments; a seal of nothing passes", "[policy][match]") {
    const Policy p = parse_ok(R"(
[[rule]]
name = "invoices"
from = "billing@praxis.ch"
action = "seal"
attachments = "invoices"
[[rule]]
name = "drop-logos"
from = "privat@praxis.ch"
action = "seal"
keep_inline_images = false
[[rule]]
name = "all"
action = "seal"
)");
    const AttachmentFacts logo{"image/png", "logo.png", 3000, false, true, {}, {}};
    auto m = msg_from("billing@praxis.ch");
    m.attachments = {pdf("Merkblatt.pdf"), logo};
    Decision d = policy_decide(p, m, external());
    CHECK(d.action == Action::pass);
    CHECK(d.source == DecisionSource::nothing_to_seal);
    CHECK(d.rule_name == "invoices");
    CHECK(d.selection.empty());
    // Nothing is altered, so a signature survives: pass, not the `signed` setting.
    m.protection = Protection::signed_;
    CHECK(policy_decide(p, m, external()).source == DecisionSource::nothing_to_seal);
    m.attachments.push_back(pdf("Rechnung.pdf", 1000, true));
    d = policy_decide(p, m, external());
    CHECK(d.action == Action::reject);
    CHECK(d.source == DecisionSource::signed_);
    CHECK(d.selection.empty());
    m.protection = Protection::none;
    d = policy_decide(p, m, external());
    CHECK(d.action == Action::seal);
    CHECK(d.selection == std::vector<std::size_t>{2});

    m.sender = "someone@praxis.ch";
    d = policy_decide(p, m, external());
    CHECK(d.rule_name == "all");
    CHECK(d.selection == std::vector<std::size_t>{0, 2});  // the logo stays
    m.attachments = {logo};
    CHECK(policy_decide(p, m, external()).action == Action::pass);

    m.sender = "privat@praxis.ch";
    d = policy_decide(p, m, external());
    CHECK(d.action == Action::seal);
    CHECK_FALSE(d.keep_inline_images);
    CHECK(d.selection == std::vector<std::size_t>{0});
}

TEST_CASE("hostile input: parsers stay in bounds", "[policy][robust]") {
    std::uint32_t seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1664525U + 1013904223U;
        return static_cast<char>(seed >> 24U);
    };
    const std::string alphabet = "[]()<>\\*?@:sSmM019+- \t\r\n\"=#.";
    for (int round = 0; round < 300; ++round) {
        std::string s;
        const auto len = static_cast<std::size_t>(static_cast<unsigned char>(next()));
        for (std::size_t i = 0; i < len; ++i) {
            const auto c = static_cast<unsigned char>(next());
            s += (c & 1U) != 0 ? alphabet[c % alphabet.size()] : static_cast<char>(c);
        }
        (void)subject_tags(s);
        (void)strip_control_tags(s);
        (void)parse_sensitivity(s);
        (void)detect_protection(s, s, s);
        (void)glob_match(s, s);
        const std::string reply = sanitize_reply_text(s);
        CHECK(reply.size() <= kMaxRejectMessage);
        CHECK(reply.find_first_of("\r\n") == std::string::npos);
        auto p = policy_parse(s, "fuzz.toml");
        if (!p) {
            CHECK(p.error().detail.rfind("fuzz.toml", 0) == 0);
            CHECK(p.error().detail.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("the strictest reading wins: seal on any reading, pass only on every one",
          "[policy][match]") {
    const Policy p = parse_ok(R"(
[[rule]]
name = "logos-pass"
attachment_type = "image/*"
action = "pass"

[[rule]]
name = "pdf-seal"
attachment_type = "application/pdf"
action = "seal"

[[rule]]
name = "named-pdf-seal"
attachment_name = "*.pdf"
action = "seal"
)");
    // A PDF declared image/png: sniffed application/pdf is the primary reading.
    AttachmentFacts dressed{"application/pdf", "", 2000, false, false, {"image/png"}, {}};
    MessageFacts m;
    m.attachments = {dressed};
    CHECK(winner(p, m, external()) == "pdf-seal");
    // Declared application/pdf, bytes unknown: the declared reading alone seals it.
    m.attachments = {{"application/octet-stream", "", 2000, false, false, {"application/pdf"}, {}}};
    CHECK(winner(p, m, external()) == "pdf-seal");
    // A real logo passes; a logo that also carries a .pdf name is sealed by the name rule.
    m.attachments = {{"image/png", "logo.png", 2000, false, false, {}, {}}};
    CHECK(winner(p, m, external()) == "logos-pass");
    m.attachments = {{"image/png", "logo.png", 2000, false, false, {}, {"Befund.pdf"}}};
    CHECK(winner(p, m, external()) == "logos-pass");
    const Policy names_first = parse_ok(R"(
[[rule]]
name = "named-pdf-seal"
attachment_name = "*.pdf"
action = "seal"

[[rule]]
name = "png-pass"
attachment_name = "*.png"
action = "pass"
)");
    CHECK(winner(names_first, m, external()) == "named-pdf-seal");
    m.attachments = {{"image/png", "logo.png", 2000, false, false, {}, {"other.png"}}};
    CHECK(winner(names_first, m, external()) == "png-pass");
}

TEST_CASE("inline_image_max: the policy key loads with a default and a bound", "[policy][load]") {
    CHECK(parse_ok("").inline_image_max == 64U * 1024U);
    CHECK(parse_ok("inline_image_max = \"16KiB\"\n").inline_image_max == 16U * 1024U);
    CHECK_FALSE(policy_parse("inline_image_max = \"2MiB\"\n", "t.toml"));
    CHECK_FALSE(policy_parse("inline_image_max = \"big\"\n", "t.toml"));
}
