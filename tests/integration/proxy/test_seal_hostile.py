# SPDX-License-Identifier: Apache-2.0
"""The hostile-MIME corpus (tests/data/mime/hostile, README there) through the real
sealpost-proxy, under the shipped default policy, under a narrow sysadmin policy that seals only
when an application/pdf is attached, and under the shipped invoices-only policy. Each message is
either refused (nothing reaches the upstream) or what reaches the upstream is taken apart part by
part, and no form of the document may be in it: raw, base64 in all three alignments (line-broken
or not), quoted-printable, uuencode, and the marker the corpus put into the PDF."""
import base64
import binascii
import email
import email.policy
import quopri
import smtplib

import pytest
from conftest import SOURCE_DIR, Upstream, admin_run

HOSTILE = SOURCE_DIR / "tests" / "data" / "mime" / "hostile"
SAMPLE = SOURCE_DIR / "tests" / "data" / "samples" / "Rueckforderungsbeleg-2026-1127.pdf"
MARKER = b"SEALPOST-HOSTILE-MARKER-Zq7Kx3"
DOC = SAMPLE.read_bytes() + b"\n% " + MARKER + b"\n"  # as make_hostile.py writes it
PATIENT = "patient@example.org"

NARROW_POLICY = """
signed = "reject"
encrypted = "reject"
no_match = "reject"

[[rule]]
name = "internal-pass"
recipient = "internal"
action = "pass"

[[rule]]
name = "pdf-seal"
recipient = "external"
attachment_type = "application/pdf"
action = "seal"

[[rule]]
name = "external-pass"
recipient = "external"
action = "pass"
"""

# What each class must get (both outcomes keep the document out; the test pins the reply so a
# change of behaviour is seen). Prefix -> (code, start of the reply text) or "sealed".
REFUSED_SHAPE = (554, "5.6.0")
REFUSED_ENCODED = (550, "5.7.1 The message carries an encoded file inside its text")
EXPECTED = {
    "nb_": REFUSED_SHAPE,
    "dup_": REFUSED_SHAPE,
    "cte_": REFUSED_SHAPE,
    "no_boundary_param": REFUSED_SHAPE,
    "txt_uuencode": REFUSED_ENCODED,
    "txt_yenc": REFUSED_ENCODED,
    "txt_binhex": REFUSED_ENCODED,
    "txt_base64_block": REFUSED_ENCODED,
    "txt_attachment_uuencode": REFUSED_ENCODED,
    "forwarded_uuencode": REFUSED_ENCODED,
}


def expected(name: str):
    for prefix, want in EXPECTED.items():
        if name.startswith(prefix):
            return want
    return "sealed"


def windows(data: bytes, size: int = 32, step: int = 61):
    """Overlapping slices that cover `data` end to end."""
    out = [data[i:i + size] for i in range(0, max(1, len(data) - size), step)]
    out.append(data[-size:])
    return [w for w in out if len(w) == size]


def forms(doc: bytes) -> dict:
    """Search patterns per normalisation of the searched text."""
    raw = windows(doc) + [MARKER]
    b64 = []
    for k in range(3):
        enc = base64.b64encode(doc[k:])
        b64 += windows(enc[4:-4], size=40, step=83)
        b64.append(base64.b64encode(b"\0" * ((3 - k) % 3) + MARKER)[8:36])
    qp = windows(quopri.encodestring(doc).replace(b"=\n", b""), size=40, step=83)
    uu = []
    for start in range(0, len(doc), 45):
        line = binascii.b2a_uu(doc[start:start + 45]).rstrip(b"\n")[1:]
        uu.append(line[:40])
    return {"raw": raw, "b64": b64, "qp": qp, "uu": [u for u in uu if len(u) >= 20]}


FORMS = forms(DOC)


def leaks(blob: bytes) -> list:
    """Which forms of DOC appear in `blob` (any line ends, base64 with or without breaks)."""
    found = []
    flat = b"".join(blob.split())  # base64 lines joined, whatever the breaks
    unsoft = blob.replace(b"=\r\n", b"").replace(b"=\n", b"").replace(b"\r\n", b"\n")
    for kind, pats in FORMS.items():
        hay = {"raw": blob, "b64": flat, "qp": unsoft, "uu": blob}[kind]
        for p in pats:
            if p in hay:
                found.append((kind, p[:16]))
                break
    return found


def leaks_in_message(content: bytes) -> list:
    found = [("whole", f) for f in leaks(content)]
    msg = email.message_from_bytes(content, policy=email.policy.compat32)
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found += [(part.get_content_type(), f) for f in leaks(payload)]
    return found


def corpus():
    files = sorted(HOSTILE.glob("*.eml"))
    assert len(files) >= 40, "the hostile corpus needs at least 40 messages"
    return files


def send(port: int, data: bytes):
    s = smtplib.SMTP("127.0.0.1", port, timeout=60)
    s.ehlo("client.example")
    try:
        s.sendmail("praxis@example.ch", [PATIENT], data)
        return 250, ""
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error.decode()
    finally:
        s.quit()


def run_corpus(start_proxy, dev_certs, policy_file, strict_outcomes: bool):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                            proxy={"auth": "none", "policy_file": str(policy_file)})
        admin_run(proxy.seal_dir, "contacts", "set", PATIENT, "+41791234567")
        problems = []
        for path in corpus():
            data = path.read_bytes()
            before = len(up.messages)
            code, text = send(proxy.ports["plain"], data)
            got = up.messages[before:]
            if code != 250:
                if got:
                    problems.append(f"{path.name}: refused {code} but something went upstream")
                if code // 100 != 5:
                    problems.append(f"{path.name}: refusal is not permanent: {code} {text}")
            else:
                if len(got) != 1:
                    problems.append(f"{path.name}: accepted, {len(got)} upstream messages")
                for m in got:
                    if leak := leaks_in_message(m.content):
                        problems.append(f"{path.name}: document in clear: {leak[:3]}")
            want = expected(path.name)
            if not strict_outcomes:
                continue
            if want == "sealed":
                if code != 250 or not got or b"/d/" not in got[0].content:
                    problems.append(f"{path.name}: expected sealed, got {code} {text}")
            elif (code, text[:len(want[1])]) != want:
                problems.append(f"{path.name}: expected {want}, got {code} {text}")
        assert problems == [], "\n".join(problems)
    finally:
        up.stop()


def test_hostile_corpus_under_default_policy(start_proxy, dev_certs):
    run_corpus(start_proxy, dev_certs, SOURCE_DIR / "policies" / "default.toml", True)


def test_hostile_corpus_under_narrow_pdf_policy(start_proxy, dev_certs, tmp_path):
    policy = tmp_path / "narrow.toml"
    policy.write_text(NARROW_POLICY)
    run_corpus(start_proxy, dev_certs, policy, True)


def test_hostile_corpus_under_invoices_only_policy(start_proxy, dev_certs):
    run_corpus(start_proxy, dev_certs, SOURCE_DIR / "policies" / "invoices-only.toml", False)


def test_leak_search_finds_every_form():
    """The search itself can fail: each encoding of the document is found."""
    assert leaks(DOC)
    for k in range(3):
        enc = base64.b64encode(b"x" * k + DOC)
        assert any(kind == "b64" for kind, _ in leaks(enc)), k
        broken = b"\r\n".join(enc[i:i + 76] for i in range(0, len(enc), 76))
        assert any(kind == "b64" for kind, _ in leaks(broken)), k
    assert any(kind == "qp" for kind, _ in leaks(quopri.encodestring(DOC)))
    uu = b"".join(binascii.b2a_uu(DOC[i:i + 45]) for i in range(0, len(DOC), 45))
    assert any(kind == "uu" for kind, _ in leaks(uu))
    assert leaks(MARKER)
    assert leaks(b"Subject: x\r\n\r\nnothing here\r\n") == []
