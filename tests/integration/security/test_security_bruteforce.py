# SPDX-License-Identifier: Apache-2.0
"""The portal's brute-force arithmetic (issue 7, security checks): from the shipped defaults in
packaging/sealpost.toml.example, the worst-case chance that someone who holds one link guesses
its SMS code within a month, printed both ways (the rate limits alone, and the lifetime limit),
and asserted below 1 in 10^4 per envelope per month.

Each wrong try rules out at most one of the 10^digits codes of the code it was typed for, so
after N tries on fresh random codes P(hit) <= N / 10^digits (union bound)."""
import tomllib
from fractions import Fraction

from conftest import SOURCE_DIR

EXAMPLE = SOURCE_DIR / "packaging" / "sealpost.toml.example"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MONTH = 30 * 86400
LIMIT = Fraction(1, 10 ** 4)


def seconds(duration: str) -> int:
    return int(duration[:-1]) * UNITS[duration[-1]]


def worst_case(p: dict) -> dict:
    """The attacker's best schedule under the portal limits in `p` (a [portal] table)."""
    space = 10 ** p["code_length"]
    tries = p["max_tries_per_code"]
    # Codes per day: the daily cap, the sliding window, and the lock after
    # max_tries_per_code x killed_codes_before_lock wrong tries in lock_duration, on any codes
    # (a cycle is at least the lock itself): as many tries as that many dead codes.
    window_cap = p["codes_per_window"] * 86400 // seconds(p["code_window"])
    lock_cap = p["killed_codes_before_lock"] * 86400 // seconds(p["lock_duration"])
    codes_per_day = min(p["codes_per_day"], window_cap, lock_cap)
    by_rate = codes_per_day * tries * MONTH // 86400
    by_lifetime = p["max_tries_total"]
    return {"space": space, "codes_per_day": codes_per_day, "tries_per_day": codes_per_day * tries,
            "by_rate": by_rate, "by_lifetime": by_lifetime,
            "p_rate": Fraction(by_rate, space), "p_lifetime": Fraction(by_lifetime, space),
            "p": Fraction(min(by_rate, by_lifetime), space)}


def test_guessing_a_code_within_a_month_is_below_one_in_ten_thousand(capsys):
    portal = tomllib.loads(EXAMPLE.read_text())["portal"]
    w = worst_case(portal)
    with capsys.disabled():
        print(f"""
brute force, shipped defaults ({EXAMPLE.name}): {portal['code_length']}-digit codes \
({w['space']:,} values), {portal['max_tries_per_code']} tries per code, \
{portal['codes_per_day']} codes per day, {portal['codes_per_window']} per {portal['code_window']}, \
lock {portal['lock_duration']} after {portal['killed_codes_before_lock'] * portal['max_tries_per_code']} \
wrong tries, \
{portal['max_tries_total']} tries per link for life
  by the rate limits: {w['codes_per_day']} codes x {portal['max_tries_per_code']} tries = \
{w['tries_per_day']} tries/day, x 30 days = {w['by_rate']} tries: P <= {w['by_rate']}/{w['space']:,} \
= {float(w['p_rate']):.1e}
  by the lifetime lock: {w['by_lifetime']} tries: P <= {w['by_lifetime']}/{w['space']:,} \
= {float(w['p_lifetime']):.1e}
  worst case per envelope per month: {float(w['p']):.1e} (limit {float(LIMIT):.0e})""")
    assert w["p"] < LIMIT
    # The rate limits alone would not do: it is the lifetime lock that bounds a month.
    assert w["p_lifetime"] == Fraction(20, 10 ** 6) and w["p_rate"] > LIMIT


def test_the_arithmetic_follows_the_limits():
    """The bound moves with each limit (so the check above reads the values it claims to)."""
    base = {"code_length": 6, "max_tries_per_code": 5, "codes_per_day": 10,
            "codes_per_window": 3, "code_window": "15m", "killed_codes_before_lock": 3,
            "lock_duration": "1h", "max_tries_total": 20}
    assert worst_case(base)["p"] == Fraction(20, 10 ** 6)
    assert worst_case({**base, "max_tries_total": 10000})["p"] == Fraction(1500, 10 ** 6)
    assert worst_case({**base, "code_length": 8})["p"] == Fraction(20, 10 ** 8)
    # A lock of a day after 3 dead codes: 3 codes a day, 15 tries, 450 a month.
    assert worst_case({**base, "lock_duration": "1d", "max_tries_total": 1000})["by_rate"] == 450
