"""One timed job, run in its own process so that its peak memory is its own:

    python -m bench.job nysan FORMAT DOCUMENT REPEAT [--plain]
    python -m bench.job chromium HTML_FILE WARMUP_HTML_FILE REPEAT
    python -m bench.job soffice DOCX_FILE WARMUP_DOCX_FILE REPEAT
    python -m bench.job typst HTML_FILE WARMUP_HTML_FILE REPEAT

Prints one JSON line: {"times": [seconds, ...], "maxrss_mb": ..., "pages": ...}. Every job is warmed
up first on a document of the same kind, untimed (Nysan: caches and fonts; Chromium: the page;
Typst: its fonts, from the bundled files only).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.data import adaptation_report, journal, referral

CHROMIUM = os.environ.get("NYSAN_BENCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]


def document(name: str, variant: int = 0) -> tuple[str, dict]:
    """'referral', 'journal-N' or 'report-N'; each variant has other names, dates and rows."""
    if name == "referral":
        return "referral", referral(variant)
    kind, rows = name.rsplit("-", 1)
    if kind == "report":
        return "adaptation-report", adaptation_report(int(rows), variant)
    return "referral-journal", journal(int(rows), variant)


def nysan(fmt: str, name: str, repeat: int, plain: bool) -> dict:
    if plain:  # the plain path: WeasyPrint alone
        os.environ["NYSAN_PDF_ENGINE"] = "weasyprint"
    import forms

    # Every timed run gets a document of its own (variants 1…N, built before timing): what one
    # run leaves in Nysan's caches helps the next only with the form's own text, as in service.
    documents = [document(name, variant) for variant in range(1, repeat + 1)]
    warm = "referral" if name == "referral" else name.rsplit("-", 1)[0] + "-20"
    warm_form, warm_data = document(warm, repeat + 1)
    if fmt == "validate":
        forms.validate(warm_form, warm_data)
        run = lambda form, data: forms.validate(form, data)  # noqa: E731
    else:
        forms.render(warm_form, warm_data, fmt=fmt)
        run = lambda form, data: forms.render(form, data, fmt=fmt)  # noqa: E731
    times, result = [], None
    from contextlib import nullcontext

    from forms.rendering.gcpause import gc_paused

    # Renders as the service's render gate and `nysan render` make them (forms.render leaves GC alone).
    paused = nullcontext if fmt == "validate" else gc_paused
    for form, data in documents:
        start = time.perf_counter()
        with paused():
            result = run(form, data)
        times.append(time.perf_counter() - start)
    if fmt == "validate":
        assert result == [], result[:3]
    return {"times": times, "pages": _pages(result) if fmt == "pdf" else None}


def chromium(html_file: str, warm_file: str, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    html = Path(html_file).read_text(encoding="utf-8")
    warm = Path(warm_file).read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()

        def run(content: str) -> bytes:
            page.set_content(content)
            return page.pdf(prefer_css_page_size=True)

        run(warm)
        times, result = [], b""
        for _ in range(repeat):
            start = time.perf_counter()
            result = run(html)
            times.append(time.perf_counter() - start)
        browser.close()
    return {"times": times, "pages": _pages(result)}


def typst_job(html_file: str, warm_file: str, repeat: int) -> dict:
    """Typst compiling the journal's markup (built from Nysan's HTML before timing)."""
    from bench.typst_markup import compile_pdf, journal_markup

    markup = journal_markup(Path(html_file).read_text(encoding="utf-8"))
    compile_pdf(journal_markup(Path(warm_file).read_text(encoding="utf-8")))
    times, result = [], b""
    for _ in range(repeat):
        start = time.perf_counter()
        result = compile_pdf(markup)
        times.append(time.perf_counter() - start)
    return {"times": times, "pages": _pages(result)}


def soffice(docx_file: str, warm_file: str, repeat: int) -> dict:
    """A cold ``soffice --headless --convert-to pdf`` per conversion, as converters run it; its user
    profile is made once by an untimed first conversion of a small document."""
    exe = shutil.which("soffice")
    work = Path(tempfile.mkdtemp(prefix="nysan-bench-lo-"))
    profile = f"-env:UserInstallation=file://{work / 'profile'}"
    command = [exe, profile, "--headless", "--convert-to", "pdf", "--outdir", str(work), docx_file]
    subprocess.run([*command[:-1], warm_file], check=True, capture_output=True, timeout=600)
    times = []
    out = work / (Path(docx_file).stem + ".pdf")
    for _ in range(repeat):
        out.unlink(missing_ok=True)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, timeout=1800)
        times.append(time.perf_counter() - start)
    result = out.read_bytes()
    shutil.rmtree(work, ignore_errors=True)
    return {"times": times, "pages": _pages(result)}


def _pages(pdf_bytes: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "nysan":
        result = nysan(argv[1], argv[2], int(argv[3]), "--plain" in argv)
    elif kind == "chromium":
        result = chromium(argv[1], argv[2], int(argv[3]))
    elif kind == "typst":
        result = typst_job(argv[1], argv[2], int(argv[3]))
    elif kind == "soffice":
        result = soffice(argv[1], argv[2], int(argv[3]))
    else:
        raise SystemExit(f"unknown job {kind}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result["maxrss_mb"] = round(own + children, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
