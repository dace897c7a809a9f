// SPDX-License-Identifier: Apache-2.0
// seal_for_recipient against a real throwaway vault: one envelope with the original bytes,
// the link in every body part, and no envelope left behind when the rewrite fails.
#include <catch2/catch.hpp>

#include "mime/mime_seal.hpp"
#include "tests/unit/mime/mime_test_util.hpp"
#include "tests/unit/vault/vault_test_fixture.hpp"

namespace sealpost::seal {
namespace {

using mime::test::fixture;
using mime::test::has;
using mime::test::parse_ok;

constexpr std::string_view kBase = "https://portal.example.ch/d/";

PracticeConfig practice() {
    PracticeConfig p;
    p.name = "Physiotherapie Muster";
    p.base_url = "https://portal.example.ch";
    return p;
}

NoticeTemplates templates() {
    auto t = NoticeTemplates::load(std::filesystem::path(SEALPOST_SOURCE_DIR) / "policies" /
                                   "templates");
    REQUIRE(t);
    return std::move(t).value();
}

SealRequest request(const mime::MimeMessage& m, Language lang) {
    SealRequest r;
    r.message = &m;
    r.selection = mime::select_all(m, true);
    r.recipient = "patient@example.ch";
    r.sender = "praxis@therapie-muster.ch";
    r.phone_e164 = "+41791234567";
    r.language = lang;
    r.cleaned_subject = "R\u00fcckforderung";
    return r;
}

/// The token of the first link in `text` (43 base64url characters), "" if none.
std::string token_in(std::string_view text) {
    const auto at = text.find(kBase);
    if (at == std::string_view::npos || at + kBase.size() + 43 > text.size()) {
        return {};
    }
    return std::string(text.substr(at + kBase.size(), 43));
}

TEST_CASE("seal: one envelope with the original bytes, link in every body part", "[seal]") {
    vault::test::Fixture fx;
    auto v = fx.open();
    const auto tpl = templates();
    const auto m = parse_ok(fixture("alternative_rfc2231.eml"));
    auto res = seal_for_recipient(request(m, Language::de), practice(), tpl, v);
    INFO((res ? std::string() : res.error().detail));
    REQUIRE(res);

    const auto out = parse_ok(res->message);
    CHECK(out.attachments().empty());
    REQUIRE(out.bodies().size() == 2);
    const std::string token = token_in(out.bodies()[0].text);
    REQUIRE(token.size() == 43);
    CHECK(token_in(out.bodies()[1].text) == token);
    for (const auto& b : out.bodies()) {
        CHECK(has(b.text, "14. Februar 2027"));  // kT0 + 30 days, Zurich time
        CHECK(has(b.text, "Physiotherapie Muster"));
        CHECK(has(b.text, "\u2022\u202267"));
        CHECK(has(b.text, "R\u00fcckforderungsbeleg M\u00e4rz.pdf"));
    }
    CHECK_FALSE(has(res->message, "X-Sealpost-Phone"));

    auto opened = v.envelope_open(token);
    REQUIRE(opened);
    CHECK(opened->summary.id == res->envelope);
    CHECK(opened->summary.state == vault::EnvelopeState::pending);
    CHECK(opened->meta.recipient == "patient@example.ch");
    CHECK(opened->meta.phone_e164 == "+41791234567");
    CHECK(opened->meta.sender == "praxis@therapie-muster.ch");
    CHECK(opened->meta.subject == "R\u00fcckforderung");
    CHECK(opened->meta.language == "de");
    REQUIRE(opened->meta.documents.size() == 1);
    CHECK(opened->meta.documents[0].file_name == "R\u00fcckforderungsbeleg M\u00e4rz.pdf");
    CHECK(opened->meta.documents[0].content_type == "application/pdf");
    auto bytes = vault::test::read_document(v, *opened, 0);
    REQUIRE(bytes);
    CHECK(std::string(bytes->begin(), bytes->end()) == m.attachments()[0].bytes);
    CHECK(bytes->size() == 1961);
}

TEST_CASE("seal: two recipients get two envelopes and two links", "[seal]") {
    vault::test::Fixture fx;
    auto v = fx.open();
    const auto tpl = templates();
    const auto m = parse_ok(fixture("mixed_text_2pdf.eml"));
    auto a = seal_for_recipient(request(m, Language::fr), practice(), tpl, v);
    auto b = seal_for_recipient(request(m, Language::en), practice(), tpl, v);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->envelope != b->envelope);
    const auto ta = token_in(parse_ok(a->message).bodies()[0].text);
    const auto tb = token_in(parse_ok(b->message).bodies()[0].text);
    REQUIRE(ta.size() == 43);
    CHECK(ta != tb);
    CHECK(has(parse_ok(a->message).bodies()[0].text, "14 f\u00e9vrier 2027"));
    CHECK(has(parse_ok(b->message).bodies()[0].text, "14 February 2027"));
    auto opened = v.envelope_open(tb);
    REQUIRE(opened);
    REQUIRE(opened->meta.documents.size() == 2);
    for (std::uint32_t i = 0; i < 2; ++i) {
        auto bytes = vault::test::read_document(v, *opened, i);
        REQUIRE(bytes);
        CHECK(std::string(bytes->begin(), bytes->end()) == m.attachments()[i].bytes);
        CHECK(opened->meta.documents[i].file_name == m.attachments()[i].file_name);
    }
}

TEST_CASE("seal: hostile file name is escaped in the HTML notice", "[seal]") {
    vault::test::Fixture fx;
    auto v = fx.open();
    const auto tpl = templates();
    const auto m = parse_ok(fixture("hostile_name.eml"));
    REQUIRE(m.attachments().size() == 1);
    CHECK(m.attachments()[0].file_name == "<script>alert('x')</script>&.pdf");
    auto res = seal_for_recipient(request(m, Language::it), practice(), tpl, v);
    REQUIRE(res);
    const auto out = parse_ok(res->message);
    REQUIRE(out.bodies().size() == 1);
    CHECK_FALSE(has(out.bodies()[0].text, "<script>"));
    CHECK(has(out.bodies()[0].text,
              "<li>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;.pdf</li>"));
}

TEST_CASE("seal: failures leave no envelope and no message", "[seal]") {
    vault::test::Fixture fx;
    auto v = fx.open();
    const auto tpl = templates();

    const auto s = parse_ok(fixture("signed.eml"));
    auto signed_res = seal_for_recipient(request(s, Language::de), practice(), tpl, v);
    REQUIRE_FALSE(signed_res);
    CHECK(signed_res.error().detail == "mime:signed_or_encrypted: not rewritten");

    // 8-bit bytes that are not UTF-8 in a part labelled us-ascii: the notice ("••67") cannot be
    // added without guessing, so the rewrite fails after the envelope was created.
    const auto bad = parse_ok(
        "From: a@b.ch\r\nTo: c@d.ch\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        "caf\xe9\r\n--b\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n");
    auto res = seal_for_recipient(request(bad, Language::de), practice(), tpl, v);
    REQUIRE_FALSE(res);
    CHECK(has(res.error().detail, "mime:charset"));
    auto list = v.envelope_list(vault::ListFilter::all);
    REQUIRE(list);
    CHECK(list->empty());

    auto empty = request(bad, Language::de);
    empty.selection.clear();
    auto none = seal_for_recipient(empty, practice(), tpl, v);
    REQUIRE_FALSE(none);
    CHECK(has(none.error().detail, "mime:selection"));
}

}  // namespace
}  // namespace sealpost::seal
