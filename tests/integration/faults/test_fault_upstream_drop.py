# SPDX-License-Identifier: Apache-2.0
"""Fault 5 (issue 7): the upstream drops the connection in the middle of the hand-over: right
after the DATA command, or after the whole message but before its final reply. The client never
gets 250 (it gets a 4xx, so it keeps the mail), and its retry delivers exactly the sealed mail:
one mail, one link that opens, no PDF in clear (architecture §3: lockstep, fail closed)."""
import socket
import socketserver
import threading

import pytest
from faults_env import (RestartableProxy, envelope_ids, in_clear, invoice, pdf_bytes, send,
                        tokens_of, vault_list)


class ScriptedUpstream(socketserver.ThreadingTCPServer):
    """A plain SMTP server on 127.0.0.1 that closes the connection at `drop` ("data_command":
    instead of the 354; "before_reply": after the final dot, instead of the 250) on its first
    `drops` sessions, and works normally afterwards. `messages` holds what it accepted."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, drop: str, drops: int = 1):
        self.drop, self.drops = drop, drops
        self.sessions = 0
        self.messages = []
        self.received_unanswered = []  # complete messages it got and never answered
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()


class Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        srv = self.server
        with srv.lock:
            srv.sessions += 1
            dropping = srv.sessions <= srv.drops
        self.reply("220 upstream.test ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.reply("250-upstream.test\r\n250-8BITMIME\r\n250 SIZE 52428800")
            elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.reply("250 2.0.0 OK")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 Bye")
                return
            elif verb == b"DATA":
                if dropping and srv.drop == "data_command":
                    return self.drop()
                self.reply("354 Go ahead")
                data = b""
                while (l := self.rfile.readline()) not in (b".\r\n", b""):
                    data += l[1:] if l.startswith(b"..") else l
                with srv.lock:
                    if dropping and srv.drop == "before_reply":
                        srv.received_unanswered.append(data)
                        return self.drop()
                    srv.messages.append(data)
                self.reply("250 2.0.0 Queued")
            else:
                self.reply("500 5.5.1 What")

    def drop(self):
        # An abrupt close (RST), as a crashing or cut-off server gives.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        self.connection.close()


@pytest.mark.parametrize("drop", ["data_command", "before_reply"])
def test_upstream_drop_never_gives_250_and_the_retry_delivers_the_sealed_mail(
        dev_certs, tmp_path, drop):
    up = ScriptedUpstream(drop)
    proxy = RestartableProxy(tmp_path, dev_certs, f"smtp://127.0.0.1:{up.port}",
                             upstream={"tls": "none"})
    mail = invoice(pdf_bytes(20000, 5), "drop")
    try:
        code, text = send(proxy.port, mail)
        # RFC 3463: a connection lost mid-transaction is 4.4.2 ("bad connection"), not 4.4.1.
        assert (code, text) == (451, "4.4.2 Upstream connection failed, try again later")
        assert up.messages == []
        # The client retries, as it must after a 4xx.
        assert send(proxy.port, mail) == (250, "")
    finally:
        proxy.stop()
        up.stop()
    proxy.check_logs()
    assert len(up.messages) == 1
    got = up.messages[0]
    assert not in_clear(got) and b"Message-ID: <drop@example.ch>" in got
    (token,) = tokens_of(got)
    delivered = envelope_ids(proxy.seal_dir, [token])[token]
    states = vault_list(proxy.seal_dir)
    assert states[delivered] == "sent"
    # The failed attempt's envelope: kept pending when the upstream may have the mail (its
    # link then works until it expires), never marked sent.
    others = {i: s for i, s in states.items() if i != delivered}
    assert set(others.values()) <= {"pending"} and len(others) <= 1
    if drop == "before_reply":
        assert len(up.received_unanswered) == 1 and not in_clear(up.received_unanswered[0])
        assert len(others) == 1
