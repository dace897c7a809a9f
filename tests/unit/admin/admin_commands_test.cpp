// SPDX-License-Identifier: Apache-2.0
// Unit tests for the CLI's verbs against a real vault in a temporary directory, with the
// vault's clock injected and TZ=UTC, so every line of output can be checked exactly.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <sstream>

#include "admin/admin_commands.hpp"
#include "admin_vault_fixture.hpp"

namespace sealpost::admin {
namespace {

Output run(vault::Vault& v, const keys::KeyRing& ring, const std::vector<std::string_view>& words) {
    auto args = parse_args(words);
    REQUIRE(args.ok());
    std::ostringstream out;
    std::ostringstream err;
    const int status = run_vault_command(*args, v, ring, out, err);
    return {status, out.str(), err.str()};
}

TEST_CASE("keys init creates the keys once and refuses to overwrite", "[admin][commands]") {
    Fixture f;
    const std::string dir = f.cfg.vault.key_dir.string();
    const Output first = f.keys_init();
    CHECK(first.status == kExitOk);
    CHECK(first.err.empty());
    CHECK(first.out.rfind(
              "created pepper, escrow.pub, escrow.key and contacts.key in " + dir + "\n", 0) == 0);
    CHECK(std::filesystem::exists(f.cfg.vault.key_dir / "escrow.key"));

    const Output again = f.keys_init();
    CHECK(again.status == kExitError);
    CHECK(again.out.empty());
    CHECK(again.err ==
          "sealpost: keys init: keys already exist in " + dir + "; refusing to overwrite\n");
}

TEST_CASE("the vault is opened as [vault] says", "[admin][commands]") {
    Config cfg = default_config();
    CHECK_FALSE(vault_options(cfg).group_access);
    cfg.vault.group_access = true;  // the packaged layout: proxy and portal share the group
    cfg.vault.link_ttl = std::chrono::hours(48);
    const vault::VaultOptions o = vault_options(cfg);
    CHECK(o.group_access);
    CHECK(o.link_ttl == std::chrono::hours(48));
    CHECK(o.dir == "/var/lib/sealpost/vault");
}

TEST_CASE("verbs load only the keys they need", "[admin][commands]") {
    CHECK(key_needs(Verb::keys_init) == 0);
    CHECK(key_needs(Verb::list) == keys::pepper);
    CHECK(key_needs(Verb::stats) == keys::pepper);
    CHECK(key_needs(Verb::purge) == keys::pepper);
    CHECK(key_needs(Verb::contacts_set) == (keys::pepper | keys::contacts));
    CHECK(key_needs(Verb::contacts_import) == (keys::pepper | keys::contacts));
    CHECK(key_needs(Verb::show) == (keys::pepper | keys::escrow_private));
    CHECK(key_needs(Verb::resend) == (keys::pepper | keys::escrow_private));

    Fixture f;
    std::ostringstream err;
    CHECK_FALSE(load_keys_for(Verb::list, f.cfg, err).has_value());
    CHECK(err.str() == "sealpost: list: no keys in " + f.cfg.vault.key_dir.string() +
                           "; run 'sealpost keys init' first\n");
    REQUIRE(f.keys_init().status == kExitOk);
    // list works without contacts.key and escrow.key being readable.
    std::filesystem::remove(f.cfg.vault.key_dir / "contacts.key");
    std::filesystem::remove(f.cfg.vault.key_dir / "escrow.key");
    std::ostringstream err2;
    auto ring = load_keys_for(Verb::list, f.cfg, err2);
    REQUIRE(ring.has_value());
    CHECK(ring->loaded == keys::pepper);
    CHECK(err2.str().empty());
    std::ostringstream err3;
    CHECK_FALSE(load_keys_for(Verb::contacts_list, f.cfg, err3).has_value());
    CHECK(err3.str().rfind("sealpost: contacts list: ", 0) == 0);
}

TEST_CASE("contacts set, list and rm", "[admin][commands]") {
    Fixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);

    CHECK(run(v, ring, {"contacts", "list"}).out == "no contacts\n");
    Output set = run(v, ring, {"contacts", "set", "a@b.ch", "079 123 45 67", "--lang", "de"});
    CHECK(set.status == kExitOk);
    CHECK(set.out == "saved a@b.ch  +41791234567  de\n");
    CHECK(run(v, ring, {"contacts", "set", "Zora@Example.ch", "+41 78 765 43 21"}).status == 0);

    Output list = run(v, ring, {"contacts", "list"});
    CHECK(list.status == kExitOk);
    CHECK(list.out ==
          "a@b.ch           +41791234567  de\n"
          "zora@example.ch  +41787654321  -\n");

    Output fixed = run(v, ring, {"contacts", "set", "a@b.ch", "044 123 45 67"});
    CHECK(fixed.status == kExitError);
    CHECK(fixed.out.empty());
    CHECK(fixed.err ==
          "sealpost: contacts set: landline number, no SMS possible (give a mobile number, or "
          "configure [voice] to call it with the code): 044 123 45 67\n");
    CHECK(run(v, ring, {"contacts", "set", "a@", "079 123 45 67"}).err ==
          "sealpost: contacts set: bad email address: a@\n");
    CHECK(run(v, ring, {"contacts", "set", "a@b.ch", "hello"}).err ==
          "sealpost: contacts set: not a phone number: hello\n");

    Output rm = run(v, ring, {"contacts", "rm", "A@B.CH"});
    CHECK(rm.status == kExitOk);
    CHECK(rm.out == "removed A@B.CH\n");
    Output rm2 = run(v, ring, {"contacts", "rm", "a@b.ch"});
    CHECK(rm2.status == kExitError);
    CHECK(rm2.err == "sealpost: contacts rm: no contact a@b.ch\n");
    CHECK(run(v, ring, {"contacts", "list"}).out == "zora@example.ch  +41787654321  -\n");
}

TEST_CASE("contacts import reports each skipped row and exits 1", "[admin][commands]") {
    Fixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);
    const std::string file = test::fixture_path("bad_rows.csv").string();

    Output imp = run(v, ring, {"contacts", "import", file});
    CHECK(imp.status == kExitError);
    CHECK(imp.out == "imported 2, skipped 7\n");
    const std::string p = "sealpost: contacts import: " + file + ":";
    CHECK(imp.err == p +
                         "3: landline number, no SMS possible (give a mobile number, or configure "
                         "[voice] to call it with the code): 044 123 45 67\n" +  //
                         p +
                         "4: bad email address: not-an-address\n" + p +
                         "5: unknown language: es (use de, fr, it or en)\n" + p +
                         "6: expected 3 fields, found 2\n" + p +
                         "7: duplicate of line 2: anna@example.ch\n" + p +
                         "8: missing mobile number\n" +  //
                         p + "9: not a phone number: 12345\n");
    CHECK(run(v, ring, {"contacts", "list"}).out ==
          "anna@example.ch  +41791234567  de\n"
          "ok@example.ch    +41765554433  it\n");

    Output good =
        run(v, ring, {"contacts", "import", test::fixture_path("contacts_v3.vcf").string()});
    CHECK(good.status == kExitOk);
    CHECK(good.out == "imported 4, skipped 0\n");
    CHECK(good.err.empty());

    Output none =
        run(v, ring, {"contacts", "import", test::fixture_path("no_header.csv").string()});
    CHECK(none.status == kExitError);
    CHECK(none.out.empty());
    CHECK(none.err == "sealpost: contacts import: " + test::fixture_path("no_header.csv").string() +
                          ": line 1: no email column (the first line must name the columns "
                          "email and phone, and optionally lang)\n");
}

TEST_CASE("list, show, revoke, purge and stats over an envelope's life", "[admin][commands]") {
    Fixture f;
    REQUIRE(f.keys_init().status == kExitOk);
    const keys::KeyRing ring = f.all_keys();
    vault::Vault v = f.open(ring);

    CHECK(run(v, ring, {"list"}).out == "no envelopes\n");
    CHECK(run(v, ring, {"purge"}).out ==
          "purged 0 past retention, deleted 0 orphaned, removed 0 old tombstones\n");

    const vault::EnvelopeId a = make_envelope(v, true);
    f.clock += 180;
    REQUIRE(v.audit_append(a, vault::AuditKind::code_sent).ok());
    f.clock += 120;
    REQUIRE(v.audit_append(a, vault::AuditKind::downloaded, 0U,
                           vault::IpHash{1, 2, 0xa0, 0xff, 5, 6, 7, 8})
                .ok());
    f.clock = kT0;
    const vault::EnvelopeId b = make_envelope(v, true);
    const vault::EnvelopeId c = make_envelope(v, false);  // never sent: an orphan later
    const std::string ha = vault::envelope_id_hex(a);
    const std::string hb = vault::envelope_id_hex(b);
    const std::string hc = vault::envelope_id_hex(c);

    const std::string row_tail = "  2026-11-27 10:02  2026-12-27 10:02  1     1.5 KiB\n";
    Output list = run(v, ring, {"list"});
    CHECK(list.status == kExitOk);
    CHECK(list.out.rfind("id" + std::string(32, ' ') +
                             "state    created           expires           docs  size\n",
                         0) == 0);
    CHECK(list.out.find(ha + "  sent   " + row_tail) != std::string::npos);
    CHECK(list.out.find(hc + "  pending" + row_tail) != std::string::npos);

    Output show = run(v, ring, {"show", ha.substr(0, 8)});
    CHECK(show.status == kExitOk);
    CHECK(show.err.empty());
    CHECK(show.out == "envelope   " + ha +
                          "\n"
                          "state      sent\n"
                          "created    2026-11-27 10:02\n"
                          "sent       2026-11-27 10:02\n"
                          "expires    2026-12-27 10:02\n"
                          "retained   2027-02-25 10:02\n"
                          "recipient  patient@example.ch\n"
                          "phone      +41791234567\n"
                          "sender     praxis@example.ch\n"
                          "subject    Rechnung November\n"
                          "language   de\n"
                          "documents  1 (1.5 KiB)\n"
                          "  1.  Rechnung.pdf  application/pdf  1.5 KiB\n"
                          "\n"
                          "audit trail\n"
                          "2026-11-27 10:02  created\n"
                          "2026-11-27 10:02  sent\n"
                          "2026-11-27 10:05  code sent\n"
                          "2026-11-27 10:07  downloaded Rechnung.pdf  (client 0102a0ff)\n");

    Output unknown = run(v, ring, {"show", "00000000000000000000000000000000"});
    CHECK(unknown.status == kExitError);
    CHECK(unknown.err == "sealpost: show: no envelope 00000000000000000000000000000000\n");
    Output bad = run(v, ring, {"revoke", "xyz"});
    CHECK(bad.status == kExitError);
    CHECK(bad.err.rfind("sealpost: revoke: ", 0) == 0);
    CHECK(bad.err.find(": xyz\n") != std::string::npos);

    f.clock = kT0 + 7200;  // past orphan_grace (1h), but c's link still works: not an orphan
    CHECK(run(v, ring, {"purge"}).out ==
          "purged 0 past retention, deleted 0 orphaned, removed 0 old tombstones\n");

    Output revoke = run(v, ring, {"revoke", ha});
    CHECK(revoke.status == kExitOk);
    CHECK(revoke.out == "revoked " + ha + ": its link no longer opens anything\n");
    Output again = run(v, ring, {"revoke", ha});
    CHECK(again.status == kExitError);
    CHECK(again.err == "sealpost: revoke: envelope " + ha + " is already revoked or purged\n");
    CHECK(run(v, ring, {"show", ha}).out ==
          "envelope   " + ha +
              "\n"
              "state      revoked\n"
              "created    2026-11-27 10:02\n"
              "sent       2026-11-27 10:02\n"
              "revoked    2026-11-27 12:02\n"
              "\n"
              "The documents and personal data of this envelope are deleted.\n");

    f.clock = kT0 + 31 * kDay;  // c's link has expired: now c is an orphan
    CHECK(run(v, ring, {"purge"}).out ==
          "purged 0 past retention, deleted 1 orphaned, removed 0 old tombstones\n");
    CHECK(run(v, ring, {"list", "--active"}).out == "no active envelopes\n");
    Output expired = run(v, ring, {"list", "--expired"});
    CHECK(expired.out.find(hb + "  expired" + row_tail) != std::string::npos);
    CHECK(expired.out.find(ha) == std::string::npos);
    Output all = run(v, ring, {"list"});
    INFO(all.out);
    CHECK(all.out.find(ha + "  revoked  2026-11-27 10:02  -                 0     0 B\n") !=
          std::string::npos);

    Output stats = run(v, ring, {"stats"});
    CHECK(stats.status == kExitOk);
    CHECK(stats.out.rfind("envelopes  2 (pending 0, sent 1, revoked 1, purged 0)\n"
                          "links      0 active, 1 expired\n"
                          "documents  1 (1.5 KiB)\n"
                          "storage    ",
                          0) == 0);

    f.clock = kT0 + 91 * kDay;
    CHECK(run(v, ring, {"purge"}).out ==
          "purged 1 past retention, deleted 0 orphaned, removed 0 old tombstones\n");
    CHECK(run(v, ring, {"list", "--expired"}).out == "no expired envelopes\n");
}

}  // namespace
}  // namespace sealpost::admin
