// SPDX-License-Identifier: Apache-2.0
// Phone resolution: the [sms:...] subject tag in every format, refusals, removal from the
// subject, the one-external-recipient rule, the order tag > header > contacts, learning.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "../vault/vault_test_fixture.hpp"
#include "policy/policy_phone.hpp"

using namespace sealpost;
using namespace sealpost::seal;

namespace {

std::string tag_number(std::string_view subject) {
    auto t = parse_sms_tag(subject);
    REQUIRE(t.ok());
    REQUIRE(t->raw);
    return *t->raw;
}

std::string tag_error(std::string_view subject) {
    auto t = parse_sms_tag(subject);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == Errc::invalid_argument);
    return t.error().detail;
}

Result<ResolvedPhone> resolve_tag(std::string_view subject, std::size_t externals = 1) {
    auto t = parse_sms_tag(subject);
    REQUIRE(t.ok());
    PhoneInputs in;
    in.recipient = "patient@example.ch";
    in.tag_number = t->raw;
    in.external_recipients = externals;
    return resolve_phone(in, nullptr);
}

struct FakeContacts {
    std::map<std::string, std::string, std::less<>> numbers;
    int lookups = 0;
    ContactLookup lookup() {
        return [this](std::string_view email) -> Result<StoredContact> {
            ++lookups;
            const auto it = numbers.find(email);
            if (it == numbers.end()) {
                return make_error(Errc::not_found);
            }
            return StoredContact{it->second, ""};
        };
    }
};

}  // namespace

TEST_CASE("[sms:] tag: every phone format gives the same E.164 mobile", "[phone]") {
    for (const char* subject :
         {"Rechnung [sms:+41 79 123 45 67]", "Rechnung [sms:0041791234567]",
          "Rechnung [sms:079 123 45 67]", "Rechnung [sms:079-123-45-67]",
          "Rechnung [sms:079.123.45.67]", "Rechnung [sms:   +41   79 123 45 67   ]",
          "Rechnung [SMS: 079 123 45 67]", "Rechnung [ Sms : +41 (0)79 123 45 67]",
          "Rechnung [sms:+41791234567]"}) {
        INFO(subject);
        auto r = resolve_tag(subject);
        REQUIRE(r.ok());
        CHECK(r->e164 == "+41791234567");
        CHECK(r->source == PhoneSource::subject_tag);
    }
    CHECK(tag_number("x [sms:  079 123 45 67 ]") == "079 123 45 67");
}

TEST_CASE("[sms:] tag: bad numbers are refused", "[phone]") {
    // Landline (Bern), garbage, empty, two tags, unterminated.
    auto landline = resolve_tag("Rechnung [sms:031 123 45 67]");
    REQUIRE_FALSE(landline.ok());
    CHECK(landline.error().detail == kErrLandline);  // without [voice]: says what to do
    auto short_number = resolve_tag("Rechnung [sms:079 123]");
    REQUIRE_FALSE(short_number.ok());
    CHECK(short_number.error().detail == kErrTagNotMobile);
    CHECK(tag_error("Rechnung [sms:call me]") == kErrTagBad);
    CHECK(tag_error("Rechnung [sms:]") == kErrTagBad);
    CHECK(tag_error("Rechnung [sms:   ]") == kErrTagBad);
    CHECK(tag_error("Rechnung [sms:+-.]") == kErrTagBad);
    CHECK(tag_error("Rechnung [sms:079 123 45 67") == kErrTagBad);
    CHECK(tag_error("[sms:079 123 45 67] Rechnung [sms:078 123 45 67]") == kErrTagTwice);
    CHECK(tag_error("[sms:" + std::string(80, '1') + "]") == kErrTagBad);
}

TEST_CASE("[sms:] tag is removed from the subject, whitespace tidied", "[phone]") {
    const auto cleaned = [](std::string_view s) {
        auto t = parse_sms_tag(s);
        REQUIRE(t.ok());
        return t->subject;
    };
    CHECK(cleaned("Rechnung Oktober [sms:079 123 45 67]") == "Rechnung Oktober");
    CHECK(cleaned("[sms:079 123 45 67] Rechnung Oktober") == "Rechnung Oktober");
    CHECK(cleaned("Rechnung  [sms:079 123 45 67]  Oktober") == "Rechnung Oktober");
    CHECK(cleaned("Rechnung[sms:079 123 45 67]Oktober") == "Rechnung Oktober");
    CHECK(cleaned("  [sms:079 123 45 67]  ").empty());
    CHECK(cleaned("Re: Rechnung [secure]") == "Re: Rechnung [secure]");
    CHECK(cleaned("[smsx:1] [sm:2]") == "[smsx:1] [sm:2]");  // not tags
    auto none = parse_sms_tag("Rechnung");
    REQUIRE(none.ok());
    CHECK_FALSE(none->raw);
}

TEST_CASE("[sms:] tag needs exactly one external recipient", "[phone]") {
    for (const std::size_t n : {std::size_t{0}, std::size_t{2}, std::size_t{5}}) {
        auto r = resolve_tag("Rechnung [sms:079 123 45 67]", n);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == kErrTagRecipients);
    }
    CHECK(resolve_tag("Rechnung [sms:079 123 45 67]", 1).ok());
}

TEST_CASE("without a stored contact: tag, then header, then no number", "[phone]") {
    FakeContacts contacts;
    PhoneInputs in;
    in.recipient = "patient@example.ch";
    in.external_recipients = 2;

    in.header_number = " 076 555 44 33 ";
    auto r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41765554433");
    CHECK(r->source == PhoneSource::header);

    in.header_number.reset();
    in.tag_number = "079 123 45 67";
    in.external_recipients = 1;
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41791234567");
    CHECK(r->source == PhoneSource::subject_tag);

    // A tag and a header that agree are one number; that differ, a refusal.
    in.header_number = "+41 79 123 45 67";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->source == PhoneSource::subject_tag);
    in.header_number = "076 555 44 33";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(phone_error_code(r.error()) == kErrTagHeaderMismatch);
    CHECK(phone_reply_text(r.error(), in.recipient) ==
          "The mobile numbers in the subject (ending 67) and in X-Sealpost-Phone (ending 33) "
          "differ: give one number");

    // A bad header number is an error, not a fall-through to the next source.
    in.tag_number.reset();
    in.header_number = "0800 123 456";  // toll-free: neither mobile nor landline
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrHeaderNotMobile);

    in.header_number.reset();
    in.recipient = "unknown@example.ch";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrNoNumber);
    CHECK(phone_reply_text(r.error(), in.recipient) ==
          "No mobile number for u***@example.ch: add [sms:+41...] to the subject");

    // A failing store is not the sender's fault: passed on, no 5xx text; also when the mail
    // names a number (the stored one would win, so it must be read).
    const ContactLookup broken = [](std::string_view) -> Result<StoredContact> {
        return make_error(Errc::key_error, "no contacts key");
    };
    in.tag_number = "079 123 45 67";
    r = resolve_phone(in, broken);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::key_error);
    CHECK_FALSE(phone_reply_text(r.error(), in.recipient));
}

TEST_CASE("a stored contact wins over the subject tag and the header", "[phone][tag-rules]") {
    FakeContacts contacts;
    contacts.numbers["patient@example.ch"] = "+41781112267";
    PhoneInputs in;
    in.recipient = "patient@example.ch";
    in.external_recipients = 1;

    auto r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41781112267");
    CHECK(r->source == PhoneSource::contacts);

    // The same number written differently is the stored one (compared as E.164).
    for (const char* same : {"078 111 22 67", "+41 78 111 22 67", "0041781112267"}) {
        INFO(same);
        in.tag_number = same;
        in.header_number = same;
        r = resolve_phone(in, contacts.lookup());
        REQUIRE(r.ok());
        CHECK(r->source == PhoneSource::contacts);
        CHECK(r->e164 == "+41781112267");
    }

    // A different tag: refused, both numbers masked to their last two digits.
    in.header_number.reset();
    in.tag_number = "079 123 45 89";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(phone_error_code(r.error()) == kErrTagMismatch);
    CHECK(r.error().detail == "sms_tag_differs_from_contact:89:67");
    CHECK(phone_reply_text(r.error(), in.recipient) ==
          "The mobile number in the subject (ending 89) differs from the one stored for "
          "p***@example.ch (ending 67): remove the tag or update the contact");

    // A different header: refused the same way.
    in.tag_number.reset();
    in.header_number = "076 555 44 33";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(phone_error_code(r.error()) == kErrHeaderMismatch);
    CHECK(phone_reply_text(r.error(), in.recipient) ==
          "The mobile number in X-Sealpost-Phone (ending 33) differs from the one stored for "
          "p***@example.ch (ending 67): remove the header or update the contact");

    // A tag that matches and a header that does not: still refused.
    in.tag_number = "078 111 22 67";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(phone_error_code(r.error()) == kErrHeaderMismatch);

    // A stored landline without [voice]: the contact must be fixed, a tag does not replace it.
    contacts.numbers["landline@example.ch"] = "+41311234567";
    in.recipient = "landline@example.ch";
    in.tag_number.reset();
    in.header_number.reset();
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrLandline);
    // A stored number that is neither mobile nor landline (a toll-free one).
    contacts.numbers["tollfree@example.ch"] = "+41800123456";
    in.recipient = "tollfree@example.ch";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrContactNotMobile);
    in.recipient = "landline@example.ch";
    in.tag_number = "079 123 45 89";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(phone_error_code(r.error()) == kErrTagMismatch);
}

TEST_CASE("allow_override lets a fresh tag or header replace the stored number for one mail",
          "[phone][tag-rules]") {
    FakeContacts contacts;
    contacts.numbers["patient@example.ch"] = "+41781112267";
    PhoneInputs in;
    in.recipient = "patient@example.ch";
    in.external_recipients = 1;
    in.allow_override = true;

    in.tag_number = "079 123 45 89";
    auto r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41791234589");
    CHECK(r->source == PhoneSource::subject_tag);

    in.tag_number.reset();
    in.header_number = "076 555 44 33";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41765554433");
    CHECK(r->source == PhoneSource::header);

    // Equal to the stored number: the contact (and its language) as before.
    in.header_number = "078 111 22 67";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->source == PhoneSource::contacts);

    // Never for a tag in a reply.
    in.header_number.reset();
    in.tag_number = "079 123 45 89";
    in.reply = true;
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrTagInReply);
}

TEST_CASE("a tag in a reply or forward is never a source of its own", "[phone][tag-rules]") {
    FakeContacts contacts;
    contacts.numbers["known@example.ch"] = "+41781112267";
    PhoneInputs in;
    in.external_recipients = 1;
    in.reply = true;
    in.tag_number = "079 123 45 89";

    // No stored contact: refused, with what to do instead.
    in.recipient = "patient@example.ch";
    auto r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrTagInReply);
    CHECK(phone_reply_text(r.error(), in.recipient) ==
          "An [sms:...] tag in a reply or forward is not accepted for p***@example.ch (it may "
          "come from the other side): store the number with 'sealpost contacts set', or write "
          "a new message instead of a reply");

    // A stored contact that differs: the reply refusal, whatever the override says.
    in.recipient = "known@example.ch";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrTagInReply);

    // The stored number repeated in the reply's subject: harmless, the contact is used.
    in.tag_number = "078 111 22 67";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->source == PhoneSource::contacts);

    // A header in a reply is the sending software's, not the other side's: used.
    in.tag_number.reset();
    in.recipient = "patient@example.ch";
    in.header_number = "076 555 44 33";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->source == PhoneSource::header);
}

TEST_CASE("reply and forward subjects are recognised", "[phone][tag-rules]") {
    for (const char* s :
         {"Re: Rechnung",     "RE: Rechnung",    "re:Rechnung",      "AW: Termin",
          "Aw: Termin",       "Fwd: Befund",     "FW: Befund",       "WG: Befund",
          "TR: Facture",      "RE : Facture",    "TR : Facture",     "RIF: Fattura",
          "R: Fattura",       "I: Fattura",      "SV: Faktura",      "VS: Lasku",
          "Antw: Factuur",    "Doorst: Factuur", "RV: Factura",      "Enc: Fatura",
          "Re[2]: Rechnung",  "AW(3): Rechnung", "[ext] AW: Termin", "[EXTERN] [ext] Re: x",
          "  Re: x",          "Re: AW: WG: x",   "Odp: x",           "YNT: x",
          "Re\xEF\xBC\x9A x", "Res: x"}) {
        INFO(s);
        CHECK(is_reply_subject(s));
    }
    for (const char* s :
         {"Rechnung Re: Termin", "Rechnung", "", "Reminder: Termin", "Return: x", "[ext] Rechnung",
          "[unterminated Re: x", "Termin: Re", "Fwdx: y", "Re", "Re[x]: y"}) {
        INFO(s);
        CHECK_FALSE(is_reply_subject(s));
    }
}

TEST_CASE("a tag in quotation marks is marked as quoted", "[phone][tag-rules]") {
    const auto quoted = [](std::string_view s) {
        auto t = parse_sms_tag(s);
        REQUIRE(t.ok());
        REQUIRE(t->raw);
        return t->quoted;
    };
    CHECK(quoted("Bitte \"nochmals senden [sms:079 123 45 89]\""));
    CHECK(quoted("Anfrage \xE2\x80\x9E[sms:079 123 45 89]\xE2\x80\x9C"));
    CHECK(quoted("Demande \xC2\xAB [sms:079 123 45 89] \xC2\xBB"));
    CHECK_FALSE(quoted("Rechnung [sms:079 123 45 89]"));
    CHECK_FALSE(quoted("\"Rechnung\" [sms:079 123 45 89]"));
    CHECK_FALSE(quoted("Rechnung d'Aubert [sms:079 123 45 89] l'an"));
}

TEST_CASE("remove_sms_tags takes every tag out, malformed ones too", "[phone]") {
    CHECK(remove_sms_tags("Rechnung [sms:079 123 45 67]") == "Rechnung");
    CHECK(remove_sms_tags("[sms:1] Rechnung [SMS : 2] Oktober") == "Rechnung Oktober");
    CHECK(remove_sms_tags("Rechnung [sms:079 123 45 67") == "Rechnung");
    CHECK(remove_sms_tags("Rechnung [sms:call me]") == "Rechnung");
    CHECK(remove_sms_tags("[[sms:1]sms:2]x") == "x");
    CHECK(remove_sms_tags("Rechnung [secure]") == "Rechnung [secure]");
    CHECK(remove_sms_tags("  Re: x [sms:1]") == "  Re: x");
    CHECK(remove_sms_tags("") == "");
    std::string many;
    for (int i = 0; i < 2000; ++i) {
        many += "a [sms:079 123 45 67] ";
    }
    const std::string left = remove_sms_tags(many);
    CHECK(left.find("sms") == std::string::npos);
    CHECK(left.find("67") == std::string::npos);
}

TEST_CASE("reply texts mask the address and are printable ASCII", "[phone]") {
    for (const std::string& code :
         {std::string(kErrTagTwice), std::string(kErrTagBad), std::string(kErrTagRecipients),
          std::string(kErrTagNotMobile), std::string(kErrHeaderNotMobile),
          std::string(kErrContactNotMobile), std::string(kErrNoNumber), std::string(kErrTagInReply),
          std::string(kErrLandline), std::string(kErrTagStuck),
          std::string(kErrTagMismatch) + ":89:67", std::string(kErrHeaderMismatch) + ":89:67",
          std::string(kErrTagHeaderMismatch) + ":89:67"}) {
        INFO(code);
        const auto t =
            phone_reply_text(make_error(Errc::invalid_argument, code), "hans.muster@example.ch");
        REQUIRE(t);
        CHECK(t->find("hans.muster") == std::string::npos);
        for (const char c : *t) {
            CHECK((c >= 0x20 && c < 0x7F));
        }
    }
    CHECK_FALSE(phone_reply_text(make_error(Errc::invalid_argument, "other"), "a@b.ch"));
}

TEST_CASE("reply texts are in the staff's language, ASCII and short", "[phone][lang]") {
    const Error none = make_error(Errc::invalid_argument, std::string(kErrNoNumber));
    const std::string who = "hans.muster@example.ch";
    CHECK(phone_reply_text(none, who, Language::fr) ==
          "Aucun numero de mobile pour h***@example.ch: ajoutez [sms:+41...] a l'objet");
    CHECK(phone_reply_text(none, who, Language::de) ==
          "Mobilnummer fehlt fuer h***@example.ch: [sms:+41...] im Betreff angeben");
    CHECK(phone_reply_text(none, who, Language::it) ==
          "Manca il numero di cellulare per h***@example.ch: aggiungere [sms:+41...] "
          "all'oggetto");
    CHECK(phone_reply_text(none, who, Language::en) ==
          "No mobile number for h***@example.ch: add [sms:+41...] to the subject");
    const Error differs =
        make_error(Errc::invalid_argument, std::string(kErrTagMismatch) + ":89:67");
    CHECK(phone_reply_text(differs, who, Language::fr) ==
          "Le numero de mobile de l'objet (finit par 89) differe de celui enregistre pour "
          "h***@example.ch (finit par 67): retirez la balise ou modifiez le contact");
    for (const Language lang : {Language::de, Language::fr, Language::it, Language::en}) {
        for (const std::string& code :
             {std::string(kErrTagTwice), std::string(kErrTagBad), std::string(kErrTagRecipients),
              std::string(kErrTagNotMobile), std::string(kErrHeaderNotMobile),
              std::string(kErrContactNotMobile), std::string(kErrNoNumber),
              std::string(kErrTagInReply), std::string(kErrTagStuck),
              std::string(kErrTagMismatch) + ":89:67", std::string(kErrHeaderMismatch) + ":89:67",
              std::string(kErrTagHeaderMismatch) + ":89:67"}) {
            INFO(code << " " << to_string(lang));
            const auto t = phone_reply_text(make_error(Errc::invalid_argument, code),
                                            "patient@example.org", lang);
            REQUIRE(t);
            // policy::kMaxRejectMessage: longer texts would be cut by sanitize_reply_text.
            CHECK(t->size() <= 200);
            for (const char c : *t) {
                CHECK((c >= 0x20 && c < 0x7F));
            }
            if (lang != Language::en) {
                CHECK(*t != phone_reply_text(make_error(Errc::invalid_argument, code),
                                             "patient@example.org", Language::en));
            }
        }
    }
}

TEST_CASE("landlines: refused with what to do, accepted from every source with [voice]",
          "[phone][voice]") {
    // Without [voice]: tag, header and stored contact alike give kErrLandline.
    PhoneInputs in;
    in.recipient = "oma@example.ch";
    in.external_recipients = 1;
    in.tag_number = "044 123 45 67";
    auto r = resolve_phone(in, nullptr);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrLandline);
    in.tag_number.reset();
    in.header_number = "+41 44 123 45 67";
    r = resolve_phone(in, nullptr);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrLandline);
    const auto text = phone_reply_text(r.error(), "oma@example.ch");
    REQUIRE(text);
    CHECK(*text ==
          "The number for o***@example.ch is a landline: sealpost cannot send an SMS code to "
          "it; add the patient's mobile number, or ask your administrator to configure [voice] "
          "(calls with the code)");

    // With [voice]: the same number from each source is the patient's number.
    in.accept_landline = true;
    r = resolve_phone(in, nullptr);
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41441234567");
    CHECK(r->source == PhoneSource::header);
    in.header_number.reset();
    in.tag_number = "044 123 45 67";
    r = resolve_phone(in, nullptr);
    REQUIRE(r.ok());
    CHECK(r->source == PhoneSource::subject_tag);
    FakeContacts contacts;
    contacts.numbers["oma@example.ch"] = "+41441234567";
    in.tag_number.reset();
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41441234567");
    CHECK(r->source == PhoneSource::contacts);
    // Numbers that are neither stay refused as before.
    in.tag_number = "0800 123 456";
    r = resolve_phone(in, nullptr);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrTagNotMobile);
}

TEST_CASE("learn_contact stores tag numbers only when enabled", "[phone]") {
    std::map<std::string, std::string, std::less<>> saved;
    const ContactSave save = [&](std::string_view email, std::string_view e164) -> Status {
        saved[std::string(email)] = std::string(e164);
        return {};
    };
    const ResolvedPhone from_tag{"+41791234567", PhoneSource::subject_tag, {}};
    const ResolvedPhone from_header{"+41791234567", PhoneSource::header, {}};
    const ResolvedPhone from_contacts{"+41791234567", PhoneSource::contacts, {}};
    CHECK(learn_contact(false, "p@example.ch", from_tag, save).ok());
    CHECK(saved.empty());
    CHECK(learn_contact(true, "p@example.ch", from_header, save).ok());
    CHECK(learn_contact(true, "p@example.ch", from_contacts, save).ok());
    CHECK(saved.empty());
    CHECK(learn_contact(true, "p@example.ch", from_tag, save).ok());
    CHECK(saved.at("p@example.ch") == "+41791234567");
}

TEST_CASE("vault adapters read contacts; learning never overwrites a stored number",
          "[phone][vault][tag-rules]") {
    vault::test::Fixture fx;
    vault::Vault v = fx.open();
    REQUIRE(v.contact_set("marie@exemple.ch", "+41794445566", "fr"));
    const ContactLookup lookup = vault_contact_lookup(v);
    const ContactSave save = vault_contact_save(v);

    PhoneInputs in;
    in.recipient = "Marie@Exemple.ch";
    in.external_recipients = 1;
    auto r = resolve_phone(in, lookup);
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41794445566");
    CHECK(r->language == "fr");

    // With the override on, a tag's number is used for the mail, but learning keeps the
    // stored contact (number and language) as it was.
    in.tag_number = "079 123 45 67";
    in.allow_override = true;
    r = resolve_phone(in, lookup);
    REQUIRE(r.ok());
    CHECK(r->source == PhoneSource::subject_tag);
    REQUIRE(learn_contact(true, in.recipient, *r, save));
    auto c = v.contact_get("marie@exemple.ch");
    REQUIRE(c.ok());
    CHECK(c->phone_e164 == "+41794445566");
    CHECK(c->language == "fr");

    // A recipient without a contact gets one.
    REQUIRE(learn_contact(true, "new@example.ch", *r, save));
    CHECK(v.contact_get("new@example.ch").value().phone_e164 == "+41791234567");
    // ... and keeps it when a later tag names another number.
    const ResolvedPhone other{"+41780000001", PhoneSource::subject_tag, {}};
    REQUIRE(learn_contact(true, "NEW@example.ch", other, save));
    CHECK(v.contact_get("new@example.ch").value().phone_e164 == "+41791234567");

    in.tag_number.reset();
    in.recipient = "nobody@example.ch";
    r = resolve_phone(in, lookup);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrNoNumber);
}

TEST_CASE("hostile subjects: a parsed tag is always gone from the subject", "[phone]") {
    std::uint32_t seed = 777;
    const auto next = [&seed] {
        seed = seed * 1664525U + 1013904223U;
        return seed >> 24U;
    };
    const std::string alphabet = "[sSmM: ]079+-.()x";
    for (int round = 0; round < 2000; ++round) {
        std::string s;
        const auto len = next() % 40U;
        for (std::uint32_t i = 0; i < len; ++i) {
            s += alphabet[next() % alphabet.size()];
        }
        if ((next() & 1U) != 0) {
            s += "[sms:079 123 45 67]";
        }
        auto t = parse_sms_tag(s);
        if (t && t->raw) {
            INFO(s);
            CHECK(t->subject.find(*t->raw) == std::string::npos);
            CHECK(t->subject.size() < s.size());
        }
    }
}
