// SPDX-License-Identifier: Apache-2.0
// Every file of the real-world corpus (tests/data/corpus, see its README) through parse and
// seal-all: sealed and verified, passed unchanged (no attachment), or refused with a reason.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "mime/mime_seal.hpp"
#include "tests/unit/mime/mime_test_util.hpp"
#include "tests/unit/vault/vault_test_fixture.hpp"

namespace sealpost::seal {
namespace {

namespace fs = std::filesystem;
using mime::test::has;

/// What the proxy hands to the rewrite: its DATA reader refuses bare LF, so clients send
/// CRLF. Corpus files saved with LF are converted the same way a client would send them.
std::string to_crlf(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 16);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            out += "\r\n";
        } else if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) {
            out += "\r\n";
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

/// `mime:<reason>` of an error detail ("" when it is not a MIME refusal).
std::string reason_of(const Error& e) {
    if (e.code != Errc::invalid_argument || e.detail.rfind("mime:", 0) != 0) {
        return {};
    }
    return e.detail.substr(0, e.detail.find(':', 5));
}

TEST_CASE("corpus: sealed, passed or refused with a reason, never anything else",
          "[mime][corpus]") {
    const fs::path dir = fs::path(SEALPOST_SOURCE_DIR) / "tests" / "data" / "corpus";
    // A missing fixture is a failure, never a skip.
    REQUIRE(fs::is_directory(dir));
    std::vector<fs::path> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) {
            files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    REQUIRE_FALSE(files.empty());

    vault::test::Fixture fx;
    auto v = fx.open();
    auto tpl = NoticeTemplates::load(fs::path(SEALPOST_SOURCE_DIR) / "policies" / "templates");
    REQUIRE(tpl);
    PracticeConfig practice;
    practice.base_url = "https://portal.example.ch";
    const std::array<Language, 4> langs = {Language::de, Language::fr, Language::it, Language::en};

    std::size_t sealed = 0;
    std::size_t passed = 0;
    std::map<std::string, std::size_t> refused;
    std::ostringstream refusals;
    // Per-file outcomes for reviewers: build/<dir>/mime_corpus_outcomes.txt.
    std::ofstream outcomes(fs::path(SEALPOST_BINARY_DIR) / "mime_corpus_outcomes.txt",
                           std::ios::trunc);
    auto note = [&](const fs::path& p, const Error& e) {
        refusals << "\n  " << fs::relative(p, dir).string() << ": " << e.detail;
        outcomes << "refused " << fs::relative(p, dir).string() << " " << e.detail << "\n";
    };
    for (std::size_t n = 0; n < files.size(); ++n) {
        const auto& path = files[n];
        INFO(path.string());
        const std::string data = to_crlf(mime::test::read_bytes(path));
        auto m = mime::MimeMessage::parse(data);
        if (!m) {
            const auto r = reason_of(m.error());
            INFO(m.error().detail);
            CHECK_FALSE(r.empty());
            ++refused[r];
            note(path, m.error());
            continue;
        }
        const auto selection = mime::select_all(*m, false);
        if (selection.empty()) {
            ++passed;  // nothing to seal: the proxy relays `data` unchanged
            outcomes << "passed " << fs::relative(path, dir).string() << "\n";
            continue;
        }
        SealRequest req;
        req.message = &*m;
        req.selection = selection;
        req.recipient = "patient@example.ch";
        req.sender = "praxis@example.ch";
        req.phone_e164 = "+41791234567";
        req.language = langs[n % langs.size()];
        auto res = seal_for_recipient(req, practice, *tpl, v);
        if (!res) {
            const auto r = reason_of(res.error());
            INFO(res.error().detail);
            CHECK_FALSE(r.empty());
            ++refused[r];
            note(path, res.error());
            continue;
        }
        ++sealed;
        outcomes << "sealed " << fs::relative(path, dir).string() << " " << selection.size()
                 << " attachment(s)\n";
        auto out = mime::MimeMessage::parse(res->message);
        INFO((out ? std::string() : out.error().detail));
        REQUIRE(out);
        CHECK(out->attachments().empty());
        REQUIRE_FALSE(out->bodies().empty());
        std::string token;
        for (const auto& b : out->bodies()) {
            const auto at = b.text.find("https://portal.example.ch/d/");
            REQUIRE(at != std::string::npos);
            const std::string t = b.text.substr(at + 28, 43);
            CHECK((token.empty() || t == token));
            token = t;
        }
        auto opened = v.envelope_open(token);
        REQUIRE(opened);
        CHECK(opened->summary.id == res->envelope);
        REQUIRE(opened->meta.documents.size() == selection.size());
        for (std::uint32_t i = 0; i < selection.size(); ++i) {
            auto bytes = vault::test::read_document(v, *opened, i);
            REQUIRE(bytes);
            CHECK(std::string(bytes->begin(), bytes->end()) ==
                  m->attachments()[selection[i]].bytes);
        }
    }
    std::ostringstream summary;
    summary << "corpus: " << files.size() << " files, " << sealed << " sealed, " << passed
            << " passed";
    for (const auto& [r, count] : refused) {
        summary << ", " << count << " refused " << r;
    }
    WARN(summary.str() << refusals.str());
    CHECK(sealed > 0);
    CHECK(sealed + passed + [&] {
        std::size_t t = 0;
        for (const auto& kv : refused) {
            t += kv.second;
        }
        return t;
    }() == files.size());
}

}  // namespace
}  // namespace sealpost::seal
