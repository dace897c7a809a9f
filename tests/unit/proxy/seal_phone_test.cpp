// Phone resolution: the [sms:...] subject tag in every format, refusals, removal from the
// subject, the one-external-recipient rule, the order tag > header > contacts, learning.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "../vault/vault_test_fixture.hpp"
#include "proxy/seal_phone.hpp"

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
    CHECK(landline.error().detail == kErrTagNotMobile);
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

TEST_CASE("resolution order: tag, then header, then contacts", "[phone]") {
    FakeContacts contacts;
    contacts.numbers["patient@example.ch"] = "+41781112233";
    PhoneInputs in;
    in.recipient = "patient@example.ch";
    in.external_recipients = 2;

    auto r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41781112233");
    CHECK(r->source == PhoneSource::contacts);

    in.header_number = " 076 555 44 33 ";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41765554433");
    CHECK(r->source == PhoneSource::header);

    in.tag_number = "079 123 45 67";
    in.external_recipients = 1;
    const int before = contacts.lookups;
    r = resolve_phone(in, contacts.lookup());
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41791234567");
    CHECK(r->source == PhoneSource::subject_tag);
    CHECK(contacts.lookups == before);

    // A bad header number is an error, not a fall-through to the contacts store.
    in.tag_number.reset();
    in.header_number = "031 123 45 67";
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

    // A failing store is not the sender's fault: passed on, no 5xx text.
    const ContactLookup broken = [](std::string_view) -> Result<StoredContact> {
        return make_error(Errc::key_error, "no contacts key");
    };
    r = resolve_phone(in, broken);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::key_error);
    CHECK_FALSE(phone_reply_text(r.error(), in.recipient));

    contacts.numbers["landline@example.ch"] = "+41311234567";
    in.recipient = "landline@example.ch";
    r = resolve_phone(in, contacts.lookup());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == kErrContactNotMobile);
}

TEST_CASE("reply texts mask the address and are printable ASCII", "[phone]") {
    for (const auto code : {kErrTagTwice, kErrTagBad, kErrTagRecipients, kErrTagNotMobile,
                            kErrHeaderNotMobile, kErrContactNotMobile, kErrNoNumber}) {
        INFO(code);
        const auto t = phone_reply_text(make_error(Errc::invalid_argument, std::string(code)),
                                        "hans.muster@example.ch");
        REQUIRE(t);
        CHECK(t->find("hans.muster") == std::string::npos);
        for (const char c : *t) {
            CHECK((c >= 0x20 && c < 0x7F));
        }
    }
    CHECK_FALSE(phone_reply_text(make_error(Errc::invalid_argument, "other"), "a@b.ch"));
}

TEST_CASE("learn_contact stores tag numbers only when enabled", "[phone]") {
    std::map<std::string, std::string, std::less<>> saved;
    const ContactSave save = [&](std::string_view email, std::string_view e164) -> Status {
        saved[std::string(email)] = std::string(e164);
        return {};
    };
    const ResolvedPhone from_tag{"+41791234567", PhoneSource::subject_tag, {}};
    const ResolvedPhone from_header{"+41791234567", PhoneSource::header, {}};
    CHECK(learn_contact(false, "p@example.ch", from_tag, save).ok());
    CHECK(saved.empty());
    CHECK(learn_contact(true, "p@example.ch", from_header, save).ok());
    CHECK(saved.empty());
    CHECK(learn_contact(true, "p@example.ch", from_tag, save).ok());
    CHECK(saved.at("p@example.ch") == "+41791234567");
}

TEST_CASE("vault adapters read and learn contacts, keeping the language", "[phone][vault]") {
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

    in.tag_number = "079 123 45 67";
    r = resolve_phone(in, lookup);
    REQUIRE(r.ok());
    REQUIRE(learn_contact(true, in.recipient, *r, save));
    auto c = v.contact_get("marie@exemple.ch");
    REQUIRE(c.ok());
    CHECK(c->phone_e164 == "+41791234567");
    CHECK(c->language == "fr");

    REQUIRE(learn_contact(true, "new@example.ch", *r, save));
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
