# SPDX-License-Identifier: Apache-2.0
# Integration tests for the `sealpost` admin CLI: runs the real binary ($SEALPOST_BIN, default
# $SEALPOST_BUILD_DIR/admin/sealpost) with a temporary config, vault and key directory, and
# checks exact output and exit codes.
# Envelopes come from the test-only helper sealpost_test_envelope (see admin_env.py).
import re
import time
from pathlib import Path

import pytest

from admin_env import env, error, keyed, ok, usage  # noqa: F401 (env, keyed: fixtures)

SOURCE_DIR = Path(__file__).resolve().parents[3]
CONTACTS_DATA = SOURCE_DIR / "tests" / "data" / "contacts"
DAY = 86400


# ---- the new user's first commands ------------------------------------------------------

def test_new_user_chain(env):
    out = ok(env.run("keys", "init"))
    assert out.startswith(f"created pepper, escrow.pub, escrow.key and contacts.key in {env.keys}\n")
    for name in ("pepper", "escrow.pub", "escrow.key", "contacts.key"):
        assert (env.keys / name).stat().st_mode & 0o777 == 0o600
    ok(env.run("contacts", "set", "a@b.ch", "079 123 45 67"), "saved a@b.ch  +41791234567  -\n")
    ok(env.run("contacts", "list"), "a@b.ch  +41791234567  -\n")


def test_keys_init_refuses_to_overwrite(keyed):
    before = (keyed.keys / "escrow.key").read_bytes()
    r = keyed.run("keys", "init")
    assert r.stdout == ""
    error(r, f"sealpost: keys init: keys already exist in {keyed.keys}; refusing to overwrite")
    assert (keyed.keys / "escrow.key").read_bytes() == before


def test_vault_verbs_without_keys_say_what_to_do(env):
    for verb in (["list"], ["stats"], ["contacts", "list"]):
        error(env.run(*verb),
              f"sealpost: {' '.join(verb)}: no keys in {env.keys}; run 'sealpost keys init' first")


def test_each_verb_reads_only_its_keys(keyed):
    (keyed.keys / "escrow.key").unlink()
    (keyed.keys / "contacts.key").unlink()
    ok(keyed.run("list"), "no envelopes\n")
    ok(keyed.run("purge"))
    r = keyed.run("contacts", "list")
    assert r.returncode == 1
    assert r.stderr.startswith("sealpost: contacts list: ") and r.stderr.count("\n") == 1
    r = keyed.run("show", "0" * 32)
    assert r.returncode == 1
    assert r.stderr.startswith("sealpost: show: ") and r.stderr.count("\n") == 1


# ---- exit codes and messages ------------------------------------------------------------

def test_error_messages_are_one_line_with_status_1(keyed):
    error(keyed.run("contacts", "set", "a@b.ch", "044 123 45 67"),
          "sealpost: contacts set: landline number, no SMS possible (give a mobile number, or configure [voice] to call it with the code): 044 123 45 67")
    error(keyed.run("contacts", "set", "not-an-address", "079 123 45 67"),
          "sealpost: contacts set: bad email address: not-an-address")
    error(keyed.run("contacts", "rm", "nobody@example.ch"),
          "sealpost: contacts rm: no contact nobody@example.ch")
    error(keyed.run("contacts", "import", str(keyed.dir / "missing.csv")),
          f"sealpost: contacts import: {keyed.dir / 'missing.csv'}: cannot open file")


@pytest.mark.parametrize("args,line", [
    ([], "sealpost: missing command"),
    (["frobnicate"], "sealpost: unknown command 'frobnicate'"),
    (["keys"], "sealpost: keys: missing subcommand (init)"),
    (["show"], "sealpost: show: missing envelope ID"),
    (["resend"], "sealpost: resend: missing envelope ID"),
    (["show", "0123abcd", "--print"], "sealpost: show: unknown option '--print'"),
    (["revoke", "a", "b"], "sealpost: revoke: unexpected argument 'b'"),
    (["contacts", "set", "a@b.ch"], "sealpost: contacts set: missing PHONE"),
    (["contacts", "set", "a@b.ch", "079 123 45 67", "--lang", "es"],
     "sealpost: contacts set: --lang must be de, fr, it or en"),
    (["list", "--active", "--expired"], "sealpost: list: --active and --expired exclude each other"),
    (["purge", "--force"], "sealpost: purge: unknown option '--force'"),
    (["--config"], "sealpost: option --config needs a value"),
])
def test_usage_errors_exit_2(env, args, line):
    usage(env.run(*args), line)


def test_config_errors_are_one_line(env):
    missing = env.dir / "nope.toml"
    r = env.run("--config", str(missing), "list")
    assert r.returncode == 1
    assert r.stderr.startswith(f"sealpost: {missing}")
    assert r.stderr.count("\n") == 1
    bad = env.dir / "bad.toml"
    bad.write_text("[vault]\nfoo = 1\n")
    r = env.run("--config", str(bad), "list")
    assert r.returncode == 1
    assert r.stderr.startswith(f"sealpost: {bad}:2: ")
    assert r.stderr.count("\n") == 1
    # $SEALPOST_CONFIG is used when --config is absent.
    env.config.write_text("[vault]\nfoo = 1\n")
    r = env.run("list")
    assert r.returncode == 1
    assert r.stderr.startswith(f"sealpost: {env.config}:2: ")


VERBS = [["keys", "init"], ["list"], ["show"], ["resend"], ["revoke"], ["purge"], ["stats"],
         ["contacts", "import"], ["contacts", "set"], ["contacts", "list"], ["contacts", "rm"],
         ["policy", "check"]]


@pytest.mark.parametrize("verb", VERBS, ids=[" ".join(v) for v in VERBS])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_on_every_verb(env, verb, flag):
    # Help needs no config, no keys, and no operands.
    r = env.run(*verb, flag, config=False)
    ok(r)
    assert r.stdout.startswith(f"usage: sealpost [--config PATH] {' '.join(verb)}")
    assert not (env.keys).exists()


def test_top_level_help_and_version(env):
    for flag in ("--help", "-h"):
        out = ok(env.run(flag, config=False))
        assert out.startswith("usage: sealpost [--config PATH] COMMAND [ARGS]\n")
        for verb in VERBS:
            assert "\n  " + " ".join(verb) in out
    ok(env.run("--version", config=False), "sealpost 0.1.0\n")


# ---- contacts import --------------------------------------------------------------------

def test_import_csv_with_one_bad_row(keyed):
    csv = keyed.dir / "patients.csv"
    csv.write_text("email;phone;lang\r\n"
                   "anna@example.ch;079 123 45 67;de\r\n"
                   "praxis@example.ch;044 123 45 67;fr\r\n"
                   "\"Luigi@Example.ch\";\"+41 78 765 43 21\";it\r\n")
    r = keyed.run("contacts", "import", str(csv))
    assert r.returncode == 1
    assert r.stdout == "imported 2, skipped 1\n"
    assert r.stderr == f"sealpost: contacts import: {csv}:3: landline number, no SMS possible (give a mobile number, or configure [voice] to call it with the code): 044 123 45 67\n"
    ok(keyed.run("contacts", "list"),
       "anna@example.ch   +41791234567  de\n"
       "luigi@example.ch  +41787654321  it\n")


def test_import_vcard_and_remove(keyed):
    ok(keyed.run("contacts", "import", str(CONTACTS_DATA / "contacts_v4.vcf")),
       "imported 2, skipped 0\n")
    ok(keyed.run("contacts", "rm", "anna@example.ch"), "removed anna@example.ch\n")
    ok(keyed.run("contacts", "list"), "luigi@example.ch  +41761112233  it\n")


def test_import_garbage_is_refused(keyed):
    r = keyed.run("contacts", "import", str(CONTACTS_DATA / "garbage.bin"))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr.startswith(f"sealpost: contacts import: {CONTACTS_DATA / 'garbage.bin'}: ")
    assert r.stderr.count("\n") == 1


# ---- envelopes --------------------------------------------------------------------------

def test_empty_vault(keyed):
    ok(keyed.run("list"), "no envelopes\n")
    ok(keyed.run("list", "--active"), "no active envelopes\n")
    ok(keyed.run("list", "--expired"), "no expired envelopes\n")
    out = ok(keyed.run("stats"))
    assert out.startswith("envelopes  0 (pending 0, sent 0, revoked 0, purged 0)\n"
                          "links      0 active, 0 expired\n"
                          "documents  0 (0 B)\n"
                          "storage    ")
    ok(keyed.run("purge"), "purged 0 past retention, deleted 0 orphaned, removed 0 old tombstones\n")
    error(keyed.run("show", "0" * 32), "sealpost: show: no envelope " + "0" * 32)
    error(keyed.run("revoke", "0" * 32), "sealpost: revoke: no envelope " + "0" * 32)


def test_list_show_revoke(keyed):
    env_id, token = keyed.envelope("--sent", "--events")
    out = ok(keyed.run("list"))
    lines = out.splitlines()
    assert lines[0] == "id" + " " * 32 + "state  created           expires           docs  size"
    assert re.fullmatch(env_id + r"  sent   \d{4}-\d\d-\d\d \d\d:\d\d  \d{4}-\d\d-\d\d \d\d:\d\d"
                        r"  1     40 B", lines[1])
    show = ok(keyed.run("show", env_id[:8]))
    assert show.startswith(f"envelope   {env_id}\nstate      sent\n")
    for line in ("recipient  patient@example.ch", "phone      +41791234567",
                 "sender     praxis@example.ch", "subject    Rechnung November",
                 "language   de", "documents  1 (40 B)",
                 "  1.  Rechnung.pdf  application/pdf  40 B", "audit trail"):
        assert line + "\n" in show
    trail = show.split("audit trail\n", 1)[1].splitlines()
    assert [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d  ", "", l) for l in trail] == [
        "created", "sent", "code sent", "downloaded Rechnung.pdf"]
    # The link token is a secret: shown only in the mail, never by the CLI.
    assert token not in out and token not in show

    ok(keyed.run("revoke", env_id), f"revoked {env_id}: its link no longer opens anything\n")
    error(keyed.run("revoke", env_id),
          f"sealpost: revoke: envelope {env_id} is already revoked or purged")
    show = ok(keyed.run("show", env_id))
    assert "state      revoked\n" in show
    assert "patient@example.ch" not in show
    out = ok(keyed.run("stats"))
    assert out.startswith("envelopes  1 (pending 0, sent 0, revoked 1, purged 0)\n")


def test_expired_and_purge(keyed):
    now = int(time.time())
    live, _ = keyed.envelope("--sent")
    expired, _ = keyed.envelope("--sent", "--at", str(now - 40 * DAY))
    gone, _ = keyed.envelope("--sent", "--at", str(now - 100 * DAY))
    out = ok(keyed.run("list", "--active"))
    assert live in out and expired not in out and gone not in out
    out = ok(keyed.run("list", "--expired"))
    assert live not in out
    assert re.search(expired + r"  expired  ", out)
    assert re.search(gone + r"  expired  ", out)
    ok(keyed.run("purge"), "purged 1 past retention, deleted 0 orphaned, removed 0 old tombstones\n")
    out = ok(keyed.run("list"))
    assert re.search(gone + r"  purged   .*  -  ", out)
    assert "envelopes  3 (pending 0, sent 2, revoked 0, purged 1)\n" in ok(keyed.run("stats"))
