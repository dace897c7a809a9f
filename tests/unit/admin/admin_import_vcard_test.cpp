// SPDX-License-Identifier: Apache-2.0
// Unit tests for the vCard contacts importer: v3 and v4 TYPE spellings, folded lines, several
// addresses per card, preferences, bad cards with the line of their BEGIN, hostile input.
#include <catch2/catch.hpp>

#include "admin/admin_import.hpp"
#include "admin/admin_import_vcard.hpp"
#include "admin_test_util.hpp"

namespace sealpost::admin {
namespace {

using test::read_fixture;

ImportResult must_import(const std::string& text) {
    auto r = import_vcard(text);
    INFO((r ? std::string() : r.error().detail));
    REQUIRE(r.ok());
    return std::move(r).value();
}

TEST_CASE("vcard 3.0: CELL spellings, folded lines, groups, several emails", "[admin][vcard]") {
    const ImportResult r = must_import(read_fixture("contacts_v3.vcf"));
    CHECK(r.issues.empty());
    const std::vector<ImportedContact> expected{
        {"anna@example.ch", "+41791234567", "de", 1},
        // Second card: a work number (fixed line) and a cell,voice number; two addresses.
        {"bernard@example.ch", "+41787654321", "fr", 9},
        {"b.dupont@example.org", "+41787654321", "fr", 9},
        // Third card: EMAIL and TEL folded across lines (space and tab), no LANG.
        {"carla@example.ch", "+41761112233", "", 18},
    };
    CHECK(r.contacts == expected);
}

TEST_CASE("vcard 4.0: quoted TYPE, VALUE=uri tel:, PREF, language tags", "[admin][vcard]") {
    const ImportResult r = must_import(read_fixture("contacts_v4.vcf"));
    CHECK(r.issues.empty());
    const std::vector<ImportedContact> expected{
        {"anna@example.ch", "+41791234567", "de", 1},
        // PREF=1 wins over PREF=2; `;ext=1` of the tel: URI is dropped.
        {"luigi@example.ch", "+41761112233", "it", 9},
    };
    CHECK(r.contacts == expected);
}

TEST_CASE("vcard: bad cards are reported at their BEGIN line", "[admin][vcard]") {
    const ImportResult r = must_import(read_fixture("bad.vcf"));
    const std::vector<ImportedContact> contacts{{"good@example.ch", "+41791234569", "", 24}};
    CHECK(r.contacts == contacts);
    const std::vector<ImportIssue> expected{
        {1, "no EMAIL"},
        {6, "no mobile number (TEL;TYPE=cell)"},
        {12,
         "landline number, no SMS possible (give a mobile number, or configure [voice] to call it "
         "with the code): 044 123 45 67"},
        {18, "bad email address: bad@@example.ch"},
        {30, "missing END:VCARD"},
    };
    CHECK(r.issues == expected);
}

TEST_CASE("vcard: v2.1 bare types, unknown versions, unsupported languages", "[admin][vcard]") {
    const ImportResult r = must_import(
        "BEGIN:VCARD\nVERSION:2.1\nEMAIL;INTERNET:a@b.ch\nTEL;CELL;VOICE:0791234567\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:5.0\nEMAIL:c@d.ch\nTEL;TYPE=cell:0791234568\nEND:VCARD\n"
        "BEGIN:VCARD\nEMAIL:e@f.ch\nTEL;TYPE=cell:0791234569\nLANG:es\nEND:VCARD\n"
        "BEGIN:VCARD\nEMAIL:g@h.ch\nTEL;TYPE=cell:0791234570\nLANG:es\nLANG:IT\nEND:VCARD\n");
    const std::vector<ImportedContact> contacts{{"a@b.ch", "+41791234567", "", 1},
                                                {"g@h.ch", "+41791234570", "it", 16}};
    CHECK(r.contacts == contacts);
    const std::vector<ImportIssue> issues{{6, "unsupported vCard version: 5.0"},
                                          {11, "unknown language: es (use de, fr, it or en)"}};
    CHECK(r.issues == issues);
}

TEST_CASE("vcard: a missing END is reported and the next card still reads", "[admin][vcard]") {
    const ImportResult r = must_import(
        "BEGIN:VCARD\nEMAIL:a@b.ch\n"
        "BEGIN:VCARD\nEMAIL:c@d.ch\nTEL;TYPE=cell:079 123 45 67\nEND:VCARD\n");
    const std::vector<ImportedContact> contacts{{"c@d.ch", "+41791234567", "", 3}};
    CHECK(r.contacts == contacts);
    const std::vector<ImportIssue> issues{{1, "missing END:VCARD"}};
    CHECK(r.issues == issues);
}

TEST_CASE("vcard: text without any card is refused", "[admin][vcard]") {
    for (const std::string& text :
         {std::string(), std::string("email,phone\n"), read_fixture("garbage.bin")}) {
        auto r = import_vcard(text);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail == "no vCard found (expected BEGIN:VCARD)");
    }
}

TEST_CASE("vcard: binary noise inside a card never crashes", "[admin][vcard]") {
    const std::string noise = read_fixture("garbage.bin");
    const ImportResult r =
        must_import("BEGIN:VCARD\nEMAIL:" + noise + "\nTEL;TYPE=cell:" + noise + "\nEND:VCARD\n");
    CHECK(r.contacts.empty());
    REQUIRE(r.issues.size() == 1);
    CHECK(r.issues[0].line == 1);
    const std::string good = read_fixture("contacts_v4.vcf");
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (char c : {'\0', '\xff', '"', ';', ':', '\n', ' '}) {
            std::string mutated = good;
            mutated[i] = c;
            auto m = import_vcard(mutated);
            if (m.ok()) {
                CHECK(m->contacts.size() <= 4);
            }
        }
    }
}

TEST_CASE("vcard: many short lines and many addresses are bounded", "[admin][vcard]") {
    std::string many = "BEGIN:VCARD\nTEL;TYPE=cell:0791234567\n";
    for (int i = 0; i < 11; ++i) {
        many += "EMAIL:a" + std::to_string(i) + "@b.ch\n";
    }
    many += "END:VCARD\n";
    // A continuation line after a blank line does not continue anything.
    many += "BEGIN:VCARD\nEMAIL:c@d.ch\n\n ignored\nTEL;TYPE=cell:0791234567\nEND:VCARD\n";
    std::string lines(kMaxImportBytes - many.size(), '\n');
    const ImportResult r = must_import(many + lines);
    const std::vector<ImportedContact> contacts{{"c@d.ch", "+41791234567", "", 15}};
    CHECK(r.contacts == contacts);
    const std::vector<ImportIssue> issues{{1, "more than 10 EMAIL addresses"}};
    CHECK(r.issues == issues);
}

TEST_CASE("vcard: oversize input and overlong lines are bounded", "[admin][vcard]") {
    std::string big = "BEGIN:VCARD\n";
    big.resize(kMaxImportBytes + 1, 'x');
    auto r = import_vcard(big);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == "file larger than 10 MiB");

    // A long PHOTO is skipped; a long EMAIL makes the card an issue.
    std::string photo = "PHOTO;ENCODING=b:" + std::string(3 * kMaxImportLine, 'A') + "\n";
    const ImportResult l = must_import("BEGIN:VCARD\n" + photo +
                                       "EMAIL:a@b.ch\nTEL;TYPE=cell:0791234567\nEND:VCARD\n"
                                       "BEGIN:VCARD\nEMAIL:" +
                                       std::string(kMaxImportLine, 'a') +
                                       "@b.ch\nTEL;TYPE=cell:0791234567\nEND:VCARD\n");
    const std::vector<ImportedContact> contacts{{"a@b.ch", "+41791234567", "", 1}};
    CHECK(l.contacts == contacts);
    const std::vector<ImportIssue> issues{{6, "EMAIL line longer than 8192 bytes (line 7)"}};
    CHECK(l.issues == issues);
}

}  // namespace
}  // namespace sealpost::admin
