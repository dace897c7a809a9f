# SPDX-License-Identifier: Apache-2.0
"""Fault 3 (issue 7): the vault reaches vault.max_size. The proxy answers 452 4.3.1 at the end of
DATA, delivers nothing and keeps no half-written envelope (architecture §2 "LMDB": MDB_MAP_FULL at the
cap is a temporary failure); it takes mail again once space is made, by `sealpost revoke` and
`sealpost purge` or by a restart with a larger max_size."""
from conftest import Upstream
from faults_env import (RestartableProxy, admin_run, check_delivered, invoice, pdf_bytes, send,
                        vault_list)

FULL = (452, "4.3.1 Insufficient system storage, try again later")


def fill(proxy, up, pdf, tag) -> int:
    """Sends invoices until one gets 452; returns how many were accepted before."""
    for n in range(20):
        before = len(up.messages)
        code, text = send(proxy.port, invoice(pdf, f"{tag}-{n}"))
        if code != 250:
            assert (code, text) == FULL
            assert len(up.messages) == before, "a refused message was delivered"
            return n
    raise AssertionError("the vault never filled up")


def test_vault_full_answers_452_delivers_nothing_and_recovers(dev_certs, tmp_path):
    up = Upstream(dev_certs, require_auth=False)
    proxy = RestartableProxy(tmp_path, dev_certs, f"smtp://127.0.0.1:{up.port}",
                             vault={"map_size": "1MiB", "max_size": "1MiB"})
    pdf = pdf_bytes(200 * 1024, 3)
    try:
        accepted = fill(proxy, up, pdf, "a")
        assert accepted >= 1
        assert len(up.messages) == accepted
        # Nothing half-written: one envelope per delivered mail, every one of them sent.
        states = vault_list(proxy.seal_dir)
        assert sorted(states.values()) == ["sent"] * accepted
        # Still full for the next try: the client's retry gets the same answer.
        assert send(proxy.port, invoice(pdf, "a-again")) == FULL

        # The practice makes space: revoke one envelope, purge it.
        victim = sorted(states)[0]
        assert admin_run(proxy.seal_dir, "revoke", victim).returncode == 0
        admin_run(proxy.seal_dir, "purge")
        assert send(proxy.port, invoice(pdf, "after-revoke")) == (250, "")
        assert len(up.messages) == accepted + 1

        # Full again; a restart with a larger max_size lets the map grow.
        more = fill(proxy, up, pdf, "b")
        proxy.stop()
        config = proxy.config.read_text().replace('max_size = "1MiB"', 'max_size = "4MiB"')
        proxy.config.write_text(config)
        proxy.start()
        for n in range(3):
            assert send(proxy.port, invoice(pdf, f"grown-{n}")) == (250, "")
    finally:
        proxy.stop()
        up.stop()
    got, states = check_delivered(proxy, up)
    assert len(got) == accepted + 1 + more + 3
    assert sorted(states.values()) == ["revoked"] + ["sent"] * (len(got) - 1)  # the victim
    assert "event=vault.full" in proxy.logs[0].read_text()
