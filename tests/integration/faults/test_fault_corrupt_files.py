# SPDX-License-Identifier: Apache-2.0
"""Fault 7 (issue 7): a damaged vault file (data.mdb) or key file. sealpost-proxy,
sealpost-portal and the sealpost CLI refuse to start (the CLI: the command) with exit code 1
and one line that names the file and what is wrong; a program that never reads a key is not
stopped by it. A tampered document chunk never comes out as other bytes: the vault's AEAD
(architecture §2) fails it, and the portal cuts the download there instead of sending altered bytes."""
import os
import random
import subprocess

import pytest
from conftest import PROXY_BIN, admin_bin, admin_run, proxy_config_text
from faults_env import SANITIZER_MARKERS, invoice, pdf_bytes, send, tokens_of, vault_list
from portal_env import (  # noqa: F401 - fixtures are used by name
    PORTAL_BIN, Portal, log_in, make_envelope, portal_config_text, seal_setup, sms,
    start_portal)

PAGE = 4096  # LMDB's page on x86-64: pages 0 and 1 are the meta pages
CHUNK = 64 * 1024


def vault_with_envelopes(tmp_path):
    seal = seal_setup(tmp_path / "seal")
    for _ in range(3):
        make_envelope(seal)
    return seal


def run(args, tmp_path, name):
    """Runs a program that should refuse to start; a program that starts instead is killed
    (after 20 s) and fails the test."""
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=20,
                              env={**os.environ, "SEALPOST_CONFIG": str(tmp_path / "seal" /
                                                                        "admin.toml")})
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{name} started on a damaged vault or key")


def refusals(tmp_path, dev_certs, only=None):
    """{program: (exit code, its stderr lines that start with its name, full stderr)} for the
    three programs, or those named in `only`."""
    seal = tmp_path / "seal"
    proxy_cfg = tmp_path / "proxy.toml"
    proxy_cfg.write_text(proxy_config_text(dev_certs, f"maildir:{tmp_path}/md",
                                           proxy={"auth": "none"}, seal_dir=seal))
    portal_cfg = tmp_path / "portal.toml"
    portal_cfg.write_text(portal_config_text(dev_certs, seal, "http://127.0.0.1:9/sms"))
    out = {}
    for name, args in (("sealpost-proxy", [str(PROXY_BIN), "--config", str(proxy_cfg)]),
                       ("sealpost-portal", [str(PORTAL_BIN), "--config", str(portal_cfg)]),
                       ("sealpost", [admin_bin(), "list"])):
        if only and name not in only:
            continue
        p = run([str(a) for a in args], tmp_path, name)
        assert not any(m in p.stderr for m in SANITIZER_MARKERS + ("AddressSanitizer",)), p.stderr
        out[name] = (p.returncode, [l for l in p.stderr.splitlines()
                                    if l.startswith(name + ":")], p.stderr)
    return out


def assert_refused(got, what, detail):
    """Every program exits 1 with one line: `what` ("vault" or "keys") and `detail`."""
    cli = {"vault": "sealpost: list: cannot open the vault: ", "keys": "sealpost: list: "}
    for name, (code, lines, stderr) in got.items():
        if name == "sealpost":
            assert stderr == cli[what] + detail + "\n", stderr
        else:
            assert lines == [f"{name}: {what}: {detail}"], stderr
        assert code == 1, (name, stderr)


def overwrite(path, offset, data):
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(data)


@pytest.mark.parametrize("damage", ["meta_pages_garbage", "pages_zeroed", "truncated"])
def test_damaged_data_mdb_stops_every_program_with_one_line(dev_certs, tmp_path, damage):
    seal = vault_with_envelopes(tmp_path)
    vault = seal / "vault"
    data = vault / "data.mdb"
    size = data.stat().st_size
    assert size > 4 * PAGE
    if damage == "meta_pages_garbage":
        overwrite(data, 0, random.Random(7).randbytes(2 * PAGE))
        detail = f"mdb_env_open {vault}: MDB_INVALID: File is not an LMDB file"
    elif damage == "pages_zeroed":
        # Blocks lost by the file system after a crash read back as zeros: every page after the
        # meta pages (the B-trees' roots among them).
        overwrite(data, 2 * PAGE, bytes(size - 2 * PAGE))
        detail = "mdb_dbi_open envelopes: MDB_CORRUPTED: Located page was wrong type"
    else:
        os.truncate(data, size // 2)
        detail = f"{data}: truncated ({size // 2} bytes; its pages need {size})"
    assert_refused(refusals(tmp_path, dev_certs), "vault", detail)


def test_damaged_or_open_key_files_stop_who_reads_them(dev_certs, tmp_path):
    seal = vault_with_envelopes(tmp_path)
    keys = seal / "keys"
    env_id = vault_list(seal).popitem()[0]

    # pepper cut short: every program needs it.
    good = (keys / "pepper").read_bytes()
    (keys / "pepper").write_bytes(good[:40])
    assert_refused(refusals(tmp_path, dev_certs), "keys", f"{keys}/pepper: truncated or "
                   "malformed (expected one line ending in a newline)")
    (keys / "pepper").write_bytes(good)
    # pepper readable by others.
    (keys / "pepper").chmod(0o644)
    assert_refused(refusals(tmp_path, dev_certs), "keys",
                   f"{keys}/pepper: mode 0644 gives access to others; refused")
    (keys / "pepper").chmod(0o600)

    # escrow.key garbage: only the CLI's show/resend read it; list and the daemons go on.
    (keys / "escrow.key").write_text("garbage\n")
    show = admin_run(seal, "show", env_id, check=False)
    assert (show.returncode, show.stderr) == (1, f"sealpost: show: {keys}/escrow.key: malformed "
                                              "(expected 'sealpost-key v1 <kind> <id> <key>')\n")
    assert admin_run(seal, "list").stdout.count(" sent ") == 3
    # contacts.key readable by others: the proxy (and the CLI's contacts verbs) refuse it.
    (keys / "contacts.key").chmod(0o644)
    got = refusals(tmp_path, dev_certs, only=("sealpost-proxy",))
    assert got["sealpost-proxy"][:2] == (1, [
        f"sealpost-proxy: keys: {keys}/contacts.key: mode 0644 gives access to others; refused"])
    contacts = admin_run(seal, "contacts", "list", check=False)
    assert (contacts.returncode, contacts.stderr) == (
        1, f"sealpost: contacts list: {keys}/contacts.key: mode 0644 gives access to others; "
           "refused\n")
    assert admin_run(seal, "list").stdout.count(" sent ") == 3  # list needs neither key
    # The portal reads the pepper only (architecture §2): it starts and serves.
    portal = Portal(tmp_path / "portal.toml", tmp_path / "portal-keys.log", dev_certs / "ca.crt")
    try:
        assert portal.session().get(portal.admin + "/healthz").status_code == 200
    finally:
        portal.stop()


def tamper_chunk(vault, env_id: str, doc: int, chunk: int):
    """Flips one bit in the middle of the stored ciphertext of one chunk, in data.mdb itself."""
    dump = subprocess.run(["mdb_dump", "-s", "documents", str(vault)], capture_output=True,
                          text=True, check=True, timeout=30).stdout
    lines = dump.split("HEADER=END\n", 1)[1].splitlines()
    records = dict(zip((l.strip() for l in lines[0::2]), (l.strip() for l in lines[1::2])))
    sealed = bytes.fromhex(records[f"{env_id}{doc:08x}{chunk:08x}"])
    probe = sealed[len(sealed) // 2:len(sealed) // 2 + 32]
    raw = (vault / "data.mdb").read_bytes()
    at = raw.find(probe)
    assert at >= 0 and raw.find(probe, at + 1) < 0
    overwrite(vault / "data.mdb", at, bytes([raw[at] ^ 0x01]))


def read_cut(s, url) -> tuple[int, bytes]:
    """(status, the body bytes that arrived before the server closed)."""
    r = s.get(url, stream=True)
    got = b""
    try:
        while chunk := r.raw.read(8192):
            got += chunk
    except Exception:  # the cut, however urllib3 reports it (protocol error, short read)
        pass
    r.close()
    s.close()  # the server closed that connection: drop the pool (the cookies stay)
    return r.status_code, got


def test_tampered_chunk_fails_the_download_never_other_bytes(sealing, start_portal, sms):
    proxy, up = sealing
    first = pdf_bytes(200 * 1024, 8)
    mail = invoice(first, "tamper")
    assert send(proxy.ports["plain"], mail) == (250, "")
    (token,) = tokens_of(up.messages[-1].content)
    seal = proxy.seal_dir
    (env_id,) = vault_list(seal)
    tamper_chunk(seal / "vault", env_id, doc=0, chunk=1)

    portal = start_portal(seal)
    s = portal.session()
    log_in(s, portal, token, sms)
    status, got = read_cut(s, f"{portal.url}/d/{token}/doc/0")
    # The promised length is never met: the first chunk, then the connection ends.
    assert status == 200 and got == first[:CHUNK]
    # The ZIP streams too (stored entries, one chunk at a time): its promised length is never
    # met either, and nothing of the tampered chunk or after it is ever sent.
    z_status, z_got = read_cut(s, f"{portal.url}/d/{token}/zip?d=0")
    assert z_status == 200
    assert first[CHUNK:CHUNK + 256] not in z_got and first[-256:] not in z_got
    assert len(z_got) < len(first)
    assert portal.log().count("event=portal.stream_failed err=auth_failed") == 2
    # The rest of the vault is untouched: the CLI shows the envelope.
    assert f"envelope   {env_id}\n" in admin_run(seal, "show", env_id).stdout
