#!/usr/bin/env python3
"""Writes the hand-made MIME fixtures for test_mime (CRLF line endings, as the proxy gets them).
Run from this directory: python3 make_fixtures.py. The PDF bodies are small fakes except in
alternative_rfc2231.eml, which carries tests/data/samples/Rueckforderungsbeleg-2026-1127.pdf."""
import base64
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE = HERE.parent / "samples" / "Rueckforderungsbeleg-2026-1127.pdf"


def b64(data: bytes) -> str:
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def write(name: str, text: str) -> None:
    data = text.lstrip("\n").replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    (HERE / name).write_bytes(data)


PDF1 = b"%PDF-1.4\n% Rechnung 2026-1127 (fixture)\n%%EOF\n"
PDF2 = b"%PDF-1.4\n% Rueckforderungsbeleg (fixture)\n\x00\x01\x02\xff%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n fixture logo"

HEAD = """
From: Praxis Muster <praxis@therapie-muster.ch>
To: patient@example.ch
Date: Fri, 27 Nov 2026 08:00:00 +0100
Message-ID: <fixture-{id}@therapie-muster.ch>
MIME-Version: 1.0
"""

write("mixed_text_2pdf.eml", HEAD.format(id="mixed") + f"""Subject: Rechnung November [secure]
X-Mailer: fixture
Content-Type: multipart/mixed; boundary="=_outer"

This is a multi-part message in MIME format.

--=_outer
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Guten Tag

Anbei die Rechnung f=C3=BCr November.

Freundliche Gr=C3=BCsse
Praxis Muster
--=_outer
Content-Type: application/pdf; name="Rechnung-2026-1127.pdf"
Content-Disposition: attachment; filename="Rechnung-2026-1127.pdf"
Content-Transfer-Encoding: base64

{b64(PDF1)}
--=_outer
Content-Type: application/pdf; name="Beleg.pdf"
Content-Disposition: attachment; filename="Beleg.pdf"
Content-Transfer-Encoding: base64

{b64(PDF2)}
--=_outer--
""")

write("alternative_rfc2231.eml", HEAD.format(id="alt") + f"""Subject: =?utf-8?q?R=C3=BCckforderung?= [sms:+41 79 123 45 67]
X-Sealpost-Phone: +41791234567
Content-Type: multipart/mixed; boundary="mixed-1"

--mixed-1
Content-Type: multipart/alternative; boundary="alt-1"

--alt-1
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FCezi, hier der R=FCckforderungsbeleg.
--alt-1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 7bit

<html><head><title>x</title></head><body><p>Gruezi</p></BODY></html>
--alt-1--

--mixed-1
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*=utf-8''R%C3%BCckforderungsbeleg%20M%C3%A4rz.pdf
Content-Transfer-Encoding: base64

{b64(SAMPLE.read_bytes())}
--mixed-1--
""")

write("single_pdf.eml", HEAD.format(id="single") + f"""Subject: Scan
Content-Type: application/pdf; name="scan.pdf"
Content-Disposition: attachment; filename="scan.pdf"
Content-Transfer-Encoding: base64

{b64(PDF1)}
""")

write("inline_image.eml", HEAD.format(id="cid") + f"""Subject: Rechnung mit Logo
Content-Type: multipart/mixed; boundary="m"

--m
Content-Type: multipart/related; boundary="r"

--r
Content-Type: text/html; charset=us-ascii

<html><body><p>Hallo</p><img src="cid:logo%40praxis"></body></html>
--r
Content-Type: image/png
Content-ID: <logo@praxis>
Content-Disposition: inline
Content-Transfer-Encoding: base64

{b64(PNG)}
--r--
--m
Content-Type: application/pdf; name="Rechnung.pdf"
Content-Transfer-Encoding: base64

{b64(PDF1)}
--m--
""")

write("nested_rfc822.eml", HEAD.format(id="nested") + f"""Subject: Fwd: Bericht
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: text/plain; charset=us-ascii

See the forwarded message.
--outer
Content-Type: message/rfc822

From: Labor <labor@example.org>
Subject: Bericht
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain

Bericht anbei.
--inner
Content-Type: application/pdf; name="bericht.pdf"
Content-Transfer-Encoding: base64

{b64(PDF2)}
--inner--
--outer--
""")

write("signed.eml", HEAD.format(id="signed") + """Subject: Signed
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;
 boundary="sig"

--sig
Content-Type: text/plain

Signed text.
--sig
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Disposition: attachment; filename="smime.p7s"
Content-Transfer-Encoding: base64

MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIB
--sig--
""")

write("broken_boundary.eml", HEAD.format(id="broken") + f"""Subject: Broken
Content-Type: multipart/mixed; boundary="declared"

--actual
Content-Type: text/plain

Hello
--actual
Content-Type: application/pdf; name="Rechnung.pdf"
Content-Transfer-Encoding: base64

{b64(PDF1)}
--actual--
""")

write("no_boundary.eml", HEAD.format(id="nobound") + f"""Subject: No boundary
Content-Type: multipart/mixed

--x
Content-Type: application/pdf; name="Rechnung.pdf"
Content-Transfer-Encoding: base64

{b64(PDF1)}
--x--
""")

write("hostile_name.eml", HEAD.format(id="hostile") + f"""Subject: Hostile
Content-Type: multipart/mixed; boundary="h"

--h
Content-Type: text/html; charset=utf-8

<p>Hi</p>
--h
Content-Type: application/pdf
Content-Disposition: attachment; filename="<script>alert('x')</script>&.pdf"
Content-Transfer-Encoding: base64

{b64(PDF1)}
--h--
""")

write("text_only.eml", HEAD.format(id="text") + """Subject: Termin
Content-Type: text/plain; charset=us-ascii

Ihr Termin ist am Montag.
""")
