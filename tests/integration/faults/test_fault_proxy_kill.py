# SPDX-License-Identifier: Apache-2.0
"""Fault 1 (issue 7): SIGKILL of sealpost-proxy at random points of 200 sealed transactions, with
a client that retries each message until it gets 250, and the proxy started again after each kill
on the same vault. Every message arrives upstream at least once and none in clear; every envelope
in the vault either was delivered (its link is in a mail the upstream got) or is pending, and the
pending ones that nobody got are orphans that `sealpost purge` removes once their link expired
(architecture §2 "LMDB": a crash never leaves a mail with a link to nothing)."""
import os
import random
import re
import signal
import threading

from conftest import RawSmtp, Upstream
from faults_env import (RestartableProxy, admin_at, admin_run, envelope_ids, in_clear, invoice,
                        pdf_bytes, tokens_of, vault_list)

TRANSACTIONS = 200
# Where a kill lands: in the middle of DATA; right after the final dot (the rewrite and the vault
# commit); a random moment after the dot (commit, relay, mark sent); when the upstream has the
# message but not yet the proxy's acknowledgement: it keeps the message ("upstream") or drops it
# ("upstream_lost": the envelope is committed, its link never delivered: an orphan); after the
# client's 250, before QUIT (a deferred "sent" mark may be lost); at a random moment.
PHASES = ("mid_data", "after_dot", "after_dot_random", "upstream", "upstream_lost",
          "after_reply", "random")
MESSAGE_ID = re.compile(rb"^Message-ID: <fault-(\d+)@example\.ch>\r$", re.M | re.I)


def dot_stuffed(data: bytes) -> bytes:
    lines = data.split(b"\r\n")
    return b"\r\n".join(b"." + l if l.startswith(b".") else l for l in lines) + b".\r\n"


class Killer:
    """Kills the proxy at a chosen phase of the current transaction. Any thread may kill (a
    timer, the upstream's); only the test's thread waits for the process (Popen is not meant
    to be waited for from two threads)."""

    def __init__(self, proxy: RestartableProxy, rng: random.Random):
        self.proxy = proxy
        self.rng = rng
        self.lock = threading.Lock()
        self.pid = None  # the process of the current transaction, until it is killed
        self.at_upstream = None  # "upstream" or "upstream_lost" while armed
        self.timer = None
        self.kills = {p: 0 for p in PHASES}

    def kill(self, phase):
        with self.lock:
            if self.pid is not None:
                os.kill(self.pid, signal.SIGKILL)
                self.kills[phase] += 1
                self.pid = None

    def later(self, phase, at_most):
        self.timer = threading.Timer(self.rng.uniform(0, at_most), self.kill, (phase,))
        self.timer.start()

    def arm(self, phase):
        self.pid = self.proxy.proc.proc.pid
        if phase in ("upstream", "upstream_lost"):
            self.at_upstream = phase
        elif phase == "random":
            self.later(phase, 0.06)

    def disarm(self):
        """The transaction is over: a pending timer still fires (the proxy may then die idle),
        so that every planned kill happens; a killed proxy is waited for."""
        self.at_upstream = None
        if self.timer:
            self.timer.join()
            self.timer = None
        with self.lock:
            killed, self.pid = self.pid is None, None
        if killed:
            self.proxy.proc.proc.wait()


def hook_upstream(up: Upstream, killer: Killer):
    """When armed, the proxy dies while the upstream holds the message, before its 250: the
    upstream then keeps the message, or drops it as never acknowledged."""
    record = up.handler.handle_DATA

    async def handle_DATA(server, session, envelope):
        phase, killer.at_upstream = killer.at_upstream, None
        if phase == "upstream_lost":
            killer.kill(phase)
            return "451 4.3.0 Not queued"
        reply = await record(server, session, envelope)
        if phase == "upstream":
            killer.kill(phase)
        return reply

    up.handler.handle_DATA = handle_DATA


def transaction(port: int, data: bytes, phase, killer: Killer) -> bool:
    """One SMTP transaction by hand, so that a kill can land between any two bytes. True when
    the client got 250 for the message."""
    body = dot_stuffed(data)
    killer.arm(phase)
    try:
        c = RawSmtp(port, timeout=30)
    except OSError:
        killer.disarm()
        return False
    try:
        if c.read_reply()[0] != 220 or c.cmd("EHLO client.example")[0] != 250:
            return False
        if c.cmd("MAIL FROM:<praxis@example.ch>")[0] != 250:
            return False
        if c.cmd("RCPT TO:<patient@example.org>")[0] != 250 or c.cmd("DATA")[0] != 354:
            return False
        if phase == "mid_data":
            half = len(body) // 2
            c.send(body[:half])
            killer.kill(phase)
            c.send(body[half:])
        else:
            c.send(body)
        if phase == "after_dot":
            killer.kill(phase)
        elif phase == "after_dot_random":
            killer.later(phase, 0.03)
        code, _ = c.read_reply()
        if code != 250:
            assert code is None or code // 100 == 4, f"a kill must never give a 5xx: {code}"
            return False
        if phase == "after_reply":
            killer.kill(phase)
        c.cmd("QUIT")
        return True
    except OSError:
        return False
    finally:
        c.close()
        killer.disarm()


def test_sigkill_at_random_points_loses_nothing_and_leaks_nothing(dev_certs, tmp_path):
    seed = int(os.environ.get("SEALPOST_FAULT_SEED", random.randrange(1 << 30)))
    print(f"SEALPOST_FAULT_SEED={seed}")
    rng = random.Random(seed)
    up = Upstream(dev_certs, require_auth=False)
    proxy = RestartableProxy(tmp_path, dev_certs, f"smtp://127.0.0.1:{up.port}",
                             vault={"link_ttl": "1h", "orphan_grace": "1m"})
    killer = Killer(proxy, rng)
    hook_upstream(up, killer)
    pdf = pdf_bytes(6000, seed)
    # A kill every 10 to 20 transactions (10 at least): every phase once, then any.
    plan, at = {}, rng.randint(5, 15)
    phases = rng.sample(PHASES, len(PHASES)) + rng.choices(PHASES, k=TRANSACTIONS // 10)
    while at < TRANSACTIONS:
        plan[at] = phases.pop(0)
        at += rng.randint(10, 20)
    failed_alive = attempts = 0
    try:
        for n in range(TRANSACTIONS):
            data = invoice(pdf, f"fault-{n}")
            phase = plan.get(n)
            for _ in range(5):
                if not proxy.alive():
                    proxy.restart()
                attempts += 1
                if transaction(proxy.port, data, phase, killer):
                    break
                phase = None  # the retry goes through undisturbed
                # A failure without a kill would be a bug of its own.
                failed_alive += proxy.alive()
            else:
                raise AssertionError(f"message {n} never got 250")
    finally:
        proxy.stop()
        up.stop()
    proxy.check_logs()

    got = list(up.messages)
    arrived = [int(m.group(1)) for g in got for m in [MESSAGE_ID.search(g.content)] if m]
    assert len(arrived) == len(got)
    assert set(arrived) == set(range(TRANSACTIONS)), "a message never arrived upstream"
    assert not [g for g in got if in_clear(g.content)], "a PDF arrived in clear"
    links = [tokens_of(g.content) for g in got]
    assert all(len(t) == 1 for t in links), "every mail carries exactly one link"
    delivered = envelope_ids(proxy.seal_dir, set().union(*links))
    assert "bad_token" not in delivered.values(), "a delivered link leads nowhere"
    delivered_ids = set(delivered.values())

    states = vault_list(proxy.seal_dir)
    assert delivered_ids <= set(states)
    stray = {i: s for i, s in states.items() if i not in delivered_ids and s != "pending"}
    assert not stray, f"envelopes neither delivered nor pending: {stray}"
    orphans = {i for i, s in states.items() if i not in delivered_ids}
    pending = {i for i, s in states.items() if s == "pending"}
    kills = sum(killer.kills.values())
    print(f"{TRANSACTIONS} messages, {attempts} attempts, {kills} kills {killer.kills}, "
          f"{len(got)} arrived ({len(got) - TRANSACTIONS} twice), {len(states)} envelopes, "
          f"{len(pending)} pending of which {len(orphans)} never delivered")
    assert kills >= 10 and failed_alive == 0
    assert len(orphans) >= killer.kills["upstream_lost"] > 0
    assert len(got) >= TRANSACTIONS and len(states) >= len(got)

    # Links still valid: purge keeps every pending envelope (the mail may be on its way).
    assert admin_run(proxy.seal_dir, "purge").stdout == \
        "purged 0 past retention, deleted 0 orphaned, removed 0 old tombstones\n"
    assert vault_list(proxy.seal_dir) == states
    # Two hours later every link has expired (link_ttl 1h): the pending envelopes go, the sent
    # ones stay for their retention.
    later = admin_at(proxy.seal_dir, "+2h", "purge")
    assert later.returncode == 0, later.stderr
    assert later.stdout == f"purged 0 past retention, deleted {len(pending)} orphaned, " \
                           "removed 0 old tombstones\n"
    left = vault_list(proxy.seal_dir)
    assert set(left) == set(states) - pending and set(left.values()) <= {"sent"}
    assert set(left) <= delivered_ids
