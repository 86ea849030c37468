"""deploy/ as it is written: Debian's nginx (deploy/nginx.conf) in front of two `nysan serve` replicas
on loopback (deploy/nysan.env, replica-1.env, replica-2.env) sharing one PostgreSQL. Documents issued
concurrently through nginx get unique, gap-free numbers, and either replica serves any of them."""

from __future__ import annotations

import hashlib
import json
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

import forms
from support.servers import DEPLOY, Nginx, Replica, all_documents, env_file, issue, request

pytestmark = [pytest.mark.server, pytest.mark.slow]

ISSUES = 48
CONCURRENCY = 8


@pytest.fixture
def deployment(postgres_url, tmp_path):
    """The worked example started as deploy/README.md says, on free ports and a fresh database."""
    from support.register_db import DATA_KEY

    from recordkeeping.db import Database
    from recordkeeping.organisations import Organisations

    database = Database(postgres_url)  # deploy/README.md's `nysan orgs add default`
    Organisations(database).add(
        "default", name_kk="Ұйым", name_ru="Организация", bin="050640001236", head_kk="Басшы", head_ru="Руководитель"
    )
    database.dispose()
    key = "nysan_" + secrets.token_urlsafe(32)
    settings = env_file(DEPLOY / "nysan.env")
    api_keys = json.loads(settings["NYSAN_API_KEYS"])
    api_keys[0]["sha256"] = hashlib.sha256(key.encode()).hexdigest()
    settings.update(
        NYSAN_DATABASE_URL=postgres_url,
        NYSAN_DATA_KEY=DATA_KEY,
        NYSAN_API_KEYS=json.dumps(api_keys),
        NYSAN_STATE_DIR=str(tmp_path / "state"),
    )
    replicas = []
    nginx = None
    try:
        for index in (1, 2):
            assert "NYSAN_PORT" in env_file(DEPLOY / f"replica-{index}.env")
            replicas.append(Replica(settings, log=tmp_path / f"replica-{index}.log").start())
        (tmp_path / "nginx").mkdir()
        nginx = Nginx(tmp_path / "nginx", [replica.port for replica in replicas]).start()
        yield nginx, replicas, {"Authorization": f"Bearer {key}"}
    finally:
        if nginx:
            nginx.stop()
        for replica in replicas:
            replica.stop()


def test_concurrent_issues_through_nginx_get_unique_gap_free_numbers(deployment):
    nginx, replicas, auth = deployment
    body = {"form": "referral", "data": forms.example("referral"), "lang": "kk", "format": "pdf"}
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        answers = list(pool.map(lambda _: issue(nginx.port, body, auth), range(ISSUES)))

    assert [status for status, _, _ in answers] == [201] * ISSUES
    documents = [doc for _, _, doc in answers]
    assert sorted(int(doc["number"]) for doc in documents) == list(range(1, ISSUES + 1))
    assert nginx.upstreams() == {f"127.0.0.1:{replica.port}" for replica in replicas}

    # Stateless replicas: each one reads every document, whichever replica issued it.
    for replica in replicas:
        for doc in documents[:8]:
            status, _, content = request(replica.port, "GET", f"/api/v1/documents/{doc['id']}/file", headers=auth)
            assert status == 200 and hashlib.sha256(content).hexdigest() == doc["sha256"]
    # Verification is public, through nginx, without a key.
    token = documents[0]["verify_url"].rsplit("/", 1)[1]
    status, _, content = request(nginx.port, "GET", f"/api/v1/verify/{token}")
    assert status == 200 and json.loads(content)["number"] == documents[0]["number"]
    stored = all_documents(nginx.port, auth)
    assert sorted(doc["number"] for doc in stored) == sorted(doc["number"] for doc in documents)


def test_without_a_key_nginx_passes_the_refusal_through(deployment):
    nginx, _, _ = deployment
    status, _, answer = issue(nginx.port, {"form": "referral", "data": {}, "lang": "kk", "format": "pdf"})
    assert status == 401 and answer["code"] == "unauthorized"
