# SPDX-License-Identifier: Apache-2.0
"""The log grep (issue 7, security checks): no daemon log of the whole test run holds a link token,
an SMS code, a session cookie, a password or a patient's phone number. ctest runs this suite after
every other integration suite (fixture sealpost_registry); the shared fixtures recorded each secret
they handled and each daemon log they made in the registry (conftest.py record()). Phone numbers
are also taken from the test sources and data, in every way they are commonly written."""
import re
from pathlib import Path

from conftest import REGISTRY_DIR, SOURCE_DIR

# A Swiss mobile number as the tests write it: +41 79 123 45 67, 0041791234567, 079 123 45 67.
WRITTEN_MOBILE = re.compile(r"(?<![\d+])(?:\+41|0041|0)[ ]?(7[5-9](?:[ ]?\d){7})(?!\d)")
E164_CH = re.compile(r"^\+41(7[5-9]\d{7})$")
# Log keys whose values are sizes, times or counts: digits there are never a code.
NUMERIC_KEYS = re.compile(r"(?:bytes|size|map_size|max_size|used_bytes|ms|expires_at)=$")
ALNUM = re.compile(r"[0-9A-Za-z]")


def phone_forms(nsn: str) -> set[str]:
    """The ways a Swiss mobile number (national significant number `nsn`, 9 digits) is written."""
    spaced = f"{nsn[:2]} {nsn[2:5]} {nsn[5:7]} {nsn[7:]}"
    return {"+41" + nsn, "0041" + nsn, "0" + nsn, "0" + spaced, "+41 " + spaced}


def source_phones() -> set[str]:
    """Every form of every mobile number written in the integration tests and the test data."""
    out = set()
    for root in (SOURCE_DIR / "tests" / "integration", SOURCE_DIR / "tests" / "data"):
        for f in root.rglob("*"):
            if f.is_file() and f.suffix in (".py", ".csv", ".vcf", ".eml", ".txt", ".toml"):
                for m in WRITTEN_MOBILE.finditer(f.read_text(errors="replace")):
                    out |= phone_forms(m.group(1).replace(" ", ""))
    return out


def registry(kind: str) -> list[str]:
    f = REGISTRY_DIR / f"{kind}.txt"
    return f.read_text().splitlines() if f.exists() else []


def secrets_of_run() -> dict[str, set[str]]:
    """The run's secrets by kind."""
    recorded = set(registry("secrets"))
    phones = source_phones()
    for s in recorded:
        if m := E164_CH.match(s):  # a number the SMS gateway saw: every written form of it
            phones |= phone_forms(m.group(1))
    tokens = {s for s in recorded if re.fullmatch(r"[A-Za-z0-9_-]{43}", s)}
    codes = {s for s in recorded if s.isdigit() and 6 <= len(s) <= 10} - phones
    return {"link tokens and session cookies": tokens, "SMS codes": codes, "phone forms": phones,
            "passwords": recorded - tokens - codes - phones}


def leaks(text: str, secrets) -> list[tuple[int, str]]:
    """(line number, secret) for each secret found in `text`. A secret of digits only (an SMS
    code, a phone number without '+') counts only as a number of its own, not inside a longer
    number or an id, and not as the value of a size or time field."""
    found = []
    for s in secrets:
        start = text.find(s)
        while start >= 0:
            end = start + len(s)
            own = not s.isdigit() or (
                (start == 0 or not ALNUM.match(text[start - 1]))
                and (end == len(text) or not ALNUM.match(text[end]))
                and not NUMERIC_KEYS.search(text[max(0, start - 12):start]))
            if own:
                found.append((text.count("\n", 0, start) + 1, s))
                break
            start = text.find(s, start + 1)
    return found


def masked(secret: str) -> str:
    return secret[:3] + "…" + f"({len(secret)} chars)"


def test_no_log_of_the_run_holds_a_secret(capsys):
    logs = sorted(set(registry("logs")))
    assert logs, (f"the registry {REGISTRY_DIR} lists no daemon log: run this check in the same "
                  "ctest run as the integration suites (ctest -L integration), after them")
    missing = [l for l in logs if not Path(l).exists()]
    assert not missing, f"{len(missing)} registered logs are gone (run the suites and this " \
                        f"check in one ctest run), e.g. {missing[0]}"
    kinds = secrets_of_run()
    secrets = set().union(*kinds.values())
    total = sum(Path(l).stat().st_size for l in logs)
    with capsys.disabled():
        print(f"\nlog grep: {len(logs)} daemon logs ({total // 1024} KiB), {len(secrets)} secrets: "
              + ", ".join(f"{len(v)} {k}" for k, v in kinds.items()))
    assert kinds["link tokens and session cookies"] and kinds["phone forms"]
    # A portal sent codes, through an upstream that logs in: both must have been recorded, or
    # the registry misses what the suites handled. (Without a portal, as with ctest -R for the
    # proxy alone, there are no codes to look for.)
    if registry("portal_logs"):
        assert kinds["SMS codes"] and kinds["passwords"], (
            f"{len(kinds['SMS codes'])} SMS codes and {len(kinds['passwords'])} passwords "
            "recorded, though a portal ran: the registry misses what the suites handled")
    assert total > 0, f"the {len(logs)} registered daemon logs are all empty: nothing was grepped"
    hits = []
    for l in logs:
        text = Path(l).read_text(errors="replace")
        hits += [f"{l}:{line}: {masked(s)}" for line, s in leaks(text, secrets)]
    assert not hits, f"{len(hits)} secrets in logs:\n" + "\n".join(hits[:20])


def test_the_grep_finds_secrets_and_only_secrets():
    """The matcher itself: what a leak looks like is found, look-alike numbers are not."""
    token = "fKD7ZmgjCPpZyt590Sglz7pFzYxxDFFWkpTeVxsiwTA"
    secrets = {token, "482913", "+41791234567", "079 123 45 67", "correct horse battery staple"}
    log = ("2026-11-27T11:04:33.092Z info event=portal.code_sent sid=1.2 envelope=ab482913cd\n"
           "info event=x bytes=482913 id=14829130 n=4829131\n")
    assert leaks(log, secrets) == []
    for line in (f"url=/d/{token}", "code=482913", "to=+41791234567", "text=Code 482913.",
                 "to=079 123 45 67 ", "pw=correct horse battery staple"):
        found = leaks(log + line + "\n", secrets)
        assert [n for n, _ in found] == [3], line
    assert phone_forms("791234567") == {"+41791234567", "0041791234567", "0791234567",
                                        "079 123 45 67", "+41 79 123 45 67"}
    assert {m.group(1).replace(" ", "") for m in WRITTEN_MOBILE.finditer(
        "[sms:+41 79 123 45 67] 0041 76 111 22 33 0781234567 044 123 45 67")} == {
        "791234567", "761112233", "781234567"}
