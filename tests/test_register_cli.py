"""The register's commands and the server's start: `nysan serve` creates and migrates its SQLite
register (and a data key), refuses a PostgreSQL schema behind or a missing key; `nysan db upgrade`;
`nysan data-key`; `nysan audit verify` names the first event that was edited or removed."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

import forms
from recordkeeping import Actor, Register
from recordkeeping.db import Database
from recordkeeping.models import Base
from recordkeeping.settings import RecordSettings

ROOT = Path(__file__).resolve().parents[1]


def nysan(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "service", *args], env=environment, capture_output=True, text=True, timeout=timeout
    )


def settings_env(backend: dict) -> dict:
    return {f"NYSAN_{key}": value for key, value in backend.items() if value}


@pytest.mark.server
def test_serve_creates_and_migrates_its_sqlite_register(tmp_path):
    from support.register_db import free_port

    state, port = tmp_path / "state", free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NYSAN_STATE_DIR": str(state), "NYSAN_WORKERS": "1"}
    env.pop("NYSAN_DATABASE_URL", None)
    env.pop("NYSAN_DATA_KEY", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or slow to answer on a busy machine
                time.sleep(0.1)
        response = requests.post(
            f"{base}/api/v1/documents",
            timeout=60,
            json={"form": "referral", "data": forms.example("referral"), "format": "html"},
        )
        assert response.status_code == 201 and response.json()["number"] == "1"
        assert response.json()["verify_url"].startswith(f"{base}/v/")
        assert (state / "register.sqlite3").is_file()
        assert stat.S_IMODE((state / "data.key").stat().st_mode) == 0o600
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert f"generated a data key in {state / 'data.key'}" in errors


@pytest.mark.server
def test_serve_refuses_a_postgresql_schema_behind_and_a_missing_key(postgres_cluster, tmp_path):
    from support.register_db import DATA_KEY

    postgres_cluster.execute('DROP DATABASE IF EXISTS "behind"')
    postgres_cluster.execute('CREATE DATABASE "behind"')
    env = {
        "NYSAN_DATABASE_URL": postgres_cluster.url("behind"),
        "NYSAN_STATE_DIR": str(tmp_path / "state"),
        "NYSAN_DATA_KEY": DATA_KEY,
    }
    refused = nysan("serve", "--port", "1", env=env)
    assert refused.returncode == 2 and "run `nysan db upgrade`" in refused.stderr
    upgraded = nysan("db", "upgrade", env=env)
    assert upgraded.returncode == 0 and "revision 0005" in upgraded.stdout
    assert Database(env["NYSAN_DATABASE_URL"]).is_current()
    no_key = nysan("serve", "--port", "1", env={**env, "NYSAN_DATA_KEY": ""})
    assert no_key.returncode == 2 and "NYSAN_DATA_KEY is required with PostgreSQL" in no_key.stderr
    assert not (tmp_path / "state").exists()  # no key file generated next to a shared database


def test_data_key_prints_a_new_key():
    first, second = nysan("data-key").stdout.strip(), nysan("data-key").stdout.strip()
    assert first != second and len(base64.urlsafe_b64decode(first)) == 32


def test_models_and_migrations_agree(backend):
    database = Database(backend["DATABASE_URL"] or f"sqlite:///{backend['STATE_DIR']}/register.sqlite3")
    database.upgrade()
    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    database.dispose()


@pytest.mark.parametrize(
    "tamper, named",
    [
        ("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2", "event 2 was edited"),
        ("DELETE FROM audit_events WHERE seq = 3", "event 3 is missing"),
        ("DELETE FROM audit_events WHERE seq = 5", "event 5 is missing (the chain ends at event 4"),
    ],
)
def test_audit_verify_names_the_first_bad_event(backend, tamper, named):
    register = Register.open(forms.default_registry(), RecordSettings.from_config(backend))
    doc, _ = register.issue(Actor(), "referral", forms.example("referral"), "kk", "html")
    register.file(Actor(), doc["id"])
    register.verify(doc["verify_url"].rsplit("/", 1)[-1])
    register.revoke(Actor(), doc["id"], "test")
    register.issue(Actor(), "referral", forms.example("referral"), "kk", "html")
    intact = nysan("audit", "verify", env=settings_env(backend))
    assert intact.returncode == 0 and "audit chain intact: 5 event(s)" in intact.stdout
    with register.db.engine.begin() as conn:
        conn.execute(text(tamper))
    broken = nysan("audit", "verify", env=settings_env(backend))
    assert broken.returncode == 1
    assert named in broken.stderr
    register.close()
