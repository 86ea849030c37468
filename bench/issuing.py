"""``python -m bench.issuing``: the register's speed goals, beside the rendering bench.

- A one-page referral issued over HTTP (validate, render, mark, encrypt, store, number) at
  concurrency 8: on SQLite (one ``nysan serve``, its default workers) and through two replicas on
  PostgreSQL behind nginx, as deploy/ sets them up (goal: >= 150 documents/s each). Every answer must
  be 201 and the numbers 1..n.
- A 4,000-row referral journal issued (in-process, SQLite) against its plain render (goal: <= 1.3x).

The servers, nginx and the PostgreSQL cluster are the tests' own (tests/support/servers.py,
tests/support/register_db.py), started in temporary folders and stopped by their process groups.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import forms
from bench import http_load
from bench.data import journal, referral

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
HOST = "127.0.0.1"
PATH = "/api/v1/documents"
WARM = 8  # issues before the load, so that every worker has loaded the engine
DATA_KEY = "bnlzYW4tdGVzdHMtZGF0YS1rZXktMzItYnl0ZXMhISE="  # the tests' key: a throw-away register


def issue_load(port: int, bodies: list[bytes], concurrency: int, seconds: float) -> dict:
    """Issues for ``seconds`` from ``concurrency`` keep-alive connections (wrk when installed, as
    the rendering bench: a Python client would take a share of the two cores), then reads every
    number back from the register: documents/s of 201s, and whether the numbers are 1..n."""
    import shutil

    from support.servers import all_documents

    if shutil.which("wrk"):
        result = http_load._wrk(port, bodies, concurrency, seconds, PATH)
    else:
        result = http_load._python_client(port, bodies, concurrency, seconds, PATH, 201)
    numbers = [int(document["number"]) for document in all_documents(port)]
    issued = result["requests"] - result["errors"]
    per_second = result["rps"] * issued / max(1, result["requests"])
    return {
        "client": result["client"],
        "issued": issued,
        "per_second": round(per_second, 1),
        "p50_ms": round(result["p50_ms"], 1),
        "p99_ms": round(result["p99_ms"], 1),
        "errors": result["errors"],
        # wrk may leave requests in flight when it stops: the register then holds a few more
        "numbers_gap_free": numbers_gap_free(numbers) and len(numbers) >= issued + WARM,
    }


def numbers_gap_free(numbers: list[int]) -> bool:
    """Every number of the register (the warm-up's and the load's): 1..n, each once."""
    return sorted(numbers) == list(range(1, len(numbers) + 1))


def referral_bodies() -> list[bytes]:
    """Referrals of 256 different people, posted in turn: a new document every time."""
    return [
        json.dumps(
            {"form": "referral", "data": referral(variant), "lang": "kk", "format": "pdf"}, ensure_ascii=False
        ).encode("utf-8")
        for variant in range(1, 257)
    ]


def warm(port: int, bodies: list[bytes], count: int = WARM) -> None:
    """A few issues first, so that every worker has loaded the engine (not timed)."""
    from support.servers import request

    for body in bodies[-count:]:
        status, _, content = request(port, "POST", PATH, json.loads(body))
        if status != 201:
            raise RuntimeError(f"issue answered {status}: {content[:200]!r}")


def sqlite_http(folder: Path, concurrency: int, seconds: float) -> dict:
    from support.servers import Replica

    server = Replica(
        {"NYSAN_STATE_DIR": str(folder / "state"), "NYSAN_PUBLIC_URL": "https://nysan.example.kz"},
        log=folder / "sqlite.log",
    ).start()
    try:
        bodies = referral_bodies()
        warm(server.port, bodies)
        return {
            "setup": "SQLite, one nysan serve (default workers)",
            **issue_load(server.port, bodies, concurrency, seconds),
        }
    finally:
        server.stop()


def postgresql_http(folder: Path, concurrency: int, seconds: float) -> dict:
    from recordkeeping.db import Database
    from support.register_db import PostgresCluster, postgres_bindir
    from support.servers import Nginx, Replica

    cluster = PostgresCluster(postgres_bindir(), folder / "pg")
    cluster.root.mkdir()
    cluster.init()
    cluster.start(fsync=True)  # as a deployment runs it: a commit is on disk
    replicas, nginx = [], None
    try:
        cluster.execute("CREATE DATABASE bench")
        database = Database(cluster.url("bench"))
        database.upgrade()
        database.dispose()
        settings = {
            "NYSAN_STATE_DIR": str(folder / "state"),
            "NYSAN_PUBLIC_URL": "https://nysan.example.kz",
            "NYSAN_DATABASE_URL": cluster.url("bench"),
            "NYSAN_DATA_KEY": DATA_KEY,
        }
        replicas = [Replica(settings, log=folder / f"replica-{i}.log").start() for i in (1, 2)]
        (folder / "nginx").mkdir()
        nginx = Nginx(folder / "nginx", [replica.port for replica in replicas]).start()
        bodies = referral_bodies()
        warm(nginx.port, bodies)
        return {
            "setup": "PostgreSQL, two replicas (default workers) behind nginx",
            **issue_load(nginx.port, bodies, concurrency, seconds),
        }
    finally:
        if nginx:
            nginx.stop()
        for replica in replicas:
            replica.stop()
        cluster.stop()


def paused_render(data: dict, fmt: str) -> bytes:
    from forms.rendering.gcpause import gc_paused

    with gc_paused():
        return forms.render("referral-journal", data, lang="kk", fmt=fmt)


def journal_issue(folder: Path, rows: int, repeat: int, fmt: str = "pdf") -> dict:
    """Median seconds of the plain render and of the issue (validate, render, mark, seal, store) of
    a journal."""
    from recordkeeping import Actor, Register
    from recordkeeping.settings import RecordSettings

    register = Register.open(forms.default_registry(), RecordSettings(folder / "journal-state"))
    actor = Actor(organisation="default", name="bench")
    plain, issued = [], []
    # The plain render with the garbage collector paused, as the service's render gate and the
    # register (and `nysan render`) run it.
    jobs = [
        (plain, lambda data: paused_render(data, fmt)),
        (
            issued,
            lambda data: register.issue(
                actor, "referral-journal", data, "kk", fmt, verify_base="https://nysan.example.kz"
            ),
        ),
    ]
    try:
        # Each job warmed up once, untimed, as the rendering bench warms its jobs: the first issue
        # also builds the register's statements and the mark's fonts, which no later issue pays.
        for offset, (_, job) in enumerate(jobs, start=1):
            job(journal(rows, variant=repeat * 2 + offset))
        for run in range(repeat):
            # Other rows for each job (the typesetter remembers a text it has set once), and the
            # order swapped every run, so that neither job is helped by the one before.
            for times, job in jobs if run % 2 == 0 else jobs[::-1]:
                data = journal(rows, variant=len(plain) + len(issued) + 1)
                start = time.perf_counter()
                job(data)
                times.append(time.perf_counter() - start)
    finally:
        register.close()
    plain_s, issued_s = statistics.median(plain), statistics.median(issued)
    return {
        "format": fmt,
        "rows": rows,
        "runs": repeat,
        "plain_render_s": round(plain_s, 3),
        "issue_s": round(issued_s, 3),
        "ratio": round(issued_s / plain_s, 3),
    }


def critical_section(folder: Path, count: int = 40) -> dict:
    """Where a referral's issue spends its CPU time, in-process on SQLite (CPU time of the issuing
    thread, which a shared machine disturbs far less than wall time): the whole issue; the render
    and the mark, made before the number is taken; the transaction that takes the number (writes the
    number into the XMP, seals, stores, appends the audit event), which issuers take in turn; and
    the commit's wall time (the disk's fsync). Medians of ``count`` issues."""
    import contextlib

    from forms.postprocess import add_verification_mark
    from forms.rendering import document as engine_document
    from recordkeeping import Actor, Register
    from recordkeeping.settings import RecordSettings

    spent: dict[str, list[float]] = {}

    def timed(name, function):
        def call(*args, **kwargs):
            start = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent.setdefault(name, []).append(time.thread_time() - start)

        return call

    register = Register.open(
        forms.default_registry(), RecordSettings(folder / "critical-state"), mark=timed("mark", add_verification_mark)
    )
    opened = register.db.write

    @contextlib.contextmanager
    def write():
        start = time.thread_time()
        with opened() as session:
            yield session
            spent.setdefault("transaction", []).append(time.thread_time() - start)
            commit = time.perf_counter()
        spent.setdefault("commit_wall", []).append(time.perf_counter() - commit)

    register.db.write = write
    render, engine_document.render = engine_document.render, timed("render", engine_document.render)
    try:
        for variant in range(1, count + 1):
            start = time.thread_time()
            register.issue(
                Actor(organisation="default", name="bench"),
                "referral",
                referral(variant),
                "kk",
                "pdf",
                verify_base="https://nysan.example.kz",
            )
            spent.setdefault("issue", []).append(time.thread_time() - start)
    finally:
        engine_document.render = render
        register.close()
    ms = {name: round(1000 * statistics.median(values), 2) for name, values in spent.items()}
    return {
        "issues": count,
        "issue_cpu_ms": ms["issue"],
        "render_cpu_ms": ms["render"],
        "mark_cpu_ms": ms["mark"],
        "transaction_cpu_ms": ms["transaction"],
        "commit_wall_ms": ms["commit_wall"],
    }


def markdown(report: dict) -> str:
    lines = [
        f"Issuing bench {report['date']} — {report['machine']}; load average before "
        f"{report['load_before']}, after {report['load_after']}",
        "",
        "| what | result | goal |",
        "|---|---|---|",
    ]
    for entry in report["http"]:
        if "error" in entry:
            lines.append(f"| {entry['setup']} | failed: {entry['error']} | ≥ 150/s |")
            continue
        lines.append(
            f"| referral over HTTP, concurrency {report['concurrency']}: {entry['setup']} | "
            f"{entry['per_second']}/s ({entry['issued']} issued, p50 {entry['p50_ms']} ms, p99 "
            f"{entry['p99_ms']} ms, errors {entry['errors']}, numbers gap-free: "
            f"{entry['numbers_gap_free']}) | ≥ 150/s |"
        )
    for j in report["journal"]:
        lines.append(
            f"| {j['rows']}-row journal ({j['format'].upper()}) issued vs plain render (median of "
            f"{j['runs']}) | {j['issue_s']} s vs {j['plain_render_s']} s = {j['ratio']}× | ≤ 1.3× |"
        )
    c = report["critical_section"]
    lines += [
        "",
        f"CPU per referral issued in-process (median of {c['issues']}): {c['issue_cpu_ms']} ms in all, of "
        f"which the render {c['render_cpu_ms']} ms and the mark {c['mark_cpu_ms']} ms (both before the "
        f"number is taken) and the transaction that takes the number {c['transaction_cpu_ms']} ms (issuers "
        f"take turns there), then the commit, {c['commit_wall_ms']} ms of wall time (the fsync).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.issuing", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="load time per HTTP setup (default 20)")
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=3, help="journal runs (default 3)")
    args = parser.parse_args(argv)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    report = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": load_before,
        "concurrency": 8,
        "http": [],
    }
    with tempfile.TemporaryDirectory(prefix="nysan-issuing-") as temporary:
        folder = Path(temporary)
        folder.chmod(0o755)  # the PostgreSQL cluster runs as postgres, nginx's workers as www-data
        for setup, name in ((sqlite_http, "SQLite"), (postgresql_http, "PostgreSQL, two replicas")):
            (folder / name.split(",")[0]).mkdir()
            try:
                report["http"].append(setup(folder / name.split(",")[0], 8, args.seconds))
            except Exception as err:  # noqa: BLE001 - the table says what failed
                report["http"].append({"setup": name, "error": f"{type(err).__name__}: {err}"})
        # The HTTP setups leave PostgreSQL's and SQLite's files (hundreds of MB after 20 s) for the
        # kernel to write back; an issue's commit waits for its fsync and would wait behind them.
        os.sync()
        report["journal"] = [journal_issue(folder, args.rows, args.repeat, fmt) for fmt in ("pdf", "docx")]
        report["critical_section"] = critical_section(folder)
    report["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"issuing-{report['date']}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    table = markdown(report)
    (HERE / "issuing.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
