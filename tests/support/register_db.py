"""Fixtures of the register's tests (a pytest plugin that tests/conftest.py loads).

``backend`` runs a test on SQLite and on a real PostgreSQL. The PostgreSQL cluster is started here
once per session: Debian's binaries (/usr/lib/postgresql/<version>/bin, package ``postgresql``,
installed by .ci/run), ``initdb`` in a temporary folder as the ``postgres`` user when the tests run
as root, a free loopback port, ``pg_ctl start``/``stop``. Each test gets a database of its own,
migrated with the register's migrations (as ``nysan db upgrade`` does). fsync is off: the cluster
lives as long as the session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

DATA_KEY = "bnlzYW4tdGVzdHMtZGF0YS1rZXktMzItYnl0ZXMhISE="  # 32 bytes, tests only


def postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).resolve().parent if which else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    def __init__(self, bindir: Path, root: Path):
        self.bindir, self.root = bindir, root
        self.data, self.log = root / "data", root / "server.log"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # the server refuses to run as root

    def run(self, *command: str) -> subprocess.CompletedProcess:
        argv = [str(self.bindir / command[0]), *command[1:]]
        if self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def start(self, fsync: bool = False) -> None:
        """fsync off for the tests (the cluster lives as long as the session); the bench keeps it on."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync={'on' if fsync else 'off'} "
            "-c max_connections=200"
        )
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(sql)


@pytest.fixture(scope="session")
def postgres_cluster():
    bindir = postgres_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql (.ci/run installs it)")
    root = Path(tempfile.mkdtemp(prefix="nysan-pg-"))
    cluster = PostgresCluster(bindir, root)
    cluster.init()
    cluster.start()
    yield cluster
    try:
        cluster.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster, request):
    """A fresh, migrated database of the session's cluster."""
    from recordkeeping.db import Database

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    name = f"{name}_{os.getpid()}"
    postgres_cluster.execute(f'DROP DATABASE IF EXISTS "{name}"')
    postgres_cluster.execute(f'CREATE DATABASE "{name}"')
    url = postgres_cluster.url(name)
    database = Database(url)
    database.upgrade()
    database.dispose()
    yield url
    postgres_cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> dict:
    """The register's settings (as create_app takes them) for one backend; STATE_DIR is always a
    fresh folder, so that nothing is written to the user's own."""
    settings = {
        "STATE_DIR": str(tmp_path / "state"),
        "DATABASE_URL": None,
        "DATA_KEY": None,
        "PUBLIC_URL": "https://verify.example.kz",
    }
    if request.param == "postgresql":
        settings.update(DATABASE_URL=request.getfixturevalue("postgres_url"), DATA_KEY=DATA_KEY)
    return settings


@pytest.fixture
def register_app(backend):
    """The service with the register on ``backend``; its register closed afterwards."""
    from service.app import create_app

    app = create_app(dict(backend))
    yield app
    found = app.extensions.get("nysan.register")
    if found is not None:
        found.close()
