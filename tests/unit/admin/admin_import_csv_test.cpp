// SPDX-License-Identifier: Apache-2.0
// Unit tests for the CSV contacts importer: header variants, quoting, line ends, bad rows with
// their exact line numbers and reasons, hostile input (binary, oversize, overlong lines).
#include <catch2/catch.hpp>

#include <algorithm>

#include "admin/admin_import.hpp"
#include "admin/admin_import_csv.hpp"
#include "admin_test_util.hpp"

namespace sealpost::admin {
namespace {

using test::read_fixture;

ImportResult must_import(const std::string& text) {
    auto r = import_csv(text);
    INFO((r ? std::string() : r.error().detail));
    REQUIRE(r.ok());
    return std::move(r).value();
}

TEST_CASE("csv: a plain file imports every row in E.164", "[admin][csv]") {
    const ImportResult r = must_import(read_fixture("good.csv"));
    CHECK(r.issues.empty());
    REQUIRE(r.contacts.size() == 3);
    CHECK(r.contacts[0] == ImportedContact{"anna.muster@example.ch", "+41791234567", "de", 2});
    CHECK(r.contacts[1] == ImportedContact{"bernard@example.ch", "+41787654321", "fr", 3});
    CHECK(r.contacts[2] == ImportedContact{"carla@example.ch", "+41761112233", "", 4});
}

TEST_CASE("csv: BOM, semicolons, CRLF, column order and header case", "[admin][csv]") {
    const ImportResult r = must_import(read_fixture("bom_semicolon_crlf.csv"));
    CHECK(r.issues.empty());
    REQUIRE(r.contacts.size() == 2);
    CHECK(r.contacts[0] == ImportedContact{"anna.muster@example.ch", "+41791234567", "de", 2});
    CHECK(r.contacts[1] == ImportedContact{"bernard@example.ch", "+41787654321", "fr", 3});
}

TEST_CASE("csv: RFC 4180 quoting, doubled quotes, line breaks in fields", "[admin][csv]") {
    const ImportResult r = must_import(read_fixture("quoted.csv"));
    CHECK(r.issues.empty());
    REQUIRE(r.contacts.size() == 3);
    CHECK(r.contacts[0] == ImportedContact{"anna@example.ch", "+41791234567", "de", 2});
    CHECK(r.contacts[1] == ImportedContact{"luigi@example.ch", "+41787654321", "it", 3});
    // The record starts on line 4; its quoted name spans lines 4 and 5.
    CHECK(r.contacts[2] == ImportedContact{"hans@example.ch", "+41761112233", "en", 4});
}

TEST_CASE("csv: bad rows are reported with line and reason, good rows still import",
          "[admin][csv]") {
    const ImportResult r = must_import(read_fixture("bad_rows.csv"));
    REQUIRE(r.contacts.size() == 2);
    CHECK(r.contacts[0] == ImportedContact{"anna@example.ch", "+41791234567", "de", 2});
    CHECK(r.contacts[1] == ImportedContact{"ok@example.ch", "+41765554433", "it", 11});
    const std::vector<ImportIssue> expected{
        {3,
         "landline number, no SMS possible (give a mobile number, or configure [voice] to call it "
         "with the code): 044 123 45 67"},
        {4, "bad email address: not-an-address"},
        {5, "unknown language: es (use de, fr, it or en)"},
        {6, "expected 3 fields, found 2"},
        {7, "duplicate of line 2: anna@example.ch"},
        {8, "missing mobile number"},
        {9, "not a phone number: 12345"},
    };
    CHECK(r.issues == expected);
}

TEST_CASE("csv: with [voice] a landline imports, other refusals stay", "[admin][csv]") {
    auto r = import_csv(read_fixture("bad_rows.csv"), true);
    REQUIRE(r.ok());
    REQUIRE(r->contacts.size() == 3);
    CHECK(r->contacts[1] == ImportedContact{"fixed@example.ch", "+41441234567", "de", 3});
    REQUIRE_FALSE(r->issues.empty());
    CHECK(r->issues.front() == ImportIssue{4, "bad email address: not-an-address"});
    CHECK(r->issues.back() == ImportIssue{9, "not a phone number: 12345"});
}

TEST_CASE("csv: without lang column, lang stays empty; extra columns ignored", "[admin][csv]") {
    const ImportResult r = must_import("Name,Phone,Email\nAnna,079 123 45 67,a@b.ch\n");
    CHECK(r.issues.empty());
    REQUIRE(r.contacts.size() == 1);
    CHECK(r.contacts[0] == ImportedContact{"a@b.ch", "+41791234567", "", 2});
}

TEST_CASE("csv: Excel's sep= line and no-break spaces in numbers", "[admin][csv]") {
    const ImportResult r = must_import(
        // Without the sep= line, the header's three ';' would outvote its two ','.
        "sep=,\r\nemail,phone,a;b;c;d\r\n"
        "a@b.ch,079\xC2\xA0"
        "123\xE2\x80\xAF"
        "45 67,x\r\n");
    CHECK(r.issues.empty());
    REQUIRE(r.contacts.size() == 1);
    CHECK(r.contacts[0] == ImportedContact{"a@b.ch", "+41791234567", "", 3});
    CHECK(plain_spaces("1\xC2\xA0"
                       "2\xE2\x80\x87"
                       "3\xC2") == "1 2 3\xC2");
    CHECK_FALSE(import_csv("sep=;x\nemail;phone\n").ok());
}

TEST_CASE("csv: a header without email or phone is refused as a whole", "[admin][csv]") {
    auto r = import_csv(read_fixture("no_header.csv"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().detail ==
          "line 1: no email column (the first line must name the columns email and phone, and "
          "optionally lang)");

    auto dup = import_csv("email,phone,EMAIL\n");
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.error().detail.rfind("line 1: column email named twice", 0) == 0);

    auto empty = import_csv("");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().detail.rfind("line 1: empty file", 0) == 0);
}

TEST_CASE("csv: quoting errors are row errors", "[admin][csv]") {
    const ImportResult r = must_import(
        "email,phone\n"
        "\"a@b.ch\"x,079 123 45 67\n"
        "c@d.ch,079 123 45 68\n"
        "\"e@f.ch,079 123 45 69\n"
        "g@h.ch,079 123 45 70\n");
    REQUIRE(r.contacts.size() == 1);
    CHECK(r.contacts[0].email == "c@d.ch");
    // The unterminated quote swallows the rest of the file: one error at line 4.
    const std::vector<ImportIssue> expected{{2, "text after a closing quote"},
                                            {4, "unterminated quoted field"}};
    CHECK(r.issues == expected);
}

TEST_CASE("csv: lone CR line ends and blank lines", "[admin][csv]") {
    const ImportResult r = must_import("email,phone\r\ra@b.ch,079 123 45 67\r");
    CHECK(r.issues.empty());
    REQUIRE(r.contacts.size() == 1);
    CHECK(r.contacts[0].line == 3);
}

TEST_CASE("csv: garbage binary input never crashes and imports nothing", "[admin][csv]") {
    auto r = import_csv(read_fixture("garbage.bin"));
    if (r.ok()) {
        CHECK(r->contacts.empty());
    } else {
        CHECK(r.error().code == Errc::invalid_argument);
    }
    // A header followed by binary noise: every record is an error, none is imported.
    std::string noise = "email,phone\n" + read_fixture("garbage.bin");
    auto n = import_csv(noise);
    REQUIRE(n.ok());
    CHECK(n->contacts.empty());
    CHECK_FALSE(n->issues.empty());
    // Reasons are printed on a terminal: no control character may pass.
    for (const auto& issue : n->issues) {
        INFO(issue.reason);
        CHECK(std::none_of(issue.reason.begin(), issue.reason.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        }));
    }
}

TEST_CASE("csv: every NUL and high byte mutation of a good file is handled", "[admin][csv]") {
    const std::string good = read_fixture("good.csv");
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (char c : {'\0', '\xff', '"', ';', '\n'}) {
            std::string mutated = good;
            mutated[i] = c;
            auto r = import_csv(mutated);
            if (r.ok()) {
                CHECK(r->contacts.size() + r->issues.size() <= 5);
            }
        }
    }
}

TEST_CASE("csv: oversize input and overlong lines are bounded", "[admin][csv]") {
    std::string big = "email,phone\n";
    big.resize(kMaxImportBytes + 1, 'x');
    auto r = import_csv(big);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().detail == "file larger than 10 MiB");

    std::string longline =
        "email,phone\n" + std::string(kMaxImportLine + 10, 'a') + ",079\nb@c.ch,079 123 45 67\n";
    auto l = import_csv(longline);
    REQUIRE(l.ok());
    REQUIRE(l->contacts.size() == 1);
    CHECK(l->contacts[0].line == 3);
    const std::vector<ImportIssue> expected{{2, "line longer than 8192 bytes"}};
    CHECK(l->issues == expected);
}

TEST_CASE("csv: more rows than allowed stops with one issue", "[admin][csv]") {
    std::string text = "email,phone\n";
    for (std::size_t i = 0; i <= kMaxImportRows; ++i) {
        text += ",\n";
    }
    auto r = import_csv(text);
    REQUIRE(r.ok());
    CHECK(r->contacts.empty());
    REQUIRE(r->issues.size() == kMaxImportRows + 1);
    CHECK(r->issues.back() ==
          ImportIssue{kMaxImportRows + 2,
                      "more than 100000 rows; the rest of the file was not read"});
}

TEST_CASE("check_email accepts addresses and refuses the rest", "[admin][csv]") {
    CHECK(check_email(" Anna.Muster+praxis@Example.CH ").value() ==
          "anna.muster+praxis@example.ch");
    for (const char* bad : {"", "a", "a@", "@b.ch", "a@b", "a..b@c.ch", ".a@b.ch", "a@-b.ch",
                            "a@b_c.ch", "a b@c.ch", "a@b.ch\n", "\"a\"@b.ch", "a@b..ch"}) {
        INFO(bad);
        CHECK_FALSE(check_email(bad).ok());
    }
    CHECK(check_email("x@y.ch\x01").error().detail == "bad email address: x@y.ch\\x01");
}

TEST_CASE("import_contacts_file picks the format and bounds the size", "[admin][csv]") {
    test::TempDir dir;
    CHECK(detect_format("x.VCF", "") == ImportFormat::vcard);
    CHECK(detect_format("x.txt",
                        "\xEF\xBB\xBF"
                        "begin:vcard\r\n") == ImportFormat::vcard);
    CHECK(detect_format("x.csv", "email,phone\n") == ImportFormat::csv);

    auto ok = import_contacts_file(test::fixture_path("good.csv"));
    REQUIRE(ok.ok());
    CHECK(ok->contacts.size() == 3);

    auto missing = import_contacts_file(dir.path() / "nope.csv");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::io);
    CHECK(missing.error().detail == (dir.path() / "nope.csv").string() + ": cannot open file");

    const auto big = dir.path() / "big.csv";
    test::write_file(big, std::string(kMaxImportBytes + 1, 'a'));
    auto b = import_contacts_file(big);
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().detail == big.string() + ": file larger than 10 MiB");
}

}  // namespace
}  // namespace sealpost::admin
