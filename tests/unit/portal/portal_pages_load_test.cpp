// SPDX-License-Identifier: Apache-2.0
// Pages::load refuses a broken template set and names the file and key: a language without a
// key, a template naming an unknown key or value, a translation dropping a placeholder, a
// missing file. Each case breaks a copy of the shipped directory.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "portal/portal_pages.hpp"
#include "test_tempdir.hpp"
#include "tests/unit/portal/portal_test_util.hpp"

namespace sealpost::portal {
namespace {

namespace fs = std::filesystem;

using test::has;

fs::path shipped() {
    return SEALPOST_PORTAL_TEMPLATES;
}

std::string read(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << s;
}

/// A copy of the shipped directory to break on purpose.
struct Copy {
    sealpost::test::TempDir dir;
    Copy() {
        for (const auto& e : fs::directory_iterator(shipped())) {
            fs::copy_file(e.path(), dir.path() / e.path().filename());
        }
    }
    void replace(const std::string& file, const std::string& from, const std::string& to) const {
        std::string s = read(dir.path() / file);
        const std::size_t at = s.find(from);
        REQUIRE(at != std::string::npos);
        s.replace(at, from.size(), to);
        write(dir.path() / file, s);
    }
    void append(const std::string& file, const std::string& text) const {
        write(dir.path() / file, read(dir.path() / file) + text);
    }
    [[nodiscard]] Error load_error() const {
        auto p = Pages::load(dir.path());
        REQUIRE_FALSE(p);
        return p.error();
    }
};

TEST_CASE("catalog and template errors stop the load and name file and key", "[pages][load]") {
    SECTION("a language lacks a key") {
        Copy copy;
        copy.replace("strings.fr.txt", "landing.send = ", "# landing.send = ");
        const Error e = copy.load_error();
        CHECK(e.code == Errc::invalid_argument);
        CHECK(has(e.detail, "strings.fr.txt: missing key 'landing.send' (strings.de.txt has it)"));
    }
    SECTION("one language has a key the others lack") {
        Copy copy;
        copy.append("strings.it.txt", "landing.extra = In più\n");
        const Error e = copy.load_error();
        CHECK(has(e.detail, "strings.de.txt: missing key 'landing.extra' (strings.it.txt has it)"));
    }
    SECTION("a template names an unknown key") {
        Copy copy;
        copy.replace("landing.html", "{{t:landing.verify.heading}}",
                     "{{t:landing.verify.haeding}}");
        const Error e = copy.load_error();
        CHECK(e.code == Errc::invalid_argument);
        CHECK(has(e.detail, "landing.html: line 6: unknown key 'landing.verify.haeding'"));
    }
    SECTION("a template names an unknown value") {
        Copy copy;
        copy.replace("code.html", "{{lead}}", "{{secret}}");
        CHECK(has(copy.load_error().detail, "code.html: line 3: unknown placeholder {{secret}}"));
    }
    SECTION("a template has an unclosed placeholder") {
        Copy copy;
        copy.replace("help.html", "{{t:help.intro}}", "{{t:help.intro");
        CHECK(has(copy.load_error().detail, "help.html: line 2: unclosed {{"));
    }
    SECTION("a translation drops a placeholder") {
        Copy copy;
        copy.replace("strings.en.txt", "You have {tries} tries left.", "Try again.");
        CHECK(has(
            copy.load_error().detail,
            "strings.en.txt: key 'notice.code_wrong' uses none but strings.de.txt uses {tries}"));
    }
    SECTION("a text uses a placeholder its page does not supply") {
        Copy copy;
        for (const char* f :
             {"strings.de.txt", "strings.fr.txt", "strings.it.txt", "strings.en.txt"}) {
            copy.replace(f, "title.help = ", "title.help = {code} ");
        }
        CHECK(has(
            copy.load_error().detail,
            "strings.de.txt: key 'title.help' uses {code}, which the page code does not supply"));
    }
    SECTION("a key nobody uses") {
        Copy copy;
        for (const char* f :
             {"strings.de.txt", "strings.fr.txt", "strings.it.txt", "strings.en.txt"}) {
            copy.append(f, "stale.key = x\n");
        }
        CHECK(has(copy.load_error().detail,
                  "strings.de.txt: key 'stale.key' is not used by any page"));
    }
    SECTION("a malformed catalog line") {
        Copy copy;
        copy.replace("strings.it.txt", "layout.skip = ", "layout.skip ");
        CHECK(has(copy.load_error().detail, "strings.it.txt:5: expected `key = text`"));
    }
    SECTION("a missing file") {
        for (const char* f : {"strings.it.txt", "help.html", "layout.html", "portal.css"}) {
            Copy copy;
            fs::remove(copy.dir.path() / f);
            const Error e = copy.load_error();
            CHECK(e.code == Errc::io);
            CHECK(e.detail == "cannot read " + (copy.dir.path() / f).string());
        }
    }
}

TEST_CASE("the shipped set loads, with the shipped stylesheet", "[pages][load]") {
    auto pages = Pages::load(shipped());
    INFO((pages ? std::string() : pages.error().detail));
    REQUIRE(pages);
    CHECK(pages.value()->css() == read(shipped() / "portal.css"));
    CHECK(has(pages.value()->css(), ":focus-visible"));
}

}  // namespace
}  // namespace sealpost::portal
