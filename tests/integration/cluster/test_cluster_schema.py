# SPDX-License-Identifier: Apache-2.0
"""The PostgreSQL schema and the move from one host to several: `sealpost vault init` and
`upgrade`, daemons that refuse a database without the schema or with another version, a DSN
file others can read, and `sealpost vault copy --to postgresql` after which the links mailed
before the move still open the same documents."""
import subprocess

from cluster_env import pg  # noqa: F401 - fixtures are used by name
from conftest import (PROXY_BIN, Upstream, admin_run, pg_create_database,  # noqa: F401
                      proxy_config_text, seal_setup, start_proxy, toml_value)
from portal_env import (PORTAL_BIN, RECHNUNG, log_in, portal_config_text,  # noqa: F401
                        seal_invoice, sms, start_portal)


def use_postgresql(seal_dir, dsn: str):
    """Point the admin config of `seal_dir` at `dsn` (a 0600 DSN file), keys unchanged."""
    dsn_file = seal_dir / "vault.dsn"
    dsn_file.write_text(dsn + "\n")
    dsn_file.chmod(0o600)
    (seal_dir / "admin.toml").write_text(
        f'[vault]\ndir = {toml_value(str(seal_dir / "vault"))}\n'
        f'key_dir = {toml_value(str(seal_dir / "keys"))}\n'
        f'backend = "postgresql"\ndsn_file = {toml_value(str(dsn_file))}\n')


def start_fails(binary, config) -> str:
    p = subprocess.run([str(binary), "--config", str(config)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0
    return p.stderr


def test_init_is_idempotent_and_upgrade_knows_the_version(pg, tmp_path):
    seal = seal_setup(tmp_path / "s", backend="postgresql", pg_admin_dsn=pg.admin_dsn())
    again = admin_run(seal, "vault", "init").stdout
    assert again == "the sealpost schema is ready (version 1)\n"
    assert admin_run(seal, "vault", "upgrade").stdout == \
        "the sealpost schema is at version 1 already\n"


def test_daemons_refuse_a_database_without_schema_or_of_another_version(pg, tmp_path, dev_certs):
    seal = seal_setup(tmp_path / "s")  # keys, LMDB config
    dsn = pg_create_database(pg.admin_dsn())
    use_postgresql(seal, dsn)
    proxy_cfg = tmp_path / "proxy.toml"
    proxy_cfg.write_text(proxy_config_text(dev_certs, "smtp://127.0.0.1:9", seal_dir=seal))
    err = start_fails(PROXY_BIN, proxy_cfg)
    # One line that says what to do (the log lines before it are the proxy's start).
    said = [line for line in err.splitlines() if line.startswith("sealpost-proxy:")]
    assert said == ["sealpost-proxy: vault: the database has no sealpost schema: "
                    "run `sealpost vault init`"], err
    admin_run(seal, "vault", "init")
    dbname = dsn.split("dbname=")[1]
    pg.psql("UPDATE sealpost_schema SET version = 99", dbname=dbname)
    err = start_fails(PROXY_BIN, proxy_cfg)
    assert "schema 99, newer than this build's 1" in err, err
    failed = admin_run(seal, "vault", "upgrade", check=False)
    assert failed.returncode == 1
    assert "newer than this build's 1" in failed.stderr
    pg.psql("UPDATE sealpost_schema SET version = 1", dbname=dbname)


def test_a_dsn_file_others_can_read_is_refused(pg, tmp_path):
    seal = seal_setup(tmp_path / "s", backend="postgresql", pg_admin_dsn=pg.admin_dsn())
    (seal / "vault.dsn").chmod(0o644)
    p = admin_run(seal, "list", check=False)
    assert p.returncode == 1
    assert "must not be readable by others" in p.stderr
    assert str(seal / "vault.dsn") in p.stderr  # names the file, never its content
    assert "host=" not in p.stderr and "dbname=" not in p.stderr


def test_copy_moves_a_vault_and_old_links_still_work(pg, tmp_path, dev_certs, start_proxy,
                                                     start_portal, sms):
    up = Upstream(dev_certs, require_auth=False)
    try:
        # One host on LMDB seals two invoices.
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                            vault={"backend": "lmdb"})
        seal = proxy.seal_dir
        tokens = [seal_invoice(proxy, up), seal_invoice(proxy, up, to="other@example.org")]
        proxy.stop()
    finally:
        up.stop()
    # The practice grows: a database, its schema, the copy.
    use_postgresql(seal, pg_create_database(pg.admin_dsn()))
    admin_run(seal, "vault", "init")
    out = admin_run(seal, "vault", "copy", "--to", "postgresql").stdout
    assert out.startswith("copied 2 envelopes ("), out
    # A second copy refuses to merge into the vault now in use.
    again = admin_run(seal, "vault", "copy", "--to", "postgresql", check=False)
    assert again.returncode == 1 and "not empty" in again.stderr
    # The LMDB files go away: the portal reads PostgreSQL only.
    for f in (seal / "vault").iterdir():
        f.unlink()
    (seal / "vault").rmdir()
    portal = start_portal(seal, vault={"backend": "postgresql",
                                       "dsn_file": str(seal / "vault.dsn")})
    for token in tokens:
        s = portal.session()
        log_in(s, portal, token, sms)
        got = s.get(f"{portal.url}/d/{token}/doc/0")
        assert got.status_code == 200
        assert got.content == RECHNUNG.read_bytes()
    listed = admin_run(seal, "list").stdout
    assert len(listed.strip().splitlines()) >= 2
