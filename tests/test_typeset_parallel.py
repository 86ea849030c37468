"""A long table laid out by two processes (forms.typeset.parallel) gives the very bytes one process
gives: random documents with a long table (rows of one line to more than a page's rest, with and
without heading rows, bordered or not, headings and text after it), and the same when the child
fails, dies, or finds what the typesetter does not support. Run in a fresh interpreter: a process
forks only while it has one thread."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

import forms
from forms.typeset import parallel

SCRIPT = Path(__file__).parent / "support" / "parallel.py"


def _run(mode: str, seeds) -> list[dict]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), mode, *map(str, seeds)], capture_output=True, text=True, timeout=600, check=True
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.slow
def test_two_processes_give_the_same_bytes():
    results = [result for result in _run("plain", range(10)) if "unsupported" not in result]
    assert len(results) >= 6
    for result in results:
        assert result["child"], result["seed"]  # the child laid out the first half
        assert result["two"] == result["one"], result["seed"]
        assert result["children_left"] == 0
    # The child's last page started with the rest of a row broken across pages at least once (the
    # row is broken again here as the paginator broke it there), and without at least once.
    assert any(result["rooms"] for result in results) and any(not result["rooms"] for result in results)
    pdf = PdfReader(io.BytesIO(base64.b64decode(results[0]["pdf"])))
    assert len(pdf.pages) > 10
    titles = [item.title for item in pdf.outline if not isinstance(item, list)]
    assert titles, "the headings before and after the table are in the outline"


def test_every_form_with_a_table_gives_the_same_bytes():
    results = _run("forms", [])
    registry = forms.default_registry()
    assert len(results) == 3 * sum(
        1 for form in registry.forms.values() for version in form.versions if version.rows_field
    )  # kk, kk as PDF/A-1b, ru
    for result in results:
        assert result["child"], result["form"]
        assert result["two"] == result["one"], result["form"]
        assert result["children_left"] == 0


@pytest.mark.parametrize("mode", ["fail", "die"])
def test_a_child_that_fails_costs_only_time(mode):
    for result in _run(mode, [1, 2]):
        assert result["two"] == result["one"]
        assert result["children_left"] == 0


def test_what_the_child_does_not_support_declines_the_document():
    for result in _run("decline", [1]):
        assert result["error"] == "something the child found"  # html_to_pdf then hands it to WeasyPrint
        assert result["children_left"] == 0


def test_no_fork_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.available(2)
    finally:
        stop.set()
        thread.join()
    assert not parallel.available(1)


def test_the_setting():
    assert forms.Settings.load({"TYPESET_PROCESSES": "1"}).typeset_processes == 1
    assert forms.Settings.load({"TYPESET_PROCESSES": 2}).typeset_processes == 2
    assert forms.Settings.load({"TYPESET_PROCESSES": "auto"}).typeset_processes in (1, 2)
    with pytest.raises(forms.SettingsError):
        forms.Settings.load({"TYPESET_PROCESSES": "3"})
