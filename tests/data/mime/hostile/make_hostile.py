#!/usr/bin/env python3
"""Writes the hostile-MIME corpus (README.md in this folder): messages that try to carry a PDF
past sealpost in clear. Run from anywhere: python3 make_hostile.py. Output is deterministic;
the .eml files are committed, so tests never depend on this script running.

Every message carries DOC (tests/data/samples/Rueckforderungsbeleg-2026-1127.pdf with the
MARKER comment appended) in some shape; tests/integration/proxy/test_seal_hostile.py checks
that no form of DOC reaches the upstream."""
import base64
import binascii
import io
import pathlib
import quopri
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
SAMPLE = HERE.parent.parent / "samples" / "Rueckforderungsbeleg-2026-1127.pdf"
MARKER = b"SEALPOST-HOSTILE-MARKER-Zq7Kx3"
DOC = SAMPLE.read_bytes() + b"\n% " + MARKER + b"\n"
# A real 1x1 PNG (a logo-sized image).
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

written = []


def b64(data: bytes, width: int = 76) -> bytes:
    s = base64.b64encode(data)
    return b"\n".join(s[i:i + width] for i in range(0, len(s), width))


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data, quotetabs=True)


def uu(data: bytes, name: str = "Befund.pdf", mode: str = "644") -> bytes:
    out = [f"begin {mode} {name}".encode()]
    for i in range(0, len(data), 45):
        out.append(binascii.b2a_uu(data[i:i + 45]).rstrip(b"\n"))
    out += [b"`", b"end"]
    return b"\n".join(out)


def head(cls: str, n: int, content_type: bytes, extra: bytes = b"") -> bytes:
    return (b"From: Praxis Muster <praxis@example.ch>\n"
            b"To: patient@example.org\n"
            b"Date: Mon, 07 Dec 2026 10:00:00 +0100\n"
            + f"Message-ID: <hostile-{n:02d}@example.ch>\n".encode()
            + f"Subject: Befund ({cls})\n".encode()
            + b"MIME-Version: 1.0\n" + extra
            + b"Content-Type: " + content_type + b"\n")


def write(name: str, data: bytes) -> None:
    """LF -> CRLF (what a client sends); bytes kept otherwise."""
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    (HERE / name).write_bytes(data)
    written.append(name)


TEXT = b"Content-Type: text/plain; charset=utf-8\n\nGuten Tag\n\nanbei der Befund.\n"
PDF_PART = (b"Content-Type: application/pdf; name=\"Befund.pdf\"\n"
            b"Content-Disposition: attachment; filename=\"Befund.pdf\"\n"
            b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n")
HTML_CID = (b"Content-Type: text/html; charset=utf-8\n\n"
            b"<html><body><p>Guten Tag</p><img src=\"cid:logo@praxis\"></body></html>\n")

n = 0


def nxt() -> int:
    global n
    n += 1
    return n


# ---- near-boundary lines (refused: ambiguous_boundary) ------------------------------------
def near_boundary(name, bad_line: bytes, cls="near-boundary"):
    write(name, head(cls, nxt(), b"multipart/mixed; boundary=\"SEP\"") +
          b"\n--SEP\n" + TEXT + bad_line + b"\n" + PDF_PART + b"--SEP--\n")


near_boundary("nb_suffix.eml", b"--SEPx")
near_boundary("nb_space_junk.eml", b"--SEP junk")
near_boundary("nb_tab_junk.eml", b"--SEP\tjunk")
near_boundary("nb_close_junk.eml", b"--SEP--junk")
near_boundary("nb_dash_suffix.eml", b"--SEP-")
write("nb_outer_in_inner.eml", head("near-boundary nested", nxt(),
                                    b"multipart/mixed; boundary=\"OUT\"") +
      b"\n--OUT\nContent-Type: multipart/alternative; boundary=\"IN\"\n\n--IN\n" + TEXT +
      b"--OUTx\n" + PDF_PART + b"--IN--\n--OUT--\n")
write("nb_inner_prefixed.eml", head("boundary prefix of inner", nxt(),
                                    b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\nContent-Type: multipart/mixed; boundary=\"SEP2\"\n\n--SEP2\n" + TEXT +
      b"--SEP2\n" + PDF_PART + b"--SEP2--\n--SEP--\n")
write("nb_in_forwarded.eml", head("near-boundary in message/rfc822", nxt(),
                                  b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: message/rfc822\n\n"
      b"From: a@example.org\nSubject: inner\nMIME-Version: 1.0\n"
      b"Content-Type: multipart/mixed; boundary=\"INNER\"\n\n--INNER\n" + TEXT +
      b"--INNER junk\n" + PDF_PART + b"--INNER--\n--SEP--\n")
write("nb_dup_boundary_param.eml", head("duplicate boundary parameter", nxt(),
                                        b"multipart/mixed; boundary=\"SEP\"; boundary=\"OTHER\"")
      + b"\n--SEP\n" + TEXT + b"--OTHER\nContent-Type: application/pdf\n"
      b"Content-Transfer-Encoding: quoted-printable\n\n" + qp(DOC) + b"\n--OTHER--\n--SEP--\n")

# ---- documents dressed as inline images (sealed) -------------------------------------------
def related(name, cls, img_headers: bytes, payload: bytes, html=HTML_CID):
    write(name, head(cls, nxt(), b"multipart/related; boundary=\"REL\"") +
          b"\n--REL\n" + html + b"--REL\n" + img_headers +
          b"Content-Transfer-Encoding: base64\n\n" + b64(payload) + b"\n--REL--\n")


related("img_pdf_as_png_cid.eml", "PDF as cid image/png",
        b"Content-Type: image/png\nContent-ID: <logo@praxis>\nContent-Disposition: inline\n", DOC)
related("img_pdf_as_png_pdfname.eml", "PDF as cid image/png named .pdf",
        b"Content-Type: image/png; name=\"Befund.pdf\"\nContent-ID: <logo@praxis>\n"
        b"Content-Disposition: inline; filename=\"Befund.pdf\"\n", DOC)
related("img_pdf_as_jpeg_unreferenced.eml", "PDF as unreferenced image/jpeg",
        b"Content-Type: image/jpeg\nContent-ID: <other@praxis>\n", DOC)
related("img_pdf_as_gif_no_cid.eml", "PDF as image/gif without Content-ID",
        b"Content-Type: image/gif\nContent-Disposition: inline\n", DOC)
related("img_pdf_as_heic.eml", "PDF as image/heic",
        b"Content-Type: image/heic\nContent-ID: <logo@praxis>\n", DOC)
related("img_png_polyglot.eml", "real PNG with the PDF appended after 1 KiB",
        b"Content-Type: image/png\nContent-ID: <logo@praxis>\n",
        PNG + b"\0" * 1100 + DOC)
related("img_pdf_junk_prefix_as_jpeg.eml", "PDF with junk before %PDF as image/jpeg",
        b"Content-Type: image/jpeg\nContent-ID: <logo@praxis>\n", b"\xff\xd8junk\n" * 20 + DOC)
related("img_real_png_pdf_name.eml", "real PNG logo named .pdf, and a PDF",
        b"Content-Type: image/png; name=\"scan.pdf\"\nContent-ID: <logo@praxis>\n",
        PNG + DOC)

# ---- files hidden in text parts --------------------------------------------------------------
write("txt_uuencode.eml", head("uuencode in text/plain", nxt(), b"text/plain; charset=us-ascii") +
      b"\nGuten Tag\n\nanbei der Befund.\n\n" + uu(DOC) + b"\n\nGruss\n")
write("txt_uuencode_0644.eml", head("uuencode mode 0644", nxt(), b"text/plain") +
      b"\n" + uu(DOC, mode="0644") + b"\n")
write("txt_uuencode_base64.eml", head("uuencode -m (begin-base64)", nxt(), b"text/plain") +
      b"\nbegin-base64 644 Befund.pdf\n" + b64(DOC, 60) + b"\n====\n")
write("txt_yenc.eml", head("yEnc in text/plain", nxt(), b"text/plain; charset=iso-8859-1") +
      b"\n=ybegin line=128 size=%d name=Befund.pdf\n" % len(DOC) +
      b64(DOC, 128) + b"\n=yend size=%d\n" % len(DOC))
write("txt_binhex.eml", head("BinHex in text/plain", nxt(), b"text/plain") +
      b"\n(This file must be converted with BinHex 4.0)\n:" + b64(DOC, 64) + b":\n")
write("txt_base64_block.eml", head("base64 block in a 7bit text body", nxt(), b"text/plain") +
      b"\nGuten Tag\n\nder Befund folgt:\n\n" + b64(DOC) + b"\n\nGruss\n")
write("txt_base64_block_long_line.eml", head("base64 block as one long line", nxt(),
                                             b"text/plain") +
      b"\nGuten Tag\n\n" + b64(DOC, 900) + b"\n")
write("txt_cte_base64_pdf.eml", head("text/plain whose base64 content is a PDF", nxt(),
                                     b"text/plain; charset=utf-8",
                                     b"Content-Transfer-Encoding: base64\n") +
      b"\n" + b64(DOC) + b"\n")
write("txt_cte_qp_pdf.eml", head("text/plain whose quoted-printable content is a PDF", nxt(),
                                 b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: text/plain\n"
      b"Content-Transfer-Encoding: quoted-printable\n\n" + qp(DOC) + b"\n--SEP--\n")
write("txt_html_is_pdf.eml", head("text/html whose content is a PDF", nxt(),
                                  b"multipart/alternative; boundary=\"ALT\"") +
      b"\n--ALT\n" + TEXT + b"--ALT\nContent-Type: text/html; charset=utf-8\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--ALT--\n")
write("txt_inline_disposition_pdf.eml", head("PDF declared text/plain inline", nxt(),
                                             b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: text/plain; charset=us-ascii\n"
      b"Content-Disposition: inline\nContent-Transfer-Encoding: base64\n\n" + b64(DOC) +
      b"\n--SEP--\n")
write("txt_attachment_uuencode.eml", head("uuencode inside a .txt attachment", nxt(),
                                          b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: text/plain; name=\"notes.txt\"\n"
      b"Content-Disposition: attachment; filename=\"notes.txt\"\n\n" + uu(DOC) +
      b"\n--SEP--\n")
write("txt_no_content_type_part.eml", head("part without Content-Type holding a PDF", nxt(),
                                           b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Transfer-Encoding: base64\n\n" + b64(DOC) +
      b"\n--SEP--\n")

# ---- duplicate content headers (refused: duplicate_header) ---------------------------------
write("dup_content_type_part.eml", head("two Content-Type in a part", nxt(),
                                        b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: text/plain\nContent-Type: application/pdf\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--SEP--\n")
write("dup_cte_part.eml", head("two Content-Transfer-Encoding in a part", nxt(),
                               b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/pdf\n"
      b"Content-Transfer-Encoding: 7bit\nContent-Transfer-Encoding: base64\n\n" + b64(DOC) +
      b"\n--SEP--\n")
write("dup_content_type_top.eml",
      b"From: Praxis Muster <praxis@example.ch>\nTo: patient@example.org\n"
      b"Subject: Befund (two top-level Content-Type)\nMessage-ID: <hostile-dup-top@example.ch>\n"
      b"MIME-Version: 1.0\nContent-Type: text/plain\n"
      b"Content-Type: multipart/mixed; boundary=\"SEP\"\n\n--SEP\n" + TEXT + b"--SEP\n" +
      PDF_PART + b"--SEP--\n")
nxt()
write("dup_disposition.eml", head("two Content-Disposition with different names", nxt(),
                                  b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream\n"
      b"Content-Disposition: attachment; filename=\"logo.png\"\n"
      b"Content-Disposition: attachment; filename=\"Befund.pdf\"\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--SEP--\n")

# ---- unknown transfer encodings (refused: unknown_encoding) --------------------------------
write("cte_x_uuencode.eml", head("x-uuencode on application/pdf", nxt(),
                                 b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/pdf; name=\"Befund.pdf\"\n"
      b"Content-Transfer-Encoding: x-uuencode\n\n" + uu(DOC) + b"\n--SEP--\n")
write("cte_base_64_typo.eml", head("base-64 on application/octet-stream", nxt(),
                                   b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream\n"
      b"Content-Transfer-Encoding: base-64\n\n" + b64(DOC) + b"\n--SEP--\n")
write("cte_on_multipart.eml", head("base64 on a multipart", nxt(),
                                   b"multipart/mixed; boundary=\"SEP\"",
                                   b"Content-Transfer-Encoding: base64\n") +
      b"\n--SEP\n" + TEXT + b"--SEP\n" + PDF_PART + b"--SEP--\n")

# ---- shapes a label-based reader gets wrong (sealed) ---------------------------------------
write("nested_rfc822_pdf.eml", head("forwarded message holding a PDF", nxt(),
                                    b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: message/rfc822\n\n"
      b"From: a@example.org\nSubject: inner\nMIME-Version: 1.0\n"
      b"Content-Type: multipart/mixed; boundary=\"INNER\"\n\n--INNER\n" + TEXT +
      b"--INNER\n" + PDF_PART + b"--INNER--\n--SEP--\n")
write("digest_pdf.eml", head("multipart/digest with a PDF inside", nxt(),
                             b"multipart/digest; boundary=\"DIG\"") +
      b"\n--DIG\n\nFrom: a@example.org\nSubject: one\nMIME-Version: 1.0\n"
      b"Content-Type: multipart/mixed; boundary=\"I\"\n\n--I\n" + TEXT + b"--I\n" + PDF_PART +
      b"--I--\n--DIG--\n")
write("b64_whitespace_junk.eml", head("base64 with junk characters", nxt(),
                                      b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream\n"
      b"Content-Transfer-Encoding: base64\n\n" +
      b64(DOC, 40).replace(b"\n", b" \t!\n") + b"\n--SEP--\n")
write("qp_pdf_octet.eml", head("quoted-printable PDF as octet-stream", nxt(),
                               b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream\n"
      b"Content-Transfer-Encoding: quoted-printable\n\n" + qp(DOC) + b"\n--SEP--\n")
write("ct_comment.eml", head("Content-Type with comments", nxt(),
                             b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: image/png (a logo, honest); "
      b"name=\"logo.png\"\nContent-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--SEP--\n")
write("rfc2231_split_name.eml", head("RFC 2231 split name ending .pdf", nxt(),
                                     b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream\n"
      b"Content-Disposition: attachment; filename*0=\"Bef\"; filename*1=\"und.p\"; "
      b"filename*2=\"df\"\nContent-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--SEP--\n")
write("octet_no_name.eml", head("application/octet-stream without a name", nxt(),
                                b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--SEP--\n")
TNEF = b"\x78\x9f\x3e\x22\x01\x00\x01\x06\x90\x08\x00" + b"\x00" * 16 + DOC
write("tnef_winmail.eml", head("TNEF winmail.dat holding a PDF", nxt(),
                               b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
      b"Content-Disposition: attachment; filename=\"winmail.dat\"\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(TNEF) + b"\n--SEP--\n")
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w", compression=zipfile.ZIP_STORED) as z:
    z.writestr(zipfile.ZipInfo("Befund.pdf", date_time=(2026, 12, 7, 10, 0, 0)), DOC)
write("zip_stored_pdf.eml", head("stored ZIP holding a PDF", nxt(),
                                 b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/octet-stream; name=\"daten\"\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(zbuf.getvalue()) + b"\n--SEP--\n")
write("alternative_third_pdf.eml", head("PDF as a third alternative", nxt(),
                                        b"multipart/alternative; boundary=\"ALT\"") +
      b"\n--ALT\n" + TEXT + b"--ALT\n" + HTML_CID + b"--ALT\nContent-Type: application/pdf\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--ALT--\n")
write("fold_content_type.eml", head("folded Content-Type value", nxt(),
                                    b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type:\n text/plain;\n\tname=\"notiz\"\n"
      b"Content-Disposition: inline;\n filename\n =\n \"Bef\n und.pdf\"\n"
      b"Content-Transfer-Encoding: base64\n\n" + b64(DOC) + b"\n--SEP--\n")
write("binary_8bit_pdf.eml", head("8bit PDF bytes", nxt(), b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: application/pdf\n"
      b"Content-Transfer-Encoding: 8bit\n\n" + DOC.replace(b"\0", b" ").replace(b"\r", b" ") +
      b"\n--SEP--\n")
write("only_pdf_no_text.eml", head("a PDF as the only part, declared text/plain", nxt(),
                                   b"text/plain; charset=us-ascii",
                                   b"Content-Disposition: inline\n"
                                   b"Content-Transfer-Encoding: base64\n") +
      b"\n" + b64(DOC) + b"\n")
write("no_boundary_param.eml", head("multipart without a boundary", nxt(), b"multipart/mixed") +
      b"\n--SEP\n" + TEXT + b"--SEP\n" + PDF_PART + b"--SEP--\n")
write("forwarded_uuencode.eml", head("forwarded message with uuencode in its text", nxt(),
                                     b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: message/rfc822\n\n"
      b"From: a@example.org\nSubject: inner\n\n" + uu(DOC) + b"\n--SEP--\n")
write("named_text_pdf.eml", head("PDF declared text/plain with a .pdf name", nxt(),
                                 b"multipart/mixed; boundary=\"SEP\"") +
      b"\n--SEP\n" + TEXT + b"--SEP\nContent-Type: text/plain; charset=us-ascii; "
      b"name=\"Befund.pdf\"\nContent-Transfer-Encoding: base64\n\n" + b64(DOC) +
      b"\n--SEP--\n")

if __name__ == "__main__":
    print(f"{len(written)} messages written to {HERE}")
