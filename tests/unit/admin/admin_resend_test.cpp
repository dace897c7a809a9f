// SPDX-License-Identifier: Apache-2.0
// Unit tests for `sealpost resend` against a real vault and the maildir upstream (no network):
// the old link dies and the new one opens, the notice mail lands in the envelope's language,
// and failures before the reissue change nothing.
#include <catch2/catch.hpp>

#include <algorithm>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "admin/admin_resend.hpp"
#include "admin_vault_fixture.hpp"

namespace sealpost::admin {
namespace {

struct ResendFixture : Fixture {
    ResendFixture() {
        cfg.practice.base_url = "https://portal.example.ch";
        cfg.practice.name = "Praxis Muster";
        cfg.proxy.templates_dir = std::filesystem::path(SEALPOST_SOURCE_DIR) / "policies/templates";
        cfg.upstream.url = "maildir:" + (dir.path() / "maildir").string();
        cfg.upstream.kind = UpstreamKind::maildir;
        cfg.upstream.maildir = dir.path() / "maildir";
    }

    Output resend(vault::Vault& v, const keys::KeyRing& ring,
                  const std::vector<std::string_view>& words) {
        auto args = parse_args(words);
        REQUIRE(args.ok());
        std::ostringstream out;
        std::ostringstream err;
        const int status = run_resend(*args, cfg, v, ring, out, err);
        return {status, out.str(), err.str()};
    }

    /// Every file in maildir/new.
    std::vector<std::string> mails() const {
        std::vector<std::string> out;
        const auto dir_new = cfg.upstream.maildir / "new";
        if (std::filesystem::exists(dir_new)) {
            for (const auto& e : std::filesystem::directory_iterator(dir_new)) {
                out.push_back(test::read_file(e.path()));
            }
        }
        return out;
    }
};

std::string token_of(const vault::IssuedLink& link) {
    return {link.token.data(), link.token.size()};
}

/// The token of the first portal link in `text`.
std::string link_token(const std::string& text) {
    const std::string prefix = "https://portal.example.ch/d/";
    const auto at = text.find(prefix);
    REQUIRE(at != std::string::npos);
    return text.substr(at + prefix.size(), 43);
}

/// A loopback port with nothing listening (bound, then closed).
std::uint16_t closed_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acc(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    return acc.local_endpoint().port();
}

TEST_CASE("resend --print: the old link dies, the printed one opens", "[admin][resend]") {
    ResendFixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const vault::IssuedLink old = create_envelope(v, true);
    const std::string hex = vault::envelope_id_hex(old.id);
    f.clock = kT0 + 40 * kDay;  // the link expired ten days ago; the data is retained

    const Output r = f.resend(v, ring, {"resend", hex.substr(0, 8), "--print"});
    CHECK(r.status == kExitOk);
    CHECK(r.err.empty());
    const std::string first =
        "new link for " + hex + ", valid until 2027-02-05 10:02; the old link no longer works\n";
    INFO(r.out);
    REQUIRE(r.out.rfind(first, 0) == 0);
    const std::string url = r.out.substr(first.size());
    REQUIRE(url.size() == std::string("https://portal.example.ch/d/").size() + 43 + 1);
    const std::string token = link_token(url);

    auto dead = v.envelope_open(token_of(old));
    REQUIRE_FALSE(dead);
    CHECK(dead.error().code == Errc::bad_token);
    auto fresh = v.envelope_open(token);
    REQUIRE(fresh);
    CHECK(fresh->summary.id == old.id);
    CHECK_FALSE(fresh->link_expired);
    CHECK(fresh->summary.expires_at == kT0 + 70 * kDay);
    CHECK(f.mails().empty());  // --print mails nothing
}

TEST_CASE("resend mails the new link in the envelope's language", "[admin][resend]") {
    ResendFixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const vault::IssuedLink old = create_envelope(v, true, "fr");
    const std::string hex = vault::envelope_id_hex(old.id);

    const Output r = f.resend(v, ring, {"resend", hex});
    INFO(r.err);
    CHECK(r.status == kExitOk);
    CHECK(r.err.empty());
    CHECK(r.out == "resent " + hex +
                       " to p***@example.ch (fr): new link valid until 2026-12-27 10:02; the old "
                       "link no longer works\n");
    const auto mails = f.mails();
    REQUIRE(mails.size() == 1);
    const std::string& mail = mails[0];
    CHECK(mail.rfind("Return-Path: <praxis@example.ch>\n", 0) == 0);
    CHECK(test::contains(mail, "\nFrom: Praxis Muster <praxis@example.ch>\n"));
    CHECK(test::contains(mail, "\nTo: patient@example.ch\n"));
    CHECK(test::contains(mail, "\nSubject: Rechnung November\n"));
    // French notice (quoted-printable), with the date in French and the masked number.
    CHECK(test::contains(mail, "Vos documents de Praxis Muster"));
    CHECK(test::contains(mail, "27 d=C3=A9cembre 2026"));
    CHECK(test::contains(mail, "- Rechnung.pdf\n"));
    const std::string token = link_token(mail);
    CHECK(v.envelope_open(token).ok());
    CHECK(v.envelope_open(token_of(old)).error().code == Errc::bad_token);
    // The token is in the mail only: never on the terminal.
    CHECK_FALSE(test::contains(r.out + r.err, token));

    auto shown = v.envelope_show(old.id, *ring.escrow_pair);
    REQUIRE(shown);
    CHECK(shown->audit.back().kind == vault::AuditKind::reissued);
}

TEST_CASE("resend of a revoked envelope says so in one line", "[admin][resend]") {
    ResendFixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const vault::EnvelopeId id = make_envelope(v, true);
    REQUIRE(v.envelope_revoke(id).ok());
    const std::string hex = vault::envelope_id_hex(id);
    for (const bool print : {false, true}) {
        const Output r = print ? f.resend(v, ring, {"resend", hex, "--print"})
                               : f.resend(v, ring, {"resend", hex});
        CHECK(r.status == kExitError);
        CHECK(r.out.empty());
        CHECK(r.err == "sealpost: resend: envelope " + hex +
                           " is revoked or purged; its documents are deleted\n");
    }
    CHECK(f.mails().empty());
    const Output none = f.resend(v, ring, {"resend", std::string(32, '0')});
    CHECK(none.status == kExitError);
    CHECK(none.err == "sealpost: resend: no envelope " + std::string(32, '0') + "\n");
}

TEST_CASE("resend changes nothing when the upstream cannot be reached", "[admin][resend]") {
    ResendFixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const vault::IssuedLink old = create_envelope(v, true);
    const std::string hex = vault::envelope_id_hex(old.id);
    f.cfg.upstream.url = "smtp://127.0.0.1";
    f.cfg.upstream.kind = UpstreamKind::smtp;
    f.cfg.upstream.host = "127.0.0.1";
    f.cfg.upstream.port = closed_port();
    f.cfg.upstream.tls = TlsMode::none;

    const Output r = f.resend(v, ring, {"resend", hex});
    CHECK(r.status == kExitError);
    CHECK(r.out.empty());
    const std::string start = "sealpost: resend: " + hex +
                              ": mail not sent and nothing changed, the old link still "
                              "works: ";
    CHECK(r.err.rfind(start, 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(v.envelope_open(token_of(old)).ok());
    auto shown = v.envelope_show(old.id, *ring.escrow_pair);
    REQUIRE(shown);
    CHECK(shown->audit.back().kind == vault::AuditKind::created);

    f.cfg.proxy.templates_dir = f.dir.path() / "no-templates";
    const Output t = f.resend(v, ring, {"resend", hex});
    CHECK(t.status == kExitError);
    CHECK(t.err.rfind("sealpost: resend: notice templates: ", 0) == 0);
    CHECK(v.envelope_open(token_of(old)).ok());
}

TEST_CASE("resend keeps a subject with a line break on one header line", "[admin][resend]") {
    // The stored subject is the decoded original: "=?utf-8?q?Rechnung=0D=0ABcc:...?=" decodes
    // to a line break. Composing refused it after the reissue had killed the old link.
    ResendFixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const vault::IssuedLink old =
        create_envelope(v, true, "de", "Rechnung\r\nBcc: evil@example.org");
    const std::string hex = vault::envelope_id_hex(old.id);

    const Output r = f.resend(v, ring, {"resend", hex});
    INFO(r.err);
    CHECK(r.status == kExitOk);
    const auto mails = f.mails();
    REQUIRE(mails.size() == 1);
    CHECK(test::contains(mails[0], "\nSubject: Rechnung  Bcc: evil@example.org\n"));
    CHECK_FALSE(test::contains(mails[0], "\nBcc:"));
    CHECK(v.envelope_open(link_token(mails[0])).ok());
}

TEST_CASE("resend checks that the mail can be made before the old link dies", "[admin][resend]") {
    ResendFixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const vault::IssuedLink old =
        create_envelope(v, true, "de", "Rechnung", "patient@example.ch, other@example.org");
    const std::string hex = vault::envelope_id_hex(old.id);

    const Output r = f.resend(v, ring, {"resend", hex});
    CHECK(r.status == kExitError);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "sealpost: resend: " + hex + ": the mail cannot be made: notice mail: bad address\n");
    CHECK(f.mails().empty());
    CHECK(v.envelope_open(token_of(old)).ok());
}

}  // namespace
}  // namespace sealpost::admin
