# SPDX-License-Identifier: Apache-2.0
"""Golden session transcripts (tests/data/smtp/*.txt) replayed against a real proxy with the
maildir upstream; every server line must match exactly.

Format: `@config {json}` (listener kind, [proxy] overrides), `S: line` expected server line,
`C: line` a client line sent with CRLF, `C+ line` the same but pipelined (no reply read
before the next client line), `R: text` raw bytes with \\r and \\n escapes, `#` comments."""
import json

import pytest
from conftest import SOURCE_DIR, RawSmtp

TRANSCRIPTS = sorted((SOURCE_DIR / "tests" / "data" / "smtp").glob("*.txt"))


def steps(path):
    config, items = {}, []
    for raw in path.read_text().splitlines():
        if raw.startswith("#") or not raw:
            continue
        if raw.startswith("@config "):
            config = json.loads(raw[len("@config "):])
        elif raw[:3] in ("S: ", "C: ", "C+ ", "R: "):
            items.append((raw[:2], raw[3:]))
        elif raw in ("S:", "C:"):
            items.append((raw[:2], ""))
        else:
            raise ValueError(f"{path.name}: bad line {raw!r}")
    return config, items


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path, start_proxy, tmp_path):
    config, items = steps(path)
    kind = config.get("listener", "plain")
    proxy = start_proxy(f"maildir:{tmp_path}/md", listeners=[(kind, "127.0.0.1")],
                        proxy=config.get("proxy"))
    c = RawSmtp(proxy.ports[kind])
    pending = b""
    expected = []
    got = []
    for i, (tag, text) in enumerate(items):
        if tag in ("C:", "C+"):
            pending += text.encode() + b"\r\n"
        elif tag == "R:":
            pending += text.replace("\\r", "\r").replace("\\n", "\n").encode()
        if tag in ("C:", "R:") and pending:
            c.send(pending)
            pending = b""
        if tag == "S:":
            expected.append(text)
            last = i + 1 == len(items) or items[i + 1][0] != "S:"
            if last:
                # read as many replies as it takes to cover the expected lines
                while len(got) < len(expected):
                    code, lines = c.read_reply()
                    assert code is not None, f"closed; expected {expected[len(got):]}"
                    for j, line in enumerate(lines):
                        sep = " " if j + 1 == len(lines) else "-"
                        got.append(f"{code}{sep}{line}" if line or sep == "-" else f"{code} ")
    assert got == expected
