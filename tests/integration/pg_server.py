#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A throwaway PostgreSQL 15 cluster for the tests: Debian's postgresql-15, made with initdb in
a temporary directory and reached over a Unix socket in it (no TCP port, nothing else on the
machine sees it). initdb refuses to run as root, so as root the cluster is made and run as the
`postgres` user the package creates; as another user, as that user.

Command line (CTest fixtures of the unit suites):
  pg_server.py start DIR   make and start a cluster in DIR, write DIR/admin.dsn; exit 0
  pg_server.py stop DIR    stop it (fast shutdown) and remove DIR

In Python (integration suites): PgServer(dir).start(), .create_database(name) -> dsn,
.stop(mode), .restart(); .kill() for fault tests.
"""
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _run_as():
    """The user the cluster runs as: `postgres` for root, else ourselves."""
    if os.geteuid() == 0:
        return pwd.getpwnam("postgres")
    return None


def _cmd(args):
    user = _run_as()
    if user is None:
        return args
    return ["runuser", "-u", "postgres", "--"] + args


class PgServer:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.data = self.dir / "data"
        self.sock = self.dir / "sock"
        self.log = self.dir / "postgres.log"
        self.port = 5432  # socket file name only: no TCP listener

    def admin_dsn(self, dbname="postgres"):
        return f"host={self.sock} port={self.port} user=postgres dbname={dbname}"

    def _prepare(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.sock.mkdir(exist_ok=True)
        user = _run_as()
        if user is not None:
            # The cluster's user must reach its directory (a temporary one is root's, 0700).
            for p in (self.dir, self.sock):
                os.chown(p, user.pw_uid, user.pw_gid)
            parent = self.dir.parent
            os.chmod(parent, os.stat(parent).st_mode | 0o011)

    def start(self):
        self._prepare()
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                _cmd([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._pg_ctl_start()
        (self.dir / "admin.dsn").write_text(self.admin_dsn() + "\n")
        return self

    def _pg_ctl_start(self):
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.sock}' "
                f"-c port={self.port} -c max_connections=200 -c shared_buffers=64MB")
        subprocess.run(
            _cmd([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "-o", opts, "start"]),
            check=True, stdout=subprocess.DEVNULL)

    def stop(self, mode="fast"):
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _cmd([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def restart(self):
        self._pg_ctl_start()

    def psql(self, sql, dbname="postgres"):
        out = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d",
             self.admin_dsn(dbname), "-c", sql],
            check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def create_database(self, name):
        """A fresh, empty database; returns its DSN."""
        self.psql(f'DROP DATABASE IF EXISTS "{name}"')
        self.psql(f'CREATE DATABASE "{name}"')
        return self.admin_dsn(name)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        print("usage: pg_server.py start|stop DIR", file=sys.stderr)
        return 1
    server = PgServer(argv[2])
    if argv[1] == "start":
        server.remove()  # a cluster a killed run left behind
        server.start()
        return 0
    server.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
