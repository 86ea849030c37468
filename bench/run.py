"""``python -m bench``: builds the documents, runs Nysan and its peers side by side in one run, prints
a table of medians, ratios and peak memory, and writes it as JSON (bench/results/, and the latest
table as bench/latest.md for the README).

Every job runs in a child process of its own, whose process tree's memory is sampled. Peers that
are not installed are skipped with a message saying how to install them.

The register's goals (issuing over HTTP on SQLite and on PostgreSQL, a journal issued against its
render) are timed beside these by ``python -m bench.issuing`` (bench/issuing.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import forms
from bench import http_load
from bench.data import journal, referral
from bench.memory import PeakSampler

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CHROMIUM = os.environ.get("NYSAN_BENCH_CHROMIUM", "/usr/bin/chromium")


def peers_available() -> dict[str, str | None]:
    """None when usable, else why not."""
    why = {}
    try:
        import playwright  # noqa: F401

        why["chromium"] = None if Path(CHROMIUM).exists() else f"{CHROMIUM} not found (apt-get install -y chromium)"
    except ImportError:
        why["chromium"] = "Playwright for Python is not installed (pip install playwright)"
    try:
        import typst  # noqa: F401

        why["typst"] = None
    except ImportError:
        why["typst"] = "typst for Python is not installed (pip install '.[bench]')"
    why["libreoffice"] = (
        None if shutil.which("soffice") else "soffice not found (apt-get install -y libreoffice-writer-nogui)"
    )
    why["wrk"] = None if shutil.which("wrk") else "wrk not found: the Python load client is used"
    return why


def build_documents(folder: Path, rows: list[int]) -> dict[str, Path]:
    """Nysan's own HTML and DOCX of each document: what the peers convert."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    docs = {"referral": ("referral", referral()), "journal-20": ("referral-journal", journal(20))}
    docs.update({f"journal-{n}": ("referral-journal", journal(n)) for n in rows})
    for name, (form, data) in docs.items():
        for fmt in ("html", "docx"):
            path = folder / f"{name}.{fmt}"
            path.write_bytes(forms.render(form, data, fmt=fmt))
            files[f"{name}.{fmt}"] = path
    return files


def run_job(args: list[str], label: str) -> dict:
    """A child ``python -m bench.job ...``; its times, pages and the peak memory of its process tree."""
    load = os.getloadavg()[0]
    print(f"  … {label} (load {load:.2f})", file=sys.stderr, flush=True)
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.job", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=HERE.parent,
    )
    with PeakSampler(child.pid) as memory:
        out, err = child.communicate()
    if child.returncode != 0:
        print(err[-2000:], file=sys.stderr)
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit {child.returncode}"}
    result = json.loads(out.strip().splitlines()[-1])
    result["load_at_start"] = round(load, 2)
    result["median_s"] = statistics.median(result["times"])
    result["peak_mb"] = round(memory.peak_mb, 1)
    return result


def measure(args, files: dict[str, Path], skip: dict[str, str | None]) -> list[dict]:
    reps_small, reps_long = (5, 1) if args.quick else (args.repeat, args.repeat_long)
    jobs = []

    def nysan(fmt, doc, reps, plain=False):
        extra = ["--plain"] if plain else []
        return run_job(
            ["nysan", fmt, doc, str(reps), *extra], f"Nysan {'WeasyPrint path ' if plain else ''}{fmt} {doc}"
        )

    def chromium(doc, warm, reps):
        if skip["chromium"]:
            return {"skipped": skip["chromium"]}
        return run_job(
            ["chromium", str(files[f"{doc}.html"]), str(files[f"{warm}.html"]), str(reps)], f"Chromium {doc}"
        )

    def typst(doc, reps):
        if skip["typst"]:
            return {"skipped": skip["typst"]}
        return run_job(["typst", str(files[f"{doc}.html"]), str(files["journal-20.html"]), str(reps)], f"Typst {doc}")

    def libreoffice(doc, reps):
        if skip["libreoffice"]:
            return {"skipped": skip["libreoffice"]}
        return run_job(
            ["soffice", str(files[f"{doc}.docx"]), str(files["referral.docx"]), str(reps)], f"LibreOffice {doc}"
        )

    jobs.append(
        {
            "job": "referral PDF, one page (kk)",
            "doc": "referral",
            "fmt": "pdf",
            "nysan": nysan("pdf", "referral", reps_small * 4),
            "nysan_plain": nysan("pdf", "referral", reps_small, plain=True) if args.plain else None,
            "chromium": chromium("referral", "referral", reps_small * 4),
            "libreoffice": libreoffice("referral", max(1, reps_small // 2)),
        }
    )
    # Nysan's journals back to back first, so that the lengths compared by the linearity goal run
    # under the same conditions (not one of them just after a ten-minute LibreOffice conversion).
    entries = []
    for n in args.rows:
        doc = f"journal-{n}"
        entries.append(
            {
                "job": f"referral-journal PDF, {n:,} rows",
                "doc": doc,
                "fmt": "pdf",
                "rows": n,
                "nysan": nysan("pdf", doc, reps_long),
            }
        )
    for n, entry in zip(args.rows, entries):
        # The peers take minutes a run on the longest journals: one run fewer there.
        doc, reps = entry["doc"], reps_long if n == args.rows[0] else max(1, reps_long - 1)
        if args.plain and n == args.rows[0]:
            entry["nysan_plain"] = nysan("pdf", doc, 1, plain=True)
        entry["chromium"] = chromium(doc, "journal-20", reps)
        entry["typst"] = typst(doc, reps)
        if n == args.rows[0] or args.libreoffice_all:  # minutes per run: one cold conversion
            entry["libreoffice"] = libreoffice(doc, 1)
        else:
            entry["libreoffice"] = {"skipped": "not run (over 10 minutes here; --libreoffice-all runs it)"}
        jobs.append(entry)
    report = f"report-{args.report_rows}"
    jobs.append(
        {
            "job": f"adaptation-report PDF, {args.report_rows:,} rows",
            "doc": report,
            "fmt": "pdf",
            "nysan": nysan("pdf", report, reps_long),
            "nysan_plain": nysan("pdf", report, 1, plain=True) if args.plain else None,
        }
    )
    jobs.append(
        {
            "job": "referral DOCX, one page (kk)",
            "doc": "referral",
            "fmt": "docx",
            "nysan": nysan("docx", "referral", reps_small * 4),
        }
    )
    n = args.rows[0]
    jobs.append(
        {
            "job": f"referral-journal DOCX, {n:,} rows",
            "doc": f"journal-{n}",
            "fmt": "docx",
            "nysan": nysan("docx", f"journal-{n}", reps_small),
        }
    )
    jobs.append(
        {
            "job": f"validation, referral-journal of {n:,} rows",
            "doc": f"journal-{n}",
            "fmt": "validate",
            "nysan": nysan("validate", f"journal-{n}", reps_small),
        }
    )
    return jobs


def goals(jobs: list[dict], http: dict | None, rows: list[int]) -> list[dict]:
    """The issue's goals, each with the measured value and whether it is met."""

    def med(job, who="nysan"):
        return (job.get(who) or {}).get("median_s")

    by = {(j["doc"], j["fmt"]): j for j in jobs}
    out = []

    def goal(text, value, met):
        out.append({"goal": text, "measured": value, "met": met})

    one = by[("referral", "pdf")]
    n0 = rows[0]
    big = by.get((f"journal-{n0}", "pdf"))
    goal("one-page PDF ≤ 10 ms", _ms(med(one)), _le(med(one), 0.010))
    if med(one, "chromium"):
        ratio = med(one, "chromium") / med(one)
        goal("one-page PDF ≥ 4× faster than Chromium", f"{ratio:.2f}×", ratio >= 4)
    if big and med(big):
        if med(big, "chromium"):
            ratio = med(big, "chromium") / med(big)
            goal(f"{n0:,}-row PDF ≥ 4× faster than Chromium", f"{ratio:.2f}×", ratio >= 4)
        if med(big, "typst"):
            ratio = med(big, "typst") / med(big)
            goal(f"{n0:,}-row PDF ≥ 2× faster than Typst", f"{ratio:.2f}×", ratio >= 2)
        if med(big, "libreoffice"):
            ratio = med(big, "libreoffice") / med(big)
            goal(f"{n0:,}-row PDF ≥ 5× faster than LibreOffice", f"{ratio:.2f}×", ratio >= 5)
        goal(
            f"{n0:,}-row PDF peak memory ≤ 200 MB", f"{big['nysan']['peak_mb']:.0f} MB", big["nysan"]["peak_mb"] <= 200
        )
    if len(rows) > 1 and big and med(big) and med(by[(f"journal-{rows[1]}", "pdf")]):
        ratio = med(by[(f"journal-{rows[1]}", "pdf")]) / med(big)
        goal(f"{rows[1]:,} rows ≤ 2.1× the time of {n0:,}", f"{ratio:.2f}×", ratio <= 2.1)
    report = next((job for job in jobs if job["doc"].startswith("report-")), None)
    if report and med(report):
        goal(f"{int(report['doc'][7:]):,}-row adaptation report ≤ 1.5 s", _ms(med(report)), _le(med(report), 1.5))
    docx_one, docx_big = by[("referral", "docx")], by[(f"journal-{n0}", "docx")]
    goal("one-page DOCX ≤ 10 ms", _ms(med(docx_one)), _le(med(docx_one), 0.010))
    goal(f"{n0:,}-row DOCX ≤ 0.5 s", _ms(med(docx_big)), _le(med(docx_big), 0.5))
    validation = by[(f"journal-{n0}", "validate")]
    goal(f"validation of {n0:,} rows ≤ 0.3 s", _ms(med(validation)), _le(med(validation), 0.3))
    if http and "rps" in http:
        goal("HTTP ≥ 500 PDF/s at c=8", f"{http['rps']:.1f}/s", http["rps"] >= 500)
        goal("HTTP p99 ≤ 50 ms", f"{http['p99_ms']:.0f} ms", http["p99_ms"] <= 50)
        goal("HTTP no errors", str(http["errors"]), http["errors"] == 0)
    return out


def _le(value, limit):
    return value is not None and value <= limit


def _ms(seconds):
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _cell(result, base=None):
    if not result:
        return "—"
    if "skipped" in result:
        return "not run" if result["skipped"].startswith("not run") else "skipped"
    if "error" in result:
        return "error"
    text = f"{_ms(result['median_s'])}, {result['peak_mb']:.0f} MB"
    if base and base.get("median_s"):
        text += f" ({result['median_s'] / base['median_s']:.2f}×)"
    return text


def markdown(report: dict) -> str:
    loads = [
        r["load_at_start"] for j in report["jobs"] for r in j.values() if isinstance(r, dict) and "load_at_start" in r
    ]
    lines = [
        f"Measured {report['date']} on {report['machine']}; load average before the run "
        f"{report['load_before']}, after {report['load_after']}; 1-minute load at the start of "
        f"each job {min(loads, default=0):.2f}–{max(loads, default=0):.2f}.",
        "",
        "| job | Nysan | Nysan, WeasyPrint path | Chromium, warm page | Typst (typst-py) | LibreOffice, cold process |",
        "|---|---|---|---|---|---|",
    ]
    for job in report["jobs"]:
        nysan = job["nysan"]
        lines.append(
            f"| {job['job']} | {_cell(nysan)} | {_cell(job.get('nysan_plain'), nysan)} | "
            f"{_cell(job.get('chromium'), nysan)} | {_cell(job.get('typst'), nysan)} | "
            f"{_cell(job.get('libreoffice'), nysan)} |"
        )
    http = report.get("http")
    if http and "rps" in http:
        lines += [
            "",
            f"HTTP (`nysan serve`, default workers, {http['client']}, concurrency {http['concurrency']}, "
            f"{http['seconds']} s): {http['rps']:.1f} PDF/s, p50 {http['p50_ms']:.0f} ms, "
            f"p99 {http['p99_ms']:.0f} ms, {http['errors']} errors, server peak {http['peak_mb']:.0f} MB.",
        ]
    lines += [
        "",
        "Cells: median wall time, peak memory of the job's process tree, and (in brackets) the time "
        "as a multiple of Nysan's. Each of Nysan's timed runs renders a document of its own (other "
        "names, dates and rows), so no run is helped by the one before.",
        "",
        "| goal | measured | met |",
        "|---|---|---|",
    ]
    lines += [f"| {g['goal']} | {g['measured']} | {'yes' if g['met'] else '**no**'} |" for g in report["goals"]]
    skipped = [f"- {name}: {why}" for name, why in report["skipped"].items() if why]
    return "\n".join(lines + ([""] + skipped if skipped else [])) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Nysan against headless Chromium, Typst "
        "and LibreOffice on the same documents, and the HTTP service under load.",
    )
    parser.add_argument("--rows", default="4000,8000", help="journal lengths, comma-separated (default 4000,8000)")
    parser.add_argument("--report-rows", type=int, default=1000, help="rows of the adaptation report (default 1000)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=10,
        help="one-page jobs run 4×N times, long DOCX and validation N times (default 10)",
    )
    parser.add_argument(
        "--repeat-long",
        type=int,
        default=3,
        help="runs of each long-journal PDF job, one fewer for the peers on the longest (default 3)",
    )
    parser.add_argument("--http-seconds", type=int, default=30)
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP load test")
    parser.add_argument(
        "--no-plain",
        dest="plain",
        action="store_false",
        help="skip the runs of the WeasyPrint path (NYSAN_PDF_ENGINE=weasyprint)",
    )
    parser.add_argument(
        "--libreoffice-all",
        action="store_true",
        help="convert every journal length with LibreOffice, not only the first",
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test, not a measurement)")
    args = parser.parse_args(argv)
    args.rows = [int(n) for n in args.rows.split(",")]
    skip = peers_available()
    for name, why in skip.items():
        if why:
            print(f"note: {name} skipped: {why}", file=sys.stderr)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    print("building documents …", file=sys.stderr)
    files = build_documents(RESULTS / "docs", args.rows)
    jobs = measure(args, files, skip)
    http = None
    if not args.no_http:
        print(f"  … HTTP, concurrency 8 for {args.http_seconds} s", file=sys.stderr)
        try:
            http = http_load.run(8, args.http_seconds)
        except Exception as err:  # noqa: BLE001 - the table still says what happened
            http = {"error": str(err)}
    report = {
        "date": stamp,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "load_before": load_before,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "skipped": skip,
        "jobs": jobs,
        "http": http,
        "goals": goals(jobs, http, args.rows),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    table = markdown(report)
    (HERE / "latest.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"JSON: {RESULTS / f'bench-{stamp}.json'}; table: {HERE / 'latest.md'}", file=sys.stderr)
